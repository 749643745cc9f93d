"""The audit log: recording each curated change, and reading the log back."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from ..models import Actor
from .connection import StoreBase


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
