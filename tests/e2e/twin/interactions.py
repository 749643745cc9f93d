"""Interaction payloads as Discord sends them, and the record of each interaction's answer.

The builders validate a test's invocation against the commands the bot
actually registered (names, subcommand paths, option types, required
options, choices), the way a Discord client would refuse to send a command
that does not exist, and fill in every field discord.py's ``Interaction``
parser reads.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perms
from .messages import iter_components
from .records import RecordedRequest
from .state import Channel, Role, StoredAttachment, TwinState, User

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

OPT_SUB_COMMAND = 1
OPT_SUB_COMMAND_GROUP = 2
OPT_STRING = 3
OPT_INTEGER = 4
OPT_BOOLEAN = 5
OPT_USER = 6
OPT_CHANNEL = 7
OPT_ROLE = 8
OPT_MENTIONABLE = 9
OPT_NUMBER = 10
OPT_ATTACHMENT = 11

CONTEXT_GUILD = 0
CONTEXT_BOT_DM = 1

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class InvocationError(AssertionError):
    """A test asked for an interaction a real Discord client could not produce."""


@dataclass
class AttachmentSpec:
    """A file a test "uploads" with a slash command option of type attachment."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class TwinInteraction:
    """One interaction the twin sent, and everything the bot did with its token."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    channel_id: int
    guild_id: int | None
    user_id: int
    created_at: float = field(default_factory=time.monotonic)
    command: dict[str, Any] | None = None
    source_message_id: int | None = None
    callback_type: int | None = None
    callback: RecordedRequest | None = None
    callback_at: float | None = None
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    rejected: list[str] = field(default_factory=list)

    @classmethod
    def sent(
        cls,
        payload: dict[str, Any],
        token: str,
        *,
        channel: Channel,
        user: User,
        command: dict[str, Any] | None = None,
        source_message_id: int | None = None,
    ) -> TwinInteraction:
        """The record of an INTERACTION_CREATE built by :func:`envelope`."""
        return cls(
            id=int(payload["id"]),
            token=token,
            type=payload["type"],
            payload=payload,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            user_id=user.id,
            command=command,
            source_message_id=source_message_id,
        )

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None

    @property
    def data(self) -> dict[str, Any]:
        return self.payload.get("data", {})


# --------------------------------------------------------------- helpers
def _member_block(state: TwinState, guild_id: int, user: User, permissions: int) -> dict[str, Any]:
    member = state.members[(guild_id, user.id)]
    block = member.payload(state)
    block["permissions"] = str(permissions)
    return block


def _channel_block(state: TwinState, channel: Channel, permissions: int) -> dict[str, Any]:
    block = channel.payload(state)
    block["permissions"] = str(permissions)
    return block


def envelope(
    state: TwinState,
    *,
    interaction_type: int,
    data: dict[str, Any] | None,
    channel: Channel,
    user: User,
    locale: str = "en-US",
    permissions: int | None = None,
    message: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """The full INTERACTION_CREATE payload and its token."""
    token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(60)
    interaction_id = state.ids.next()
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(state.application_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "locale": locale,
        "channel_id": str(channel.id),
        "app_permissions": str(state.bot_permissions_in(channel)),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if data is not None:
        payload["data"] = data
    if channel.guild_id is not None:
        guild = state.guilds[channel.guild_id]
        if (guild.id, user.id) not in state.members:
            raise InvocationError(f"user {user.username} is not a member of guild {guild.name}")
        computed = state.permissions_for(guild.id, user.id, channel)
        effective = computed if permissions is None else permissions
        payload.update(
            {
                "guild_id": str(guild.id),
                "guild_locale": guild.preferred_locale,
                "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                "member": _member_block(state, guild.id, user, effective),
                "channel": _channel_block(state, channel, effective),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": CONTEXT_GUILD,
            }
        )
    else:
        payload.update(
            {
                "user": user.payload(),
                "channel": _channel_block(state, channel, perms.DM_PERMISSIONS),
                "authorizing_integration_owners": {"0": "0"},
                "context": CONTEXT_BOT_DM,
            }
        )
    if message is not None:
        payload["message"] = copy.deepcopy(message)
    return payload, token


# ------------------------------------------------------- slash commands
def split_command_path(command: str) -> list[str]:
    parts = command.strip().lstrip("/").split()
    if not parts:
        raise InvocationError("empty command name")
    return parts


def _walk_path(cmd: dict[str, Any], path: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Returns (chain of subcommand/group schemas, leaf option schemas)."""
    chain: list[dict[str, Any]] = []
    schemas = cmd.get("options") or []
    for name in path:
        match = next(
            (
                o
                for o in schemas
                if o.get("name") == name and o.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP)
            ),
            None,
        )
        if match is None:
            names = [o["name"] for o in schemas if o.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP)]
            raise InvocationError(
                f"/{cmd['name']} has no subcommand or group {name!r} here (available: {names})"
            )
        chain.append(match)
        schemas = match.get("options") or []
    if any(o.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP) for o in schemas):
        names = [o["name"] for o in schemas]
        raise InvocationError(f"/{cmd['name']} {' '.join(path)} needs a subcommand (available: {names})")
    return chain, schemas


