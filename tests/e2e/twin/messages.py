"""Building and editing stored message objects from request bodies.

Whatever route a bot uses to speak (channel message, interaction callback,
follow-up webhook), the result is stored as one Discord message object so a
test can read it, click its buttons, and see it come back over the gateway.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import errors
from .limits import hard_limit_problems
from .records import UploadedFile
from .snowflake import iso_timestamp
from .state import Channel, TwinState, User

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")

TYPE_DEFAULT = 0
TYPE_REPLY = 19
TYPE_CHAT_INPUT_COMMAND = 20

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15


def _mention_payload(state: TwinState, channel: Channel, user_id: int) -> dict[str, Any] | None:
    user = state.users.get(user_id)
    if user is None:
        return None
    data = user.payload()
    if channel.guild_id is not None:
        member = state.members.get((channel.guild_id, user_id))
        if member is not None:
            data["member"] = member.payload(with_user=False)
    return data


def _pinged_ids(
    content: str, allowed: Mapping[str, Any] | None, pattern: re.Pattern[str], kind: str
) -> list[int]:
    found = [int(x) for x in pattern.findall(content or "")]
    if allowed is None:
        return list(dict.fromkeys(found))
    parse = allowed.get("parse") or []
    explicit = {int(x) for x in allowed.get(kind) or []}
    return list(dict.fromkeys(x for x in found if kind in parse or x in explicit))


def _attachments_from(
    state: TwinState, channel: Channel, body: Mapping[str, Any], files: Sequence[UploadedFile]
) -> list[dict[str, Any]]:
    by_field = {f.field: f for f in files}
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for entry in body.get("attachments") or []:
        ident = str(entry.get("id"))
        upload = by_field.get(f"files[{ident}]")
        if upload is not None:
            used.add(upload.field)
            stored = state.add_attachment(
                channel.id,
                entry.get("filename") or upload.filename or "file",
                upload.data,
                upload.content_type,
            )
            payload = state.attachment_payload(stored)
            if entry.get("description"):
                payload["description"] = entry["description"]
            out.append(payload)
        elif ident.isdigit() and int(ident) in state.attachments:
            out.append(state.attachment_payload(state.attachments[int(ident)]))
    for upload in files:
        if upload.field.startswith("files[") and upload.field not in used:
            stored = state.add_attachment(
                channel.id, upload.filename or "file", upload.data, upload.content_type
            )
            out.append(state.attachment_payload(stored))
    return out


def _normalise_embeds(embeds: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for embed in embeds or []:
        item = dict(embed)
        item.setdefault("type", "rich")
        out.append(item)
    return out


def validate_message_body(body: Mapping[str, Any], files: Sequence[UploadedFile], *, is_edit: bool) -> None:
    """Raise the 400 Discord would answer for this message body."""
    problems = hard_limit_problems(body)
    if problems:
        raise errors.invalid_form_body([str(p) for p in problems])
    if is_edit:
        return
    has_body = any(
        [
            body.get("content"),
            body.get("embeds"),
            body.get("components"),
            body.get("sticker_ids"),
            body.get("poll"),
            body.get("attachments"),
            files,
        ]
    )
    if not has_body:
        raise errors.DiscordError(400, errors.EMPTY_MESSAGE, "Cannot send an empty message")


def build_message(
    state: TwinState,
    *,
    channel: Channel,
    author: User,
    body: Mapping[str, Any],
    files: Sequence[UploadedFile] = (),
    message_type: int = TYPE_DEFAULT,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A new message object (not yet stored) as Discord would create it."""
    content = body.get("content") or ""
    allowed = body.get("allowed_mentions")
    message_id = state.ids.next()
    mentions: list[dict[str, Any]] = []
    for uid in _pinged_ids(content, allowed, USER_MENTION, "users"):
        payload = _mention_payload(state, channel, uid)
        if payload is not None:
            mentions.append(payload)
    mention_roles = [str(r) for r in _pinged_ids(content, allowed, ROLE_MENTION, "roles") if r in state.roles]
    message: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel.id),
        "author": author.payload(),
        "content": content,
        "timestamp": iso_timestamp(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": mention_roles,
        "attachments": _attachments_from(state, channel, body, files),
        "embeds": _normalise_embeds(body.get("embeds")),
        "reactions": [],
        "pinned": False,
        "type": message_type,
        "flags": int(body.get("flags") or 0),
        "components": copy.deepcopy(list(body.get("components") or [])),
    }
    if channel.guild_id is not None:
        message["guild_id"] = str(channel.guild_id)
        member = state.members.get((channel.guild_id, author.id))
        if member is not None:
            message["member"] = member.payload(with_user=False)
    if body.get("nonce") is not None:
        message["nonce"] = body["nonce"]
    ref = body.get("message_reference")
    if ref and ref.get("message_id"):
        referenced = state.messages.get(int(ref["message_id"]))
        if referenced is None:
            if ref.get("fail_if_not_exists", True):
                raise errors.invalid_form_body(["message_reference: Unknown message"])
        else:
            message["type"] = TYPE_REPLY if message_type == TYPE_DEFAULT else message_type
            message["message_reference"] = {
                "type": 0,
                "message_id": referenced["id"],
                "channel_id": referenced["channel_id"],
                **({"guild_id": referenced["guild_id"]} if referenced.get("guild_id") else {}),
            }
            nested = dict(referenced)
            nested.pop("referenced_message", None)
            message["referenced_message"] = nested
            replied_ping = True if allowed is None else bool(allowed.get("replied_user", False))
            author_id = int(referenced["author"]["id"])
            if replied_ping and all(int(m["id"]) != author_id for m in mentions):
                payload = _mention_payload(state, channel, author_id)
                if payload is not None:
                    mentions.append(payload)
    if extra:
        message.update(extra)
    return message


