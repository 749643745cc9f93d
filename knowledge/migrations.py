"""The store's SQLite schema, as an ordered list of migrations.

`PRAGMA user_version` records how many migrations a database file has had. Opening a
file applies the missing ones in order, each in its own transaction, so a crash
half-way through an upgrade leaves the file at a known version, never in between.
Migrations are append-only: once released, a step is never edited, only followed by
a new one, because databases in the field already ran it.

Each step is a tuple of single SQL statements rather than one script: Python's
`executescript` commits any open transaction first, which would break the
one-transaction-per-step rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


def _append_only(table: str) -> tuple[str, str]:
    """Triggers that make a table append-only: the history must never be rewritten, even by hand."""
    return (
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END
        """,
    )


INITIAL_SCHEMA = Migration(
    version=1,
    description="facts, sources, revisions, audit log, question log, feedback, digests, meta",
    statements=(
        # Story title/summary, seed version and the document schema version: small, rarely written.
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
        # `updated_by_id` plays for sources the part the latest revision's actor plays for facts:
        # the seed only rewrites a source that the seed itself wrote last.
        """
        CREATE TABLE sources (
            id              TEXT PRIMARY KEY,
            position        INTEGER NOT NULL,
            title           TEXT NOT NULL,
            publisher       TEXT NOT NULL,
            date            TEXT,
            language        TEXT NOT NULL CHECK (language IN ('en', 'fr')),
            url             TEXT,
            origin          TEXT NOT NULL CHECK (origin IN ('seed', 'moderator', 'import')),
            seed_version    TEXT,
            updated_by_id   TEXT NOT NULL,
            updated_by_name TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        )
        """,
        "CREATE INDEX sources_by_position ON sources (position)",
        # `position` keeps the document order stable across exports (rowids may change on VACUUM).
        # `revision` is the number of the latest row in fact_revisions for this fact.
        """
        CREATE TABLE facts (
            id               TEXT PRIMARY KEY,
            position         INTEGER NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ('active', 'retired')),
            date             TEXT,
            statement_en     TEXT NOT NULL,
            statement_fr     TEXT NOT NULL,
            attribution_en   TEXT NOT NULL,
            attribution_fr   TEXT NOT NULL,
            quote            TEXT,
            tags             TEXT NOT NULL DEFAULT '[]',
            revision         INTEGER NOT NULL CHECK (revision >= 1),
            origin           TEXT NOT NULL CHECK (origin IN ('seed', 'moderator', 'import')),
            seed_version     TEXT,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        )
        """,
        "CREATE INDEX facts_by_position ON facts (position)",
        """
        CREATE TABLE question_variants (
            fact_id  TEXT NOT NULL REFERENCES facts (id),
            language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
            text     TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (fact_id, language, text)
        )
        """,
        """
        CREATE TABLE fact_sources (
            fact_id   TEXT NOT NULL REFERENCES facts (id),
            source_id TEXT NOT NULL REFERENCES sources (id),
            position  INTEGER NOT NULL,
            PRIMARY KEY (fact_id, source_id)
        )
        """,
        "CREATE INDEX fact_sources_by_source ON fact_sources (source_id)",
        # change_id is the global change cursor digests follow; AUTOINCREMENT guarantees it never goes back.
        """
        CREATE TABLE fact_revisions (
            change_id  INTEGER PRIMARY KEY AUTOINCREMENT,
            fact_id    TEXT NOT NULL REFERENCES facts (id),
            revision   INTEGER NOT NULL,
            snapshot   TEXT NOT NULL,
            kind       TEXT NOT NULL
                       CHECK (kind IN ('added', 'edited', 'retired', 'restored', 'reverted', 'variant', 'source')),
            actor_id   TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            reason     TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (fact_id, revision)
        )
        """,
        *_append_only("fact_revisions"),
        """
        CREATE TABLE audit_log (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            actor_id   TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            action     TEXT NOT NULL,
            target     TEXT NOT NULL,
            details    TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX audit_log_by_target ON audit_log (target, id)",
        *_append_only("audit_log"),
        # resolved_fact_id is set when a moderator links an unanswered question to a fact.
        """
        CREATE TABLE questions_asked (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            text             TEXT NOT NULL,
            normalized       TEXT NOT NULL,
            language         TEXT NOT NULL CHECK (language IN ('en', 'fr')),
            answered         INTEGER NOT NULL CHECK (answered IN (0, 1)),
            fact_id          TEXT REFERENCES facts (id),
            score            REAL,
            asked_at         TEXT NOT NULL,
            guild_id         INTEGER,
            channel_id       INTEGER,
            resolved_fact_id TEXT REFERENCES facts (id),
            resolved_at      TEXT
        )
        """,
        # Serves unanswered(): only open, unanswered rows, grouped by normalized text.
        """
        CREATE INDEX questions_open_by_normalized ON questions_asked (normalized, asked_at)
        WHERE answered = 0 AND resolved_fact_id IS NULL
        """,
        """
        CREATE TABLE feedback (
            question_id INTEGER NOT NULL REFERENCES questions_asked (id),
            user_id     INTEGER NOT NULL,
            vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            updated_at  TEXT NOT NULL,
            PRIMARY KEY (question_id, user_id)
        )
        """,
        """
        CREATE TABLE digest_subscriptions (
            channel_id     INTEGER PRIMARY KEY,
            guild_id       INTEGER,
            time_of_day    TEXT NOT NULL,
            timezone       TEXT NOT NULL,
            language       TEXT NOT NULL CHECK (language IN ('en', 'fr')),
            last_change_id INTEGER NOT NULL,
            last_posted_at TEXT,
            created_by     TEXT NOT NULL,
            created_at     TEXT NOT NULL
        )
        """,
    ),
)

MIGRATIONS: tuple[Migration, ...] = (INITIAL_SCHEMA,)
LATEST_VERSION = len(MIGRATIONS)

assert all(m.version == i for i, m in enumerate(MIGRATIONS, start=1)), "migration versions must be 1, 2, 3, …"
