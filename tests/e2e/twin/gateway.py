"""The Gateway twin: websocket sessions speaking Discord's gateway protocol v10.

It implements what discord.py's ``DiscordWebSocket`` relies on: HELLO,
heartbeats and ACKs, IDENTIFY -> READY + one GUILD_CREATE per guild,
sequence numbers, RESUME with replay of missed events, op 7 RECONNECT,
op 9 INVALID_SESSION, transport compression and intent filtering. Sessions
outlive connections so a test can drop a socket and check that the bot
resumes without losing events.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import intents as intent_bits
from .compression import StreamCompressor, UnsupportedCompression, make_compressor
from .notify import Notifier
from .state import TwinState

DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_API_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014


@dataclass
class GatewayConfig:
    heartbeat_interval_ms: int = 41250
    allowed_intents: int = (1 << 26) - 1
    resume_buffer: int = 5000
    resume_window: float = 120.0


@dataclass
class GatewayFrame:
    """One gateway payload as sent ("out") or received ("in")."""

    direction: str
    op: int | None
    t: str | None
    s: int | None
    d: Any
    connection_id: int
    session_id: str | None
    at: float = field(default_factory=time.monotonic)


class GatewayConnection:
    """One websocket; serialises sends so the compression stream stays in order."""

    def __init__(
        self,
        hub: GatewayHub,
        ident: int,
        ws: web.WebSocketResponse,
        request: web.Request,
        compressor: StreamCompressor | None,
    ) -> None:
        self.hub = hub
        self.id = ident
        self.ws = ws
        self.transport = request.transport
        self.compressor = compressor
        self.session: GatewaySession | None = None
        self.lock = asyncio.Lock()
        self.opened_at = time.monotonic()
        self.closed_at: float | None = None
        self.last_heartbeat: float | None = None
        self.query = dict(request.query)

    @property
    def live(self) -> bool:
        return self.closed_at is None and not self.ws.closed

    async def send(self, payload: dict[str, Any]) -> bool:
        async with self.lock:
            if not self.live:
                return False
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
            try:
                if self.compressor is not None:
                    await self.ws.send_bytes(self.compressor.compress(text.encode("utf-8")))
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return False
            self.hub.log_frame("out", payload, self)
            return True

    async def close(self, code: int, reason: str = "") -> None:
        if not self.ws.closed:
            await self.ws.close(code=code, message=reason.encode("utf-8")[:120])

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (a network failure, not a goodbye)."""
        self.closed_at = time.monotonic()
        if self.transport is not None:
            self.transport.abort()


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    identify: dict[str, Any]
    seq: int = 0
    buffer: deque[tuple[int, dict[str, Any]]] = field(default_factory=deque)
    connection: GatewayConnection | None = None
    resumable: bool = True
    created_at: float = field(default_factory=time.monotonic)
    ready_at: float | None = None
    guilds_delivered_at: float | None = None
    disconnected_at: float | None = None
    resume_count: int = 0
    presence: dict[str, Any] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)

    async def dispatch(self, event: str, data: Any) -> int:
        """Sequence, buffer and (if connected) send one DISPATCH."""
        async with self.lock:
            self.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
            self.buffer.append((self.seq, frame))
            if self.connection is not None and self.connection.live:
                await self.connection.send(frame)
            return self.seq


