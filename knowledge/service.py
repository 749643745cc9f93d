"""The knowledge service: the one door every front end goes through.

It owns the store and the in-memory index and keeps them in step: every curation call
writes to the store first (one transaction) and only then updates the index, so what the
bot answers is never ahead of what is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from . import snapshot
from .answering import Answerer, AnswerPolicy, own_words
from .answers import Answer
from .importing import ImportPlan
from .matcher import Match
from .models import Actor, Fact, FactBase, FactStatus, Language, Source
from .schema import SEED_PATH, load_fact_base
from .snapshot import IndexSnapshot, snapshot_path
from .store import UnknownFact
from .store.opening import open_store
from .store.pg_connection import is_postgres_url
from .store.protocol import FactStore
from .store.rows import Change, DigestSubscription, FeedbackRow, Revision, StoreHead, UnansweredQuestion
from .text import normalize

log = logging.getLogger(__name__)

# A start that replays at least this many revisions onto the snapshot saves a fresh one.
SNAPSHOT_REFRESH_CHANGES = 200


class KnowledgeService(Answerer):
    """An Answerer backed by a store: logs questions and applies moderators' changes.

    Everything a front end needs is a method here, so cogs and the CLI never touch the
    store or the index: a second store backend (any `FactStore`) changes nothing above.
    """

    def __init__(
        self,
        store: FactStore,
        fact_base: FactBase,
        policy: AnswerPolicy | None = None,
        default_language: Language = "en",
    ) -> None:
        super().__init__(fact_base, policy, default_language)
        self._store = store
        self._seen_change = 0  # the store's change counter the index reflects (see _catch_up)

    @classmethod
    async def open(
        cls,
        database: Path | str,
        *,
        seed_path: Path = SEED_PATH,
        policy: AnswerPolicy | None = None,
        default_language: Language = "en",
        clock: Callable[[], datetime] | None = None,
        use_snapshot: bool = True,
    ) -> KnowledgeService:
        """Open (creating and seeding on first run) the store, and load or build the index.

        `database` is a SQLite file path or a `postgresql://` URL (`open_store` picks the
        backend). With `use_snapshot` and SQLite, the index saved next to the file
        (`<database>.index`) is loaded and brought up to date instead of rebuilt (see
        knowledge/snapshot.py); on PostgreSQL the index is built at every start.
        """
        seed = load_fact_base(seed_path)
        store = await open_store(database, clock=clock)
        try:
            await store.seed(seed)
            seen = await store.latest_change_id()  # read first: a change after it is caught up later
            if use_snapshot and not is_postgres_url(str(database)):
                head = await store.head()
                service = cls(store, head.fact_base, policy, default_language)  # no facts yet: cheap
                await service._start_from_snapshot(head, snapshot_path(Path(database)))
            else:
                service = cls(store, await store.fact_base(), policy, default_language)
            service._seen_change = seen
            await store.follow_changes(service._catch_up)
        except BaseException:
            await store.close()
            raise
        return service

    async def _catch_up(self, full: bool) -> None:
        """Bring the index up to the store's change counter, after another process wrote.

        Each fact changed since the last catch-up is read again; `full` (a source or the story
        changed, which no revision records) rebuilds everything instead.
        """
        changes = await self._store.changes_since(self._seen_change)
        if full:
            await self.reload()
        else:
            for fact_id in dict.fromkeys(change.fact_id for change in changes):
                await self._refresh(fact_id)
        if changes:
            self._seen_change = max(self._seen_change, changes[-1].change_id)

    async def _start_from_snapshot(self, head: StoreHead, path: Path) -> None:
        """Load the saved index and replay the revisions made since; rebuild if it cannot be used.

        `head` was read before anything else, so the state built here is at least as new as
        its change counter, which keys the snapshot saved from it: a later start replays the
        revisions after that counter, and replaying a revision already applied is harmless.
        """
        saved = snapshot.load(path)
        if saved is not None and not await self._fits(saved, head):
            saved = None
        if saved is not None and head.change_id - saved.change_id > max(
            SNAPSHOT_REFRESH_CHANGES, len(saved.facts) // 2
        ):
            log.info("more revisions since the index snapshot than facts in it; rebuilding")
            saved = None  # a bulk import: building from the current rows is cheaper than replaying
        if saved is None:
            self._load(await self._store.fact_base())
            replayed = SNAPSHOT_REFRESH_CHANGES
        else:
            replayed = await self._replay(saved, head)
        if replayed >= SNAPSHOT_REFRESH_CHANGES:
            # The snapshot's change is the latest one of the head, read in the same transaction.
            latest = await self._store.changes_since(head.change_id - 1, limit=1) if head.change_id else []
            change_fact = (latest[0].fact_id, latest[0].revision) if latest else None
            try:
                snapshot.save(
                    path,
                    IndexSnapshot(
                        head.change_id, change_fact, self.synonyms, self._facts, self.index, self._own_words
                    ),
                )
            except OSError as error:  # a read-only folder slows the next start, nothing more
                log.warning("could not save the index snapshot %s: %s", path, error)

    async def _fits(self, saved: IndexSnapshot, head: StoreHead) -> bool:
        """The snapshot was made from this database, with the synonyms the store has now."""
        if saved.synonyms != head.fact_base.synonyms or saved.change_id > head.change_id:
            log.info("index snapshot is for other synonyms or a newer database; rebuilding")
            return False
        if saved.change_id == 0:
            return saved.change_fact is None
        found = await self._store.changes_since(saved.change_id - 1, limit=1)
        if not found or (found[0].change_id, found[0].fact_id, found[0].revision) != (
            saved.change_id,
            *(saved.change_fact or ("", -1)),
        ):
            log.info("index snapshot was made from another database; rebuilding")
            return False
        return True

    async def _replay(self, saved: IndexSnapshot, head: StoreHead) -> int:
        """Bring a loaded snapshot up to date with the revisions since; how many were replayed."""
        changes = await self._store.changes_since(saved.change_id)
        facts = saved.facts
        for change in changes:  # oldest first: the last revision of a fact wins
            facts[change.fact_id] = change.fact
        for fact_id in {change.fact_id for change in changes}:
            saved.index.upsert(facts[fact_id])
        ordered = tuple(facts[i] for i in head.fact_order if i in facts)
        fact_base = replace(head.fact_base, facts=ordered)
        self._adopt(fact_base, saved.index, own_words(ordered) if changes else saved.own_words)
        return len(changes)

    async def close(self) -> None:
        await self._store.close()

    async def ask(
        self,
        question: str,
        *,
        language_hint: Language | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> Answer:
        """Answer and record the question, so unanswered ones reach the moderators."""
        answer = self.answer(question, language_hint)
        if answer.error:
            return answer
        question_id = await self.record_question(answer, guild_id=guild_id, channel_id=channel_id)
        return replace(answer, question_id=question_id)

    async def record_question(
        self, answer: Answer, *, guild_id: int | None = None, channel_id: int | None = None
    ) -> int:
        """Put an answered question in the question log; its row id (StoreError if the store refuses)."""
        top = answer.facts[0] if answer.facts else None
        return await self._store.log_question(
            text=answer.question,
            normalized=normalize(answer.question),
            language=answer.language,
            answered=answer.answered,
            fact_id=top.fact.id if top else None,
            score=top.score if top else None,
            guild_id=guild_id,
            channel_id=channel_id,
        )

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """The matcher's ranking for a moderator's search or a gap to link; nothing is logged."""
        return self.index.search(query, limit=limit)

    async def record_feedback(self, question_id: int, user_id: int, vote: int) -> None:
        """A 👍 (+1) or 👎 (-1) on an answer; voting again replaces the vote (UnknownQuestion if gone)."""
        await self._store.record_feedback(question_id, user_id, vote)

    # Reading what is stored ---------------------------------------------------

    async def current(self, fact_id: str) -> tuple[Fact, int]:
        """The stored fact with the revision it is at, read together (an edit form's base)."""
        found = await self._store.fact_with_revision(fact_id)
        if found is None:
            raise UnknownFact(fact_id)
        return found

    async def revision_of(self, fact_id: str) -> int | None:
        return await self._store.get_fact_revision_number(fact_id)

    async def history(self, fact_id: str) -> list[Revision]:
        """Every revision of a fact, newest first."""
        return await self._store.history(fact_id)

    async def unanswered(self, since: datetime | None = None, limit: int = 10) -> list[UnansweredQuestion]:
        """The most asked questions the bot could not answer: the moderators' gaps list."""
        return await self._store.unanswered(since, limit)

    async def feedback_report(self, limit: int = 10) -> list[FeedbackRow]:
        return await self._store.feedback_report(limit)

    async def export(self) -> FactBase:
        """The whole fact base as stored, retired facts included, in the seed format's order."""
        return await self._store.export()

    async def plan_import(self, fact_base: FactBase) -> ImportPlan:
        """What importing `fact_base` would change, without changing anything."""
        return await self._store.plan_import(fact_base)

    async def backup(self, path: Path | str) -> None:
        """A consistent copy of the store, taken while the bot runs."""
        await self._store.backup(path)

    # Curation: the store first, then the index -------------------------------

    async def _refresh(self, fact_id: str) -> Fact | None:
        fact = await self._store.get_fact(fact_id)
        if fact is not None:
            self._facts[fact_id] = fact
            self.index.upsert(fact)
        return fact

    async def add_fact(self, fact: Fact, actor: Actor, reason: str = "") -> int:
        revision = await self._store.add_fact(fact, actor, reason)
        await self._refresh(fact.id)
        return revision

    async def update_fact(
        self, fact: Fact, actor: Actor, reason: str = "", expected_revision: int | None = None
    ) -> int:
        revision = await self._store.update_fact(fact, actor, reason, expected_revision=expected_revision)
        await self._refresh(fact.id)
        return revision

    async def set_status(self, fact_id: str, status: FactStatus, actor: Actor, reason: str = "") -> int:
        revision = await self._store.set_status(fact_id, status, actor, reason)
        await self._refresh(fact_id)
        return revision

    async def add_variant(self, fact_id: str, language: Language, text: str, actor: Actor) -> int:
        revision = await self._store.add_variant(fact_id, language, text, actor)
        await self._refresh(fact_id)
        return revision

    async def remove_variant(self, fact_id: str, language: Language, text: str, actor: Actor) -> int:
        revision = await self._store.remove_variant(fact_id, language, text, actor)
        await self._refresh(fact_id)
        return revision

    async def upsert_source(self, source: Source, actor: Actor) -> None:
        await self._store.upsert_source(source, actor)
        self._sources[source.id] = source

    async def attach_source(self, fact_id: str, source_id: str, actor: Actor) -> int:
        revision = await self._store.attach_source(fact_id, source_id, actor)
        await self._refresh(fact_id)
        return revision

    async def detach_source(self, fact_id: str, source_id: str, actor: Actor, reason: str = "") -> int:
        """Stop a fact citing a source (the source stays: other facts and old revisions cite it)."""
        revision = await self._store.detach_source(fact_id, source_id, actor, reason)
        await self._refresh(fact_id)
        return revision

    async def revert(self, fact_id: str, revision: int, actor: Actor, reason: str = "") -> int:
        new_revision = await self._store.revert(fact_id, revision, actor, reason)
        await self._refresh(fact_id)
        return new_revision

    async def link_question(
        self, normalized: str, fact_id: str, language: Language, text: str, actor: Actor
    ) -> int:
        """Teach the bot: an unanswered question becomes a variant of a fact."""
        revision = await self._store.link_question_to_fact(normalized, fact_id, language, text, actor)
        await self._refresh(fact_id)
        return revision

    async def apply_import(
        self,
        fact_base: FactBase,
        actor: Actor,
        reason: str = "import",
        progress: Callable[[int], object] | None = None,
        *,
        refresh_index: bool = True,
    ) -> ImportPlan:
        """Import in one transaction, then rebuild the index, unless the caller stops right after
        (`bot.py import`): the next start then brings the index up to date from the revisions."""
        plan = await self._store.apply_import(fact_base, actor, reason, progress)
        if refresh_index:
            await self.reload()
        return plan

    async def reload(self) -> None:
        """Rebuild everything from the store, after a bulk change."""
        self._load(await self._store.fact_base())

    # Digests -------------------------------------------------------------------

    async def changes_since(self, change_id: int) -> list[Change]:
        """The change feed after a cursor: what a digest reports."""
        return await self._store.changes_since(change_id)

    # The FactStore's parameters (wrapped by hand as in protocol.py), plus `now`.
    # fmt: off
    async def subscribe(
        self, channel_id: int, guild_id: int | None, time_of_day: str, timezone: str, language: Language,
        actor: Actor, *, now: datetime | None = None,
    ) -> DigestSubscription:
        # fmt: on
        """Subscribe a channel to the daily digest; with `now`, its first slot counts from then."""
        subscription = await self._store.subscribe(
            channel_id, guild_id, time_of_day, timezone, language, actor
        )
        if now is not None:
            await self._store.mark_digest_posted(channel_id, subscription.last_change_id, now)
        return subscription

    async def unsubscribe(self, channel_id: int, actor: Actor | None = None) -> bool:
        return await self._store.unsubscribe(channel_id, actor)

    async def subscription(self, channel_id: int) -> DigestSubscription | None:
        return await self._store.subscription(channel_id)

    async def subscriptions(self) -> list[DigestSubscription]:
        return await self._store.subscriptions()

    async def mark_digest_posted(self, channel_id: int, change_id: int, posted_at: datetime) -> bool:
        """Move a channel's cursor after its digest was posted; False if it unsubscribed meanwhile."""
        return await self._store.mark_digest_posted(channel_id, change_id, posted_at)
