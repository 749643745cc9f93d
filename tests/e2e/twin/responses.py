"""What the bot visibly answered to an interaction, in one object a test can assert on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .interactions import TwinInteraction
from .messages import FLAG_EPHEMERAL
from .records import RecordedRequest


@dataclass
class InteractionResponse:
    """The bot's visible answer to one interaction (callback + follow-ups + @original edits)."""

    interaction: TwinInteraction
    callback_type: int | None
    message: dict[str, Any] | None
    followups: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)

    @property
    def content(self) -> str:
        """Text of the original response, else of the first follow-up that has text."""
        for msg in [self.message, *self.followups]:
            if msg and msg.get("content"):
                return str(msg["content"])
        return ""

    @property
    def ephemeral(self) -> bool:
        return bool(self.message and int(self.message.get("flags", 0)) & FLAG_EPHEMERAL)

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.interaction.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.interaction.choices

    def texts(self) -> list[str]:
        """Every human-visible string: contents, embed titles/descriptions/fields/footers, text displays."""
        out: list[str] = []
        for msg in [self.message, *self.followups]:
            if msg:
                out.extend(message_texts(msg))
        return out


def message_texts(message: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    if message.get("content"):
        out.append(str(message["content"]))
    for embed in message.get("embeds") or []:
        for key in ("title", "description"):
            if embed.get(key):
                out.append(str(embed[key]))
        for fld in embed.get("fields") or []:
            out.extend(str(fld.get(k)) for k in ("name", "value") if fld.get(k))
        if (embed.get("footer") or {}).get("text"):
            out.append(str(embed["footer"]["text"]))
    stack = list(message.get("components") or [])
    while stack:
        comp = stack.pop(0)
        if comp.get("type") == 10 and comp.get("content"):
            out.append(str(comp["content"]))
        stack.extend(comp.get("components") or [])
    return out