class GatewayHub:
    """All gateway connections and sessions of one twin."""

    def __init__(self, state: TwinState, notifier: Notifier, config: GatewayConfig | None = None) -> None:
        self.state = state
        self.notifier = notifier
        self.config = config or GatewayConfig()
        self.url = "ws://127.0.0.1/"
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.frames: list[GatewayFrame] = []
        self.errors: list[str] = []
        self._next_conn = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    # -------------------------------------------------------------- logging
    def log_frame(self, direction: str, payload: dict[str, Any], conn: GatewayConnection) -> None:
        self.frames.append(
            GatewayFrame(
                direction=direction,
                op=payload.get("op"),
                t=payload.get("t"),
                s=payload.get("s"),
                d=payload.get("d"),
                connection_id=conn.id,
                session_id=conn.session.session_id if conn.session else None,
            )
        )
        self.notifier.notify()

    # ------------------------------------------------------------ sessions
    def _expire(self) -> None:
        now = time.monotonic()
        for sid, session in list(self.sessions.items()):
            gone = session.connection is None or not session.connection.live
            if gone and session.disconnected_at and now - session.disconnected_at > self.config.resume_window:
                session.resumable = False
            if not session.resumable and gone:
                del self.sessions[sid]

    def active_sessions(self) -> list[GatewaySession]:
        self._expire()
        return [s for s in self.sessions.values() if s.resumable and s.ready_at is not None]

    def live_connections(self) -> list[GatewayConnection]:
        return [c for c in self.connections if c.live]

    # ------------------------------------------------------------ dispatch
    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        transform: Callable[[GatewaySession, dict[str, Any]], dict[str, Any] | None] | None = None,
    ) -> None:
        """Send ``event`` to every active session whose intents allow it."""
        for session in self.active_sessions():
            if not intent_bits.event_allowed(event, data, session.intents):
                continue
            payload = transform(session, data) if transform else data
            if payload is not None:
                await session.dispatch(event, payload)
        self.notifier.notify()

    async def dispatch_message(self, event: str, message: dict[str, Any]) -> None:
        """MESSAGE_CREATE / MESSAGE_UPDATE with message-content redaction per session."""
        bot_id = self.state.bot.id
        await self.dispatch(
            event, message, transform=lambda s, m: intent_bits.redact_message(m, s.intents, bot_id)
        )

    def spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -------------------------------------------------------- test controls
    async def force_reconnect(self) -> int:
        """Send op 7 RECONNECT on every live connection; returns how many were told."""
        count = 0
        for conn in self.live_connections():
            if await conn.send({"op": RECONNECT, "d": None, "s": None, "t": None}):
                count += 1
        return count

    def drop_connections(self) -> int:
        conns = self.live_connections()
        for conn in conns:
            conn.abort()
        return len(conns)

    async def invalidate_sessions(self, *, resumable: bool = False) -> None:
        for conn in self.live_connections():
            if conn.session is not None and not resumable:
                conn.session.resumable = False
            await conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def request_heartbeat(self) -> None:
        for conn in self.live_connections():
            await conn.send({"op": HEARTBEAT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        for conn in self.live_connections():
            await conn.close(1001, "twin shutting down")
        for task in list(self._tasks):
            task.cancel()

    # ------------------------------------------------------------ protocol
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=None, autoping=True, max_msg_size=16 * 1024 * 1024)
        problem: tuple[int, str] | None = None
        compressor: StreamCompressor | None = None
        if request.query.get("v", "10") != "10":
            problem = (CLOSE_INVALID_API_VERSION, "Invalid API version")
        elif request.query.get("encoding", "json") != "json":
            problem = (CLOSE_DECODE_ERROR, "twin only speaks encoding=json")
        else:
            try:
                compressor = make_compressor(request.query.get("compress"))
            except UnsupportedCompression as exc:
                problem = (CLOSE_UNKNOWN_ERROR, str(exc))
        await ws.prepare(request)
        self._next_conn += 1
        conn = GatewayConnection(self, self._next_conn, ws, request, compressor)
        self.connections.append(conn)
        if problem is not None:
            self.errors.append(problem[1])
            await conn.close(*problem)
            conn.closed_at = time.monotonic()
            self.notifier.notify()
            return ws
        await conn.send(
            {
                "op": HELLO,
                "d": {
                    "heartbeat_interval": self.config.heartbeat_interval_ms,
                    "_trace": ['["twin-gateway"]'],
                },
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        await conn.close(CLOSE_DECODE_ERROR, "Error while decoding payload")
                        break
                    self.log_frame("in", payload, conn)
                    await self._on_payload(conn, payload)
                elif msg.type == WSMsgType.BINARY:
                    await conn.close(CLOSE_DECODE_ERROR, "twin expects text frames")
                    break
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            conn.closed_at = time.monotonic()
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                session.disconnected_at = conn.closed_at
                # A client that closes with 1000/1001 ends its session, as on Discord.
                if ws.close_code in (1000, 1001) and session.resumable and not self._closed_by_server(conn):
                    session.resumable = False
            self.notifier.notify()
        return ws

    def _closed_by_server(self, conn: GatewayConnection) -> bool:
        return any(
            f.direction == "out" and f.op == RECONNECT and f.connection_id == conn.id for f in self.frames
        )

    async def _on_payload(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == HEARTBEAT:
            conn.last_heartbeat = time.monotonic()
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            return
        if op == IDENTIFY:
            await self._identify(conn, data or {})
            return
        if op == RESUME:
            await self._resume(conn, data or {})
            return
        if conn.session is None:
            await conn.close(CLOSE_NOT_AUTHENTICATED, "Not authenticated.")
            return
        if op == PRESENCE_UPDATE:
            conn.session.presence = data
        elif op == REQUEST_GUILD_MEMBERS:
            await self._member_chunk(conn.session, data or {})
        elif op == VOICE_STATE_UPDATE:
            pass
        else:
            await conn.close(CLOSE_UNKNOWN_OPCODE, "Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        if data.get("token") != self.state.token:
            await conn.close(CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.close(CLOSE_INVALID_INTENTS, "Invalid intent(s).")
            return
        if intents & intent_bits.PRIVILEGED & ~self.config.allowed_intents:
            await conn.close(CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            intents=intents,
            identify=data,
            buffer=deque(maxlen=self.config.resume_buffer),
        )
        session.connection = conn
        conn.session = session
        self.sessions[session.session_id] = session
        state = self.state
        ready: dict[str, Any] = {
            "v": 10,
            "user": state.bot_user_payload(),
            "user_settings": {},
            "guilds": [{"id": str(g), "unavailable": True} for g in state.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(state.application_id), "flags": state.application_payload()["flags"]},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": ['["twin-gateway"]'],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await session.dispatch("READY", ready)
        session.ready_at = time.monotonic()
        # Discord lists every member only to sessions with GUILD_PRESENCES (small guilds);
        # others get the bot itself and must chunk (op 8) with GUILD_MEMBERS.
        all_members = session.has_intent(intent_bits.GUILD_PRESENCES)
        for guild in list(state.guilds.values()):
            await session.dispatch("GUILD_CREATE", state.guild_create_payload(guild, all_members=all_members))
        session.guilds_delivered_at = time.monotonic()
        self.notifier.notify()

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        self._expire()
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.resumable or data.get("token") != self.state.token:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        last_seq = int(data.get("seq") or 0)
        if session.buffer and last_seq < session.buffer[0][0] - 1:
            session.resumable = False
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        async with session.lock:
            previous = session.connection
            session.connection = conn
            conn.session = session
            session.disconnected_at = None
            if previous is not None and previous is not conn and previous.live:
                self.spawn(previous.close(CLOSE_UNKNOWN_ERROR, "session resumed elsewhere"))
            for seq, frame in list(session.buffer):
                if seq > last_seq:
                    await conn.send(frame)
            session.seq += 1
            resumed = {
                "op": DISPATCH,
                "t": "RESUMED",
                "s": session.seq,
                "d": {"_trace": ['["twin-gateway"]']},
            }
            session.buffer.append((session.seq, resumed))
            await conn.send(resumed)
            session.resume_count += 1
        self.notifier.notify()

    async def _member_chunk(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        query = (data.get("query") or "").lower()
        user_ids = {int(u) for u in (data.get("user_ids") or [])}
        limit = int(data.get("limit") or 0)
        members = []
        for uid in guild.member_ids:
            user = self.state.users[uid]
            if user_ids and uid not in user_ids:
                continue
            if query and not user.username.lower().startswith(query):
                continue
            members.append(self.state.members[(guild.id, uid)].payload(self.state))
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
