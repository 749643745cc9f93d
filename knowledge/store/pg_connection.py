"""The PostgreSQL connection layer: a pool, migrations tracked in a table, and transactions.

The store's SQL (written once, with `?` placeholders) runs unchanged through `PgDb`,
which numbers the placeholders and reports row counts the way aiosqlite's cursor does.
Several bot processes may share one database, so:

* every write transaction first takes one transaction-level advisory lock: writers
  queue exactly as SQLite's `BEGIN IMMEDIATE` makes them queue, so the read-check-write
  of optimistic concurrency (expected revision) sees every earlier commit;
* reads run in a read-only REPEATABLE READ transaction: one snapshot per call;
* the URL's password never reaches a message: errors name the host, port and database;
* a listener (`follow_changes`) hears other processes' changes, so each process's index
  follows the shared database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import unquote, urlsplit

import asyncpg

from ..migrations import LATEST_VERSION
from ..pg_migrations import CHANGES_CHANNEL, IDENTITY_COLUMNS, PG_MIGRATIONS, TRACKING_TABLE
from .conversions import _utc_now
from .core import Clock, Db, StoreCore, ready_or_released
from .errors import StoreError

# Arbitrary constants naming this application's advisory locks (64-bit keys).
WRITE_LOCK = 0x5707_0001
MIGRATION_LOCK = 0x5707_0002
POOL_SIZE = 5
LISTENER_NAME = "story-bot-listener"  # application_name of the listening connection
KEEPALIVE_S = 30.0
RECONNECT_FIRST_S, RECONNECT_LAST_S = 0.1, 5.0
_CONNECTION_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

log = logging.getLogger(__name__)
OnChange = Callable[[bool], Awaitable[None]]
URL_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.strip().lower().startswith(URL_SCHEMES)


def describe_url(url: str) -> str:
    """`host:port/database` for messages: never the user's password (nor the user)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return "the PostgreSQL database (its URL could not be read)"
    return f"PostgreSQL at {host}:{port}{parts.path or '/'}"


def _password(url: str) -> str | None:
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


