"""What every store backend shares: the query interface the store's SQL runs on, and the helpers over it.

The fact, curation, import, seeding, usage and digest logic (the mixins) is written once
against `Db`, a small subset of aiosqlite's connection: SQLite passes its connection
itself, PostgreSQL an adapter (`pg_connection.py`) that turns `?` into `$1…` and
status strings into row counts. A backend supplies `_transaction()` (one write
transaction, writers serialized) and `_reading()` (one consistent snapshot).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Self, TypeVar

from .conversions import _timestamp

Clock = Callable[[], datetime]


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...


class Row(Protocol):
    """A result row, read by column name (or position)."""

    def __getitem__(self, key: str | int, /) -> Any: ...


class Db(Protocol):
    """The part of a database connection the store's SQL uses (`?` placeholders)."""

    def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> Awaitable[Cursor]: ...

    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> Awaitable[Cursor]: ...

    def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None, /
    ) -> Awaitable[Iterable[Row]]: ...


@dataclass(slots=True)
class _PendingQuestion:
    row: tuple[object, ...]
    done: asyncio.Future[int]


_S = TypeVar("_S")


async def ready_or_released(
    store: _S, prepare: Callable[[], Awaitable[None]], release: Callable[[], Awaitable[None]]
) -> _S:
    """The store once `prepare` succeeded; a store that fails to open gives its connection back."""
    try:
        await prepare()
    except BaseException:
        await release()
        raise
    return store


class StoreCore:
    """State and helpers common to both backends; the backend class provides the transactions."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._question_queue: list[_PendingQuestion] = []
        self._question_writer: asyncio.Task[None] | None = None

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _transaction(self) -> AbstractAsyncContextManager[Db]:
        raise NotImplementedError

    def _reading(self) -> AbstractAsyncContextManager[Db]:
        raise NotImplementedError

    async def follow_changes(self, on_change: Callable[[bool], Awaitable[None]]) -> None:
        """Other processes' changes to follow: none on SQLite, where one bot process owns the file."""
        return None

    async def _finish_questions(self) -> None:
        """Questions already asked get their rows before the store closes."""
        if self._question_writer is not None:
            await asyncio.shield(self._question_writer)

    # -- tiny query helpers ------------------------------------------------------------------

    @staticmethod
    async def _scalar(db: Db, sql: str, params: Sequence[object] = ()) -> Any:
        row = await StoreCore._one(db, sql, params)
        return None if row is None else row[0]

    @staticmethod
    async def _one(db: Db, sql: str, params: Sequence[object] = ()) -> Any:
        for row in await db.execute_fetchall(sql, params):
            return row
        return None

    @staticmethod
    async def _all(db: Db, sql: str, params: Sequence[object] = ()) -> list[Any]:
        return list(await db.execute_fetchall(sql, params))

    async def _insert_rows(
        self, db: Db, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Bulk rows as they are, ids included (migrate-store); PostgreSQL uses COPY instead."""
        marks = ", ".join("?" * len(columns))
        await db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def _now(self) -> str:
        return _timestamp(self._clock())
