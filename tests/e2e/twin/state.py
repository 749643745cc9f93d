"""The twin's world: users, guilds, roles, channels, members, messages, commands.

Entities are plain dataclasses that render themselves into the JSON shapes
Discord sends; the REST layer, the gateway and the driver all read and write
this one store so that what a bot fetches, what it is told over the gateway
and what a test asserts on agree.
"""

from __future__ import annotations

import bisect
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perms
from .snowflake import SnowflakeGenerator, iso_timestamp

GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4
GUILD_NEWS = 5

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    parent_id: int | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    recipient_ids: list[int] = field(default_factory=list)
    last_message_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    def payload(self, state: TwinState | None = None, *, with_guild_id: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "flags": 0,
        }
        if self.type == DM:
            users = [state.users[u].payload() for u in self.recipient_ids] if state else []
            data["recipients"] = users
            return data
        data.update(
            {
                "name": self.name,
                "position": self.position,
                "permission_overwrites": [
                    {
                        "id": str(o["id"]),
                        "type": int(o.get("type", 0)),
                        "allow": str(o.get("allow", 0)),
                        "deny": str(o.get("deny", 0)),
                    }
                    for o in self.overwrites
                ],
                "parent_id": str(self.parent_id) if self.parent_id else None,
                "nsfw": self.nsfw,
                "topic": self.topic,
                "rate_limit_per_user": 0,
                "default_thread_rate_limit_per_user": 0,
            }
        )
        if with_guild_id and self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class Member:
    guild_id: int
    user_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_timestamp)

    def payload(self, state: TwinState | None = None, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user and state is not None:
            data["user"] = state.users[self.user_id].payload()
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    role_ids: list[int] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_timestamp)

    @property
    def everyone_role_id(self) -> int:
        return self.id


@dataclass
class StoredAttachment:
    """Bytes the twin serves under /attachments/... (uploads and test-provided files)."""

    id: int
    channel_id: int
    filename: str
    data: bytes
    content_type: str | None

    def path(self) -> str:
        return f"/attachments/{self.channel_id}/{self.id}/{self.filename}"