class _Resolver:
    """Collects ``data.resolved`` entries while option values are converted."""

    def __init__(self, state: TwinState, channel: Channel) -> None:
        self.state = state
        self.channel = channel
        self.resolved: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, ident: int, value: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(ident)] = value

    def user(self, user: User) -> str:
        self._put("users", user.id, user.payload())
        if self.channel.guild_id is not None:
            member = self.state.members.get((self.channel.guild_id, user.id))
            if member is not None:
                block = member.payload(with_user=False)
                block["permissions"] = str(
                    self.state.permissions_for(self.channel.guild_id, user.id, self.channel)
                )
                self._put("members", user.id, block)
        return str(user.id)

    def role(self, role: Role) -> str:
        self._put("roles", role.id, role.payload())
        return str(role.id)

    def channel_opt(self, channel: Channel) -> str:
        block = {
            "id": str(channel.id),
            "name": channel.name,
            "type": channel.type,
            "permissions": str(self.state.bot_permissions_in(channel)),
            "parent_id": str(channel.parent_id) if channel.parent_id else None,
        }
        self._put("channels", channel.id, block)
        return str(channel.id)

    def attachment(self, value: AttachmentSpec | StoredAttachment) -> str:
        if isinstance(value, AttachmentSpec):
            value = self.state.add_attachment(self.channel.id, value.filename, value.data, value.content_type)
        block = self.state.attachment_payload(value)
        block["ephemeral"] = True
        self._put("attachments", value.id, block)
        return str(value.id)


def _lookup_user(state: TwinState, value: Any) -> User:
    if isinstance(value, User):
        return value
    user = state.users.get(int(value))
    if user is None:
        raise InvocationError(f"unknown user {value!r}")
    return user


def _convert(resolver: _Resolver, schema: Mapping[str, Any], value: Any, *, partial: bool) -> Any:
    kind = schema.get("type")
    name = schema.get("name")
    state = resolver.state
    if partial:
        return str(value)
    if kind == OPT_STRING:
        if not isinstance(value, str):
            raise InvocationError(f"option {name!r} expects a string, got {value!r}")
        lo, hi = schema.get("min_length"), schema.get("max_length")
        if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
            raise InvocationError(f"option {name!r} length {len(value)} outside [{lo}, {hi}]")
        return value
    if kind in (OPT_INTEGER, OPT_NUMBER):
        number = int(value) if kind == OPT_INTEGER else float(value)
        lo, hi = schema.get("min_value"), schema.get("max_value")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise InvocationError(f"option {name!r} value {number} outside [{lo}, {hi}]")
        return number
    if kind == OPT_BOOLEAN:
        return bool(value)
    if kind == OPT_USER:
        return resolver.user(_lookup_user(state, value))
    if kind == OPT_ROLE:
        role = value if isinstance(value, Role) else state.roles[int(value)]
        return resolver.role(role)
    if kind == OPT_MENTIONABLE:
        if isinstance(value, Role) or (not isinstance(value, User) and int(value) in state.roles):
            return resolver.role(value if isinstance(value, Role) else state.roles[int(value)])
        return resolver.user(_lookup_user(state, value))
    if kind == OPT_CHANNEL:
        channel = value if isinstance(value, Channel) else state.channels[int(value)]
        return resolver.channel_opt(channel)
    if kind == OPT_ATTACHMENT:
        if isinstance(value, (bytes, bytearray)):
            value = AttachmentSpec(filename="upload.bin", data=bytes(value))
        if not isinstance(value, (AttachmentSpec, StoredAttachment)):
            raise InvocationError(f"option {name!r} expects an AttachmentSpec, got {value!r}")
        return resolver.attachment(value)
    raise InvocationError(f"option {name!r} has unsupported type {kind}")


