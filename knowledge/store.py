"""The fact base, its full history and the bot's working data, in one SQLite file.

Why it is shaped this way:

* Moderators curate the facts live, so nothing they do may be lost: every state a fact
  has ever had is a row in `fact_revisions` (who, when, why), facts are retired rather
  than deleted, and `audit_log` records every curated change. Both tables are made
  append-only by triggers, so not even a hand-typed UPDATE can rewrite the past.
* Every write is one `BEGIN IMMEDIATE … COMMIT` transaction taken under an asyncio lock:
  the single aiosqlite connection is shared by every coroutine of the bot, and the
  immediate lock makes a second process (the CLI) wait instead of failing half-way.
* The seed file is re-applied on every start, so seeding must be idempotent and must
  never overwrite a moderator's work (a fact whose latest revision is not the seed's).
* Exports and imports use the seed-file format (`knowledge.schema`), and an
  export→import round trip is exact, so a fact base can move between bots and back.

Errors a person can act on are raised as `StoreError` (or a subclass) with a message
written for moderators and operators; raw sqlite3 errors never leave this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiosqlite

from .importing import ImportPlan, ImportTarget, RevisionKind, revision_kind
from .importing import plan_import as _plan_import
from .migrations import LATEST_VERSION, MIGRATIONS
from .models import (
    FACT_STATUSES,
    LANGUAGES,
    SEED_ACTOR,
    Actor,
    Bilingual,
    Fact,
    FactBase,
    FactStatus,
    Language,
    QuestionVariants,
    Quote,
    Source,
    Story,
)
from .schema import SCHEMA_VERSION, FactBaseError, parse_fact_base

__all__ = [
    "SYSTEM_ACTOR",
    "Change",
    "DigestSubscription",
    "DuplicateFact",
    "FeedbackRow",
    "ImportPlan",
    "InvalidContent",
    "Revision",
    "SeedReport",
    "StaleRevision",
    "Store",
    "StoreError",
    "UnansweredQuestion",
    "UnknownFact",
    "UnknownQuestion",
    "UnknownSource",
]

BUSY_TIMEOUT_MS = 5_000
SYSTEM_ACTOR = Actor(id="bot", name="the bot")
Clock = Callable[[], datetime]
Origin = str  # 'seed' | 'moderator' | 'import'

_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_LANGUAGE_NAMES = {"en": "English", "fr": "French"}
# parse_fact_base validates whole documents; a lone fact or source is checked inside this frame.
_PLACEHOLDER_STORY = {"title": {"en": "-", "fr": "-"}, "summary": {"en": "-", "fr": "-"}}
_EMPTY_STORY = Story(Bilingual("", ""), Bilingual("", ""))


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class StoreError(Exception):
    """Something the store refused or could not do; the message is meant for a person."""


class UnknownFact(StoreError):
    def __init__(self, fact_id: str) -> None:
        self.fact_id = fact_id
        super().__init__(f"There is no fact with the id '{fact_id}'.")


class DuplicateFact(StoreError):
    def __init__(self, fact_id: str) -> None:
        self.fact_id = fact_id
        super().__init__(f"A fact with the id '{fact_id}' already exists; edit it, or choose another id.")


class UnknownSource(StoreError):
    def __init__(self, source_ids: Sequence[str]) -> None:
        self.source_ids = tuple(source_ids)
        names = ", ".join(f"'{s}'" for s in self.source_ids)
        plural = "s" if len(self.source_ids) > 1 else ""
        super().__init__(f"Unknown source id{plural} {names}: add the source first.")


class UnknownQuestion(StoreError):
    def __init__(self, question_id: int) -> None:
        self.question_id = question_id
        super().__init__(f"There is no logged question with the id {question_id}.")


class InvalidContent(StoreError):
    """A fact, source or document that breaks the fact-base rules (`problems` lists each one)."""

    def __init__(self, message: str, problems: Sequence[object] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


class StaleRevision(StoreError):
    """An edit based on an old revision: someone else changed the fact in between.

    Carries the current fact and its revision so the caller can show the moderator what changed.
    """

    def __init__(self, fact: Fact, revision: int, expected_revision: int) -> None:
        self.fact = fact
        self.revision = revision
        self.expected_revision = expected_revision
        super().__init__(
            f"Fact '{fact.id}' was changed by someone else while you were editing: it is now at "
            f"revision {revision}, your edit was based on revision {expected_revision}. "
            "Review the current version and try again."
        )


# ---------------------------------------------------------------------------------------------
# Rows handed to callers
# ---------------------------------------------------------------------------------------------


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
    change_id: int
    fact_id: str
    revision: int
    fact: Fact
    kind: RevisionKind
    actor_id: str
    actor_name: str
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the global change feed that digests follow."""

    change_id: int
    fact_id: str
    kind: RevisionKind
    revision: int
    fact: Fact
    actor_id: str
    actor_name: str
    reason: str
    created_at: datetime


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


