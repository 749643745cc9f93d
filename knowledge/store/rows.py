"""The rows the store hands to callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import Fact, FactBase, Language, RevisionKind


@dataclass(slots=True)
class SeedReport:
    """What `seed()` did, fact ids and source ids per outcome."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # seed-owned facts the new seed no longer has
    sources_added: list[str] = field(default_factory=list)
    sources_updated: list[str] = field(default_factory=list)
    sources_kept_edited: list[str] = field(default_factory=list)
    story_changed: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.retired
            or self.sources_added
            or self.sources_updated
            or self.story_changed
        )


@dataclass(frozen=True, slots=True)
class Revision:
    """One state a fact has had: who made it, when, why. `change_id` orders every revision of every
    fact, so the same row is also one entry of the change feed that digests follow (`Change`)."""

    change_id: int
    fact_id: str
    revision: int
    fact: Fact
    kind: RevisionKind
    actor_id: str
    actor_name: str
    reason: str
    created_at: datetime


Change = Revision  # one entry of the global change feed is one revision


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    text: str  # the most recent wording
    normalized: str
    count: int
    last_asked: datetime
    language: Language
    question_id: int  # the most recent row, usable with link_question_to_fact


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    question_id: int
    text: str
    language: Language
    fact_id: str | None
    downvotes: int
    upvotes: int


@dataclass(frozen=True, slots=True)
class DigestSubscription:
    channel_id: int
    guild_id: int | None
    time_of_day: str  # 'HH:MM' in `timezone`
    timezone: str
    language: Language
    last_change_id: int
    last_posted_at: datetime | None
    created_by: str  # actor id
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: str
    actor_name: str
    action: str
    target: str
    details: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoreHead:
    """The fact base without its facts, the latest change id, and the fact ids in order."""

    fact_base: FactBase
    change_id: int
    fact_order: tuple[str, ...]