def command_data(
    state: TwinState,
    *,
    cmd: dict[str, Any],
    path: Sequence[str],
    options: Mapping[str, Any],
    channel: Channel,
    focused: str | None = None,
) -> dict[str, Any]:
    """``data`` of an APPLICATION_COMMAND (or autocomplete when ``focused`` is set)."""
    chain, schemas = _walk_path(cmd, path)
    by_name = {o["name"]: o for o in schemas}
    unknown = sorted(set(options) - set(by_name))
    if unknown:
        raise InvocationError(f"/{cmd['name']} has no option(s) {unknown} (available: {sorted(by_name)})")
    if focused is None:
        missing = [o["name"] for o in schemas if o.get("required") and o["name"] not in options]
        if missing:
            raise InvocationError(f"/{cmd['name']} requires option(s) {missing}")
    elif focused not in by_name:
        raise InvocationError(f"focused option {focused!r} is not an option of /{cmd['name']}")
    elif not by_name[focused].get("autocomplete"):
        raise InvocationError(f"option {focused!r} of /{cmd['name']} does not have autocomplete enabled")
    resolver = _Resolver(state, channel)
    leaf: list[dict[str, Any]] = []
    for name, value in options.items():
        schema = by_name[name]
        is_focused = name == focused
        converted = _convert(resolver, schema, value, partial=is_focused)
        choices = schema.get("choices")
        if choices and not is_focused and converted not in [c["value"] for c in choices]:
            raise InvocationError(f"option {name!r} must be one of {[c['value'] for c in choices]}")
        entry: dict[str, Any] = {"name": name, "type": schema["type"], "value": converted}
        if is_focused:
            entry["focused"] = True
        leaf.append(entry)
    if focused is not None and focused not in options:
        leaf.append({"name": focused, "type": by_name[focused]["type"], "value": "", "focused": True})
    nested: list[dict[str, Any]] = leaf
    for schema in reversed(chain):
        nested = [{"name": schema["name"], "type": schema["type"], "options": nested}]
    data: dict[str, Any] = {
        "id": cmd["id"],
        "name": cmd["name"],
        "type": cmd.get("type", 1),
        "options": nested,
    }
    if resolver.resolved:
        data["resolved"] = resolver.resolved
    if cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    return data


def check_command_visible(
    state: TwinState, cmd: dict[str, Any], channel: Channel, user: User, *, integration_override: bool
) -> None:
    """Refuse invocations a Discord client would not offer (context, default permissions)."""
    contexts = cmd.get("contexts")
    if channel.guild_id is None:
        if cmd.get("guild_id"):
            raise InvocationError(f"/{cmd['name']} is a guild command and cannot be used in DMs")
        if contexts is not None and CONTEXT_BOT_DM not in contexts:
            raise InvocationError(f"/{cmd['name']} is not allowed in bot DMs (contexts={contexts})")
        if contexts is None and cmd.get("dm_permission") is False:
            raise InvocationError(f"/{cmd['name']} has dm_permission=false")
        return
    if contexts is not None and CONTEXT_GUILD not in contexts:
        raise InvocationError(f"/{cmd['name']} is not allowed in guilds (contexts={contexts})")
    required = cmd.get("default_member_permissions")
    if required is None or integration_override:
        return
    have = state.permissions_for(channel.guild_id, user.id, channel)
    need = int(required)
    if have & need != need:
        raise InvocationError(
            f"{user.username} lacks default_member_permissions {need} for /{cmd['name']} "
            f"(has {have}); pass integration_override=True to simulate a guild that exposed it"
        )


