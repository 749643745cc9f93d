"""Applying the seed file at every start, idempotently and without overwriting moderators' work."""

from __future__ import annotations

from dataclasses import replace

from ..importing import revision_kind
from ..models import SEED_ACTOR, FactBase, Origin, RevisionKind
from .conversions import _source_from_row
from .core import Db
from .facts import FactsMixin
from .rows import SeedReport
from .validation import _validate_document


class SeedingMixin(FactsMixin):
    # -- public: seeding ---------------------------------------------------------------------

    async def seed(self, fact_base: FactBase) -> SeedReport:
        """Load the seed file; safe to run at every start-up.

        Re-running the same seed changes nothing. A fact whose latest revision is not the seed's
        (a moderator or an import touched it) is left alone and reported in `kept_edited`; sources
        likewise. Seed-owned facts that a newer seed no longer contains are retired, not deleted.
        The story text follows the seed until a moderator imports a document, which then owns it.
        """
        _validate_document(fact_base, "the seed")
        report = SeedReport()
        async with self._transaction() as db:
            now = self._now()
            await self._seed_sources(db, fact_base, report, now)
            await self._seed_facts(db, fact_base, report, now)
            report.story_changed = await self._seed_meta(db, fact_base)
            if report.has_changes:
                details = {
                    "seed_version": fact_base.seed_version,
                    **{
                        name: getattr(report, name)
                        for name in ("added", "updated", RevisionKind.RETIRED, "kept_edited")
                    },
                    "sources_added": report.sources_added,
                    "sources_updated": report.sources_updated,
                }
                await self._audit(db, SEED_ACTOR, "seed", "fact-base", details, now)
        return report

    async def _seed_sources(self, db: Db, fact_base: FactBase, report: SeedReport, now: str) -> None:
        rows = {row["id"]: row for row in await self._all(db, "SELECT * FROM sources")}
        for source in fact_base.sources:
            row = rows.get(source.id)
            if row is not None and _source_from_row(row) == source:
                continue
            if row is not None and row["updated_by_id"] != SEED_ACTOR.id:
                report.sources_kept_edited.append(source.id)
                continue
            await self._write_source(
                db, source, SEED_ACTOR, now, origin=Origin.SEED, seed_version=fact_base.seed_version
            )
            (report.sources_added if row is None else report.sources_updated).append(source.id)

    async def _seed_facts(self, db: Db, fact_base: FactBase, report: SeedReport, now: str) -> None:
        current = {fact.id: fact for fact in await self._load_facts(db)}
        last_actor = await self._latest_actors(db)
        reason = f"seed {fact_base.seed_version}"
        version = fact_base.seed_version
        for fact in fact_base.facts:
            before = current.get(fact.id)
            if before is None:
                await self._commit_state(
                    db,
                    fact,
                    RevisionKind.ADDED,
                    SEED_ACTOR,
                    reason,
                    now,
                    origin=Origin.SEED,
                    seed_version=version,
                )
                report.added.append(fact.id)
            elif before == fact:
                report.unchanged.append(fact.id)
            elif last_actor[fact.id] != SEED_ACTOR.id:
                report.kept_edited.append(fact.id)
            else:
                kind = revision_kind(before, fact)
                await self._commit_state(db, fact, kind, SEED_ACTOR, reason, now, seed_version=version)
                report.updated.append(fact.id)
        in_seed = {fact.id for fact in fact_base.facts}
        for fact in current.values():
            if fact.id not in in_seed and fact.active and last_actor[fact.id] == SEED_ACTOR.id:
                retired = replace(fact, status="retired")
                await self._commit_state(
                    db, retired, RevisionKind.RETIRED, SEED_ACTOR, f"{reason}: no longer in the seed", now
                )
                report.retired.append(fact.id)

    async def _latest_actors(self, db: Db) -> dict[str, str]:
        """fact id → id of whoever wrote its current revision (who 'owns' it for the seed)."""
        rows = await self._all(
            db,
            """
            SELECT r.fact_id, r.actor_id
              FROM fact_revisions AS r
              JOIN facts AS f ON f.id = r.fact_id AND f.revision = r.revision
            """,
        )
        return {row["fact_id"]: row["actor_id"] for row in rows}

    async def _seed_meta(self, db: Db, fact_base: FactBase) -> bool:
        meta = await self._meta(db)
        if meta.get("document_origin") == Origin.IMPORT:
            return False
        return await self._write_meta(db, fact_base, origin=Origin.SEED)
