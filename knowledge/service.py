"""The knowledge service: the one door every front end goes through.

It owns the store and the in-memory index and keeps them in step: every curation call
writes to the store first (one transaction) and only then updates the index, so what the
bot answers is never ahead of what is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .answering import Answerer, AnswerPolicy
from .answers import Answer
from .importing import ImportPlan
from .models import Actor, Fact, FactBase, FactStatus, Language, Source
from .schema import SEED_PATH, load_fact_base
from .store import Store
from .text import normalize


class KnowledgeService(Answerer):
    """An Answerer backed by the store: logs questions and applies moderators' changes."""

    def __init__(
        self,
        store: Store,
        fact_base: FactBase,
        policy: AnswerPolicy | None = None,
        default_language: Language = "en",
    ) -> None:
        super().__init__(fact_base, policy, default_language)
        self.store = store

    @classmethod
    async def open(
        cls,
        database_path: Path | str,
        *,
        seed_path: Path = SEED_PATH,
        policy: AnswerPolicy | None = None,
        default_language: Language = "en",
        clock: Callable[[], datetime] | None = None,
    ) -> KnowledgeService:
        """Open (creating and seeding on first run) the store and build the index from it."""
        seed = load_fact_base(seed_path)
        store = await Store.open(database_path, clock=clock)
        try:
            await store.seed(seed)
            fact_base = await store.fact_base()
        except BaseException:
            await store.close()
            raise
        return cls(store, fact_base, policy, default_language)

    async def close(self) -> None:
        await self.store.close()

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
        return await self.store.log_question(
            text=answer.question,
            normalized=normalize(answer.question),
            language=answer.language,
            answered=answer.answered,
            fact_id=top.fact.id if top else None,
            score=top.score if top else None,
            guild_id=guild_id,
            channel_id=channel_id,
        )

    # Curation: the store first, then the index -------------------------------

    async def _refresh(self, fact_id: str) -> Fact | None:
        fact = await self.store.get_fact(fact_id)
        if fact is not None:
            self._facts[fact_id] = fact
            self.index.upsert(fact)
        return fact

    async def add_fact(self, fact: Fact, actor: Actor, reason: str = "") -> int:
        revision = await self.store.add_fact(fact, actor, reason)
        await self._refresh(fact.id)
        return revision

    async def update_fact(
        self, fact: Fact, actor: Actor, reason: str = "", expected_revision: int | None = None
    ) -> int:
        revision = await self.store.update_fact(fact, actor, reason, expected_revision=expected_revision)
        await self._refresh(fact.id)
        return revision

    async def set_status(self, fact_id: str, status: FactStatus, actor: Actor, reason: str = "") -> int:
        revision = await self.store.set_status(fact_id, status, actor, reason)
        await self._refresh(fact_id)
        return revision

    async def add_variant(self, fact_id: str, language: Language, text: str, actor: Actor) -> int:
        revision = await self.store.add_variant(fact_id, language, text, actor)
        await self._refresh(fact_id)
        return revision

    async def remove_variant(self, fact_id: str, language: Language, text: str, actor: Actor) -> int:
        revision = await self.store.remove_variant(fact_id, language, text, actor)
        await self._refresh(fact_id)
        return revision

    async def upsert_source(self, source: Source, actor: Actor) -> None:
        await self.store.upsert_source(source, actor)
        self._sources[source.id] = source

    async def attach_source(self, fact_id: str, source_id: str, actor: Actor) -> int:
        revision = await self.store.attach_source(fact_id, source_id, actor)
        await self._refresh(fact_id)
        return revision

    async def revert(self, fact_id: str, revision: int, actor: Actor, reason: str = "") -> int:
        new_revision = await self.store.revert(fact_id, revision, actor, reason)
        await self._refresh(fact_id)
        return new_revision

    async def link_question(
        self, normalized: str, fact_id: str, language: Language, text: str, actor: Actor
    ) -> int:
        """Teach the bot: an unanswered question becomes a variant of a fact."""
        revision = await self.store.link_question_to_fact(normalized, fact_id, language, text, actor)
        await self._refresh(fact_id)
        return revision

    async def apply_import(self, fact_base: FactBase, actor: Actor, reason: str = "import") -> ImportPlan:
        plan = await self.store.apply_import(fact_base, actor, reason)
        await self.reload()
        return plan

    async def reload(self) -> None:
        """Rebuild everything from the store, after a bulk change."""
        self._load(await self.store.fact_base())
