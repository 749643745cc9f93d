"""The REST twin: an aiohttp application serving Discord's HTTP API v10 under /api/v10.

One middleware records every request (known or not), serves injected 429s,
checks ``Authorization: Bot <token>`` and stamps rate-limit headers; the
route handlers below cover what an unmodified ``commands.Bot`` calls on
start-up plus messages, reactions, DMs and guild reads. Interaction
callbacks and webhooks live in :mod:`rest_interactions`.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import errors
from . import permissions as perms
from .command_schema import command_problems
from .context import TwinContext
from .messages import apply_edit, build_message, validate_message_body
from .records import API_PREFIX, RecordedRequest, UploadedFile
from .state import Channel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

RECORD_KEY: web.RequestKey[RecordedRequest] = web.RequestKey("twin_record", RecordedRequest)
BODY_KEY: web.ResponseKey[Any] = web.ResponseKey("twin_body", object)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON answer with ``Content-Type: application/json`` exactly (discord.py compares the header verbatim)."""
    resp = web.Response(
        body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
        headers=headers,
    )
    resp[BODY_KEY] = data
    return resp


def no_content() -> web.Response:
    return web.Response(status=204)


def record_of(request: web.Request) -> RecordedRequest:
    return request[RECORD_KEY]


def body_of(request: web.Request) -> dict[str, Any]:
    body = record_of(request).json
    return body if isinstance(body, dict) else {}


def files_of(request: web.Request) -> list[UploadedFile]:
    return record_of(request).files


