"""The audit log: recording each curated change, and reading the log back."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from ..models import Actor
from .connection import StoreBase
from .conversions import _parse_time
from .rows import AuditEntry


class AuditMixin(StoreBase):
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