@functools.lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, …` (the store's SQL has no `?` inside literals)."""
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _match: f"${next(counter)}", sql)


_STATUS_COUNT = re.compile(r"(\d+)$")


@dataclass(frozen=True, slots=True)
class _Status:
    rowcount: int


class PgDb:
    """An asyncpg connection speaking the `Db` interface; `conn` is there for COPY."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> _Status:
        status = await self.conn.execute(_numbered(sql), *(parameters or ()))
        found = _STATUS_COUNT.search(str(status))
        return _Status(int(found.group(1)) if found else -1)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> _Status:
        rows = [tuple(row) for row in parameters]
        if rows:
            await self.conn.executemany(_numbered(sql), rows)
        return _Status(len(rows))

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None, /) -> list[Any]:
        return list(await self.conn.fetch(_numbered(sql), *(parameters or ())))


class PostgresBase(StoreCore):
    """The pool `PostgresStore` builds on. `where` names the database in messages, without secrets."""

    def __init__(self, pool: Any, url: str, clock: Clock) -> None:
        super().__init__(clock)
        self._pool: Any = pool
        self.where = describe_url(url)
        self._url = url
        self._secret = _password(url)
        self._follower: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, *, clock: Clock | None = None) -> Self:
        """Connect, apply missing migrations; StoreError (password-free) if the database is unusable."""
        where = describe_url(url)
        store_clock = clock or _utc_now
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)
        except _CONNECTION_ERRORS as error:
            message = _scrub(str(error), _password(url))
            raise StoreError(f"Cannot connect to {where}: {message}") from None
        store = cls(pool, url, store_clock)
        return await ready_or_released(store, store._migrate, pool.close)

    async def close(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None
        await self._finish_questions()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def _migrate(self) -> None:
        """Apply the missing steps in one transaction under an advisory lock; refuse a newer schema."""
        async with self._connected() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(TRACKING_TABLE)
            applied = {int(row[0]) for row in await conn.fetch("SELECT version FROM schema_migrations")}
            newest = max(applied, default=0)
            if newest > LATEST_VERSION:
                raise StoreError(
                    f"{self.where} has schema version {newest}, but this version of the bot only knows "
                    f"versions up to {LATEST_VERSION}. Run a newer bot."
                )
            for migration in PG_MIGRATIONS:
                if migration.version in applied:
                    continue
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.description,
                    self._now(),
                )

    # -- transactions ------------------------------------------------------------------------

    @asynccontextmanager
    async def _connected(self) -> AsyncIterator[Any]:
        """A pooled connection; database and connection errors become one password-free StoreError."""
        if self._pool is None:
            raise StoreError("The store is closed.")
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except _CONNECTION_ERRORS as error:
            raise StoreError(f"Database error on {self.where}: {_scrub(str(error), self._secret)}") from error

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Db]:
        """One write transaction, writers serialized by the advisory lock; rolled back on any error."""
        async with self._connected() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            yield PgDb(conn)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[Db]:
        async with self._connected() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield PgDb(conn)

    async def _insert_rows(
        self, db: Db, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Bulk rows through COPY, then identity counters moved past the copied ids."""
        assert isinstance(db, PgDb)
        if rows:
            await db.conn.copy_records_to_table(
                table, records=[tuple(r) for r in rows], columns=list(columns)
            )
        if table in IDENTITY_COLUMNS:
            column = IDENTITY_COLUMNS[table]
            await db.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
            )

    # -- following other processes' changes --------------------------------------------------

    async def follow_changes(self, on_change: OnChange) -> None:
        """Call `on_change(full)` after other writers commit; `full` when sources or the story changed.

        Writers NOTIFY in their own transaction (triggers, pg_migrations.py), so a notification
        arrives once the change is visible. The listener has its own connection; when that drops
        it reconnects, listens again and calls `on_change(False)` to catch up from the change
        counter. Every KEEPALIVE_S it also proves the connection alive and catches up, so a
        connection that died silently cannot leave an index stale for long.
        """
        if self._follower is None or self._follower.done():
            self._follower = asyncio.create_task(self._follow(on_change), name="store-change-listener")

    async def _follow(self, on_change: OnChange) -> None:
        delay = RECONNECT_FIRST_S
        while self._pool is not None:
            try:
                conn = await asyncpg.connect(self._url, server_settings={"application_name": LISTENER_NAME})
            except _CONNECTION_ERRORS as error:
                log.warning(
                    "Change listener cannot reach %s (%s); retrying.", self.where, self._hidden(error)
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_LAST_S)
                continue
            delay = RECONNECT_FIRST_S
            try:
                await self._listen(conn, on_change)
            except Exception as error:  # asyncpg raises several kinds as a connection dies: reconnect
                log.warning("Change listener lost %s (%s); reconnecting.", self.where, self._hidden(error))
                await asyncio.sleep(RECONNECT_FIRST_S)
            finally:
                if not conn.is_closed():
                    conn.terminate()

    async def _listen(self, conn: Any, on_change: OnChange) -> None:
        changed, lost = asyncio.Event(), asyncio.Event()
        full = False

        def heard(_conn: object, _pid: int, _channel: str, table: str) -> None:
            nonlocal full
            full = full or table != "fact_revisions"
            changed.set()

        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANGES_CHANNEL, heard)
        changed.set()  # catch up on whatever changed while nobody listened
        while not lost.is_set():
            if changed.is_set():
                changed.clear()
                reload_all, full = full, False
                await _call(on_change, reload_all)
                continue
            waiters = [asyncio.ensure_future(changed.wait()), asyncio.ensure_future(lost.wait())]
            done, pending = await asyncio.wait(
                waiters, timeout=KEEPALIVE_S, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()
            if not done:  # quiet for a while: prove the connection alive, and catch up anyway
                await asyncio.wait_for(conn.fetchval("SELECT 1"), KEEPALIVE_S)
                changed.set()

    def _hidden(self, error: BaseException) -> str:
        return _scrub(str(error) or type(error).__name__, self._secret)


async def _call(on_change: OnChange, full: bool) -> None:
    try:
        await on_change(full)
    except Exception:  # a failed refresh must not stop the listener: the next change catches up
        log.exception("Refreshing after a change in the database failed.")


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "[REDACTED]") if secret else text
