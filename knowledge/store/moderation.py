"""Moderator changes to facts and sources: add, edit, retire/restore, variants, citations, revert."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ..models import FACT_STATUSES, Actor, Fact, FactStatus, Language, Origin, RevisionKind, Source
from ..phrases import phrases
from .conversions import _fact_from_snapshot, _source_from_row
from .errors import DuplicateFact, StoreError, UnknownFact
from .facts import FactsMixin
from .validation import _check_language, _validate_fact, _validate_source

_LANGUAGE_NAMES = {"en": phrases("common.english", "en"), "fr": phrases("common.french", "en")}


class ModerationMixin(FactsMixin):
    # -- public: moderator changes -----------------------------------------------------------

    async def add_fact(self, fact: Fact, actor: Actor, reason: str = "") -> int:
        """Add a new fact (revision 1, kind 'added')."""
        async with self._transaction() as db:
            if await self._fact_exists(db, fact.id):
                raise DuplicateFact(fact.id)
            _validate_fact(fact, await self._sources_for(db, fact))
            now = self._now()
            revision = await self._commit_state(
                db, fact, RevisionKind.ADDED, actor, reason, now, origin=Origin.MODERATOR
            )
            await self._audit(db, actor, "fact.add", fact.id, {"revision": revision, "reason": reason}, now)
            return revision

    async def update_fact(
        self, fact: Fact, actor: Actor, reason: str = "", expected_revision: int | None = None
    ) -> int:
        """Replace a fact's content. With `expected_revision`, refuse (StaleRevision) if someone
        else changed it since the moderator loaded it; an unchanged fact records nothing."""
        return await self._modify(
            fact.id,
            actor,
            lambda _current: fact,
            action="fact.edit",
            reason=reason,
            expected_revision=expected_revision,
        )

    async def set_status(self, fact_id: str, status: FactStatus, actor: Actor, reason: str = "") -> int:
        """Retire or restore a fact (facts are never deleted)."""
        if status not in FACT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(FACT_STATUSES)}, not {status!r}")
        return await self._modify(
            fact_id,
            actor,
            lambda current: replace(current, status=status),
            action="fact.retire" if status == "retired" else "fact.restore",
            reason=reason,
            kind=RevisionKind.RETIRED if status == "retired" else RevisionKind.RESTORED,
        )

    async def add_variant(
        self, fact_id: str, language: Language, text: str, actor: Actor, reason: str = ""
    ) -> int:
        """Teach the matcher another wording; adding one that exists already records nothing."""
        _check_language(language)
        wording = text.strip()
        return await self._modify(
            fact_id,
            actor,
            lambda current: replace(current, questions=current.questions.with_added(language, wording)),
            action="fact.variant.add",
            reason=reason,
            kind=RevisionKind.VARIANT,
            details={"language": language, "text": wording},
        )

    async def remove_variant(
        self, fact_id: str, language: Language, text: str, actor: Actor, reason: str = ""
    ) -> int:
        """Remove a wording; a wording the fact does not have is refused (probably a typo)."""
        _check_language(language)
        wording = text.strip()

        def without(current: Fact) -> Fact:
            if wording not in current.questions.get(language):
                raise StoreError(f"Fact '{fact_id}' has no {_LANGUAGE_NAMES[language]} question “{wording}”.")
            return replace(current, questions=current.questions.without(language, wording))

        return await self._modify(
            fact_id,
            actor,
            without,
            action="fact.variant.remove",
            reason=reason,
            kind=RevisionKind.VARIANT,
            details={"language": language, "text": wording},
        )

    async def attach_source(self, fact_id: str, source_id: str, actor: Actor, reason: str = "") -> int:
        """Cite one more source (appended); citing one already cited records nothing."""
        return await self._modify(
            fact_id,
            actor,
            lambda current: (
                current
                if source_id in current.source_ids
                else replace(current, source_ids=(*current.source_ids, source_id))
            ),
            action="fact.source.attach",
            reason=reason,
            kind=RevisionKind.SOURCE,
            details={"source_id": source_id},
        )

    async def detach_source(self, fact_id: str, source_id: str, actor: Actor, reason: str = "") -> int:
        """Stop citing a source; a fact must keep at least one (InvalidContent otherwise)."""

        def without(current: Fact) -> Fact:
            if source_id not in current.source_ids:
                raise StoreError(f"Fact '{fact_id}' does not cite the source '{source_id}'.")
            return replace(current, source_ids=tuple(s for s in current.source_ids if s != source_id))

        return await self._modify(
            fact_id,
            actor,
            without,
            action="fact.source.detach",
            reason=reason,
            kind=RevisionKind.SOURCE,
            details={"source_id": source_id},
        )

    async def revert(self, fact_id: str, revision: int, actor: Actor, reason: str = "") -> int:
        """Make the fact what it was at `revision`, as a NEW revision: history is never rewritten."""
        async with self._transaction() as db:
            snapshot = await self._scalar(
                db,
                "SELECT snapshot FROM fact_revisions WHERE fact_id = ? AND revision = ?",
                (fact_id, revision),
            )
            if snapshot is None:
                if not await self._fact_exists(db, fact_id):
                    raise UnknownFact(fact_id)
                raise StoreError(f"Fact '{fact_id}' has no revision {revision}.")
            target = _fact_from_snapshot(json.loads(snapshot))
            return await self._modify_in(
                db,
                fact_id,
                actor,
                lambda _current: target,
                action="fact.revert",
                reason=reason,
                kind=RevisionKind.REVERTED,
                details={"to_revision": revision},
            )

    async def upsert_source(self, source: Source, actor: Actor) -> None:
        """Add a source or change its details; an identical source records nothing."""
        _validate_source(source)
        async with self._transaction() as db:
            row = await self._one(db, "SELECT * FROM sources WHERE id = ?", (source.id,))
            if row is not None and _source_from_row(row) == source:
                return
            now = self._now()
            await self._write_source(db, source, actor, now, origin=Origin.MODERATOR, seed_version=None)
            details: dict[str, Any] = {"source": source.to_dict()}
            if row is not None:
                details["before"] = _source_from_row(row).to_dict()
            await self._audit(
                db, actor, "source.edit" if row else "source.add", f"source:{source.id}", details, now
            )
