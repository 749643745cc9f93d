"""Playing users who invoke slash commands, autocomplete, click buttons, pick selects and submit modals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .core import MessageRef, TwinCore
from .interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InvocationError,
    TwinInteraction,
    check_command_visible,
    command_data,
    envelope,
    find_component,
    modal_submit_components,
    select_values,
    split_command_path,
)
from .state import Channel, User


class InteractionDriver(TwinCore):
    """Interaction-sending half of :class:`~tests.e2e.twin.driver.Twin`."""

    def _require_session(self) -> None:
        if not self.hub.active_sessions():
            raise InvocationError("no bot gateway session is identified with the twin")

    async def _dispatch_interaction(self, interaction: TwinInteraction) -> TwinInteraction:
        self.ctx.register_interaction(interaction)
        await self.hub.dispatch("INTERACTION_CREATE", interaction.payload)
        return interaction

    def _command(self, command: str, channel: Channel) -> tuple[dict[str, Any], list[str]]:
        path = split_command_path(command)
        cmd = self.state.find_command(path[0], channel.guild_id)
        if cmd is None:
            registered = {
                ("global" if scope is None else f"guild {scope}"): [c["name"] for c in cmds]
                for scope, cmds in self.state.commands.items()
            }
            raise InvocationError(
                f"the bot has not registered /{path[0]} for this channel; registered: {registered}"
            )
        return cmd, path[1:]

    async def invoke_slash(
        self,
        command: str,
        *,
        user: User,
        channel: Channel | None = None,
        options: Mapping[str, Any] | None = None,
        locale: str = "en-US",
        permissions: int | None = None,
        integration_override: bool = False,
    ) -> TwinInteraction:
        """Invoke ``/command`` (e.g. ``"ask"`` or ``"news admin reload"``) as ``user``.

        ``channel=None`` means the bot DM. ``options`` maps option names to values
        (``User``/``Role``/``Channel`` objects for those types, :class:`AttachmentSpec`
        for attachments). ``permissions`` overrides ``member.permissions`` and
        ``integration_override`` lets a member without ``default_member_permissions``
        invoke it, as when a guild's integration settings expose the command.
        """
        self._require_session()
        channel = channel or self.state.dm_channel(user)
        cmd, path = self._command(command, channel)
        check_command_visible(self.state, cmd, channel, user, integration_override=integration_override)
        data = command_data(self.state, cmd=cmd, path=path, options=dict(options or {}), channel=channel)
        payload, token = envelope(
            self.state,
            interaction_type=APPLICATION_COMMAND,
            data=data,
            channel=channel,
            user=user,
            locale=locale,
            permissions=permissions,
        )
        interaction = TwinInteraction.sent(payload, token, channel=channel, user=user, command=cmd)
        return await self._dispatch_interaction(interaction)

    async def autocomplete(
        self,
        command: str,
        *,
        user: User,
        focused: str,
        value: str = "",
        channel: Channel | None = None,
        options: Mapping[str, Any] | None = None,
        locale: str = "en-US",
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused``; returns the choices the bot answered with."""
        self._require_session()
        channel = channel or self.state.dm_channel(user)
        cmd, path = self._command(command, channel)
        check_command_visible(self.state, cmd, channel, user, integration_override=True)
        opts = dict(options or {})
        opts[focused] = value
        data = command_data(self.state, cmd=cmd, path=path, options=opts, channel=channel, focused=focused)
        payload, token = envelope(
            self.state,
            interaction_type=APPLICATION_COMMAND_AUTOCOMPLETE,
            data=data,
            channel=channel,
            user=user,
            locale=locale,
        )
        interaction = TwinInteraction.sent(payload, token, channel=channel, user=user, command=cmd)
        await self._dispatch_interaction(interaction)
        await self.wait_for_callback(interaction, timeout=timeout)
        return list(interaction.choices or [])

    async def _component(
        self, message: MessageRef, custom_id: str, user: User, data: dict[str, Any], locale: str
    ) -> TwinInteraction:
        self._require_session()
        stored = self.message(message)
        await self._react_after(self.state.message_touched_at.get(int(stored["id"])))
        stored = self.message(message)
        channel = self.state.channels[int(stored["channel_id"])]
        payload, token = envelope(
            self.state,
            interaction_type=MESSAGE_COMPONENT,
            data=data,
            channel=channel,
            user=user,
            locale=locale,
            message=stored,
        )
        interaction = TwinInteraction.sent(
            payload, token, channel=channel, user=user, source_message_id=int(stored["id"])
        )
        return await self._dispatch_interaction(interaction)

    async def _react_after(self, shown_at: float | None) -> None:
        """Wait until ``user_reaction_time`` has passed since the bot showed what the user acts on."""
        if shown_at is None:
            return
        delay = shown_at + self.config.user_reaction_time - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def click_button(
        self, message: MessageRef, custom_id: str, *, user: User, locale: str = "en-US"
    ) -> TwinInteraction:
        component = find_component(self.message(message), custom_id)
        if component.get("type") != 2:
            raise InvocationError(f"component {custom_id!r} is not a button (type {component.get('type')})")
        return await self._component(
            message, custom_id, user, {"custom_id": custom_id, "component_type": 2}, locale
        )

    async def select(
        self, message: MessageRef, custom_id: str, values: Sequence[Any], *, user: User, locale: str = "en-US"
    ) -> TwinInteraction:
        """Choose ``values`` in a select menu: option values for string selects, ``User``/``Role``/
        ``Channel`` objects or ids for entity selects (sent with ``resolved`` data)."""
        stored = self.message(message)
        component = find_component(stored, custom_id)
        kind = int(component.get("type", 0))
        if kind not in (3, 5, 6, 7, 8):
            raise InvocationError(f"component {custom_id!r} is not a select menu (type {kind})")
        lo, hi = component.get("min_values", 1), component.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise InvocationError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        if kind == 3:
            offered = [o["value"] for o in component.get("options") or []]
            bad = [v for v in values if str(v) not in offered]
            if bad:
                raise InvocationError(f"select {custom_id!r} has no option(s) {bad} (offers {offered})")
        channel = self.state.channels[int(stored["channel_id"])]
        ids, resolved = select_values(self.state, channel, kind, values)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "values": ids}
        if resolved:
            data["resolved"] = resolved
        return await self._component(message, custom_id, user, data, locale)

    async def submit_modal(
        self,
        source: TwinInteraction,
        fields: Mapping[str, Any],
        *,
        user: User | None = None,
        locale: str = "en-US",
    ) -> TwinInteraction:
        """Fill in and submit the modal the bot answered ``source`` with (``fields``: custom_id -> value)."""
        self._require_session()
        if source.modal is None:
            raise InvocationError(f"interaction {source.id} was not answered with a modal")
        modal = source.modal
        user = user or self.state.users[source.user_id]
        channel = self.state.channels[source.channel_id]
        data = {"custom_id": modal["custom_id"], "components": modal_submit_components(modal, fields)}
        if source.callback is not None and source.callback.status is None:
            await self.wait_for_request(lambda r: r is source.callback and r.status is not None, timeout=10.0)
        await self._react_after(source.callback_at)
        stored = self.state.messages.get(source.source_message_id or 0)
        payload, token = envelope(
            self.state,
            interaction_type=MODAL_SUBMIT,
            data=data,
            channel=channel,
            user=user,
            locale=locale,
            message=stored,
        )
        interaction = TwinInteraction.sent(
            payload, token, channel=channel, user=user, source_message_id=source.source_message_id
        )
        return await self._dispatch_interaction(interaction)
