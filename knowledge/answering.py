"""Answering a question from an in-memory fact base: understanding it, matching, deciding.

No I/O happens here, so the console, the JSON CLI, Discord and the evaluation all get the
same answer for the same question, and answering costs only CPU.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .answers import (
    Answer,
    FactMatch,
    Reply,
    compose_abstention,
    compose_answer,
    compose_summary,
    date_lead,
    what_the_story_leaves_unsaid,
)
from .matcher import FactIndex, Match
from .models import Fact, FactBase, Language, Source, Story
from .question_shape import Asks, QuestionShape, shape_of, split_parts, summary_request
from .questions import QuestionRejected, validate_question
from .text import asks_about_aftermath, detect_language, words_of_one_language
from .verdicts import verdict

# Words that frame a request for the story in brief without naming a detail of it.
_FRAME_WORDS = ("story", "why", "article", "news", "about", "give", "me", "can", "could", "this")


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """When to answer, and with how many facts.

    `threshold` is the calibrated floor (see bench/ and `python bot.py eval`); other facts
    join the best one when they are nearly as good, so a question with several answers
    ("what did WikiLeaks propose?") gets all of them.
    """

    threshold: float = 0.36
    companion_margin: float = 0.12
    max_facts: int = 3
    suggestion_floor: float = 0.1
    max_suggestions: int = 3
    confirmation_floor: float = 0.36


@dataclass(frozen=True, slots=True)
class Finding:
    """One question (or one part of a two-part question) and the facts judged to answer it."""

    question: str
    shape: QuestionShape
    chosen: list[Match]
    candidates: list[Match]
    unsaid_by: Fact | None = None


def own_words(facts: Iterable[Fact]) -> dict[Language, frozenset[str]]:
    """Words only one language's texts use: evidence of a question's language."""
    texts: list[tuple[Language, str]] = []
    for fact in facts:
        texts += [("en", fact.statement.en), ("fr", fact.statement.fr), *fact.questions.all()]
    return words_of_one_language(texts)


class Answerer:
    """Answers questions from an in-memory fact base; no I/O, so it is cheap to build and test."""

    def __init__(
        self, fact_base: FactBase, policy: AnswerPolicy | None = None, default_language: Language = "en"
    ) -> None:
        self.policy = policy or AnswerPolicy()
        self.default_language: Language = default_language
        self._load(fact_base)

    def _load(self, fact_base: FactBase) -> None:
        self._adopt(fact_base, FactIndex(fact_base.facts, fact_base.synonyms), own_words(fact_base.facts))

    def _adopt(self, fact_base: FactBase, index: FactIndex, words: dict[Language, frozenset[str]]) -> None:
        """Answer from `fact_base` with an index already built for it (fresh or from a snapshot)."""
        self.story: Story = fact_base.story
        self.synonyms = fact_base.synonyms
        self._facts: dict[str, Fact] = {fact.id: fact for fact in fact_base.facts}
        self._sources: dict[str, Source] = {source.id: source for source in fact_base.sources}
        self.index = index
        self._own_words = words

    # Asking -----------------------------------------------------------------

    def language_of(self, question: str, hint: Language | None = None) -> Language:
        return detect_language(question, default=hint or self.default_language, own_words=self._own_words)[0]

    def answer(self, question: str, language_hint: Language | None = None) -> Answer:
        """Answer without logging: pure and fast, for evaluation and previews."""
        try:
            cleaned = validate_question(question)
        except QuestionRejected as rejection:
            language = language_hint or self.default_language
            return compose_abstention(question, language, [], error=rejection.message(language))
        language = self.language_of(cleaned, language_hint)
        if self._wants_summary(cleaned):
            return compose_summary(cleaned, language, self.story, self.sources())
        findings = [self._find(part) for part in split_parts(cleaned)]
        answered = [f for f in findings if f.chosen]
        if not answered:
            suggestions = [m for f in findings for m in f.candidates]
            unsaid = next((f.unsaid_by for f in findings if f.unsaid_by), None)
            return compose_abstention(
                cleaned,
                language,
                self._suggestions(suggestions, language),
                reason=what_the_story_leaves_unsaid(unsaid, language) if unsaid else None,
            )
        return compose_answer(
            cleaned,
            language,
            [self._reply(f, language) for f in findings],
            self._sources,
        )

    def _wants_summary(self, question: str) -> bool:
        """A request for the story in brief that asks about nothing in particular.

        "tl;dr?" and "why is this a big deal" name no detail of the story; "what happened
        to the tax returns" does, and goes to the facts.
        """
        rest = summary_request(question)
        if rest is None:
            return False
        neutral = self.index.story_terms | {self.index.vocabulary.term(w) for w in _FRAME_WORDS}
        return all(t.stem in neutral or self.index.is_name(t.stem) for t in self.index.query_terms(rest))

    def _find(self, question: str) -> Finding:
        """The facts that answer one question, judged against what the question asks for."""
        shape = shape_of(question)
        limit = max(self.policy.max_facts, self.policy.max_suggestions) + 2
        matches = self.index.search(question, limit=limit)
        if matches and self.index.leaves_unsaid(matches[0].fact_id, question):
            return Finding(question, shape, [], matches, unsaid_by=self._facts[matches[0].fact_id])
        if asks_about_aftermath(question) or self.index.asks_beyond_the_story(question, shape):
            return Finding(question, shape, [], matches)
        judged = self.index.judged(matches, question, shape)
        chosen = self._chosen(question, judged)
        if chosen and shape.wants_time:
            chosen = self._with_a_date(chosen)
        return Finding(question, shape, chosen, matches)  # close questions: by wording, unjudged

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

    def _with_a_date(self, chosen: list[Match]) -> list[Match]:
        """A when-question gets the best fact with its own time, or with the dated fact it
        belongs with; never a date borrowed from a fact that merely scored close by."""
        best = chosen[0]
        if self.index.tells_time(best.fact_id):
            return [best]
        companion = self.index.dated_companion(best.fact_id)
        return [best, Match(companion, best.score, None, None)] if companion is not None else []

    def _reply(self, finding: Finding, language: Language) -> Reply:
        facts = [FactMatch(self._facts[m.fact_id], m.score) for m in finding.chosen]
        if not facts:
            return Reply(finding.question, (), None)
        lead: str | None = None
        if (
            finding.shape.asks is Asks.CONFIRMATION
            and facts[0].score >= self.policy.confirmation_floor
            and not self.index.names_others(facts[0].fact.id, finding.question)
        ):
            lead = verdict(finding.question, facts[0].fact, language)
        elif finding.shape.wants_time:
            lead = date_lead([m.fact for m in facts], language)
        return Reply(finding.question, tuple(facts), lead)

    def _suggestions(self, matches: list[Match], language: Language) -> list[str]:
        suggestions: list[str] = []
        for match in sorted(matches, key=lambda m: -m.score):
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
            if suggestion not in suggestions and not self.index.leaves_unsaid(match.fact_id, suggestion):
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
