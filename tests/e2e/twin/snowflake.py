"""Snowflake ids shaped like Discord's.

discord.py derives timestamps from ids (``discord.utils.snowflake_time``) and
even picks rate-limit sub-buckets from a message id's age, so the twin's ids
must encode the creation time the same way Discord does.
"""

from __future__ import annotations

import datetime
import threading
import time

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeGenerator:
    """Monotonic generator of time-based 64-bit ids (ms since Discord epoch << 22)."""

    def __init__(self, worker_id: int = 1, process_id: int = 0) -> None:
        self._worker = worker_id & 0x1F
        self._process = process_id & 0x1F
        self._last_ms = 0
        self._increment = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            now_ms = int(time.time() * 1000)
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._increment = 0
            else:
                self._increment += 1
                if self._increment > 0xFFF:
                    self._last_ms += 1
                    self._increment = 0
            return (
                ((self._last_ms - DISCORD_EPOCH_MS) << 22)
                | (self._worker << 17)
                | (self._process << 12)
                | self._increment
            )


def snowflake_time(snowflake: int) -> datetime.datetime:
    """Creation time encoded in a snowflake (UTC)."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


def iso_timestamp(when: datetime.datetime | None = None) -> str:
    """ISO-8601 timestamp in the format Discord uses for message timestamps."""
    when = when or datetime.datetime.now(datetime.UTC)
    return when.isoformat(timespec="microseconds")
