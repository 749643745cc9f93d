"""Maintenance: the connection settings, online backups and the integrity check."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from pathlib import Path

from .connection import StoreBase
from .errors import StoreError


class MaintenanceMixin(StoreBase):
    # -- public: maintenance -----------------------------------------------------------------

    async def backup(self, path: Path | str) -> None:
        """A consistent copy made with SQLite's online backup API while the bot keeps running.

        Written to a temporary file, checked, then renamed into place, so a failed backup never
        replaces a good one.
        """
        target = Path(path)
        if target.absolute() == self.path.absolute():
            raise StoreError("A backup cannot overwrite the database it copies.")
        partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            destination = sqlite3.connect(partial, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot write the backup {target}: {error}.") from None
        try:
            async with self._lock:
                await self._connection().backup(destination)
            verdict = await asyncio.to_thread(lambda: destination.execute("PRAGMA quick_check").fetchone()[0])
            if verdict != "ok":
                raise StoreError(
                    f"The backup {target} failed its check ({verdict}); the previous one was kept."
                )
        except sqlite3.Error as error:
            raise StoreError(f"The backup to {target} failed: {error}.") from None
        finally:
            destination.close()
        try:
            os.replace(partial, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise StoreError(f"Cannot put the backup in place at {target}: {error.strerror}.") from None
