"""Small conversions between Python values and what the database stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..models import Bilingual, Fact, QuestionVariants, Quote, RevisionKind, Source
from .rows import Revision

if TYPE_CHECKING:
    from .core import Row


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601, so timestamps also sort correctly as text in SQL."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _quote_from_dict(data: dict[str, Any] | None) -> Quote | None:
    if data is None:
        return None
    return Quote(data["speaker"], data["original"], data["original_language"], data.get("translation"))


def _fact_from_snapshot(data: dict[str, Any]) -> Fact:
    """Rebuild a Fact from `Fact.to_dict()` (history snapshots are trusted: the store wrote them)."""
    return Fact(
        id=data["id"],
        statement=Bilingual(**data["statement"]),
        attribution=Bilingual(**data["attribution"]),
        source_ids=tuple(data["source_ids"]),
        questions=QuestionVariants(tuple(data["questions"]["en"]), tuple(data["questions"]["fr"])),
        tags=tuple(data["tags"]),
        date=data["date"],
        quote=_quote_from_dict(data["quote"]),
        status=data["status"],
    )


def _revision_from_row(row: Row) -> Revision:
    return Revision(
        change_id=row["change_id"],
        fact_id=row["fact_id"],
        revision=row["revision"],
        fact=_fact_from_snapshot(json.loads(row["snapshot"])),
        kind=RevisionKind(row["kind"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        reason=row["reason"],
        created_at=_parse_time(row["created_at"]),
    )


def _source_from_row(row: Row) -> Source:
    return Source(row["id"], row["title"], row["publisher"], row["date"], row["language"], row["url"])