# ---------------------------------------------------------------------------------------------
# Small conversions
# ---------------------------------------------------------------------------------------------


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


def _source_from_row(row: sqlite3.Row) -> Source:
    return Source(row["id"], row["title"], row["publisher"], row["date"], row["language"], row["url"])


def _problem_lines(error: FactBaseError) -> str:
    return "\n".join(f"  - {p.field}: {p.message}" if p.field else f"  - {p.message}" for p in error.problems)


def _validate_fact(fact: Fact, sources: Sequence[Source]) -> None:
    """Hold a single fact to the same rules as the seed file, so every export stays importable."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": _PLACEHOLDER_STORY,
        "sources": [s.to_dict() for s in sources],
        "facts": [fact.to_dict()],
    }
    try:
        parse_fact_base(document, f"fact '{fact.id}'")
    except FactBaseError as error:
        raise InvalidContent(
            f"Fact '{fact.id}' cannot be saved:\n{_problem_lines(error)}", error.problems
        ) from None


def _validate_source(source: Source) -> None:
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": _PLACEHOLDER_STORY,
        "sources": [source.to_dict()],
        "facts": [],
    }
    try:
        parse_fact_base(document, f"source '{source.id}'")
    except FactBaseError as error:
        raise InvalidContent(
            f"Source '{source.id}' cannot be saved:\n{_problem_lines(error)}", error.problems
        ) from None


def _validate_document(fact_base: FactBase, origin: str) -> None:
    """Documents built in code skip parse_fact_base; check them the way a file would be checked."""
    try:
        parse_fact_base(fact_base.to_dict(), origin)
    except FactBaseError as error:
        raise InvalidContent(str(error), error.problems) from None


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")


def _describe_sqlite_error(path: Path, error: sqlite3.Error) -> str:
    """Turn sqlite's terse error into a sentence an operator can act on."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return (
            f"{path} is not a SQLite database (or it is damaged beyond reading). "
            "Restore it from a backup, or move it aside to start an empty store."
        )
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return f"{path} is corrupt ({text}). Restore it from a backup."
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            f"{path} is read-only: the bot must be able to write its database. "
            "Check the permissions of the file and of its folder."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"Cannot open {path}: check that the path names a file the bot may read and write."
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return f"{path} is locked by another process and stayed locked; try again in a moment."
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"The disk holding {path} is full; nothing was saved."
    return f"Database error on {path}: {text}."


def _database_uri(path: Path) -> str:
    """The URI the store connects with (a seam: tests open it with mode=ro to simulate a read-only file)."""
    return path.absolute().as_uri()


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


QUESTION_BATCH = 500  # 9 parameters a row, well under SQLite's 32,766 per statement


@dataclass(slots=True)
class _PendingQuestion:
    row: tuple[object, ...]
    done: asyncio.Future[int]


