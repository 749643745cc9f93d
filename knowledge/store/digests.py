"""The change feed and the channels subscribed to its daily digest."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..models import Actor, Language
from .audit import AuditMixin
from .conversions import _parse_time, _revision_from_row, _timestamp
from .core import Db, Row
from .rows import Change, DigestSubscription
from .validation import _check_language

SYSTEM_ACTOR = Actor(id="bot", name="the bot")
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class DigestsMixin(AuditMixin):
    # -- public: change feed and digests -----------------------------------------------------

    async def _latest_change_id(self, db: Db) -> int:
        return int(await self._scalar(db, "SELECT COALESCE(MAX(change_id), 0) FROM fact_revisions"))

    async def latest_change_id(self) -> int:
        """The change counter: the newest change's id (0 before any), where a follower starts."""
        async with self._reading() as db:
            return await self._latest_change_id(db)

    async def changes_since(self, change_id: int, limit: int | None = None) -> list[Change]:
        """Fact changes after the cursor `change_id`, oldest first."""
        async with self._reading() as db:
            sql = "SELECT * FROM fact_revisions WHERE change_id > ? ORDER BY change_id"
            if limit is None:
                rows = await self._all(db, sql, (change_id,))
            else:
                rows = await self._all(db, f"{sql} LIMIT ?", (change_id, limit))
        return [_revision_from_row(row) for row in rows]

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
                   SET last_change_id = CASE WHEN last_change_id > ? THEN last_change_id ELSE ? END,
                       last_posted_at = ?
                 WHERE channel_id = ?
                """,
                (change_id, change_id, _timestamp(posted_at) if posted_at else self._now(), channel_id),
            )
            return cursor.rowcount > 0


def _subscription_from_row(row: Row) -> DigestSubscription:
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
