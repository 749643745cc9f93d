"""The audit log: recording each curated change, and reading the log back."""

from __future__ import annotations

import json
from typing import Any

from ..models import Actor
from .core import Db, StoreCore


class AuditMixin(StoreCore):
    async def _audit(
        self,
        db: Db,
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
