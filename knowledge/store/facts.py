"""Reading and writing facts, sources and the document meta: the one place fact rows are written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..importing import revision_kind
from ..models import Actor, Bilingual, Fact, FactBase, Origin, QuestionVariants, RevisionKind, Source, Story
from ..schema import SCHEMA_VERSION
from .audit import AuditMixin
from .conversions import _json, _quote_from_dict, _revision_from_row, _source_from_row
from .core import Db
from .errors import StaleRevision, StoreError, UnknownFact, UnknownSource
from .rows import Revision, StoreHead
from .validation import _validate_fact

_EMPTY_STORY = Story(Bilingual("", ""), Bilingual("", ""))


class FactsMixin(AuditMixin):
    # -- reading facts -----------------------------------------------------------------------

    async def _load_facts(self, db: Db, fact_id: str | None = None) -> list[Fact]:
        """Facts in insertion (position) order, with variants and sources in their own order."""
        where, params = ("WHERE fact_id = ?", (fact_id,)) if fact_id is not None else ("", ())
        variants: dict[str, dict[str, list[str]]] = {}
        for row in await self._all(
            db, f"SELECT fact_id, language, text FROM question_variants {where} ORDER BY position", params
        ):
            variants.setdefault(row["fact_id"], {"en": [], "fr": []})[row["language"]].append(row["text"])
        cited: dict[str, list[str]] = {}
        for row in await self._all(
            db, f"SELECT fact_id, source_id FROM fact_sources {where} ORDER BY position", params
        ):
            cited.setdefault(row["fact_id"], []).append(row["source_id"])

        fact_where = "WHERE id = ?" if fact_id is not None else ""
        facts = []
        for row in await self._all(db, f"SELECT * FROM facts {fact_where} ORDER BY position, id", params):
            asked = variants.get(row["id"], {"en": [], "fr": []})
            facts.append(
                Fact(
                    id=row["id"],
                    statement=Bilingual(row["statement_en"], row["statement_fr"]),
                    attribution=Bilingual(row["attribution_en"], row["attribution_fr"]),
                    source_ids=tuple(cited.get(row["id"], ())),
                    questions=QuestionVariants(tuple(asked["en"]), tuple(asked["fr"])),
                    tags=tuple(json.loads(row["tags"])),
                    date=row["date"],
                    quote=_quote_from_dict(json.loads(row["quote"])) if row["quote"] else None,
                    status=row["status"],
                )
            )
        return facts

    async def _find_fact(self, db: Db, fact_id: str) -> tuple[Fact, int] | None:
        facts = await self._load_facts(db, fact_id)
        if not facts:
            return None
        revision = await self._scalar(db, "SELECT revision FROM facts WHERE id = ?", (fact_id,))
        return facts[0], int(revision)

    async def _require_fact(self, db: Db, fact_id: str) -> tuple[Fact, int]:
        found = await self._find_fact(db, fact_id)
        if found is None:
            raise UnknownFact(fact_id)
        return found

    async def _fact_exists(self, db: Db, fact_id: str) -> bool:
        return await self._scalar(db, "SELECT 1 FROM facts WHERE id = ?", (fact_id,)) is not None

    async def _load_sources(self, db: Db) -> list[Source]:
        return [
            _source_from_row(r) for r in await self._all(db, "SELECT * FROM sources ORDER BY position, id")
        ]

    async def _sources_for(self, db: Db, fact: Fact) -> list[Source]:
        """The sources a fact cites, or UnknownSource naming every missing one."""
        known = {s.id: s for s in await self._load_sources(db)}
        missing = [s for s in fact.source_ids if s not in known]
        if missing:
            raise UnknownSource(missing)
        return [known[s] for s in dict.fromkeys(fact.source_ids)]

    async def _meta(self, db: Db) -> dict[str, str]:
        return {row["key"]: row["value"] for row in await self._all(db, "SELECT key, value FROM meta")}

    async def _snapshot(self, db: Db, *, with_facts: bool = True) -> FactBase:
        meta = await self._meta(db)
        story = _EMPTY_STORY
        if "story" in meta:
            raw = json.loads(meta["story"])
            story = Story(Bilingual(**raw["title"]), Bilingual(**raw["summary"]))
        return FactBase(
            schema_version=int(meta.get("schema_version", SCHEMA_VERSION)),
            seed_version=meta.get("seed_version", ""),
            story=story,
            sources=tuple(await self._load_sources(db)),
            facts=tuple(await self._load_facts(db)) if with_facts else (),
            synonyms=tuple(tuple(group) for group in json.loads(meta.get("synonyms", "[]"))),
        )

    # -- writing facts -----------------------------------------------------------------------

    async def _commit_state(
        self,
        db: Db,
        fact: Fact,
        kind: RevisionKind,
        actor: Actor,
        reason: str,
        now: str,
        *,
        origin: Origin = Origin.MODERATOR,
        seed_version: str | None = None,
    ) -> int:
        """Make `fact` the current state and append it to the history; returns its revision number.

        The one place fact rows are written, so the latest revision's snapshot always equals the
        current row. `origin` only matters for a new fact; `seed_version` is kept if None.
        """
        previous = await self._scalar(db, "SELECT revision FROM facts WHERE id = ?", (fact.id,))
        columns = {
            "status": fact.status,
            "date": fact.date,
            "statement_en": fact.statement.en,
            "statement_fr": fact.statement.fr,
            "attribution_en": fact.attribution.en,
            "attribution_fr": fact.attribution.fr,
            "quote": _json(fact.quote.to_dict()) if fact.quote else None,
            "tags": _json(list(fact.tags)),
        }
        if previous is None:
            revision = 1
            await db.execute(
                f"""
                INSERT INTO facts (id, position, {", ".join(columns)}, revision, origin, seed_version,
                                   created_at, updated_at)
                VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM facts),
                        {", ".join("?" * len(columns))}, ?, ?, ?, ?, ?)
                """,
                (fact.id, *columns.values(), revision, origin, seed_version, now, now),
            )
        else:
            revision = int(previous) + 1
            assignments = ", ".join(f"{name} = ?" for name in columns)
            await db.execute(
                f"""
                UPDATE facts
                   SET {assignments}, revision = ?, seed_version = COALESCE(?, seed_version), updated_at = ?
                 WHERE id = ?
                """,
                (*columns.values(), revision, seed_version, now, fact.id),
            )
        await self._replace_children(db, fact)
        await db.execute(
            """
            INSERT INTO fact_revisions (fact_id, revision, snapshot, kind, actor_id, actor_name, reason, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (fact.id, revision, _json(fact.to_dict()), kind, actor.id, actor.name, reason, now),
        )
        return revision

    @staticmethod
    async def _replace_children(db: Db, fact: Fact) -> None:
        """Question variants and citations are rewritten whole: their history lives in the snapshots."""
        await db.execute("DELETE FROM question_variants WHERE fact_id = ?", (fact.id,))
        await db.executemany(
            "INSERT INTO question_variants (fact_id, language, text, position) VALUES (?, ?, ?, ?)",
            [(fact.id, language, text, i) for i, (language, text) in enumerate(fact.questions.all())],
        )
        await db.execute("DELETE FROM fact_sources WHERE fact_id = ?", (fact.id,))
        await db.executemany(
            "INSERT INTO fact_sources (fact_id, source_id, position) VALUES (?, ?, ?)",
            [(fact.id, source_id, i) for i, source_id in enumerate(fact.source_ids)],
        )

    async def _modify_in(
        self,
        db: Db,
        fact_id: str,
        actor: Actor,
        change: Callable[[Fact], Fact],
        *,
        action: str,
        reason: str,
        kind: RevisionKind | None = None,
        expected_revision: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Apply `change` to the current fact inside an open transaction.

        A change that leaves the fact as it was records nothing and returns the current revision,
        so repeating a command (a double click, a retried interaction) never clutters the history.
        """
        before, revision = await self._require_fact(db, fact_id)
        if expected_revision is not None and expected_revision != revision:
            raise StaleRevision(before, revision, expected_revision)
        after = change(before)
        if after == before:
            return revision
        if after.id != fact_id:
            raise StoreError(f"A fact's id cannot be changed ('{fact_id}' → '{after.id}').")
        _validate_fact(after, await self._sources_for(db, after))
        now = self._now()
        new_revision = await self._commit_state(
            db, after, kind or revision_kind(before, after), actor, reason, now
        )
        await self._audit(
            db, actor, action, fact_id, {"revision": new_revision, "reason": reason, **(details or {})}, now
        )
        return new_revision

    async def _modify(
        self, fact_id: str, actor: Actor, change: Callable[[Fact], Fact], **options: Any
    ) -> int:
        async with self._transaction() as db:
            return await self._modify_in(db, fact_id, actor, change, **options)

    # -- public: reading ---------------------------------------------------------------------

    async def fact_base(self) -> FactBase:
        """Everything, retired facts included, in a stable order (fact insertion order; variants and
        citations in their own order). Before any seed or import the story is empty."""
        async with self._reading() as db:
            return await self._snapshot(db)

    async def head(self) -> StoreHead:
        """Everything but the facts, with the change counter and the facts' order, read together:
        what a saved index needs to be brought up to date (see knowledge/snapshot.py)."""
        async with self._reading() as db:
            base = await self._snapshot(db, with_facts=False)
            change_id = await self._scalar(db, "SELECT COALESCE(MAX(change_id), 0) FROM fact_revisions")
            order = [row[0] for row in await self._all(db, "SELECT id FROM facts ORDER BY position, id")]
        return StoreHead(base, int(change_id), tuple(order))

    async def get_fact(self, fact_id: str) -> Fact | None:
        async with self._reading() as db:
            found = await self._find_fact(db, fact_id)
        return found[0] if found else None

    async def fact_with_revision(self, fact_id: str) -> tuple[Fact, int] | None:
        """The fact and the revision number it is at, read in one transaction so they belong together."""
        async with self._reading() as db:
            return await self._find_fact(db, fact_id)

    async def get_fact_revision_number(self, fact_id: str) -> int | None:
        async with self._reading() as db:
            revision = await self._scalar(db, "SELECT revision FROM facts WHERE id = ?", (fact_id,))
        return None if revision is None else int(revision)

    async def history(self, fact_id: str) -> list[Revision]:
        """Every state the fact has had, newest first."""
        async with self._reading() as db:
            if not await self._fact_exists(db, fact_id):
                raise UnknownFact(fact_id)
            rows = await self._all(
                db, "SELECT * FROM fact_revisions WHERE fact_id = ? ORDER BY revision DESC", (fact_id,)
            )
        return [_revision_from_row(row) for row in rows]

    async def _write_source(
        self,
        db: Db,
        source: Source,
        actor: Actor,
        now: str,
        *,
        origin: Origin,
        seed_version: str | None,
    ) -> None:
        """Insert or update one source; `updated_by_id` records whose copy it now is."""
        await db.execute(
            """
            INSERT INTO sources (id, position, title, publisher, date, language, url, origin, seed_version,
                                 updated_by_id, updated_by_name, created_at, updated_at)
            VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM sources), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, publisher = excluded.publisher, date = excluded.date,
                language = excluded.language, url = excluded.url,
                seed_version = COALESCE(excluded.seed_version, sources.seed_version),
                updated_by_id = excluded.updated_by_id, updated_by_name = excluded.updated_by_name,
                updated_at = excluded.updated_at
            """,
            (
                source.id,
                source.title,
                source.publisher,
                source.date,
                source.language,
                source.url,
                origin,
                seed_version,
                actor.id,
                actor.name,
                now,
                now,
            ),
        )

    async def _write_meta(self, db: Db, fact_base: FactBase, *, origin: Origin) -> bool:
        """Store the story, seed version and document schema version; True if anything changed."""
        wanted = {
            "story": _json(fact_base.story.to_dict()),
            "synonyms": _json([list(group) for group in fact_base.synonyms]),
            "seed_version": fact_base.seed_version,
            "schema_version": str(fact_base.schema_version),
            "document_origin": origin,
        }
        meta = await self._meta(db)
        changed = {key: value for key, value in wanted.items() if meta.get(key) != value}
        await db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(changed.items()),
        )
        return bool(changed.keys() - {"document_origin"})
