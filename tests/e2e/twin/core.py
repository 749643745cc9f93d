"""``TwinCore``: the construction and shared accessors every part of the test driver builds on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .context import TwinConfig, TwinContext
from .gateway import GatewayConfig, GatewayHub
from .interactions import InvocationError
from .notify import Notifier
from .process import BotProcess
from .ratelimit import RateLimiter
from .state import Channel, TwinState, User

MessageRef = Mapping[str, Any] | int | str


class TwinCore:
    """Owns the twin's context (config, world state, gateway hub, request log, rate limiter)."""

    def __init__(self, config: TwinConfig | None = None) -> None:
        self.config = config or TwinConfig()
        state = TwinState(bot_username=self.config.bot_username, token=self.config.token)
        notifier = Notifier()
        hub = GatewayHub(
            state,
            notifier,
            GatewayConfig(
                heartbeat_interval_ms=self.config.heartbeat_interval_ms,
                allowed_intents=self.config.allowed_intents,
            ),
        )
        limiter = RateLimiter(
            limit=self.config.rate_limit,
            window=self.config.rate_limit_window,
            enforce=self.config.enforce_rate_limits,
        )
        self.ctx = TwinContext(config=self.config, state=state, hub=hub, notifier=notifier, limiter=limiter)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.started_at: float | None = None
        self.watched: list[BotProcess] = []

    def watch(self, process: BotProcess) -> BotProcess:
        """Make every wait fail fast (with the log tail) if ``process`` exits unexpectedly."""
        self.watched.append(process)
        return process

    def crash_report(self) -> str | None:
        for process in self.watched:
            if process.crashed:
                return f"bot process {process.pid} exited with {process.returncode}:\n{process.log_tail(30)}"
        return None

    @property
    def state(self) -> TwinState:
        return self.ctx.state

    @property
    def hub(self) -> GatewayHub:
        return self.ctx.hub

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def bot_user(self) -> User:
        return self.state.bot

    def message(self, ref: MessageRef) -> dict[str, Any]:
        """Current stored version of a message."""
        message = self.state.messages.get(self._message_id(ref))
        if message is None:
            raise InvocationError(f"unknown message {ref!r}")
        return message

    def messages_in(self, channel: Channel) -> list[dict[str, Any]]:
        return self.state.messages_in(channel.id)

    def bot_messages_in(self, channel: Channel, *, after: MessageRef | None = None) -> list[dict[str, Any]]:
        after_id = self._message_id(after) if after is not None else 0
        bot_id = str(self.bot_user.id)
        return [m for m in self.state.messages_in(channel.id, after=after_id) if m["author"]["id"] == bot_id]

    @staticmethod
    def _message_id(ref: MessageRef) -> int:
        if isinstance(ref, Mapping):
            return int(ref["id"])
        return int(ref)
