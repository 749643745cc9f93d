"""The connection layer: opening (pragmas, migrations, checks), transactions and query helpers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Self

import aiosqlite

from ..migrations import LATEST_VERSION, MIGRATIONS
from .conversions import _utc_now
from .core import Clock, StoreCore, ready_or_released
from .errors import StoreError

BUSY_TIMEOUT_MS = 5_000


def _describe_sqlite_error(path: Path, error: sqlite3.Error) -> str:
    """Turn sqlite's terse error into a sentence an operator can act on."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return (
            f"{path} is not a SQLite database (or it is damaged beyond reading). "
            "Restore it from a backup, or move it aside to start an empty store."
        )
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return f"{path} is corrupt ({text}). Restore it from a backup."
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            f"{path} is read-only: the bot must be able to write its database. "
            "Check the permissions of the file and of its folder."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"Cannot open {path}: check that the path names a file the bot may read and write."
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return f"{path} is locked by another process and stayed locked; try again in a moment."
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"The disk holding {path} is full; nothing was saved."
    return f"Database error on {path}: {text}."


def _database_uri(path: Path) -> str:
    """The URI the store connects with (a seam: tests open it with mode=ro to simulate a read-only file)."""
    return path.absolute().as_uri()


class StoreBase(StoreCore):
    """The SQLite connection `Store` builds on; `Store` itself is composed in `__init__`."""

    def __init__(self, db: aiosqlite.Connection, path: Path, clock: Clock) -> None:
        super().__init__(clock)
        self._db: aiosqlite.Connection | None = db
        self.path = path
        self._lock = asyncio.Lock()

    # -- opening and closing -----------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path | str, *, clock: Clock | None = None) -> Self:
        """Open (creating if needed) and migrate the database at `path`.

        Raises StoreError if the file is not a SQLite database, is corrupt, is read-only, or
        was written by a newer version of the bot.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the folder for {path}: {error.strerror}.") from None
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file.")
        try:
            db = await aiosqlite.connect(_database_uri(path), uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(path, error)) from None
        db.row_factory = sqlite3.Row
        store = cls(db, path, clock or _utc_now)
        return await ready_or_released(store, store._prepare, db.close)

    async def close(self) -> None:
        await self._finish_questions()
        if self._db is not None:
            db, self._db = self._db, None
            async with self._lock:
                await db.close()

    async def _prepare(self) -> None:
        """Connection settings, a corruption check, migrations, and a proof that we can write."""
        db = self._connection()
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA foreign_keys = ON")
            mode = await self._scalar(db, "PRAGMA journal_mode = WAL")
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path} cannot use write-ahead logging (journal mode stays {mode!r}).")
            # quick_check reads every page once: cheap at this size, and it turns a damaged file
            # into a clear refusal at start-up instead of a failure in the middle of a moderator's edit.
            problems = [row[0] for row in await db.execute_fetchall("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise StoreError(f"{self.path} is corrupt ({'; '.join(problems)}). Restore it from a backup.")
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(self.path, error)) from None
        await self._migrate()
        await self._prove_writable()

    async def _migrate(self) -> None:
        """Apply missing migrations, each in its own transaction; refuse a newer schema."""
        version = await self._schema_version()
        for migration in MIGRATIONS[version:]:
            async with self._transaction() as db:
                current = int(await self._scalar(db, "PRAGMA user_version"))
                self._refuse_newer(current)
                if current >= migration.version:  # another process got there first
                    continue
                for statement in migration.statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {migration.version}")

    async def _schema_version(self) -> int:
        try:
            version = int(await self._scalar(self._connection(), "PRAGMA user_version"))
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(self.path, error)) from None
        self._refuse_newer(version)
        return version

    def _refuse_newer(self, version: int) -> None:
        """Refuse a schema this bot cannot use: from a newer bot, or a version no bot writes."""
        if version < 0:
            raise StoreError(
                f"{self.path} has schema version {version} (PRAGMA user_version), which no version "
                "of this bot writes: the file was changed by another program or is damaged. "
                "Restore it from a backup."
            )
        if version > LATEST_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, but this version of the bot only knows "
                f"versions up to {LATEST_VERSION}. Run a newer bot, or restore a backup made by this one."
            )

    async def _prove_writable(self) -> None:
        """A read-only file opens and reads fine; find out now rather than at the first moderator edit."""
        async with self._transaction() as db:
            await db.execute(f"PRAGMA user_version = {LATEST_VERSION}")
            raise _Rollback

    # -- transactions ------------------------------------------------------------------------

    def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("The store is closed.")
        return self._db

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Exactly one write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any error.

        IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout)
        rather than failing at its first write after having read stale data.
        """
        async with self._lock:
            db = self._connection()
            try:
                await db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(_describe_sqlite_error(self.path, error)) from error
            try:
                yield db
                await db.execute("COMMIT")
            except BaseException as error:
                await self._rollback(db)
                if isinstance(error, _Rollback):
                    return
                if isinstance(error, sqlite3.Error):
                    raise StoreError(_describe_sqlite_error(self.path, error)) from error
                raise

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read transaction: the several SELECTs of one call see one consistent snapshot."""
        async with self._lock:
            db = self._connection()
            try:
                await db.execute("BEGIN")
                try:
                    yield db
                finally:
                    await self._rollback(db)
            except sqlite3.Error as error:
                raise StoreError(_describe_sqlite_error(self.path, error)) from error

    @staticmethod
    async def _rollback(db: aiosqlite.Connection) -> None:
        if db.in_transaction:
            # Shielded: a cancelled caller must not leave the shared connection inside a transaction.
            await asyncio.shield(db.execute("ROLLBACK"))


class _Rollback(Exception):
    """Raised inside `_transaction` to undo it on purpose (the writability probe)."""