def apply_edit(
    state: TwinState,
    message: dict[str, Any],
    body: Mapping[str, Any],
    files: Sequence[UploadedFile] = (),
) -> dict[str, Any]:
    """Apply a PATCH body to a stored message in place (present keys replace old values)."""
    channel = state.channels[int(message["channel_id"])]
    if "content" in body:
        message["content"] = body.get("content") or ""
        allowed = body.get("allowed_mentions")
        message["mentions"] = [
            p
            for p in (
                _mention_payload(state, channel, uid)
                for uid in _pinged_ids(message["content"], allowed, USER_MENTION, "users")
            )
            if p is not None
        ]
    if "embeds" in body:
        message["embeds"] = _normalise_embeds(body.get("embeds"))
    if "components" in body:
        message["components"] = copy.deepcopy(list(body.get("components") or []))
    if body.get("flags") is not None:
        # Ephemerality cannot be changed by an edit.
        message["flags"] = int(body["flags"]) | (int(message.get("flags", 0)) & FLAG_EPHEMERAL)
    if "attachments" in body or files:
        kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
        kept = (
            [a for a in message.get("attachments", []) if a["id"] in kept_ids]
            if "attachments" in body
            else list(message.get("attachments", []))
        )
        new = _attachments_from(
            state,
            channel,
            {
                "attachments": [
                    a
                    for a in body.get("attachments") or []
                    if str(a.get("id")) not in {x["id"] for x in kept}
                ]
            },
            files,
        )
        message["attachments"] = kept + new
    message["flags"] = int(message.get("flags", 0)) & ~FLAG_LOADING  # an edit ends the "thinking" state
    message["edited_timestamp"] = iso_timestamp()
    state.touch_message(int(message["id"]))
    return message


def iter_components(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Flatten action rows, sections, containers and labels into their interactive children."""
    out: list[Mapping[str, Any]] = []
    stack = list(components)
    while stack:
        comp = stack.pop(0)
        out.append(comp)
        for key in ("components",):
            stack.extend(comp.get(key) or [])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), Mapping):
                stack.append(comp[key])
    return out
