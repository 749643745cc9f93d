"""Gateway intents as Discord applies them to dispatched events.

A bot that forgets an intent, or relies on message content it will not get
in production, must fail here too: events outside the identified intents are
not sent, and without MESSAGE_CONTENT message bodies arrive empty except in
DMs, in the bot's own messages and in messages that mention the bot.
"""

from __future__ import annotations

import copy
from typing import Any

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
DIRECT_MESSAGE_TYPING = 1 << 14
MESSAGE_CONTENT = 1 << 15

PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}
_REACTION_EVENTS = {"MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL"}
_GUILD_EVENTS = {
    "GUILD_CREATE",
    "GUILD_UPDATE",
    "GUILD_DELETE",
    "GUILD_ROLE_CREATE",
    "GUILD_ROLE_UPDATE",
    "GUILD_ROLE_DELETE",
    "CHANNEL_CREATE",
    "CHANNEL_UPDATE",
    "CHANNEL_DELETE",
}
_MEMBER_EVENTS = {"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"}


def event_allowed(event: str, data: dict[str, Any], intents: int) -> bool:
    in_guild = bool(data.get("guild_id")) or event in _GUILD_EVENTS
    if event in _MESSAGE_EVENTS:
        return bool(intents & (GUILD_MESSAGES if in_guild else DIRECT_MESSAGES))
    if event in _REACTION_EVENTS:
        return bool(intents & (GUILD_MESSAGE_REACTIONS if in_guild else DIRECT_MESSAGE_REACTIONS))
    if event == "TYPING_START":
        return bool(intents & (GUILD_MESSAGE_TYPING if in_guild else DIRECT_MESSAGE_TYPING))
    if event in _MEMBER_EVENTS:
        return bool(intents & GUILD_MEMBERS)
    if event in _GUILD_EVENTS and event != "GUILD_CREATE":
        return bool(intents & GUILDS)
    return True


def _content_visible(message: dict[str, Any], bot_id: int) -> bool:
    if not message.get("guild_id"):
        return True
    if int(message.get("author", {}).get("id", 0)) == bot_id:
        return True
    return any(int(m["id"]) == bot_id for m in message.get("mentions", []))


def redact_message(message: dict[str, Any], intents: int, bot_id: int) -> dict[str, Any]:
    """Copy of ``message`` as a session with ``intents`` would receive it."""
    if intents & MESSAGE_CONTENT:
        return message
    out = message
    if not _content_visible(message, bot_id):
        out = copy.deepcopy(message)
        out["content"] = ""
        out["embeds"] = []
        out["attachments"] = []
        out["components"] = []
        out.pop("poll", None)
    ref = out.get("referenced_message")
    if isinstance(ref, dict):
        redacted_ref = redact_message(ref, intents, bot_id)
        if redacted_ref is not ref:
            out = dict(out) if out is message else out
            out["referenced_message"] = redacted_ref
    return out
