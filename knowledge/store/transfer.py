"""Copying a whole store into an empty one, across backends: `bot.py migrate-store` and PostgreSQL backups.

Every table is copied row for row, ids included, so change cursors, question ids and
audit ids mean the same in the copy. The source is read in one snapshot; the target is
written in one transaction that first checks the target is empty and last checks the
row counts, so a failure anywhere leaves the target as empty as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..pg_migrations import TABLES
from . import Store
from .core import StoreCore
from .errors import StoreError
from .targets import replacing

CHUNK_ROWS = 5_000
# Order rows are read in: ids ascending, so identity counters and positions come out as they were.
_ORDER = {"fact_revisions": "change_id", "audit_log": "id", "questions_asked": "id"}

Progress = Callable[[int], None]


async def read_everything(source: StoreCore) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Each table's column names and rows, all from one snapshot of `source`."""
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    async with source._reading() as db:
        for table in TABLES:
            rows = await source._all(db, f"SELECT * FROM {table} ORDER BY {_ORDER.get(table, '1')}")
            columns = list(rows[0].keys()) if rows else []
            tables[table] = (columns, [tuple(row) for row in rows])
    return tables


async def count_rows(store: StoreCore) -> dict[str, int]:
    async with store._reading() as db:
        return {t: int(await store._scalar(db, f"SELECT COUNT(*) FROM {t}")) for t in TABLES}


async def copy_store(
    source: StoreCore, target: StoreCore, target_name: str, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`; the row count of each table copied.

    Raises StoreError (and writes nothing) if the target holds any row, or if the counts
    read back from the target differ from the source's.
    """
    tables = await read_everything(source)
    async with target._transaction() as db:
        present = {t: int(await target._scalar(db, f"SELECT COUNT(*) FROM {t}")) for t in TABLES}
        if any(present.values()):
            held = ", ".join(f"{count} {table}" for table, count in present.items() if count)
            raise StoreError(
                f"Refusing to copy into {target_name}: it is not empty ({held}). "
                "migrate-store only fills an empty store; choose a new file or an empty database."
            )
        for table in TABLES:
            columns, rows = tables[table]
            for start in range(0, len(rows), CHUNK_ROWS):
                chunk = rows[start : start + CHUNK_ROWS]
                await target._insert_rows(db, table, columns, chunk)
                if progress is not None:
                    progress(len(chunk))
        copied = {t: int(await target._scalar(db, f"SELECT COUNT(*) FROM {t}")) for t in TABLES}
        expected = {t: len(rows) for t, (_columns, rows) in tables.items()}
        if copied != expected:
            wrong = ", ".join(
                f"{t}: {copied[t]} of {expected[t]}" for t in TABLES if copied[t] != expected[t]
            )
            raise StoreError(f"The copy into {target_name} came out wrong ({wrong}); nothing was saved.")
    return copied


async def backup_to_sqlite(source: StoreCore, path: Path) -> None:
    """A new SQLite file holding everything in `source`, renamed into place only when complete."""
    with replacing(path, "back up") as partial:
        partial.unlink()
        copy = await Store.open(partial)
        try:
            await copy_store(source, copy, str(path))
        finally:
            await copy.close()
