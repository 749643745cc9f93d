"""The fact base on PostgreSQL: the same store as `Store`, for several bot processes sharing one database.

Only the connection layer differs (`pg_connection.py`); facts, curation, imports, seeding,
the question log and digests are the same code as on SQLite, so both behave alike.
"""

from __future__ import annotations

from pathlib import Path

from .digests import DigestsMixin
from .import_export import ImportExportMixin
from .moderation import ModerationMixin
from .pg_connection import PostgresBase
from .seeding import SeedingMixin
from .usage import UsageMixin


class PostgresStore(PostgresBase, SeedingMixin, ImportExportMixin, UsageMixin, ModerationMixin, DigestsMixin):
    """One PostgreSQL fact base. Create with `await PostgresStore.open(url)`; finish with `await close()`."""

    async def backup(self, path: Path | str) -> None:
        """A consistent copy as a new SQLite file (one snapshot), which `Store.open` or migrate-store reads."""
        from .transfer import backup_to_sqlite

        await backup_to_sqlite(self, Path(path))
