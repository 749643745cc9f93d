"""``Twin``: what end-to-end tests call to run and drive the fake Discord.

A test builds a small world (guilds, roles, channels, members), starts the
bot as a subprocess pointed at :attr:`Twin.api_base`, then plays users:
sends messages, invokes slash commands, clicks buttons, submits modals, and
waits for what the bot does. Everything the bot sends is recorded and can be
checked against Discord's rules (:meth:`Twin.limit_violations`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from . import intents as intent_bits
from . import permissions as perms
from .core import MessageRef
from .driver_interactions import InteractionDriver
from .driver_waits import WaitDriver
from .gateway import GatewayFrame, GatewaySession
from .interactions import AttachmentSpec, InvocationError, TwinInteraction
from .limits import Violation, check_requests
from .messages import build_message
from .ratelimit import RateLimitInjection
from .records import RecordedRequest, UploadedFile
from .rest import RestApp
from .state import Channel, Guild, Member, Role, User


class Twin(InteractionDriver, WaitDriver):
    """A local fake of Discord's REST API v10 and Gateway, bound to 127.0.0.1 only."""

    # ---------------------------------------------------------- lifecycle
    async def start(self) -> Twin:
        app = RestApp(self.ctx).build()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host="127.0.0.1", port=0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.state.public_base_url = self.base_url
        self.hub.url = self.gateway_url
        self.started_at = time.monotonic()
        return self

    async def stop(self) -> None:
        await self.hub.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Twin:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --------------------------------------------------------- addresses
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``DISCORD_API_BASE`` (includes ``/api/v10``)."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def bot_env(self, dev_guilds: Sequence[Guild] | None = None) -> dict[str, str]:
        """Environment for a bot process: token, API base and dev guild ids (all guilds by default)."""
        guilds = list(dev_guilds) if dev_guilds is not None else list(self.state.guilds.values())
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE": self.api_base,
            "DEV_GUILD_IDS": ",".join(str(g.id) for g in guilds),
        }

    # ------------------------------------------------------ world building
    def create_user(self, username: str, *, global_name: str | None = None, bot: bool = False) -> User:
        return self.state.add_user(username, global_name=global_name, bot=bot)

    def create_guild(
        self,
        name: str = "Twin Guild",
        *,
        owner: User | None = None,
        locale: str = "en-US",
        everyone_permissions: int = perms.DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = perms.DEFAULT_BOT_PERMISSIONS,
    ) -> Guild:
        """A guild with @everyone, the bot as member (managed role with ``bot_permissions``) and an owner."""
        owner = owner or self.create_user(f"{name.lower().replace(' ', '-')}-owner")
        guild = self.state.add_guild(
            name,
            owner=owner,
            locale=locale,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
        )
        self._announce(
            "GUILD_CREATE",
            lambda s: self.state.guild_create_payload(
                guild, all_members=s.has_intent(intent_bits.GUILD_PRESENCES)
            ),
        )
        return guild

    def create_role(self, guild: Guild, name: str, permissions: int = 0) -> Role:
        role = self.state.add_role(guild, name, permissions=permissions)
        self._announce("GUILD_ROLE_CREATE", lambda s: {"guild_id": str(guild.id), "role": role.payload()})
        return role

    def create_text_channel(
        self,
        guild: Guild,
        name: str,
        *,
        topic: str | None = None,
        nsfw: bool = False,
        overwrites: list[dict[str, Any]] | None = None,
    ) -> Channel:
        """A text channel; ``overwrites`` are ``{"id", "type" (0 role / 1 member), "allow", "deny"}`` dicts."""
        channel = self.state.add_text_channel(guild, name, topic=topic, nsfw=nsfw, overwrites=overwrites)
        self._announce("CHANNEL_CREATE", lambda s: channel.payload(self.state))
        return channel

    def add_member(
        self, guild: Guild, user: User, *, roles: Sequence[Role] = (), nick: str | None = None
    ) -> Member:
        member = self.state.add_member(guild, user, role_ids=[r.id for r in roles], nick=nick)
        self._announce(
            "GUILD_MEMBER_ADD", lambda s: {"guild_id": str(guild.id), **member.payload(self.state)}
        )
        return member

    def permissions_of(self, user: User, channel: Channel) -> int:
        """What Discord would put in ``member.permissions`` for ``user`` in ``channel``."""
        if channel.guild_id is None:
            return perms.DM_PERMISSIONS
        return self.state.permissions_for(channel.guild_id, user.id, channel)

    def dm_channel(self, user: User) -> Channel:
        return self.state.dm_channel(user)

    def _announce(self, event: str, build: Callable[[GatewaySession], dict[str, Any]]) -> None:
        """Tell already-connected bots about a world change made after they identified."""
        sessions = self.hub.active_sessions() if self._runner is not None else []
        for session in sessions:
            self.hub.spawn(session.dispatch(event, build(session)))

    # ---------------------------------------------------------- messages
    async def send_message(
        self,
        channel: Channel,
        author: User,
        content: str = "",
        *,
        mention_bot: bool = False,
        embeds: Sequence[Mapping[str, Any]] | None = None,
        attachments: Sequence[AttachmentSpec] = (),
        reply_to: MessageRef | None = None,
    ) -> dict[str, Any]:
        """A user posts a message; it is stored and dispatched as MESSAGE_CREATE (intents applied)."""
        if channel.guild_id is not None and (channel.guild_id, author.id) not in self.state.members:
            raise InvocationError(f"{author.username} is not a member of the channel's guild")
        if mention_bot:
            content = f"{self.bot_user.mention} {content}".strip()
        body: dict[str, Any] = {"content": content}
        if embeds:
            body["embeds"] = list(embeds)
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(self._message_id(reply_to))}
        files = [
            UploadedFile(field=f"files[{i}]", filename=a.filename, content_type=a.content_type, data=a.data)
            for i, a in enumerate(attachments)
        ]
        message = build_message(self.state, channel=channel, author=author, body=body, files=files)
        self.state.store_message(message)
        await self.hub.dispatch_message("MESSAGE_CREATE", message)
        return message

    async def send_dm(self, author: User, content: str = "", **kwargs: Any) -> dict[str, Any]:
        """A user DMs the bot."""
        return await self.send_message(self.state.dm_channel(author), author, content, **kwargs)

    # ------------------------------------------------------ fault control
    def inject_rate_limit(
        self,
        method: str,
        route: str,
        *,
        times: int = 1,
        retry_after: float = 0.25,
        scope: str = "user",
        is_global: bool = False,
    ) -> RateLimitInjection:
        """Answer the next ``times`` requests to ``method route`` (template relative to /api/v10,
        e.g. ``"/channels/{channel_id}/messages"``) with 429 and ``retry_after``."""
        return self.ctx.limiter.inject(
            method, route, times=times, retry_after=retry_after, scope=scope, is_global=is_global
        )

    async def force_reconnect(self) -> int:
        """Send op 7 RECONNECT; the bot must reconnect and RESUME."""
        return await self.hub.force_reconnect()

    def drop_connections(self) -> int:
        """Abort every gateway TCP connection without a close frame."""
        return self.hub.drop_connections()

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (non-resumable by default: the bot must IDENTIFY again)."""
        await self.hub.invalidate_sessions(resumable=resumable)

    # --------------------------------------------------------- inspection
    @property
    def requests(self) -> list[RecordedRequest]:
        return self.ctx.requests.all

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        return self.ctx.requests.unknown

    def requests_to(self, method: str, route: str) -> list[RecordedRequest]:
        return self.ctx.requests.matching(method, route)

    @property
    def gateway_frames(self) -> list[GatewayFrame]:
        return list(self.hub.frames)

    @property
    def sessions(self) -> list[GatewaySession]:
        return list(self.hub.sessions.values())

    def registered_commands(self, guild: Guild | None = None) -> list[dict[str, Any]]:
        return list(self.state.commands.get(guild.id if guild else None, []))

    @property
    def interactions(self) -> list[TwinInteraction]:
        return list(self.ctx.interactions.values())

    def limit_violations(self) -> list[Violation]:
        """Limits/allowed_mentions violations across every recorded request."""
        return check_requests(self.ctx.requests)

    def assert_healthy(self) -> None:
        """No unknown route was called and no request made a twin handler raise."""
        self.assert_no_unknown_routes()
        broken = self.ctx.requests.errored
        if broken:
            lines = "\n".join(f"{r.summary()}\n{r.error}" for r in broken)
            raise AssertionError(f"{len(broken)} request(s) could not be handled by the twin:\n{lines}")

    def assert_no_unknown_routes(self) -> None:
        unknown = self.unknown_requests
        if unknown:
            lines = "\n".join(r.summary() for r in unknown)
            raise AssertionError(
                f"the bot called {len(unknown)} route(s) the twin does not implement:\n{lines}"
            )