class Store:
    """One open fact-base database. Create with `await Store.open(path)`; finish with `await close()`."""

    def __init__(self, db: aiosqlite.Connection, path: Path, clock: Clock) -> None:
        self._db: aiosqlite.Connection | None = db
        self.path = path
        self._clock = clock
        self._lock = asyncio.Lock()
        self._question_queue: list[_PendingQuestion] = []
        self._question_writer: asyncio.Task[None] | None = None

    # -- opening and closing -----------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path | str, *, clock: Clock | None = None) -> Store:
        """Open (creating if needed) and migrate the database at `path`.

        Raises StoreError if the file is not a SQLite database, is corrupt, is read-only, or
        was written by a newer version of the bot.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the folder for {path}: {error.strerror}.") from None
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file.")
        try:
            db = await aiosqlite.connect(_database_uri(path), uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(path, error)) from None
        db.row_factory = sqlite3.Row
        store = cls(db, path, clock or _utc_now)
        try:
            await store._prepare()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        if self._question_writer is not None:
            await asyncio.shield(self._question_writer)  # questions already asked get their rows
        if self._db is not None:
            db, self._db = self._db, None
            async with self._lock:
                await db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _prepare(self) -> None:
        """Connection settings, a corruption check, migrations, and a proof that we can write."""
        db = self._connection()
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA foreign_keys = ON")
            mode = await self._scalar(db, "PRAGMA journal_mode = WAL")
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path} cannot use write-ahead logging (journal mode stays {mode!r}).")
            # quick_check reads every page once: cheap at this size, and it turns a damaged file
            # into a clear refusal at start-up instead of a failure in the middle of a moderator's edit.
            problems = [row[0] for row in await db.execute_fetchall("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise StoreError(f"{self.path} is corrupt ({'; '.join(problems)}). Restore it from a backup.")
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(self.path, error)) from None
        await self._migrate()
        await self._prove_writable()

    async def _migrate(self) -> None:
        """Apply missing migrations, each in its own transaction; refuse a newer schema."""
        version = await self._schema_version()
        for migration in MIGRATIONS[version:]:
            async with self._transaction() as db:
                current = int(await self._scalar(db, "PRAGMA user_version"))
                self._refuse_newer(current)
                if current >= migration.version:  # another process got there first
                    continue
                for statement in migration.statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {migration.version}")

    async def _schema_version(self) -> int:
        try:
            version = int(await self._scalar(self._connection(), "PRAGMA user_version"))
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(self.path, error)) from None
        self._refuse_newer(version)
        return version

    def _refuse_newer(self, version: int) -> None:
        if version > LATEST_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, but this version of the bot only knows "
                f"versions up to {LATEST_VERSION}. Run a newer bot, or restore a backup made by this one."
            )

    async def _prove_writable(self) -> None:
        """A read-only file opens and reads fine; find out now rather than at the first moderator edit."""
        async with self._transaction() as db:
            await db.execute(f"PRAGMA user_version = {LATEST_VERSION}")
            raise _Rollback

    # -- transactions ------------------------------------------------------------------------

    def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("The store is closed.")
        return self._db

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Exactly one write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any error.

        IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout)
        rather than failing at its first write after having read stale data.
        """
        async with self._lock:
            db = self._connection()
            try:
                await db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(_describe_sqlite_error(self.path, error)) from error
            try:
                yield db
                await db.execute("COMMIT")
            except BaseException as error:
                await self._rollback(db)
                if isinstance(error, _Rollback):
                    return
                if isinstance(error, sqlite3.Error):
                    raise StoreError(_describe_sqlite_error(self.path, error)) from error
                raise

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read transaction: the several SELECTs of one call see one consistent snapshot."""
        async with self._lock:
            db = self._connection()
            try:
                await db.execute("BEGIN")
                try:
                    yield db
                finally:
                    await self._rollback(db)
            except sqlite3.Error as error:
                raise StoreError(_describe_sqlite_error(self.path, error)) from error

    @staticmethod
    async def _rollback(db: aiosqlite.Connection) -> None:
        if db.in_transaction:
            # Shielded: a cancelled caller must not leave the shared connection inside a transaction.
            await asyncio.shield(db.execute("ROLLBACK"))

    # -- tiny query helpers ------------------------------------------------------------------

    @staticmethod
    async def _scalar(db: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> Any:
        async with db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    @staticmethod
    async def _one(db: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        async with db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    @staticmethod
    async def _all(db: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        return list(await db.execute_fetchall(sql, params))

    def _now(self) -> str:
        return _timestamp(self._clock())

    # -- reading facts -----------------------------------------------------------------------

    async def _load_facts(self, db: aiosqlite.Connection, fact_id: str | None = None) -> list[Fact]:
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

    async def _find_fact(self, db: aiosqlite.Connection, fact_id: str) -> tuple[Fact, int] | None:
        facts = await self._load_facts(db, fact_id)
        if not facts:
            return None
        revision = await self._scalar(db, "SELECT revision FROM facts WHERE id = ?", (fact_id,))
        return facts[0], int(revision)

    async def _require_fact(self, db: aiosqlite.Connection, fact_id: str) -> tuple[Fact, int]:
        found = await self._find_fact(db, fact_id)
        if found is None:
            raise UnknownFact(fact_id)
        return found

    async def _fact_exists(self, db: aiosqlite.Connection, fact_id: str) -> bool:
        return await self._scalar(db, "SELECT 1 FROM facts WHERE id = ?", (fact_id,)) is not None

    async def _load_sources(self, db: aiosqlite.Connection) -> list[Source]:
        return [
            _source_from_row(r) for r in await self._all(db, "SELECT * FROM sources ORDER BY position, id")
        ]

    async def _sources_for(self, db: aiosqlite.Connection, fact: Fact) -> list[Source]:
        """The sources a fact cites, or UnknownSource naming every missing one."""
        known = {s.id: s for s in await self._load_sources(db)}
        missing = [s for s in fact.source_ids if s not in known]
        if missing:
            raise UnknownSource(missing)
        return [known[s] for s in dict.fromkeys(fact.source_ids)]

    async def _meta(self, db: aiosqlite.Connection) -> dict[str, str]:
        return {row["key"]: row["value"] for row in await self._all(db, "SELECT key, value FROM meta")}

    async def _snapshot(self, db: aiosqlite.Connection) -> FactBase:
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
            facts=tuple(await self._load_facts(db)),
            synonyms=tuple(tuple(group) for group in json.loads(meta.get("synonyms", "[]"))),
        )

    # -- writing facts -----------------------------------------------------------------------

    async def _commit_state(
        self,
        db: aiosqlite.Connection,
        fact: Fact,
        kind: RevisionKind,
        actor: Actor,
        reason: str,
        now: str,
        *,
        origin: Origin = "moderator",
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
    async def _replace_children(db: aiosqlite.Connection, fact: Fact) -> None:
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

    async def _audit(
        self,
        db: aiosqlite.Connection,
        actor: Actor,
        action: str,
        target: str,
        details: dict[str, Any],
        now: str,
    ) -> None:
        await db.execute(
            """
            INSERT INTO audit_log (actor_id, actor_name, action, target, details, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            (
                actor.id,
                actor.name,
                action,
                target,
                json.dumps(details, ensure_ascii=False, sort_keys=True),
                now,
            ),
        )

    async def _modify_in(
        self,
        db: aiosqlite.Connection,
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

    async def get_fact(self, fact_id: str) -> Fact | None:
        async with self._reading() as db:
            found = await self._find_fact(db, fact_id)
        return found[0] if found else None

    async def get_fact_revision_number(self, fact_id: str) -> int | None:
        async with self._reading() as db:
            revision = await self._scalar(db, "SELECT revision FROM facts WHERE id = ?", (fact_id,))
        return None if revision is None else int(revision)

    async def fact_ids(self, prefix: str = "", limit: int = 25, *, include_retired: bool = True) -> list[str]:
        """Ids for autocomplete: those starting with `prefix` first, then those merely containing it."""
        needle = prefix.strip().lower()
        status_filter = "" if include_retired else "AND status = 'active'"
        async with self._reading() as db:
            rows = await self._all(
                db,
                f"""
                SELECT id FROM facts
                 WHERE instr(id, ?) > 0 {status_filter}
                 ORDER BY instr(id, ?) != 1, id
                 LIMIT ?
                """,
                (needle, needle, limit),
            )
        return [row["id"] for row in rows]

    async def get_source(self, source_id: str) -> Source | None:
        async with self._reading() as db:
            row = await self._one(db, "SELECT * FROM sources WHERE id = ?", (source_id,))
        return _source_from_row(row) if row else None

    async def sources(self) -> list[Source]:
        async with self._reading() as db:
            return await self._load_sources(db)

    async def history(self, fact_id: str) -> list[Revision]:
        """Every state the fact has had, newest first."""
        async with self._reading() as db:
            if not await self._fact_exists(db, fact_id):
                raise UnknownFact(fact_id)
            rows = await self._all(
                db, "SELECT * FROM fact_revisions WHERE fact_id = ? ORDER BY revision DESC", (fact_id,)
            )
        return [
            Revision(
                change_id=row["change_id"],
                fact_id=row["fact_id"],
                revision=row["revision"],
                fact=_fact_from_snapshot(json.loads(row["snapshot"])),
                kind=row["kind"],
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                reason=row["reason"],
                created_at=_parse_time(row["created_at"]),
            )
            for row in rows
        ]

    async def audit_entries(self, target: str | None = None, limit: int = 50) -> list[AuditEntry]:
        """The audit log, newest first, optionally for one target (a fact id, 'channel:<id>', …)."""
        where, params = ("WHERE target = ?", (target,)) if target is not None else ("", ())
        async with self._reading() as db:
            rows = await self._all(
                db, f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", (*params, limit)
            )
        return [
            AuditEntry(
                id=row["id"],
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                action=row["action"],
                target=row["target"],
                details=json.loads(row["details"]),
                created_at=_parse_time(row["created_at"]),
            )
            for row in rows
        ]

    # -- public: moderator changes -----------------------------------------------------------

    async def add_fact(self, fact: Fact, actor: Actor, reason: str = "") -> int:
        """Add a new fact (revision 1, kind 'added')."""
        async with self._transaction() as db:
            if await self._fact_exists(db, fact.id):
                raise DuplicateFact(fact.id)
            _validate_fact(fact, await self._sources_for(db, fact))
            now = self._now()
            revision = await self._commit_state(db, fact, "added", actor, reason, now, origin="moderator")
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
            kind="retired" if status == "retired" else "restored",
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
            kind="variant",
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
            kind="variant",
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
            kind="source",
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
            kind="source",
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
                kind="reverted",
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
            await self._write_source(db, source, actor, now, origin="moderator", seed_version=None)
            details: dict[str, Any] = {"source": source.to_dict()}
            if row is not None:
                details["before"] = _source_from_row(row).to_dict()
            await self._audit(
                db, actor, "source.edit" if row else "source.add", f"source:{source.id}", details, now
            )

    async def _write_source(
        self,
        db: aiosqlite.Connection,
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
                        name: getattr(report, name) for name in ("added", "updated", "retired", "kept_edited")
                    },
                    "sources_added": report.sources_added,
                    "sources_updated": report.sources_updated,
                }
                await self._audit(db, SEED_ACTOR, "seed", "fact-base", details, now)
        return report

    async def _seed_sources(
        self, db: aiosqlite.Connection, fact_base: FactBase, report: SeedReport, now: str
    ) -> None:
        rows = {row["id"]: row for row in await self._all(db, "SELECT * FROM sources")}
        for source in fact_base.sources:
            row = rows.get(source.id)
            if row is not None and _source_from_row(row) == source:
                continue
            if row is not None and row["updated_by_id"] != SEED_ACTOR.id:
                report.sources_kept_edited.append(source.id)
                continue
            await self._write_source(
                db, source, SEED_ACTOR, now, origin="seed", seed_version=fact_base.seed_version
            )
            (report.sources_added if row is None else report.sources_updated).append(source.id)

    async def _seed_facts(
        self, db: aiosqlite.Connection, fact_base: FactBase, report: SeedReport, now: str
    ) -> None:
        current = {fact.id: fact for fact in await self._load_facts(db)}
        last_actor = await self._latest_actors(db)
        reason = f"seed {fact_base.seed_version}"
        version = fact_base.seed_version
        for fact in fact_base.facts:
            before = current.get(fact.id)
            if before is None:
                await self._commit_state(
                    db, fact, "added", SEED_ACTOR, reason, now, origin="seed", seed_version=version
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
                    db, retired, "retired", SEED_ACTOR, f"{reason}: no longer in the seed", now
                )
                report.retired.append(fact.id)

    async def _latest_actors(self, db: aiosqlite.Connection) -> dict[str, str]:
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

    async def _seed_meta(self, db: aiosqlite.Connection, fact_base: FactBase) -> bool:
        meta = await self._meta(db)
        if meta.get("document_origin") == "import":
            return False
        return await self._write_meta(db, fact_base, origin="seed")

    async def _write_meta(self, db: aiosqlite.Connection, fact_base: FactBase, *, origin: str) -> bool:
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

    async def _plan_in(self, db: aiosqlite.Connection, new: FactBase) -> tuple[ImportPlan, ImportTarget]:
        current = await self._snapshot(db)
        meta = await self._meta(db)
        story = current.story if "story" in meta else None
        plan, target = _plan_import(current.facts, current.sources, story, meta.get("seed_version"), new)
        # The synonym lexicon travels with the story text: a change to either is a story change.
        plan.story_changed = plan.story_changed or current.synonyms != new.synonyms
        return plan, target

    async def apply_import(self, new: FactBase, actor: Actor, reason: str = "import") -> ImportPlan:
        """Make the store match a document, all in one transaction: if anything fails, nothing changes.

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
                        db, source, actor, now, origin="import", seed_version=new.seed_version
                    )
            await self._import_facts(db, target.facts, actor, reason, now, new.seed_version)
            await self._set_positions(db, "facts", [f.id for f in target.facts])
            await self._set_positions(db, "sources", [s.id for s in target.sources])
            await self._write_meta(db, new, origin="import")
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
        db: aiosqlite.Connection,
        facts: Iterable[Fact],
        actor: Actor,
        reason: str,
        now: str,
        seed_version: str,
    ) -> None:
        current = {fact.id: fact for fact in await self._load_facts(db)}
        for fact in facts:
            before = current.get(fact.id)
            if before is None:
                await self._commit_state(
                    db, fact, "added", actor, reason, now, origin="import", seed_version=seed_version
                )
            elif before != fact:
                kind = revision_kind(before, fact)
                await self._commit_state(db, fact, kind, actor, reason, now, seed_version=seed_version)

    @staticmethod
    async def _set_positions(db: aiosqlite.Connection, table: str, ids: Sequence[str]) -> None:
        await db.executemany(
            f"UPDATE {table} SET position = ? WHERE id = ? AND position != ?",
            [(position, item_id, position) for position, item_id in enumerate(ids, start=1)],
        )

    # -- public: the question log and feedback -----------------------------------------------

    async def log_question(
        self,
        text: str,
        normalized: str,
        language: Language,
        answered: bool,
        fact_id: str | None = None,
        score: float | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> int:
        """Record a question as asked and return its id (usage data: not audit-logged).

        Questions arrive in bursts, and one transaction per question made every asker queue
        for the write lock. Questions waiting at the same moment are written together, in
        one transaction (group commit); each caller still gets its own row id back, and
        returns only once its row is committed.
        """
        _check_language(language)
        row = (
            text,
            normalized,
            language,
            int(bool(answered)),
            fact_id,
            score,
            self._now(),
            guild_id,
            channel_id,
        )
        pending = _PendingQuestion(row, asyncio.get_running_loop().create_future())
        self._question_queue.append(pending)
        if self._question_writer is None or self._question_writer.done():
            self._question_writer = asyncio.create_task(self._write_questions())
        return await pending.done

    async def _write_questions(self) -> None:
        while self._question_queue:
            batch, self._question_queue = (
                self._question_queue[:QUESTION_BATCH],
                self._question_queue[QUESTION_BATCH:],
            )
            try:
                ids = await self._insert_questions(batch)
            except BaseException as error:  # every waiting caller hears of it; the writer moves on
                for pending in batch:
                    if not pending.done.done():
                        pending.done.set_exception(
                            error if isinstance(error, Exception) else StoreError(str(error))
                        )
                if not isinstance(error, Exception):
                    raise
                continue
            for pending, question_id in zip(batch, ids, strict=True):
                if not pending.done.done():
                    if isinstance(question_id, StoreError):
                        pending.done.set_exception(question_id)
                    else:
                        pending.done.set_result(question_id)

    async def _insert_questions(self, batch: list[_PendingQuestion]) -> list[int | StoreError]:
        """One transaction, one multi-row INSERT: rows get consecutive ids under the write lock."""
        async with self._transaction() as db:
            wanted = {p.row[4] for p in batch if p.row[4] is not None}
            known: set[str] = set()
            if wanted:
                marks = ",".join("?" * len(wanted))
                known = {
                    r["id"]
                    for r in await self._all(db, f"SELECT id FROM facts WHERE id IN ({marks})", tuple(wanted))
                }
            valid = [p for p in batch if p.row[4] is None or p.row[4] in known]
            last = 0
            if valid:
                values = ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(valid))
                await db.execute(
                    "INSERT INTO questions_asked (text, normalized, language, answered, fact_id, score, asked_at,"
                    f" guild_id, channel_id) VALUES {values}",
                    tuple(value for p in valid for value in p.row),
                )
                last = int(await self._scalar(db, "SELECT last_insert_rowid()"))
        ids = iter(range(last - len(valid) + 1, last + 1))
        return [next(ids) if p.row[4] is None or p.row[4] in known else UnknownFact(p.row[4]) for p in batch]

    async def unanswered(self, since: datetime | None = None, limit: int = 10) -> list[UnansweredQuestion]:
        """Open unanswered questions grouped by normalized text, most frequent first."""
        async with self._reading() as db:
            rows = await self._all(
                db,
                """
                SELECT grouped.normalized, grouped.asked, grouped.last_asked, latest.id, latest.text, latest.language
                  FROM (SELECT normalized, COUNT(*) AS asked, MAX(asked_at) AS last_asked, MAX(id) AS latest_id
                          FROM questions_asked
                         WHERE answered = 0 AND resolved_fact_id IS NULL AND asked_at >= ?
                         GROUP BY normalized) AS grouped
                  JOIN questions_asked AS latest ON latest.id = grouped.latest_id
                 ORDER BY grouped.asked DESC, grouped.last_asked DESC, grouped.normalized
                 LIMIT ?
                """,
                (_timestamp(since) if since else "", limit),
            )
        return [
            UnansweredQuestion(
                text=row["text"],
                normalized=row["normalized"],
                count=row["asked"],
                last_asked=_parse_time(row["last_asked"]),
                language=row["language"],
                question_id=row["id"],
            )
            for row in rows
        ]

    async def link_question_to_fact(
        self, question: int | str, fact_id: str, language: Language, text: str, actor: Actor
    ) -> int:
        """Answer an unanswered question: add its wording to the fact (a 'variant' revision) and mark
        every open log row with the same normalized text as resolved, so it leaves `unanswered()`.

        `question` is a question id from the log or a normalized text. Returns the fact's revision.
        """
        _check_language(language)
        wording = text.strip()
        async with self._transaction() as db:
            normalized = question if isinstance(question, str) else await self._normalized_of(db, question)
            revision = await self._modify_in(
                db,
                fact_id,
                actor,
                lambda current: replace(current, questions=current.questions.with_added(language, wording)),
                action="fact.variant.add",
                reason="linked from an unanswered question",
                kind="variant",
                details={"language": language, "text": wording},
            )
            now = self._now()
            cursor = await db.execute(
                """
                UPDATE questions_asked SET resolved_fact_id = ?, resolved_at = ?
                 WHERE normalized = ? AND answered = 0 AND resolved_fact_id IS NULL
                """,
                (fact_id, now, normalized),
            )
            details = {"normalized": normalized, "questions_resolved": cursor.rowcount, "revision": revision}
            await self._audit(db, actor, "question.link", fact_id, details, now)
            return revision

    async def _normalized_of(self, db: aiosqlite.Connection, question_id: int) -> str:
        normalized = await self._scalar(
            db, "SELECT normalized FROM questions_asked WHERE id = ?", (question_id,)
        )
        if normalized is None:
            raise UnknownQuestion(question_id)
        return str(normalized)

    async def record_feedback(self, question_id: int, user_id: int, vote: int) -> None:
        """One vote per user per answer; voting again replaces the vote."""
        if vote not in (1, -1) or isinstance(vote, bool):
            raise ValueError(f"vote must be +1 or -1, not {vote!r}")
        async with self._transaction() as db:
            await self._normalized_of(db, question_id)  # UnknownQuestion if missing
            await db.execute(
                """
                INSERT INTO feedback (question_id, user_id, vote, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (question_id, user_id) DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at
                """,
                (question_id, user_id, vote, self._now()),
            )

    async def feedback_report(self, limit: int = 10) -> list[FeedbackRow]:
        """Answers people voted on, most downvoted first: where the fact base needs work."""
        async with self._reading() as db:
            rows = await self._all(
                db,
                """
                SELECT q.id, q.text, q.language, q.fact_id,
                       SUM(f.vote = -1) AS downvotes, SUM(f.vote = 1) AS upvotes
                  FROM feedback AS f
                  JOIN questions_asked AS q ON q.id = f.question_id
                 GROUP BY q.id
                 ORDER BY downvotes DESC, upvotes ASC, q.id DESC
                 LIMIT ?
                """,
                (limit,),
            )
        return [
            FeedbackRow(
                row["id"], row["text"], row["language"], row["fact_id"], row["downvotes"], row["upvotes"]
            )
            for row in rows
        ]

    # -- public: change feed and digests -----------------------------------------------------

    async def latest_change_id(self) -> int:
        async with self._reading() as db:
            return await self._latest_change_id(db)

    async def _latest_change_id(self, db: aiosqlite.Connection) -> int:
        return int(await self._scalar(db, "SELECT COALESCE(MAX(change_id), 0) FROM fact_revisions"))

    async def changes_since(self, change_id: int, limit: int | None = None) -> list[Change]:
        """Fact changes after the cursor `change_id`, oldest first."""
        async with self._reading() as db:
            rows = await self._all(
                db,
                "SELECT * FROM fact_revisions WHERE change_id > ? ORDER BY change_id LIMIT ?",
                (change_id, -1 if limit is None else limit),
            )
        return [
            Change(
                change_id=row["change_id"],
                fact_id=row["fact_id"],
                kind=row["kind"],
                revision=row["revision"],
                fact=_fact_from_snapshot(json.loads(row["snapshot"])),
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                reason=row["reason"],
                created_at=_parse_time(row["created_at"]),
            )
            for row in rows
        ]

    async def subscribe(
        self,
        channel_id: int,
        guild_id: int | None,
        time_of_day: str,
        timezone: str,
        language: Language,
        actor: Actor,
    ) -> DigestSubscription:
        """Subscribe a channel to the daily digest, or change its settings.

        A new subscription starts at the current change cursor, so its first digest holds only
        what changes from now on, not the whole history; re-subscribing keeps the cursor.
        """
        _check_language(language)
        if not _TIME_OF_DAY.match(time_of_day):
            raise ValueError(f"time of day must be HH:MM (24-hour), not {time_of_day!r}")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {timezone!r} (use a name such as Europe/Paris or UTC)"
            ) from None
        async with self._transaction() as db:
            now = self._now()
            cursor = await self._latest_change_id(db)
            await db.execute(
                """
                INSERT INTO digest_subscriptions
                    (channel_id, guild_id, time_of_day, timezone, language, last_change_id, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel_id) DO UPDATE SET
                    guild_id = excluded.guild_id, time_of_day = excluded.time_of_day,
                    timezone = excluded.timezone, language = excluded.language
                """,
                (channel_id, guild_id, time_of_day, timezone, language, cursor, actor.id, now),
            )
            details = {
                "guild_id": guild_id,
                "time_of_day": time_of_day,
                "timezone": timezone,
                "language": language,
            }
            await self._audit(db, actor, "digest.subscribe", f"channel:{channel_id}", details, now)
            row = await self._one(
                db, "SELECT * FROM digest_subscriptions WHERE channel_id = ?", (channel_id,)
            )
        assert row is not None
        return _subscription_from_row(row)

    async def unsubscribe(self, channel_id: int, actor: Actor | None = None) -> bool:
        """Stop a channel's digest; False if it had none."""
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM digest_subscriptions WHERE channel_id = ?", (channel_id,))
            if cursor.rowcount == 0:
                return False
            await self._audit(
                db, actor or SYSTEM_ACTOR, "digest.unsubscribe", f"channel:{channel_id}", {}, self._now()
            )
            return True

    async def subscription(self, channel_id: int) -> DigestSubscription | None:
        async with self._reading() as db:
            row = await self._one(
                db, "SELECT * FROM digest_subscriptions WHERE channel_id = ?", (channel_id,)
            )
        return _subscription_from_row(row) if row else None

    async def subscriptions(self) -> list[DigestSubscription]:
        async with self._reading() as db:
            rows = await self._all(db, "SELECT * FROM digest_subscriptions ORDER BY channel_id")
        return [_subscription_from_row(row) for row in rows]

    async def mark_digest_posted(
        self, channel_id: int, change_id: int, posted_at: datetime | None = None
    ) -> bool:
        """Move a channel's cursor after posting its digest (never backwards). False if the channel
        unsubscribed meanwhile. Not audit-logged: it is the bot's bookkeeping, not a curated change."""
        async with self._transaction() as db:
            cursor = await db.execute(
                """
                UPDATE digest_subscriptions
                   SET last_change_id = MAX(last_change_id, ?), last_posted_at = ?
                 WHERE channel_id = ?
                """,
                (change_id, _timestamp(posted_at) if posted_at else self._now(), channel_id),
            )
            return cursor.rowcount > 0

    # -- public: maintenance -----------------------------------------------------------------

    async def settings(self) -> dict[str, Any]:
        """The connection settings that matter for safety, for a status command (and the tests)."""
        async with self._lock:
            db = self._connection()
            return {
                pragma: await self._scalar(db, f"PRAGMA {pragma}")
                for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "user_version", "synchronous")
            }

    async def backup(self, path: Path | str) -> None:
        """A consistent copy made with SQLite's online backup API while the bot keeps running.

        Written to a temporary file, checked, then renamed into place, so a failed backup never
        replaces a good one.
        """
        target = Path(path)
        if target.absolute() == self.path.absolute():
            raise StoreError("A backup cannot overwrite the database it copies.")
        partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            destination = sqlite3.connect(partial, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot write the backup {target}: {error}.") from None
        try:
            async with self._lock:
                await self._connection().backup(destination)
            verdict = await asyncio.to_thread(lambda: destination.execute("PRAGMA quick_check").fetchone()[0])
            if verdict != "ok":
                raise StoreError(
                    f"The backup {target} failed its check ({verdict}); the previous one was kept."
                )
        except sqlite3.Error as error:
            raise StoreError(f"The backup to {target} failed: {error}.") from None
        finally:
            destination.close()
        try:
            os.replace(partial, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise StoreError(f"Cannot put the backup in place at {target}: {error.strerror}.") from None

    async def integrity_check(self) -> str:
        """'ok', or every problem SQLite finds (page-level damage and broken foreign keys)."""
        async with self._reading() as db:
            problems = [row[0] for row in await self._all(db, "PRAGMA integrity_check")]
            broken_links = await self._all(db, "PRAGMA foreign_key_check")
        if problems == ["ok"]:
            problems = []
        problems += [f"{row[0]} row {row[1]} points to a missing {row[2]} row" for row in broken_links]
        return "ok" if not problems else "\n".join(problems)


class _Rollback(Exception):
    """Raised inside `_transaction` to undo it on purpose (the writability probe)."""


def _subscription_from_row(row: sqlite3.Row) -> DigestSubscription:
    return DigestSubscription(
        channel_id=row["channel_id"],
        guild_id=row["guild_id"],
        time_of_day=row["time_of_day"],
        timezone=row["timezone"],
        language=row["language"],
        last_change_id=row["last_change_id"],
        last_posted_at=_parse_time(row["last_posted_at"]) if row["last_posted_at"] else None,
        created_by=row["created_by"],
        created_at=_parse_time(row["created_at"]),
    )
