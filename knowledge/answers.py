"""The Answer: what every front end (console, JSON CLI, Discord) renders.

An Answer is plain data plus the text a person reads, already in the question's language,
with quotes attributed and sources named. Front ends decide layout (an embed, a terminal
paragraph, a JSON object) but never compose sentences of their own, so the three can
never disagree about what the bot said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .dates import format_date, month_names
from .models import Fact, Language, Quote, Source, Story
from .phrases import phrases

_ABBREVIATION_END = re.compile(r"\b(?:[A-Z][a-z]?|etc)\.$")


phrase = phrases.area("answer")


def cite(source: Source, language: Language) -> str:
    when = format_date(source.date, language)
    return f"{source.publisher}, {when}" if when else source.publisher


def citation_line(sources: tuple[Source, ...] | list[Source], language: Language) -> str:
    """'Source: The Atlantic, 13 November 2017' (or 'Sources: a; b')."""
    if not sources:
        return ""
    label = phrase("sources" if len(sources) > 1 else "source", language)
    return (
        label
        + phrase("colon", language)
        + phrase("semicolon", language).join(cite(s, language) for s in sources)
    )


def quote_line(quote: Quote, language: Language) -> str:
    """Attribute a quote; an English rendering of a French original is marked as a translation."""
    intro = phrase("wrote", language).format(speaker=quote.speaker)
    if language == "en" and quote.original_language == "fr" and quote.translation:
        return f"{intro}{phrase('translated', language)}: “{quote.translation}”"
    if language == "fr":
        marker = phrase("in_english", language) if quote.original_language == "en" else ""
        return f"{intro}{marker} : « {quote.original} »"
    return f"{intro}: “{quote.original}”"


@lru_cache(maxsize=8192)
def fact_sentence(fact: Fact, language: Language) -> str:
    """The statement with its attribution, then its quote: one paragraph per fact.

    Every answer citing a fact tells it the same way, so it is composed once per fact state
    and language: an edited fact is a new (frozen, hashable) Fact, so it is composed anew.
    """
    statement = fact.statement.get(language).strip()
    attribution = fact.attribution.get(language).strip()
    body = (
        statement[:-1] if statement.endswith(".") and not _ABBREVIATION_END.search(statement) else statement
    )
    sentence = f"{body} ({attribution})." if attribution else f"{body}."
    if fact.quote:
        sentence += " " + quote_line(fact.quote, language)
    return sentence


@dataclass(frozen=True, slots=True)
class FactMatch:
    fact: Fact
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    language: Language
    answered: bool
    headline: str
    paragraphs: tuple[str, ...]
    facts: tuple[FactMatch, ...]
    sources: tuple[Source, ...]
    suggestions: tuple[str, ...]
    question_id: int | None = None
    error: str | None = field(default=None)

    @property
    def citation(self) -> str:
        return citation_line(self.sources, self.language)

    @property
    def text(self) -> str:
        """Everything a person reads, as plain text."""
        if self.answered:
            return "\n\n".join([*self.paragraphs, self.citation])
        if not self.suggestions:
            return self.headline
        listed = "\n".join(f"- {s}" for s in self.suggestions)
        return f"{self.headline}\n{phrase('suggest', self.language)}\n{listed}"

    def to_json(self) -> dict[str, object]:
        """The `ask --json` contract."""
        document: dict[str, object] = {
            "question": self.question,
            "answered": self.answered,
            "language": self.language,
            "answer": self.text,
            "facts": [
                {"id": m.fact.id, "text": m.fact.statement.get(self.language), "score": m.score}
                for m in self.facts
            ],
            "sources": [
                {"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date, "url": s.url}
                for s in self.sources
            ],
            "suggestions": list(self.suggestions),
        }
        if self.error:
            document["error"] = self.error
        return document


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one question, or to one part of a two-part question.

    `lead` says first what was asked for when a fact's statement does not ("Yes.", the
    date); no facts means this part is unknown to the story.
    """

    question: str
    facts: tuple[FactMatch, ...]
    lead: str | None = None


def date_lead(facts: list[Fact], language: Language) -> str | None:
    """'It was on 14 November 2017.', for a when-question whose fact does not say it itself."""
    for fact in facts:
        if fact.date and not _states_its_date(fact, language):
            key = "on_date" if fact.date.count("-") == 2 else "in_month"
            return phrase(key, language, date=format_date(fact.date, language))
    return None


def _states_its_date(fact: Fact, language: Language) -> bool:
    statement = fact.statement.get(language).casefold()
    return any(month.casefold() in statement for month in month_names(language)) or bool(
        re.search(r"\b(?:19|20)\d\d\b", statement)
    )


def compose_answer(
    question: str,
    language: Language,
    matches: list[FactMatch] | list[Reply],
    sources_by_id: dict[str, Source],
    lead: str | None = None,
) -> Answer:
    """An answer citing the union of its facts' sources, in the order they first appear.

    `matches` is either the facts of a one-part question, or one Reply per part; a part
    the story does not answer says so in its place, and a fact two parts share is told once.
    """
    replies = [r for r in matches if isinstance(r, Reply)] or [
        Reply(question, tuple(m for m in matches if isinstance(m, FactMatch)), lead)
    ]
    sources: dict[str, Source] = {}
    paragraphs: list[str] = []
    told: dict[str, FactMatch] = {}
    for reply in replies:
        if not reply.facts:
            paragraphs.append(phrase("unknown_part", language))
            continue
        fresh = [m for m in reply.facts if m.fact.id not in told]
        for position, match in enumerate(fresh):
            told[match.fact.id] = match
            sentence = fact_sentence(match.fact, language)
            paragraphs.append(f"{reply.lead} {sentence}" if reply.lead and position == 0 else sentence)
            for source_id in match.fact.source_ids:
                if source_id in sources_by_id:
                    sources.setdefault(source_id, sources_by_id[source_id])
        if reply.lead and not fresh:
            paragraphs.append(reply.lead)
    return Answer(
        question=question,
        language=language,
        answered=True,
        headline=paragraphs[0],
        paragraphs=tuple(paragraphs),
        facts=tuple(told.values()),
        sources=tuple(sources.values()),
        suggestions=(),
    )


def compose_summary(question: str, language: Language, story: Story, sources: list[Source]) -> Answer:
    """The story in brief, for "tl;dr?" and its kind, citing every source the story rests on."""
    summary = story.summary.get(language).strip()
    return Answer(
        question=question,
        language=language,
        answered=True,
        headline=summary,
        paragraphs=(summary,),
        facts=(),
        sources=tuple(sources),
        suggestions=(),
    )


def what_the_story_leaves_unsaid(fact: Fact, language: Language) -> str | None:
    """The fact's own sentence saying which detail the source does not give."""
    for sentence in re.split(r"(?<=\.)\s+", fact.statement.get(language)):
        if re.search(r"does not say|ne précise pas", sentence):
            return sentence
    return None


def compose_abstention(
    question: str,
    language: Language,
    suggestions: list[str],
    error: str | None = None,
    reason: str | None = None,
) -> Answer:
    """'I don't know', with close questions; `reason` says why when the story itself does."""
    unknown = phrase("unknown", language) + (f" {reason}" if reason else "")
    return Answer(
        question=question,
        language=language,
        answered=False,
        headline=error or unknown,
        paragraphs=(),
        facts=(),
        sources=(),
        suggestions=tuple(suggestions[:3]),
        error=error,
    )
