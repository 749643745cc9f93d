"""Reads only the tests need: the audit log, the change cursor, connection pragmas, integrity.

They were once methods of the store that no product code called; here they read the same
tables through the store's own reading transaction, so a test still sees what the bot wrote.
"""

from __future__ import annotations

import json
from typing import Any

from knowledge.models import Source
from knowledge.store import Store
from knowledge.store.conversions import _parse_time
from knowledge.store.rows import AuditEntry


async def audit_entries(store: Store, target: str | None = None, limit: int = 50) -> list[AuditEntry]:
    """The audit log, newest first, optionally for one target (a fact id, 'source:<id>', …)."""
    where, params = ("WHERE target = ?", (target,)) if target is not None else ("", ())
    async with store._reading() as db:
        rows = await store._all(
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


async def latest_change_id(store: Store) -> int:
    async with store._reading() as db:
        return await store._latest_change_id(db)


async def connection_settings(store: Store) -> dict[str, Any]:
    """The connection's safety pragmas (they belong to the connection, so they are read on it)."""
    async with store._lock:
        db = store._connection()
        return {
            pragma: await store._scalar(db, f"PRAGMA {pragma}")
            for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "user_version", "synchronous")
        }


async def integrity_check(store: Store) -> str:
    """'ok', or every problem SQLite finds (page-level damage and broken foreign keys)."""
    async with store._reading() as db:
        problems = [row[0] for row in await store._all(db, "PRAGMA integrity_check")]
        broken_links = await store._all(db, "PRAGMA foreign_key_check")
    if problems == ["ok"]:
        problems = []
    problems += [f"{row[0]} row {row[1]} points to a missing {row[2]} row" for row in broken_links]
    return "ok" if not problems else "\n".join(problems)


async def get_source(store: Store, source_id: str) -> Source | None:
    return next((s for s in (await store.fact_base()).sources if s.id == source_id), None)
