"""Interaction callbacks and interaction webhooks (follow-ups, @original).

Discord's rules that bots get wrong in production are enforced here:
a callback must arrive within the deadline (3 s) and only once, follow-ups
only work after the interaction was acknowledged, and the first follow-up
after a deferred "thinking" response replaces that placeholder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import errors
from .context import TwinContext
from .interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    TwinInteraction,
)
from .messages import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    TYPE_CHAT_INPUT_COMMAND,
    TYPE_DEFAULT,
    apply_edit,
    build_message,
    validate_message_body,
)
from .rest import body_of, files_of, json_response, no_content, record_of

CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL},
    MESSAGE_COMPONENT: {
        CALLBACK_MESSAGE,
        CALLBACK_DEFERRED_MESSAGE,
        CALLBACK_DEFERRED_UPDATE,
        CALLBACK_UPDATE_MESSAGE,
        CALLBACK_MODAL,
    },
    APPLICATION_COMMAND_AUTOCOMPLETE: {CALLBACK_AUTOCOMPLETE},
    MODAL_SUBMIT: {
        CALLBACK_MESSAGE,
        CALLBACK_DEFERRED_MESSAGE,
        CALLBACK_DEFERRED_UPDATE,
        CALLBACK_UPDATE_MESSAGE,
    },
}

TRUTHY = {"1", "true", "True"}


class InteractionRoutes:
    def __init__(self, ctx: TwinContext) -> None:
        self.ctx = ctx

    def register(self, router: web.UrlDispatcher, add: Callable[..., None]) -> None:
        add(router, "POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback)
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        add(router, "POST", hook, self.execute)
        for suffix in ("/messages/@original", "/messages/{message_id}"):
            add(router, "GET", hook + suffix, self.get_message)
            add(router, "PATCH", hook + suffix, self.edit_message)
            add(router, "DELETE", hook + suffix, self.delete_message)

    # ------------------------------------------------------------ helpers
    def _interaction_for_webhook(self, request: web.Request) -> TwinInteraction:
        interaction = self.ctx.by_token.get(request.match_info["webhook_token"])
        webhook_id = request.match_info["webhook_id"]
        if interaction is None or webhook_id != str(self.ctx.state.application_id):
            raise errors.unknown("Webhook", errors.UNKNOWN_WEBHOOK)
        interaction.requests.append(record_of(request))
        if not interaction.acknowledged:
            interaction.rejected.append(
                f"{request.method} {request.path} before the interaction was acknowledged"
            )
            raise errors.unknown("Webhook", errors.UNKNOWN_WEBHOOK)
        return interaction

    def _new_message(
        self, interaction: TwinInteraction, body: dict[str, Any], files: list[Any], *, flags: int = 0
    ) -> dict[str, Any]:
        state = self.ctx.state
        channel = state.channels[interaction.channel_id]
        user = state.users[interaction.user_id]
        owners = interaction.payload.get("authorizing_integration_owners", {})
        metadata: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": user.payload(),
            "authorizing_integration_owners": owners,
        }
        extra: dict[str, Any] = {
            "webhook_id": str(state.application_id),
            "application_id": str(state.application_id),
            "interaction_metadata": metadata,
        }
        if interaction.type == APPLICATION_COMMAND:
            metadata["name"] = interaction.data.get("name", "")
            metadata["command_type"] = interaction.data.get("type", 1)
            extra["interaction"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "name": interaction.data.get("name", ""),
                "user": user.payload(),
            }
        elif interaction.source_message_id is not None:
            metadata["interacted_message_id"] = str(interaction.source_message_id)
        message_type = TYPE_CHAT_INPUT_COMMAND if interaction.type == APPLICATION_COMMAND else TYPE_DEFAULT
        message = build_message(
            state,
            channel=channel,
            author=state.bot,
            body=body,
            files=files,
            message_type=message_type,
            extra=extra,
        )
        message["flags"] = int(message.get("flags", 0)) | flags
        return state.store_message(message)

    async def _announce(self, event: str, message: dict[str, Any]) -> None:
        if self.ctx.config.echo_bot_messages and not int(message.get("flags", 0)) & FLAG_EPHEMERAL:
            await self.ctx.hub.dispatch_message(event, message)

    def _owned_message(self, request: web.Request, interaction: TwinInteraction) -> dict[str, Any]:
        ident = request.match_info.get("message_id")
        if ident is None:  # the @original route
            message_id = interaction.original_message_id
        else:
            message_id = int(ident) if ident.isdigit() else None
            if (
                message_id not in interaction.followup_message_ids
                and message_id != interaction.original_message_id
            ):
                message_id = None
        message = self.ctx.state.messages.get(message_id) if message_id is not None else None
        if message is None:
            raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
        return message

    # ----------------------------------------------------------- callback
    async def callback(self, request: web.Request) -> web.Response:
        ctx = self.ctx
        record = record_of(request)
        raw_id = request.match_info["interaction_id"]
        interaction = ctx.interactions.get(int(raw_id)) if raw_id.isdigit() else None
        if interaction is None or interaction.token != request.match_info["interaction_token"]:
            raise errors.unknown("interaction", errors.UNKNOWN_INTERACTION)
        interaction.requests.append(record)
        if interaction.acknowledged:
            interaction.rejected.append("second callback")
            raise errors.DiscordError(
                400, errors.ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged."
            )
        age = time.monotonic() - interaction.created_at
        if age > ctx.config.interaction_deadline:
            interaction.rejected.append(
                f"callback after {age:.2f}s (deadline {ctx.config.interaction_deadline}s)"
            )
            raise errors.unknown("interaction", errors.UNKNOWN_INTERACTION)
        body, files = body_of(request), files_of(request)
        ctype = body.get("type")
        data = body.get("data") or {}
        if ctype not in ALLOWED_CALLBACKS.get(interaction.type, set()):
            raise errors.invalid_form_body(
                [f"type: callback type {ctype} is invalid for interaction type {interaction.type}"]
            )
        self._validate(ctype, data, files)
        interaction.callback_type = ctype
        interaction.callback = record
        interaction.callback_at = time.monotonic()
        message: dict[str, Any] | None = None
        event: str | None = None
        if ctype == CALLBACK_MESSAGE:
            message = self._new_message(interaction, data, files)
            interaction.original_message_id = int(message["id"])
            event = "MESSAGE_CREATE"
        elif ctype == CALLBACK_DEFERRED_MESSAGE:
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self._new_message(interaction, {"content": ""}, [], flags=flags)
            interaction.original_message_id = int(message["id"])
            event = "MESSAGE_CREATE"
        elif ctype in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            source = ctx.state.messages.get(interaction.source_message_id or 0)
            if source is None:
                raise errors.invalid_form_body(["type: no message to update for this interaction"])
            interaction.original_message_id = int(source["id"])
            if ctype == CALLBACK_UPDATE_MESSAGE:
                message = apply_edit(ctx.state, source, data, files)
                event = "MESSAGE_UPDATE"
            else:
                message = source
        elif ctype == CALLBACK_AUTOCOMPLETE:
            interaction.choices = list(data.get("choices") or [])
        elif ctype == CALLBACK_MODAL:
            interaction.modal = data
        if message is not None and event is not None:
            await self._announce(event, message)
        ctx.notifier.notify()
        if request.query.get("with_response") in TRUTHY:
            return json_response(self._callback_response(interaction, ctype, message))
        return no_content()

    @staticmethod
    def _validate(ctype: int, data: dict[str, Any], files: list[Any]) -> None:
        if ctype in (CALLBACK_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            validate_message_body(data, files, is_edit=ctype == CALLBACK_UPDATE_MESSAGE)
        elif ctype == CALLBACK_AUTOCOMPLETE:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise errors.invalid_form_body([f"data.choices: {len(choices)} choices (max 25)"])
            for choice in choices:
                if not 1 <= len(str(choice.get("name", ""))) <= 100:
                    raise errors.invalid_form_body(["data.choices: choice names must be 1-100 characters"])
        elif ctype == CALLBACK_MODAL:
            problems = []
            if not data.get("custom_id"):
                problems.append("data.custom_id is required")
            if not 1 <= len(data.get("title") or "") <= 45:
                problems.append("data.title must be 1-45 characters")
            if not 1 <= len(data.get("components") or []) <= 5:
                problems.append("data.components must have 1-5 entries")
            if problems:
                raise errors.invalid_form_body(problems)

    def _callback_response(
        self, interaction: TwinInteraction, ctype: int, message: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The InteractionCallbackResponse body returned for ``?with_response=true``."""
        flags = int(message.get("flags", 0)) if message else 0
        info: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": ctype == CALLBACK_DEFERRED_MESSAGE,
            "response_message_ephemeral": bool(flags & FLAG_EPHEMERAL),
        }
        if message is not None:
            info["response_message_id"] = message["id"]
        resource: dict[str, Any] = {"type": ctype}
        if message is not None and ctype in (
            CALLBACK_MESSAGE,
            CALLBACK_DEFERRED_MESSAGE,
            CALLBACK_UPDATE_MESSAGE,
        ):
            resource["message"] = message
        return {"interaction": info, "resource": resource}

    # ----------------------------------------------------------- webhooks
    async def execute(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_webhook(request)
        body, files = body_of(request), files_of(request)
        validate_message_body(body, files, is_edit=False)
        state = self.ctx.state
        original = state.messages.get(interaction.original_message_id or 0)
        if (
            original is not None
            and interaction.callback_type == CALLBACK_DEFERRED_MESSAGE
            and int(original.get("flags", 0)) & FLAG_LOADING
        ):
            # Discord turns the first follow-up after a "thinking" defer into the original response.
            message = apply_edit(state, original, body, files)
            await self._announce("MESSAGE_UPDATE", message)
        else:
            flags = int(body.get("flags") or 0)
            message = self._new_message(interaction, body, files, flags=flags & FLAG_EPHEMERAL)
            interaction.followup_message_ids.append(int(message["id"]))
            await self._announce("MESSAGE_CREATE", message)
        self.ctx.notifier.notify()
        if request.query.get("wait") in TRUTHY:
            return json_response(message)
        return no_content()

    async def get_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_webhook(request)
        return json_response(self._owned_message(request, interaction))

    async def edit_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_webhook(request)
        message = self._owned_message(request, interaction)
        body, files = body_of(request), files_of(request)
        validate_message_body(body, files, is_edit=True)
        apply_edit(self.ctx.state, message, body, files)
        await self._announce("MESSAGE_UPDATE", message)
        self.ctx.notifier.notify()
        return json_response(message)

    async def delete_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_webhook(request)
        message = self._owned_message(request, interaction)
        del self.ctx.state.messages[int(message["id"])]
        if not int(message.get("flags", 0)) & FLAG_EPHEMERAL:
            event: dict[str, Any] = {"id": message["id"], "channel_id": message["channel_id"]}
            if message.get("guild_id"):
                event["guild_id"] = message["guild_id"]
            await self.ctx.hub.dispatch("MESSAGE_DELETE", event)
        self.ctx.notifier.notify()
        return no_content()
