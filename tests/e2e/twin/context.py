"""Configuration and the shared parts every twin component works on."""

from __future__ import annotations

from dataclasses import dataclass, field

from .gateway import GatewayHub
from .interactions import TwinInteraction
from .notify import Notifier
from .ratelimit import RateLimiter
from .records import RequestLog
from .state import TwinState


@dataclass
class TwinConfig:
    """Knobs of one twin; defaults mirror Discord where a number exists."""

    bot_username: str = "TwinBot"
    token: str | None = None
    heartbeat_interval_ms: int = 41250
    # Discord drops an interaction that is not acknowledged within 3 s.
    interaction_deadline: float = 3.0
    rate_limit: int = 50
    rate_limit_window: float = 1.0
    enforce_rate_limits: bool = False
    # Privileged intents the "developer portal" allows (all by default).
    allowed_intents: int = (1 << 26) - 1
    # Dispatch MESSAGE_CREATE/UPDATE for the bot's own messages, as Discord does.
    echo_bot_messages: bool = True
    # Minimum delay between the bot showing something and a simulated user acting on it.
    # discord.py registers a view/modal only after its callback HTTP response returns, so an
    # instant click would race it; no human is that fast either.
    user_reaction_time: float = 0.15


@dataclass
class TwinContext:
    config: TwinConfig
    state: TwinState
    hub: GatewayHub
    notifier: Notifier
    limiter: RateLimiter
    requests: RequestLog = field(default_factory=RequestLog)
    interactions: dict[int, TwinInteraction] = field(default_factory=dict)
    by_token: dict[str, TwinInteraction] = field(default_factory=dict)

    def register_interaction(self, interaction: TwinInteraction) -> None:
        self.interactions[interaction.id] = interaction
        self.by_token[interaction.token] = interaction