# ------------------------------------------------------------ components
SELECT_STRING = 3
SELECT_USER = 5
SELECT_ROLE = 6
SELECT_MENTIONABLE = 7
SELECT_CHANNEL = 8


def select_values(
    state: TwinState, channel: Channel, kind: int, values: Sequence[Any]
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Values (as id strings) and ``resolved`` data of a select interaction.

    Entity selects (user/role/mentionable/channel) carry ``resolved`` like
    option values do; discord.py turns ids into objects from it.
    """
    if kind == SELECT_STRING:
        return [str(v) for v in values], {}
    resolver = _Resolver(state, channel)
    out: list[str] = []
    for value in values:
        if kind == SELECT_USER:
            out.append(resolver.user(_lookup_user(state, value)))
        elif kind == SELECT_ROLE:
            out.append(resolver.role(value if isinstance(value, Role) else state.roles[int(value)]))
        elif kind == SELECT_CHANNEL:
            out.append(
                resolver.channel_opt(value if isinstance(value, Channel) else state.channels[int(value)])
            )
        elif isinstance(value, Role) or (not isinstance(value, User) and int(value) in state.roles):
            out.append(resolver.role(value if isinstance(value, Role) else state.roles[int(value)]))
        else:
            out.append(resolver.user(_lookup_user(state, value)))
    return out, resolver.resolved


def find_component(message: Mapping[str, Any], custom_id: str) -> Mapping[str, Any]:
    found = [c for c in iter_components(message.get("components") or []) if c.get("custom_id") == custom_id]
    if not found:
        ids = [
            c.get("custom_id") for c in iter_components(message.get("components") or []) if c.get("custom_id")
        ]
        raise InvocationError(f"message {message.get('id')} has no component {custom_id!r} (has {ids})")
    component = found[0]
    if component.get("disabled"):
        raise InvocationError(f"component {custom_id!r} is disabled")
    return component


def modal_submit_components(modal: Mapping[str, Any], fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Mirror a modal's layout with the values a user typed, as Discord's modal submit does."""
    remaining = dict(fields)

    def fill(comp: Mapping[str, Any]) -> dict[str, Any]:
        kind = comp.get("type")
        custom_id = comp.get("custom_id")
        out: dict[str, Any] = {"type": kind}
        if comp.get("id") is not None:
            out["id"] = comp["id"]
        if kind == 4:  # text input
            value = remaining.pop(custom_id, None)
            if value is None:
                if comp.get("required", True):
                    raise InvocationError(f"modal field {custom_id!r} is required")
                value = ""
            value = str(value)
            lo, hi = comp.get("min_length"), comp.get("max_length")
            if value and ((lo is not None and len(value) < lo) or (hi is not None and len(value) > hi)):
                raise InvocationError(f"modal field {custom_id!r} length {len(value)} outside [{lo}, {hi}]")
            out.update(custom_id=custom_id, value=value)
        elif kind in (3, 5, 6, 7, 8):  # selects inside labels
            values = remaining.pop(custom_id, [])
            out.update(
                custom_id=custom_id,
                values=[str(v) for v in (values if isinstance(values, (list, tuple)) else [values])],
            )
        return out

    result: list[dict[str, Any]] = []
    for top in modal.get("components") or []:
        if top.get("type") == 1:
            result.append({"type": 1, "components": [fill(c) for c in top.get("components") or []]})
        elif top.get("type") == 18:
            block: dict[str, Any] = {"type": 18, "component": fill(top["component"])}
            if top.get("id") is not None:
                block["id"] = top["id"]
            result.append(block)
        else:
            result.append(fill(top))
    if remaining:
        raise InvocationError(f"modal {modal.get('custom_id')!r} has no field(s) {sorted(remaining)}")
    return result