class TwinState:
    """All mutable world state of one twin instance."""

    def __init__(self, *, bot_username: str = "TwinBot", token: str | None = None) -> None:
        self.ids = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.roles: dict[int, Role] = {}
        self.channels: dict[int, Channel] = {}
        self.members: dict[tuple[int, int], Member] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self._message_ids_by_channel: dict[int, list[int]] = {}
        self.message_touched_at: dict[int, float] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        # Registered application commands: key None = global, else guild id.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.commands_sync_count = 0
        self.bot = self.add_user(bot_username, bot=True)
        self.app_owner = self.add_user("app-owner")
        self.application_id = self.bot.id
        self.token = token or self._make_token(self.bot.id)
        self.public_base_url = "http://127.0.0.1"

    @staticmethod
    def _make_token(user_id: int) -> str:
        import base64

        head = base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")
        return f"{head}.{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"

    # ----------------------------------------------------------------- users
    def add_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> User:
        user = User(id=self.ids.next(), username=username, global_name=global_name, bot=bot)
        self.users[user.id] = user
        return user

    # ---------------------------------------------------------------- guilds
    def add_guild(
        self,
        name: str,
        *,
        owner: User,
        locale: str = "en-US",
        everyone_permissions: int = perms.DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = perms.DEFAULT_BOT_PERMISSIONS,
    ) -> Guild:
        guild = Guild(id=self.ids.next(), name=name, owner_id=owner.id, preferred_locale=locale)
        self.guilds[guild.id] = guild
        everyone = Role(id=guild.id, guild_id=guild.id, name="@everyone", permissions=everyone_permissions)
        self.roles[everyone.id] = everyone
        guild.role_ids.append(everyone.id)
        self.add_member(guild, owner)
        bot_role = self.add_role(guild, self.bot.username, permissions=bot_permissions, managed=True)
        bot_role.bot_id = self.bot.id
        self.add_member(guild, self.bot, role_ids=[bot_role.id])
        return guild

    def add_role(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: int = 0,
        managed: bool = False,
        position: int | None = None,
    ) -> Role:
        role = Role(
            id=self.ids.next(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            managed=managed,
            position=position if position is not None else len(guild.role_ids),
        )
        self.roles[role.id] = role
        guild.role_ids.append(role.id)
        return role

    def add_text_channel(
        self,
        guild: Guild,
        name: str,
        *,
        topic: str | None = None,
        nsfw: bool = False,
        overwrites: list[dict[str, Any]] | None = None,
    ) -> Channel:
        channel = Channel(
            id=self.ids.next(),
            type=GUILD_TEXT,
            name=name,
            guild_id=guild.id,
            position=len(guild.channel_ids),
            topic=topic,
            nsfw=nsfw,
            overwrites=list(overwrites or []),
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def add_member(
        self, guild: Guild, user: User, *, role_ids: list[int] | None = None, nick: str | None = None
    ) -> Member:
        member = Member(guild_id=guild.id, user_id=user.id, role_ids=list(role_ids or []), nick=nick)
        self.members[(guild.id, user.id)] = member
        if user.id not in guild.member_ids:
            guild.member_ids.append(user.id)
        return member

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and ``user`` (created on first use, like Discord)."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient_ids == [user.id]:
                return channel
        channel = Channel(id=self.ids.next(), type=DM, recipient_ids=[user.id])
        self.channels[channel.id] = channel
        return channel

    # ----------------------------------------------------------- permissions
    def permissions_for(self, guild_id: int, user_id: int, channel: Channel | None = None) -> int:
        guild = self.guilds[guild_id]
        member = self.members.get((guild_id, user_id))
        role_ids = member.role_ids if member else []
        base = perms.base_permissions(
            everyone=self.roles[guild.everyone_role_id].permissions,
            role_permissions=[self.roles[r].permissions for r in role_ids if r in self.roles],
            is_owner=guild.owner_id == user_id,
        )
        if channel is None or channel.guild_id is None:
            return base
        return perms.apply_overwrites(
            base,
            guild_id=guild_id,
            member_id=user_id,
            member_role_ids=role_ids,
            overwrites=channel.overwrites,
        )

    def bot_permissions_in(self, channel: Channel) -> int:
        if channel.guild_id is None:
            return perms.DM_PERMISSIONS
        return self.permissions_for(channel.guild_id, self.bot.id, channel)

    # ---------------------------------------------------------------- guilds
    def guild_create_payload(self, guild: Guild, *, all_members: bool) -> dict[str, Any]:
        """GUILD_CREATE ``d``; ``all_members=False`` lists only the bot's own member, as Discord
        does for sessions without GUILD_PRESENCES."""
        member_ids = guild.member_ids if all_members else [self.bot.id]
        members = [self.members[(guild.id, uid)].payload(self) for uid in member_ids]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.preferred_locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [self.roles[r].payload() for r in guild.role_ids],
            "emojis": [],
            "stickers": [],
            "joined_at": guild.joined_at,
            "large": False,
            "lazy": True,
            "unavailable": False,
            "member_count": len(guild.member_ids),
            "members": members,
            "channels": [self.channels[c].payload(self, with_guild_id=False) for c in guild.channel_ids],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
        }

    def guild_rest_payload(self, guild: Guild) -> dict[str, Any]:
        data = self.guild_create_payload(guild, all_members=False)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at", "large"):
            data.pop(key, None)
        data["approximate_member_count"] = len(guild.member_ids)
        data["approximate_presence_count"] = 0
        return data

    # ------------------------------------------------------------- messages
    def store_message(self, message: dict[str, Any]) -> dict[str, Any]:
        message_id = int(message["id"])
        channel_id = int(message["channel_id"])
        if message_id not in self.messages:
            ids = self._message_ids_by_channel.setdefault(channel_id, [])
            ids.append(message_id)
            if len(ids) > 1 and ids[-2] > message_id:
                ids.sort()
        self.messages[message_id] = message
        self.touch_message(message_id)
        channel = self.channels.get(channel_id)
        if channel is not None:
            channel.last_message_id = message_id
        return message

    def touch_message(self, message_id: int) -> None:
        """Remember when a message last changed (users cannot click what they have not seen yet)."""
        self.message_touched_at[message_id] = time.monotonic()

    def messages_in(self, channel_id: int, *, after: int = 0) -> list[dict[str, Any]]:
        """Messages of a channel, oldest first (deleted ones excluded), optionally only ids > ``after``."""
        ids = self._message_ids_by_channel.get(channel_id, [])
        start = bisect.bisect_right(ids, after)
        return [self.messages[i] for i in ids[start:] if i in self.messages]

    # ----------------------------------------------------------- attachments
    def add_attachment(
        self, channel_id: int, filename: str, data: bytes, content_type: str | None = None
    ) -> StoredAttachment:
        att = StoredAttachment(
            id=self.ids.next(), channel_id=channel_id, filename=filename, data=data, content_type=content_type
        )
        self.attachments[att.id] = att
        return att

    def attachment_payload(self, att: StoredAttachment) -> dict[str, Any]:
        url = f"{self.public_base_url}{att.path()}"
        return {
            "id": str(att.id),
            "filename": att.filename,
            "size": len(att.data),
            "url": url,
            "proxy_url": url,
            "content_type": att.content_type,
        }

    # -------------------------------------------------------------- commands
    def set_commands(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk overwrite, keeping ids of commands whose (name, type) already existed."""
        existing = {(c["name"], c.get("type", 1)): c for c in self.commands.get(guild_id, [])}
        stored = [
            self._normalise_command(guild_id, c, existing.get((c["name"], c.get("type", 1))))
            for c in commands
        ]
        self.commands[guild_id] = stored
        self.commands_sync_count += 1
        return stored

    def upsert_command(self, guild_id: int | None, command: dict[str, Any]) -> dict[str, Any]:
        current = self.commands.setdefault(guild_id, [])
        key = (command["name"], command.get("type", 1))
        for index, old in enumerate(current):
            if (old["name"], old.get("type", 1)) == key:
                current[index] = self._normalise_command(guild_id, command, old)
                return current[index]
        stored = self._normalise_command(guild_id, command, None)
        current.append(stored)
        return stored

    def _normalise_command(
        self, guild_id: int | None, command: dict[str, Any], previous: dict[str, Any] | None
    ) -> dict[str, Any]:
        stored = dict(command)
        stored["id"] = previous["id"] if previous else str(self.ids.next())
        stored["application_id"] = str(self.application_id)
        stored["version"] = str(self.ids.next())
        stored.setdefault("type", 1)
        stored.setdefault("description", "")
        stored.setdefault("options", [])
        stored.setdefault("default_member_permissions", None)
        stored.setdefault("nsfw", False)
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def find_command(self, name: str, guild_id: int | None, *, type: int = 1) -> dict[str, Any] | None:
        """Resolve like a Discord client: guild commands shadow global ones of the same name."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == type:
                    return cmd
        return None

    # ----------------------------------------------------------- app info
    def application_payload(self) -> dict[str, Any]:
        owner = self.app_owner
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "Local Discord twin application",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": owner.payload(),
            "team": None,
            # *_LIMITED privileged-intent flags (presence, members, message content) + command badge
            "flags": (1 << 13) | (1 << 15) | (1 << 19) | (1 << 23),
            "bot": self.bot.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
            "install_params": None,
            "integration_types_config": {"0": {}, "1": {}},
            "tags": [],
        }

    def bot_user_payload(self) -> dict[str, Any]:
        data = self.bot.payload()
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "bot": True})
        return data
