"""Exporting the fact base as a document, and planning and applying an import of one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..importing import ImportPlan, ImportTarget, revision_kind
from ..importing import plan_import as _plan_import
from ..models import Actor, Fact, FactBase, Origin, RevisionKind
from .core import Db
from .facts import FactsMixin
from .validation import _validate_document

PROGRESS_EVERY = 500


class ImportExportMixin(FactsMixin):
    # -- public: export and import -----------------------------------------------------------

    async def export(self) -> FactBase:
        """The whole fact base as a document (see `fact_base`); dump it with schema.dump_fact_base."""
        return await self.fact_base()

    async def plan_import(self, new: FactBase) -> ImportPlan:
        """What `apply_import(new)` would do, without doing it (to show a moderator first)."""
        _validate_document(new, "the imported document")
        async with self._reading() as db:
            plan, _target = await self._plan_in(db, new)
        return plan

    async def _plan_in(self, db: Db, new: FactBase) -> tuple[ImportPlan, ImportTarget]:
        current = await self._snapshot(db)
        meta = await self._meta(db)
        story = current.story if "story" in meta else None
        plan, target = _plan_import(current.facts, current.sources, story, meta.get("seed_version"), new)
        # The synonym lexicon travels with the story text: a change to either is a story change.
        plan.story_changed = plan.story_changed or current.synonyms != new.synonyms
        return plan, target

    async def apply_import(
        self,
        new: FactBase,
        actor: Actor,
        reason: str = "import",
        progress: Callable[[int], object] | None = None,
    ) -> ImportPlan:
        """Make the store match a document, all in one transaction: if anything fails, nothing changes.

        `progress` is told how many facts were written, every few hundred (a progress bar).

        Facts absent from the document are retired (never deleted), sources are never removed,
        and the document's order becomes the store's, so an export afterwards reproduces it exactly.
        """
        _validate_document(new, "the imported document")
        async with self._transaction() as db:
            plan, target = await self._plan_in(db, new)
            if not plan.has_changes:
                return plan
            now = self._now()
            for source in new.sources:
                if source.id in plan.sources_added or source.id in plan.sources_changed:
                    await self._write_source(
                        db, source, actor, now, origin=Origin.IMPORT, seed_version=new.seed_version
                    )
            await self._import_facts(db, target.facts, actor, reason, now, new.seed_version, progress)
            await self._set_positions(db, "facts", [f.id for f in target.facts])
            await self._set_positions(db, "sources", [s.id for s in target.sources])
            await self._write_meta(db, new, origin=Origin.IMPORT)
            await self._audit(
                db,
                actor,
                "import",
                "fact-base",
                {"reason": reason, "seed_version": new.seed_version, **plan.counts()},
                now,
            )
        return plan

    async def _import_facts(
        self,
        db: Db,
        facts: Iterable[Fact],
        actor: Actor,
        reason: str,
        now: str,
        seed_version: str,
        progress: Callable[[int], object] | None = None,
    ) -> None:
        current = {fact.id: fact for fact in await self._load_facts(db)}
        for done, fact in enumerate(facts, start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
            before = current.get(fact.id)
            if before is None:
                await self._commit_state(
                    db,
                    fact,
                    RevisionKind.ADDED,
                    actor,
                    reason,
                    now,
                    origin=Origin.IMPORT,
                    seed_version=seed_version,
                )
            elif before != fact:
                kind = revision_kind(before, fact)
                await self._commit_state(db, fact, kind, actor, reason, now, seed_version=seed_version)

    @staticmethod
    async def _set_positions(db: Db, table: str, ids: Sequence[str]) -> None:
        await db.executemany(
            f"UPDATE {table} SET position = ? WHERE id = ? AND position != ?",
            [(position, item_id, position) for position, item_id in enumerate(ids, start=1)],
        )
