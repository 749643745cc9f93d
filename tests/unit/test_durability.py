"""Durability: SIGKILL mid-import and mid-edit-burst, corrupt files, backups (real processes).

The edit burst and the backup run on both backends (`store_target`); the rest is about
SQLite files (its WAL, a corrupt file).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge.store.opening import open_store
from knowledge.store.rows import Revision

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def environment(database: Path | str) -> dict[str, str]:
    """DATABASE_PATH for a SQLite file, DATABASE_URL for a PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_PATH", "DATABASE_URL")}
    setting = "DATABASE_PATH" if isinstance(database, Path) else "DATABASE_URL"
    return env | {setting: str(database), "PYTHONPATH": str(ROOT)}


def bot(
    database: Path | str, *args: str, cwd: Path | None = None, **options
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd or Path(database).parent,
        env=environment(database),
        capture_output=True,
        text=True,
        timeout=120,
        **options,
    )


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def fact_ids(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {row[0] for row in db.execute("SELECT id FROM facts")}


def history(database: Path | str, fact_id: str) -> list[Revision]:
    """A fact's revisions read through the store itself, whichever backend holds them."""

    async def read() -> list[Revision]:
        store = await open_store(database)
        try:
            return await store.history(fact_id)
        finally:
            await store.close()

    return asyncio.run(read())


def big_import(source: Path, target: Path, extra: int) -> None:
    document = json.loads(source.read_text())
    template = document["facts"][0]
    for i in range(extra):
        fact = json.loads(json.dumps(template))
        fact["id"] = f"bulk-fact-{i}"
        fact["statement"]["en"] += f" ({i})"
        fact["questions"] = {"en": [f"bulk question {i}?"], "fr": [f"question en masse {i} ?"]}
        document["facts"].append(fact)
    target.write_text(json.dumps(document, ensure_ascii=False))


def test_sigkill_during_a_large_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    """Killed while its transaction is writing (the WAL is growing), the import leaves no trace."""
    database = tmp_path / "k.db"
    assert bot(database, "export", str(tmp_path / "seed.json")).returncode == 0
    before = fact_ids(database)
    big_import(tmp_path / "seed.json", tmp_path / "big.json", extra=3000)
    wal = Path(f"{database}-wal")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "import", str(tmp_path / "big.json")],
        cwd=tmp_path,
        env=environment(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 256 * 1024:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the import finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert integrity(database) == "ok"
    assert fact_ids(database) == before
    assert bot(database, "import", str(tmp_path / "big.json")).returncode == 0
    assert len(fact_ids(database)) == len(before) + 3000


def test_sigkill_during_a_burst_of_edits_loses_no_committed_edit(
    tmp_path: Path, store_target: Path | str
) -> None:
    database = store_target
    assert bot(database, "ask", "tax returns", cwd=tmp_path).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.edit_burst", str(database), "100000"],
        cwd=ROOT,
        env=environment(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while len(committed) < 40 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("committed"):
            _, fact_id, revision, index = line.split()
            committed.append((fact_id, int(revision), int(index)))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert len(committed) >= 40
    if isinstance(database, Path):
        assert integrity(database) == "ok"
    revisions = {}
    for fact_id in {fact_id for fact_id, _revision, _index in committed}:
        revisions |= {(r.fact_id, r.revision): r for r in history(database, fact_id)}
    for fact_id, revision, index in committed:
        row = revisions.get((fact_id, revision))
        assert row is not None, f"committed edit {index} of {fact_id} lost"
        assert f"[edit {index}]" in row.fact.statement.en
        assert row.actor_id == f"mod-{index % 3}" and row.reason == f"burst {index}"


def test_a_corrupt_database_gets_a_clear_message(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    database.write_bytes(b"this is not a database" * 100)
    result = bot(database, "ask", "tax returns")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(database) in result.stderr or "database" in result.stderr.lower()


def test_backup_restores_the_same_fact_base(tmp_path: Path, store_target: Path | str) -> None:
    """On PostgreSQL too, the backup is a SQLite file: the bot (or migrate-store) can open it."""
    database = store_target
    assert bot(database, "ask", "what did WikiLeaks propose?", cwd=tmp_path).returncode == 0
    assert bot(database, "backup", str(tmp_path / "copy.db"), cwd=tmp_path).returncode == 0
    assert integrity(tmp_path / "copy.db") == "ok"
    assert bot(database, "export", str(tmp_path / "a.json"), cwd=tmp_path).returncode == 0
    assert bot(tmp_path / "copy.db", "export", str(tmp_path / "b.json")).returncode == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    with sqlite3.connect(tmp_path / "copy.db") as db:
        assert db.execute("SELECT count(*) FROM questions_asked").fetchone()[0] == 1
