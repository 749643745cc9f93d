"""The fact base, its full history and the bot's working data, in one SQLite file.

Why it is shaped this way:

* Moderators curate the facts live, so nothing they do may be lost: every state a fact
  has ever had is a row in `fact_revisions` (who, when, why), facts are retired rather
  than deleted, and `audit_log` records every curated change. Both tables are made
  append-only by triggers, so not even a hand-typed UPDATE can rewrite the past.
* Every write is one `BEGIN IMMEDIATE … COMMIT` transaction taken under an asyncio lock:
  the single aiosqlite connection is shared by every coroutine of the bot, and the
  immediate lock makes a second process (the CLI) wait instead of failing half-way.
* The seed file is re-applied on every start, so seeding must be idempotent and must
  never overwrite a moderator's work (a fact whose latest revision is not the seed's).
* Exports and imports use the seed-file format (`knowledge.schema`), and an
  export→import round trip is exact, so a fact base can move between bots and back.

The same store runs on PostgreSQL (`postgres.py`: `PostgresStore`, for several bot processes
sharing one database): the rules above are written once, on `core.py`'s query interface;
only the connection layer differs. `opening.open_store` picks the backend from the target.

Errors a person can act on are raised as `StoreError` (or a subclass) with a message
written for moderators and operators; raw sqlite3 errors never leave this module.
"""

from __future__ import annotations

from ..importing import ImportPlan
from .connection import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from .core import Clock as Clock
from .digests import SYSTEM_ACTOR, DigestsMixin
from .errors import (
    DuplicateFact,
    InvalidContent,
    StaleRevision,
    StoreError,
    UnknownFact,
    UnknownQuestion,
    UnknownSource,
)
from .import_export import ImportExportMixin
from .maintenance import MaintenanceMixin
from .moderation import ModerationMixin
from .rows import AuditEntry as AuditEntry
from .rows import Change, DigestSubscription, FeedbackRow, Revision, SeedReport, UnansweredQuestion
from .seeding import SeedingMixin
from .usage import QUESTION_BATCH as QUESTION_BATCH
from .usage import UsageMixin

__all__ = [
    "SYSTEM_ACTOR",
    "Change",
    "DigestSubscription",
    "DuplicateFact",
    "FeedbackRow",
    "ImportPlan",
    "InvalidContent",
    "Revision",
    "SeedReport",
    "StaleRevision",
    "Store",
    "StoreError",
    "UnansweredQuestion",
    "UnknownFact",
    "UnknownQuestion",
    "UnknownSource",
]


class Store(SeedingMixin, ImportExportMixin, UsageMixin, ModerationMixin, DigestsMixin, MaintenanceMixin):
    """One open fact-base database. Create with `await Store.open(path)`; finish with `await close()`."""
