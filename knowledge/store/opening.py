"""Opening the store the settings name: a SQLite file path, or a `postgresql://` URL."""

from __future__ import annotations

from pathlib import Path

from . import Store
from .core import Clock
from .pg_connection import describe_url, is_postgres_url
from .postgres import PostgresStore

AnyStore = Store | PostgresStore


async def open_store(target: Path | str, *, clock: Clock | None = None) -> AnyStore:
    """The backend follows the target; callers above the store never need to know which they got."""
    if is_postgres_url(target):
        return await PostgresStore.open(str(target).strip(), clock=clock)
    return await Store.open(target, clock=clock)


def describe_target(target: Path | str) -> str:
    """The target for messages: a path as it is, a URL without its password."""
    return describe_url(str(target)) if is_postgres_url(target) else str(target)
