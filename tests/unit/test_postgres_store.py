"""What only the PostgreSQL store has: DATABASE_URL, tracked migrations, password-free errors,
`bot.py migrate-store` between the two backends, and several processes sharing one database
(the behaviour both backends share is in test_store.py)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from config.settings import SettingsError, load_settings
from knowledge.models import Actor
from knowledge.service import KnowledgeService
from knowledge.store import Store, StoreError
from knowledge.store.pg_connection import LISTENER_NAME
from knowledge.store.postgres import PostgresStore
from knowledge.store.transfer import copy_store, count_rows

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-very-secret"
MODERATOR = Actor("42", "mod")


def bot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd,
        env=environment | {"PYTHONPATH": str(ROOT)} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_url_and_database_path_together_are_one_clear_error() -> None:
    url = f"postgresql://bot:{PASSWORD}@127.0.0.1/story"
    with pytest.raises(SettingsError, match="DATABASE_PATH and DATABASE_URL are both set") as caught:
        load_settings({"DATABASE_URL": url, "DATABASE_PATH": "data/k.db"}, env_file=None)
    assert PASSWORD not in str(caught.value)
    settings = load_settings({"DATABASE_URL": url}, env_file=None)
    assert settings.database == url and PASSWORD not in repr(settings)
    assert load_settings({}, env_file=None).database == Path("data/knowledge.db")


def test_a_bad_database_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL is not valid") as caught:
        load_settings({"DATABASE_URL": f"mysql://bot:{PASSWORD}@host/db"}, env_file=None)
    assert PASSWORD not in str(caught.value)


async def test_an_unreachable_database_is_named_without_its_password() -> None:
    with pytest.raises(StoreError, match=r"Cannot connect to PostgreSQL at 127\.0\.0\.1:1/story") as caught:
        await PostgresStore.open(f"postgresql://bot:{PASSWORD}@127.0.0.1:1/story")
    assert PASSWORD not in str(caught.value)


async def test_migrations_are_tracked_and_applied_once(postgres_url: str) -> None:
    await (await PostgresStore.open(postgres_url)).close()
    await (await PostgresStore.open(postgres_url)).close()  # would fail if a CREATE TABLE ran again
    db = await asyncpg.connect(postgres_url)
    try:
        rows = await db.fetch("SELECT version, description FROM schema_migrations")
        assert [row["version"] for row in rows] == [1]
        for table in ("audit_log", "fact_revisions"):  # append-only covers TRUNCATE too
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await db.execute(f"TRUNCATE {table} CASCADE")
    finally:
        await db.close()


def sqlite_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


def test_migrate_store_round_trips_sqlite_to_postgresql_and_back(tmp_path: Path, postgres_url: str) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert bot("ask", "what did WikiLeaks propose?", cwd=tmp_path, DATABASE_PATH=str(first)).returncode == 0
    assert bot("ask", "who won the lottery on mars?", cwd=tmp_path, DATABASE_PATH=str(first)).returncode == 0

    there = bot("migrate-store", str(first), postgres_url, cwd=tmp_path)
    assert there.returncode == 0, there.stderr
    assert "counts checked" in there.stdout and "\r" not in there.stderr  # no bar when not on a terminal
    back = bot("migrate-store", postgres_url, str(second), cwd=tmp_path)
    assert back.returncode == 0, back.stderr

    for database, name in ((first, "a.json"), (second, "b.json")):
        assert bot("export", name, cwd=tmp_path, DATABASE_PATH=str(database)).returncode == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    # Not only the export: the history, the audit log and the question log came back row for row.
    assert sqlite_rows(first) == sqlite_rows(second)

    again = bot("migrate-store", str(first), postgres_url, cwd=tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr and "Traceback" not in again.stderr


async def test_a_copy_that_fails_midway_leaves_the_target_empty(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge.schema import SEED_PATH, load_fact_base

    source = await Store.open(tmp_path / "source.db")
    target = await PostgresStore.open(postgres_url)
    try:
        await source.seed(load_fact_base(SEED_PATH))
        real_insert = PostgresStore._insert_rows

        async def fail_at_the_audit_log(self: PostgresStore, db, table, columns, rows) -> None:  # type: ignore[no-untyped-def]
            if table == "audit_log":
                raise StoreError("the disk is on fire")
            await real_insert(self, db, table, columns, rows)

        monkeypatch.setattr(PostgresStore, "_insert_rows", fail_at_the_audit_log)
        with pytest.raises(StoreError, match="on fire"):
            await copy_store(source, target, "the test database")
        assert set((await count_rows(target)).values()) == {0}
    finally:
        await source.close()
        await target.close()


# --- several processes on one database: each index follows the others' edits -------------------

# How long the poll waits for an edit to reach the other service. The issue asks for 1 s; typically
# it takes tens of milliseconds, but this ceiling is wider so that a loaded CI machine cannot fail
# the test on speed (speed is measured outside the tests, see the README).
PROPAGATION_S = 5.0
NEW_QUESTION = "which zebra guarded the lighthouse keys?"  # nothing in the seed answers it


async def answered_within(service: KnowledgeService, question: str, seconds: float) -> bool:
    """Poll the other process's answer until it changes (no fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if service.answer(question).answered:
            return True
        await asyncio.sleep(0.01)
    return service.answer(question).answered


async def test_an_edit_through_one_service_is_answered_by_another(postgres_url: str) -> None:
    writer = await KnowledgeService.open(postgres_url)
    reader = await KnowledgeService.open(postgres_url)
    try:
        assert not reader.answer(NEW_QUESTION).answered
        fact_id = writer.facts()[0].id
        await writer.add_variant(fact_id, "en", NEW_QUESTION, MODERATOR)
        assert writer.answer(NEW_QUESTION).answered
        assert await answered_within(reader, NEW_QUESTION, PROPAGATION_S)
        assert reader.answer(NEW_QUESTION).facts[0].fact.id == fact_id

        source = replace(writer.sources()[0], title="A retitled report")
        await writer.upsert_source(source, MODERATOR)  # no revision: the listener reloads everything
        for _ in range(int(PROPAGATION_S * 100)):
            if reader.source(source.id) == source:
                break
            await asyncio.sleep(0.01)
        assert reader.source(source.id) == source
    finally:
        await writer.close()
        await reader.close()


async def test_a_dropped_listener_reconnects_and_catches_up(postgres_url: str) -> None:
    writer = await KnowledgeService.open(postgres_url)
    reader = await KnowledgeService.open(postgres_url)
    admin = await asyncpg.connect(postgres_url)
    try:
        await wait_for_listeners(admin, 2)
        dropped = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            LISTENER_NAME,
        )
        assert dropped == 2
        # Written while nobody listens: no notification reaches the reader; the catch-up must.
        await writer.add_variant(writer.facts()[0].id, "en", NEW_QUESTION, MODERATOR)
        assert await answered_within(reader, NEW_QUESTION, 2 * PROPAGATION_S)
        await wait_for_listeners(admin, 2)  # and both listen again
    finally:
        await admin.close()
        await writer.close()
        await reader.close()


async def wait_for_listeners(admin: asyncpg.Connection, count: int) -> None:
    for _ in range(1000):
        listening = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
            LISTENER_NAME,
        )
        if listening == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{listening} listeners, not {count}")
