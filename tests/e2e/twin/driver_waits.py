"""Waiting for what the bot does: requests, interaction answers, messages, readiness, resumes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .core import MessageRef, TwinCore
from .gateway import GatewayFrame, GatewaySession
from .interactions import TwinInteraction
from .messages import FLAG_LOADING
from .notify import TwinTimeout
from .records import RecordedRequest
from .responses import InteractionResponse
from .state import Channel

T = TypeVar("T")


class WaitDriver(TwinCore):
    """Waiting half of :class:`~tests.e2e.twin.driver.Twin`; every wait fails with a clear message."""

    async def _wait(
        self,
        probe: Callable[[], T | None],
        *,
        timeout: float,
        description: str,
        details: Callable[[], str] | None = None,
    ) -> T:
        """Notifier wait that also gives up as soon as a watched bot process has crashed."""
        return await self.ctx.notifier.wait_for(
            probe, timeout=timeout, description=description, details=details, abort=self.crash_report
        )

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool],
        *,
        timeout: float = 10.0,
        description: str = "a matching request",
        after_seq: int = 0,
    ) -> RecordedRequest:
        """First recorded request (answered or not) with ``seq > after_seq`` matching ``predicate``."""

        def probe() -> RecordedRequest | None:
            return next((r for r in self.ctx.requests.since(after_seq) if predicate(r)), None)

        return await self._wait(
            probe, timeout=timeout, description=description, details=self.ctx.requests.describe_tail
        )

    async def wait_for_callback(
        self, interaction: TwinInteraction, *, timeout: float = 10.0
    ) -> TwinInteraction:
        def probe() -> TwinInteraction | None:
            if interaction.rejected and not interaction.acknowledged:
                raise TwinTimeout(
                    f"interaction {interaction.id} was not acknowledged: {interaction.rejected}"
                )
            return interaction if interaction.acknowledged else None

        return await self._wait(
            probe,
            timeout=timeout,
            description=f"the callback of interaction {interaction.id}",
            details=self.ctx.requests.describe_tail,
        )

    def _answered(self, interaction: TwinInteraction) -> bool:
        ctype = interaction.callback_type
        if ctype is None:
            return False
        if interaction.followup_message_ids:
            return True
        if ctype == 5:
            original = self.state.messages.get(interaction.original_message_id or 0)
            return original is not None and not int(original.get("flags", 0)) & FLAG_LOADING
        if ctype == 6:
            return any(r.method == "PATCH" and r.status == 200 for r in interaction.requests)
        return True

    def response_to(self, interaction: TwinInteraction) -> InteractionResponse:
        """Snapshot of what the bot has answered so far."""
        return InteractionResponse(
            interaction=interaction,
            callback_type=interaction.callback_type,
            message=self.state.messages.get(interaction.original_message_id or 0),
            followups=[
                self.state.messages[m] for m in interaction.followup_message_ids if m in self.state.messages
            ],
            requests=list(interaction.requests),
        )

    async def interaction_response(
        self,
        interaction: TwinInteraction,
        *,
        timeout: float = 10.0,
        until: Callable[[InteractionResponse], bool] | None = None,
    ) -> InteractionResponse:
        """Wait until the bot visibly answered (see ``until`` for custom conditions) and return the answer.

        Default condition: a message/update/modal/autocomplete callback, or after a
        defer, an edit of @original or a follow-up.
        """

        def probe() -> InteractionResponse | None:
            if interaction.rejected and not interaction.acknowledged:
                raise TwinTimeout(
                    f"interaction {interaction.id} was not acknowledged: {interaction.rejected}"
                )
            response = self.response_to(interaction)
            done = until(response) if until is not None else self._answered(interaction)
            return response if done else None

        return await self._wait(
            probe,
            timeout=timeout,
            description=f"the bot's answer to interaction {interaction.id}",
            details=self.ctx.requests.describe_tail,
        )

    async def wait_for_bot_message(
        self,
        channel: Channel,
        *,
        after: MessageRef | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """First message the bot posted in ``channel`` after message ``after`` (default: any)."""
        after_id = self._message_id(after) if after is not None else 0

        def probe() -> dict[str, Any] | None:
            for msg in self.bot_messages_in(channel, after=after_id):
                if predicate is None or predicate(msg):
                    return msg
            return None

        return await self._wait(
            probe,
            timeout=timeout,
            description=f"a bot message in channel {channel.name or channel.id}",
            details=self.ctx.requests.describe_tail,
        )

    async def wait_for_reply(
        self, message: MessageRef, *, timeout: float = 10.0, require_reference: bool = False
    ) -> dict[str, Any]:
        """The bot's answer to ``message``: the first later bot message in its channel that replies
        to it (``message_reference``) or, unless ``require_reference``, replies to nothing."""
        target = self.message(message)
        channel = self.state.channels[int(target["channel_id"])]
        target_id = str(target["id"])

        def answers(msg: dict[str, Any]) -> bool:
            ref = (msg.get("message_reference") or {}).get("message_id")
            return ref == target_id or (ref is None and not require_reference)

        return await self.wait_for_bot_message(channel, after=target, predicate=answers, timeout=timeout)

    async def wait_until_ready(
        self, timeout: float = 20.0, *, commands: bool = True, since: float | None = None
    ) -> GatewaySession:
        """Wait for a session that identified (after ``since``, a ``time.monotonic()`` value),
        received READY and every GUILD_CREATE, and (``commands=True``) for a command sync."""
        since = since if since is not None else 0.0

        def probe() -> GatewaySession | None:
            synced = not commands or any(
                r.method == "PUT"
                and (r.route or "").endswith("/commands")
                and r.status == 200
                and r.at >= since
                for r in self.ctx.requests
            )
            if not synced:
                return None
            for session in self.hub.sessions.values():
                if session.created_at >= since and session.guilds_delivered_at is not None:
                    return session
            return None

        return await self._wait(
            probe,
            timeout=timeout,
            description="the bot to identify, receive its guilds"
            + (" and sync commands" if commands else ""),
            details=lambda: f"{self.ctx.requests.describe_tail()}\ngateway errors: {self.hub.errors}",
        )

    async def wait_for_gateway(
        self,
        predicate: Callable[[GatewayFrame], bool],
        *,
        timeout: float = 10.0,
        description: str = "a gateway frame",
    ) -> GatewayFrame:
        def probe() -> GatewayFrame | None:
            return next((f for f in list(self.hub.frames) if predicate(f)), None)

        return await self._wait(probe, timeout=timeout, description=description)

    async def wait_for_resume(self, *, since: float, timeout: float = 15.0) -> GatewayFrame:
        """The next RESUMED dispatched after ``since`` (a ``time.monotonic()`` value)."""
        return await self.wait_for_gateway(
            lambda f: f.direction == "out" and f.t == "RESUMED" and f.at >= since,
            timeout=timeout,
            description="the bot to RESUME its session",
        )
