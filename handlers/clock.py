"""The time the schedules see, injectable so tests can drive digests without waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def file_clock(path: Path) -> Clock:
    """A clock read from a file holding an ISO-8601 time; the real time when the file is absent."""

    def now() -> datetime:
        try:
            text = path.read_text(encoding="utf-8").strip()
            moment = datetime.fromisoformat(text)
        except (OSError, ValueError):
            return system_clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return now


def clock_from_setting(clock_file: str) -> Clock:
    return file_clock(Path(clock_file)) if clock_file else system_clock
