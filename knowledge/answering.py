"""Answering a question from an in-memory fact base: understanding it, matching, deciding.

No I/O happens here, so the console, the JSON CLI, Discord and the evaluation all get the
same answer for the same question, and answering costs only CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answer, FactMatch, compose_abstention, compose_answer
from .matcher import FactIndex, Match
from .models import Fact, FactBase, Language, Source, Story
from .questions import QuestionRejected, validate_question
from .text import asks_about_aftermath, detect_language


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """When to answer, and with how many facts.

    `threshold` is the calibrated floor (see bench/ and `python bot.py eval`); other facts
    join the best one when they are nearly as good, so a question with several answers
    ("what did WikiLeaks propose?") gets all of them.
    """

    threshold: float = 0.3
    companion_margin: float = 0.12
    max_facts: int = 3
    suggestion_floor: float = 0.2
    max_suggestions: int = 3


class Answerer:
    """Answers questions from an in-memory fact base; no I/O, so it is cheap to build and test."""

    def __init__(
        self, fact_base: FactBase, policy: AnswerPolicy | None = None, default_language: Language = "en"
    ) -> None:
        self.policy = policy or AnswerPolicy()
        self.default_language: Language = default_language
        self._load(fact_base)

    def _load(self, fact_base: FactBase) -> None:
        self.story: Story = fact_base.story
        self.synonyms = fact_base.synonyms
        self._facts: dict[str, Fact] = {fact.id: fact for fact in fact_base.facts}
        self._sources: dict[str, Source] = {source.id: source for source in fact_base.sources}
        self.index = FactIndex(fact_base.facts, fact_base.synonyms)

    # Asking -----------------------------------------------------------------

    def language_of(self, question: str, hint: Language | None = None) -> Language:
        return detect_language(question, default=hint or self.default_language)[0]

    def answer(self, question: str, language_hint: Language | None = None) -> Answer:
        """Answer without logging: pure and fast, for evaluation and previews."""
        try:
            cleaned = validate_question(question)
        except QuestionRejected as rejection:
            language = language_hint or self.default_language
            return compose_abstention(question, language, [], error=rejection.message(language))
        language = self.language_of(cleaned, language_hint)
        matches = self.index.search(
            cleaned, limit=max(self.policy.max_facts, self.policy.max_suggestions) + 2
        )
        chosen = [] if asks_about_aftermath(cleaned) else self._chosen(cleaned, matches)
        if not chosen:
            return compose_abstention(cleaned, language, self._suggestions(matches, language))
        found = [FactMatch(self._facts[m.fact_id], m.score) for m in chosen]
        return compose_answer(cleaned, language, found, self._sources)

    def _chosen(self, question: str, matches: list[Match]) -> list[Match]:
        """The best fact, and the others nearly as good whose actor is the one asked about."""
        if not matches or matches[0].score < self.policy.threshold:
            return []
        floor = max(self.policy.threshold, matches[0].score - self.policy.companion_margin)
        asked_about = self.index.question_subject(question)
        companions = [
            m
            for m in matches[1:]
            if m.score >= floor and (not asked_about or self.index.subject_of(m.fact_id) & asked_about)
        ]
        return [matches[0], *companions][: self.policy.max_facts]

    def _suggestions(self, matches: list[Match], language: Language) -> list[str]:
        suggestions: list[str] = []
        for match in matches:
            if match.score < self.policy.suggestion_floor:
                break
            fact = self._facts[match.fact_id]
            own_language = fact.questions.get(language)
            if match.best_variant and match.best_variant_language == language:
                suggestion = match.best_variant
            elif own_language:
                suggestion = own_language[0]
            else:
                continue
            if suggestion not in suggestions:
                suggestions.append(suggestion)
            if len(suggestions) == self.policy.max_suggestions:
                break
        return suggestions

    # Reading the fact base ---------------------------------------------------

    def fact(self, fact_id: str) -> Fact | None:
        return self._facts.get(fact_id)

    def facts(self, *, include_retired: bool = False) -> list[Fact]:
        return [f for f in self._facts.values() if include_retired or f.active]

    def source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)

    def sources(self) -> list[Source]:
        return list(self._sources.values())

    def sources_of(self, fact: Fact) -> list[Source]:
        return [self._sources[s] for s in fact.source_ids if s in self._sources]

    def timeline(self) -> list[Fact]:
        """Active dated facts in chronological order (ISO partial dates sort as text)."""
        dated = [f for f in self.facts() if f.date]
        return sorted(dated, key=lambda f: (f.date or "", f.id))

    def fact_ids(self, fragment: str = "", limit: int = 25) -> list[str]:
        """Fact ids for autocomplete: prefix matches first, then substring matches."""
        fragment = fragment.casefold().strip()
        ids = sorted(self._facts)
        first = [i for i in ids if i.startswith(fragment)]
        rest = [i for i in ids if fragment in i and not i.startswith(fragment)]
        return (first + rest)[:limit]
