"""Maintenance: the connection settings, online backups and the integrity check."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from .connection import StoreBase
from .errors import StoreError
from .targets import check_writable_target, replacing


class MaintenanceMixin(StoreBase):
    # -- public: maintenance -----------------------------------------------------------------

    async def backup(self, path: Path | str) -> None:
        """A consistent copy made with SQLite's online backup API while the bot keeps running.

        Written to a new temporary file, checked, then renamed into place, so a failed backup
        never replaces a good one. The target must be a new path or a regular file, and not
        the database itself under another name (a `..` alias, a link): see `targets`.
        """
        target = Path(path)
        check_writable_target(target, self.path, "back up")
        with replacing(target, "back up") as partial:
            try:
                destination = sqlite3.connect(partial, check_same_thread=False)
            except sqlite3.Error as error:
                raise StoreError(f"Cannot write the backup {target}: {error}.") from None
            try:
                async with self._lock:
                    await self._connection().backup(destination)
                verdict = await asyncio.to_thread(
                    lambda: destination.execute("PRAGMA quick_check").fetchone()[0]
                )
                if verdict != "ok":
                    raise StoreError(
                        f"The backup {target} failed its check ({verdict}); the previous one was kept."
                    )
            except sqlite3.Error as error:
                raise StoreError(f"The backup to {target} failed: {error}.") from None
            finally:
                destination.close()