def snowflake_param(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise errors.invalid_form_body([f"{name}: Value {raw!r} is not snowflake."])
    return int(raw)


class RestApp:
    """Builds the aiohttp application and owns the non-interaction routes."""

    def __init__(self, ctx: TwinContext) -> None:
        self.ctx = ctx
        self.public_routes: set[tuple[str, str]] = set()

    # ------------------------------------------------------------ assembly
    def build(self) -> web.Application:
        from .rest_interactions import InteractionRoutes

        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        router = app.router
        add = self._add
        add(router, "GET", "/gateway", self.get_gateway, public=True)
        add(router, "GET", "/gateway/bot", self.get_gateway_bot)
        add(router, "GET", "/users/@me", self.get_me)
        add(router, "POST", "/users/@me/channels", self.create_dm)
        add(router, "GET", "/users/{user_id}", self.get_user)
        add(router, "GET", "/oauth2/applications/@me", self.get_application)
        add(router, "GET", "/applications/@me", self.get_application)
        for scope in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
            add(router, "GET", scope + "/commands", self.list_commands)
            add(router, "PUT", scope + "/commands", self.put_commands)
            add(router, "POST", scope + "/commands", self.post_command)
            add(router, "GET", scope + "/commands/{command_id}", self.get_command)
            add(router, "PATCH", scope + "/commands/{command_id}", self.patch_command)
            add(router, "DELETE", scope + "/commands/{command_id}", self.delete_command)
        add(
            router,
            "GET",
            "/applications/{application_id}/guilds/{guild_id}/commands/permissions",
            self.empty_list,
        )
        add(router, "GET", "/channels/{channel_id}", self.get_channel)
        add(router, "GET", "/channels/{channel_id}/messages", self.list_messages)
        add(router, "POST", "/channels/{channel_id}/messages", self.create_message)
        add(router, "GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        add(router, "PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        add(router, "DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        add(router, "POST", "/channels/{channel_id}/typing", self.typing)
        reaction = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
        add(router, "PUT", reaction, self.add_reaction)
        add(router, "DELETE", reaction, self.remove_reaction)
        add(router, "GET", "/guilds/{guild_id}", self.get_guild)
        add(router, "GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        add(router, "GET", "/guilds/{guild_id}/roles", self.get_guild_roles)
        add(router, "GET", "/guilds/{guild_id}/members", self.list_members)
        add(router, "GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        InteractionRoutes(self.ctx).register(router, add)
        router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment)
        router.add_get("/", self.ctx.hub.handle)
        router.add_route("*", "/{tail:.*}", self.unknown_route)
        return app

    def _add(
        self, router: web.UrlDispatcher, method: str, template: str, handler: Handler, *, public: bool = False
    ) -> None:
        router.add_route(method, API_PREFIX + template, handler)
        if public:
            self.public_routes.add((method, template))

    # ---------------------------------------------------------- middleware
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        ctx = self.ctx
        match_route = request.match_info.route
        resource = match_route.resource
        canonical = resource.canonical if resource is not None else None
        known = canonical is not None and canonical != "/{tail}"
        route = (
            canonical[len(API_PREFIX) :]
            if known and canonical.startswith(API_PREFIX)
            else canonical
            if known
            else None
        )
        record = RecordedRequest(
            seq=0,
            method=request.method,
            path=request.path,
            route=route,
            params=dict(request.match_info),
            query=dict(request.query),
            headers=dict(request.headers),
            known=known,
        )
        if request.method != "GET" or request.path != "/":
            await self._read_body(request, record)
        request[RECORD_KEY] = record
        ctx.requests.add(record)
        ctx.notifier.notify()
        try:
            response = await self._answer(request, handler, record)
            record.status = response.status
            record.response_headers = dict(response.headers)
            if isinstance(response, web.Response):
                record.response = response.get(BODY_KEY)
            return response
        finally:
            ctx.notifier.notify()

    async def _answer(
        self, request: web.Request, handler: Handler, record: RecordedRequest
    ) -> web.StreamResponse:
        ctx = self.ctx
        if not record.known:
            return json_response({"message": "404: Not Found", "code": 0}, status=404)
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        assert record.route is not None
        injection = ctx.limiter.take_injection(request.method, record.route)
        if injection is not None:
            record.rate_limited = True
            body, headers = ctx.limiter.too_many_requests(
                retry_after=injection.retry_after,
                scope=injection.scope,
                is_global=injection.is_global,
                bucket=ctx.limiter.bucket_hash(request.method, record.route),
                limit=ctx.limiter.limit,
            )
            return json_response(body, status=429, headers=headers)
        major = ":".join(
            record.params.get(k, "")
            for k in ("channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id")
            if k in record.params
        )
        headers, over = ctx.limiter.consume(request.method, record.route, major)
        public = (request.method, record.route) in self.public_routes or self._token_route(record.route)
        if not public and request.headers.get("Authorization") != f"Bot {ctx.state.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401, headers=headers)
        if over:
            record.rate_limited = True
            body, limit_headers = ctx.limiter.too_many_requests(
                retry_after=float(headers["X-RateLimit-Reset-After"]),
                scope="user",
                is_global=False,
                bucket=headers["X-RateLimit-Bucket"],
                limit=ctx.limiter.limit,
            )
            return json_response(body, status=429, headers=limit_headers)
        try:
            response = await handler(request)
        except errors.DiscordError as exc:
            response = json_response(exc.body(), status=exc.status)
        except (ValueError, KeyError, TypeError) as exc:
            # A malformed request body (Discord answers 400), or a twin bug: recorded either way.
            record.error = "".join(traceback.format_exception(exc))
            response = json_response(
                errors.invalid_form_body([f"{type(exc).__name__}: {exc}"]).body(), status=400
            )
        for key, value in headers.items():
            response.headers[key] = value
        return response

    @staticmethod
    def _token_route(route: str) -> bool:
        """Webhook-token and interaction-token routes are authorised by their token, not the bot's."""
        return route.startswith("/webhooks/{webhook_id}/{webhook_token}") or route.startswith(
            "/interactions/"
        )

    @staticmethod
    async def _read_body(request: web.Request, record: RecordedRequest) -> None:
        if not request.can_read_body:
            return
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            form = await request.post()
            extra: dict[str, Any] = {}
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    record.files.append(
                        UploadedFile(
                            field=name,
                            filename=value.filename,
                            content_type=value.content_type,
                            data=value.file.read(),
                        )
                    )
                elif name == "payload_json":
                    record.json = json.loads(value)
                else:
                    extra[name] = value
            if record.json is None and extra:
                record.json = extra
            return
        raw = await request.read()
        record.raw_body = raw
        if raw and (ctype == "application/json" or raw[:1] in (b"{", b"[")):
            try:
                record.json = json.loads(raw)
            except ValueError:
                record.json = None

    # ------------------------------------------------------------- lookups
    def _channel(self, request: web.Request) -> Channel:
        channel = self.ctx.state.channels.get(snowflake_param(request, "channel_id"))
        if channel is None:
            raise errors.unknown("Channel", errors.UNKNOWN_CHANNEL)
        return channel

    def _message(self, request: web.Request, channel: Channel) -> dict[str, Any]:
        message = self.ctx.state.messages.get(snowflake_param(request, "message_id"))
        if message is None or int(message["channel_id"]) != channel.id:
            raise errors.unknown("Message", errors.UNKNOWN_MESSAGE)
        return message

    def _require(self, channel: Channel, needed: int) -> None:
        if channel.guild_id is None:
            return
        have = self.ctx.state.bot_permissions_in(channel)
        if not have & perms.VIEW_CHANNEL:
            raise errors.DiscordError(403, errors.MISSING_ACCESS, "Missing Access")
        if have & needed != needed:
            raise errors.DiscordError(403, errors.MISSING_PERMISSIONS, "Missing Permissions")

    def _guild_scope(self, request: web.Request) -> int | None:
        app_id = snowflake_param(request, "application_id")
        if app_id != self.ctx.state.application_id:
            raise errors.DiscordError(403, errors.MISSING_ACCESS, "Missing Access")
        if "guild_id" not in request.match_info:
            return None
        guild_id = snowflake_param(request, "guild_id")
        if guild_id not in self.ctx.state.guilds:
            raise errors.DiscordError(403, errors.MISSING_ACCESS, "Missing Access")
        return guild_id

    # -------------------------------------------------------------- routes
    async def unknown_route(self, request: web.Request) -> web.StreamResponse:
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def empty_list(self, request: web.Request) -> web.Response:
        return json_response([])

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.ctx.hub.url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.ctx.hub.url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(self.ctx.state.bot_user_payload())

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.ctx.state.users.get(snowflake_param(request, "user_id"))
        if user is None:
            raise errors.unknown("User", errors.UNKNOWN_USER)
        return json_response(user.payload())

    async def create_dm(self, request: web.Request) -> web.Response:
        recipient = body_of(request).get("recipient_id")
        user = self.ctx.state.users.get(int(recipient)) if recipient is not None else None
        if user is None:
            raise errors.unknown("User", errors.UNKNOWN_USER)
        channel = self.ctx.state.dm_channel(user)
        return json_response(channel.payload(self.ctx.state))

    async def get_application(self, request: web.Request) -> web.Response:
        return json_response(self.ctx.state.application_payload())

    # ----------------------------------------------------------- commands
    async def list_commands(self, request: web.Request) -> web.Response:
        scope = self._guild_scope(request)
        return json_response(self.ctx.state.commands.get(scope, []))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._guild_scope(request)
        body = record_of(request).json
        if not isinstance(body, list):
            raise errors.invalid_form_body(["expected an array of commands"])
        problems = command_problems(body)
        if problems:
            raise errors.invalid_form_body(problems)
        return json_response(self.ctx.state.set_commands(scope, body))

    async def post_command(self, request: web.Request) -> web.Response:
        scope = self._guild_scope(request)
        body = body_of(request)
        problems = command_problems([body])
        if problems:
            raise errors.invalid_form_body(problems)
        return json_response(self.ctx.state.upsert_command(scope, body), status=201)

    def _find_command(self, request: web.Request) -> tuple[int | None, dict[str, Any]]:
        scope = self._guild_scope(request)
        command_id = request.match_info["command_id"]
        for cmd in self.ctx.state.commands.get(scope, []):
            if cmd["id"] == command_id:
                return scope, cmd
        raise errors.unknown("application command", errors.UNKNOWN_APPLICATION_COMMAND)

    async def get_command(self, request: web.Request) -> web.Response:
        return json_response(self._find_command(request)[1])

    async def patch_command(self, request: web.Request) -> web.Response:
        scope, cmd = self._find_command(request)
        merged = {**cmd, **body_of(request)}
        return json_response(self.ctx.state.upsert_command(scope, merged))

    async def delete_command(self, request: web.Request) -> web.Response:
        scope, cmd = self._find_command(request)
        self.ctx.state.commands[scope] = [c for c in self.ctx.state.commands.get(scope, []) if c is not cmd]
        return no_content()

    # ----------------------------------------------------------- channels
    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, perms.VIEW_CHANNEL)
        return json_response(channel.payload(self.ctx.state))

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, perms.VIEW_CHANNEL | perms.READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(request.query.get("limit", "50"))))
        messages = self.ctx.state.messages_in(channel.id)
        if "before" in request.query:
            messages = [m for m in messages if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            messages = [m for m in messages if int(m["id"]) > int(request.query["after"])][:limit]
        newest_first = list(reversed(messages))[:limit]
        return json_response(newest_first)

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, perms.VIEW_CHANNEL | perms.SEND_MESSAGES)
        body, files = body_of(request), files_of(request)
        validate_message_body(body, files, is_edit=False)
        state = self.ctx.state
        message = state.store_message(
            build_message(state, channel=channel, author=state.bot, body=body, files=files)
        )
        if self.ctx.config.echo_bot_messages:
            await self.ctx.hub.dispatch_message("MESSAGE_CREATE", message)
        return json_response(message)

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, perms.VIEW_CHANNEL | perms.READ_MESSAGE_HISTORY)
        return json_response(self._message(request, channel))

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel)
        if int(message["author"]["id"]) != self.ctx.state.bot.id:
            raise errors.DiscordError(
                403, errors.CANNOT_EDIT_OTHERS_MESSAGE, "Cannot edit a message authored by another user"
            )
        body, files = body_of(request), files_of(request)
        validate_message_body(body, files, is_edit=True)
        apply_edit(self.ctx.state, message, body, files)
        if self.ctx.config.echo_bot_messages:
            await self.ctx.hub.dispatch_message("MESSAGE_UPDATE", message)
        return json_response(message)

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel)
        if int(message["author"]["id"]) != self.ctx.state.bot.id:
            self._require(channel, perms.MANAGE_MESSAGES)
        del self.ctx.state.messages[int(message["id"])]
        event: dict[str, Any] = {"id": message["id"], "channel_id": message["channel_id"]}
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        await self.ctx.hub.dispatch("MESSAGE_DELETE", event)
        return no_content()

    async def typing(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, perms.SEND_MESSAGES)
        return no_content()

    async def add_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, perms.ADD_REACTIONS | perms.READ_MESSAGE_HISTORY)
        message = self._message(request, channel)
        emoji = request.match_info["emoji"]
        reactions = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["emoji"].get("name") == emoji), None)
        if entry is None:
            entry = {
                "emoji": {"id": None, "name": emoji},
                "count": 0,
                "count_details": {"burst": 0, "normal": 0},
                "me": False,
                "me_burst": False,
                "burst_colors": [],
            }
            reactions.append(entry)
        if not entry["me"]:
            entry["me"] = True
            entry["count"] += 1
            entry["count_details"]["normal"] += 1
            await self.ctx.hub.dispatch("MESSAGE_REACTION_ADD", self._reaction_event(channel, message, emoji))
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel)
        emoji = request.match_info["emoji"]
        reactions = message.get("reactions", [])
        entry = next((r for r in reactions if r["emoji"].get("name") == emoji), None)
        if entry is not None and entry["me"]:
            entry["me"] = False
            entry["count"] -= 1
            entry["count_details"]["normal"] -= 1
            if entry["count"] <= 0:
                reactions.remove(entry)
            await self.ctx.hub.dispatch(
                "MESSAGE_REACTION_REMOVE", self._reaction_event(channel, message, emoji)
            )
        return no_content()

    def _reaction_event(self, channel: Channel, message: dict[str, Any], emoji: str) -> dict[str, Any]:
        event: dict[str, Any] = {
            "user_id": str(self.ctx.state.bot.id),
            "channel_id": str(channel.id),
            "message_id": message["id"],
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
            "message_author_id": message["author"]["id"],
        }
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        return event

    # ------------------------------------------------------------- guilds
    def _guild(self, request: web.Request) -> Any:
        guild = self.ctx.state.guilds.get(snowflake_param(request, "guild_id"))
        if guild is None:
            raise errors.unknown("Guild", errors.UNKNOWN_GUILD)
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        return json_response(self.ctx.state.guild_rest_payload(self._guild(request)))

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([self.ctx.state.channels[c].payload(self.ctx.state) for c in guild.channel_ids])

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([self.ctx.state.roles[r].payload() for r in guild.role_ids])

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        limit = max(1, min(1000, int(request.query.get("limit", "1"))))
        after = int(request.query.get("after", "0"))
        ids = sorted(u for u in guild.member_ids if u > after)[:limit]
        return json_response([self.ctx.state.members[(guild.id, u)].payload(self.ctx.state) for u in ids])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self.ctx.state.members.get((guild.id, snowflake_param(request, "user_id")))
        if member is None:
            raise errors.unknown("Member", errors.UNKNOWN_MEMBER)
        return json_response(member.payload(self.ctx.state))

    # -------------------------------------------------------- attachments
    async def get_attachment(self, request: web.Request) -> web.Response:
        att = self.ctx.state.attachments.get(snowflake_param(request, "attachment_id"))
        if att is None or request.match_info["filename"] != att.filename:
            return web.Response(status=404, text="attachment not found")
        return web.Response(body=att.data, content_type=att.content_type or "application/octet-stream")
