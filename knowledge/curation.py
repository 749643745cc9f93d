"""Turning what a moderator typed into facts and sources, and describing changes back to them.

The Discord layer collects strings (modal fields, command options); this module decides
whether they make a valid fact and, when they do not, says *which field* is wrong and why,
in words the moderator can act on. The content rules themselves are not repeated here:
every candidate goes through `schema.parse_fact_base`, the same check the seed file, the
store and imports use, so a fact accepted from Discord is always exportable and importable.

Nothing here imports discord: it is plain data in, plain data out, and unit-tested alone.
Text returned for display is plain; callers escape user text with the `escape` argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol, cast

from .dates import format_moment
from .importing import ImportPlan
from .matcher import Match
from .models import LANGUAGES, Bilingual, Fact, Language, QuestionVariants, Quote, Source, as_language
from .phrases import phrases
from .schema import DATE, LIMITS, SCHEMA_VERSION, SLUG, URL, FactBaseError, Problem, parse_fact_base

# ---------------------------------------------------------------------------------------------
# Field names and errors
# ---------------------------------------------------------------------------------------------

# The modal's fields, keyed by the stable name used in custom_ids; labels fit Discord's 45 characters.
FACT_FORM_LABELS: dict[str, str] = {
    name: phrases(f"form.{name}", "en")
    for name in ("statement_en", "statement_fr", "attribution", "date", "tags_sources")
}
# Everything else a moderator can get wrong, named as the command option they typed it in.
OTHER_LABELS: dict[str, str] = {
    "fact_id": "fact_id",
    "source_id": "source_id",
    "title": "title",
    "publisher": "publisher",
    "language": "language",
    "url": "url",
    "source_date": "date",
    "text": "text",
    "since": "since",
    "questions": "question variants (existing)",
    "quote": "quote (existing)",
}
LABELS = {**FACT_FORM_LABELS, **OTHER_LABELS}

ATTRIBUTION_SEPARATOR = "|"
DEFAULT_GAPS_DAYS = 30


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field; `field` is a key of LABELS."""

    field: str
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.label} — {self.message}"


class CurationInputError(ValueError):
    """Moderator input that cannot be stored; `problems` names every faulty field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(p.field for p in self.problems))


def _fail(field: str, message: str) -> CurationInputError:
    return CurationInputError([FieldProblem(field, message)])


def _clean(text: str | None) -> str:
    """Modal text as Discord may send it: CRLF line ends, stray spaces around it."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# ---------------------------------------------------------------------------------------------
# Single values: ids, variants, dates
# ---------------------------------------------------------------------------------------------


def validate_slug(value: str, field: str = "fact_id") -> str:
    value = (value or "").strip()
    if not value:
        raise _fail(field, "must not be empty")
    if len(value) > LIMITS["id"]:
        raise _fail(field, f"is {len(value)} characters, the limit is {LIMITS['id']}")
    if not SLUG.match(value):
        raise _fail(
            field, "must be a lowercase slug: a-z, 0-9 and single hyphens, like 'atlantic-revelation'"
        )
    return value


def validate_fact_id(value: str) -> str:
    return validate_slug(value, "fact_id")


def clean_variant(text: str, field: str = "text") -> str:
    """A question wording as the store will keep it (one line, trimmed), or a field error."""
    wording = " ".join(_clean(text).split())
    if not wording:
        raise _fail(field, "must not be empty")
    if len(wording) > LIMITS["question"]:
        raise _fail(field, f"is {len(wording)} characters, the limit is {LIMITS['question']}")
    if any(ord(c) < 32 for c in wording):
        raise _fail(field, "contains control characters")
    return wording


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_since(text: str | None, now: datetime, default_days: int = DEFAULT_GAPS_DAYS) -> datetime:
    """The start of a report window: YYYY-MM-DD (UTC midnight), or `default_days` before `now`."""
    text = (text or "").strip()
    if not text:
        return now - timedelta(days=default_days)
    try:
        if not _ISO_DAY.match(text):
            raise ValueError(text)
        moment = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise _fail("since", "must be a date written YYYY-MM-DD, like 2017-11-13") from None
    if moment > now:
        raise _fail("since", "is in the future")
    return moment


# ---------------------------------------------------------------------------------------------
# The fact form (the add/edit modal)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactForm:
    """The five modal fields, as typed.

    Layout (a modal holds at most five inputs):
      statement_en  paragraph   the statement in English
      statement_fr  paragraph   the statement in French
      attribution   one line    "according to The Atlantic | selon The Atlantic"
      date          one line    YYYY, YYYY-MM or YYYY-MM-DD; empty for none
      tags_sources  paragraph   two lines: "tags: a, b" and "sources: x, y"
                                (also accepted on one line: "tags: a, b / sources: x, y")
    """

    statement_en: str = ""
    statement_fr: str = ""
    attribution: str = ""
    date: str = ""
    tags_sources: str = ""

    @classmethod
    def from_fact(cls, fact: Fact) -> FactForm:
        """The form pre-filled with a fact's current values (for editing)."""
        return cls(
            statement_en=fact.statement.en,
            statement_fr=fact.statement.fr,
            attribution=f"{fact.attribution.en} {ATTRIBUTION_SEPARATOR} {fact.attribution.fr}",
            date=fact.date or "",
            tags_sources=format_tags_sources(fact.tags, fact.source_ids),
        )

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FACT_FORM_LABELS}


def format_tags_sources(tags: Iterable[str], source_ids: Iterable[str]) -> str:
    return f"tags: {', '.join(tags)}\nsources: {', '.join(source_ids)}"


_KEYS = {"tags": "tags", "tag": "tags", "sources": "sources", "source": "sources", "source_ids": "sources"}
_SEGMENT_SPLIT = re.compile(r"[\n/;]")
_ITEM_SPLIT = re.compile(r"[,\s]+")


def parse_tags_sources(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Read "tags: a, b" and "sources: x, y" (lines, or segments split by '/' or ';').

    Slugs cannot contain '/', ';', ',' or spaces, so those safely separate items. Repeated
    items are kept once. Slug and known-source checks happen later, with the schema's rules.
    """
    found: dict[str, list[str]] = {"tags": [], "sources": []}
    for segment in _SEGMENT_SPLIT.split(_clean(text)):
        segment = segment.strip()
        if not segment:
            continue
        key, colon, rest = segment.partition(":")
        canonical = _KEYS.get(key.strip().casefold())
        if not colon or canonical is None:
            raise _fail(
                "tags_sources",
                f"“{segment[:60]}” does not start with 'tags:' or 'sources:' "
                "(write two lines: 'tags: a, b' and 'sources: x, y')",
            )
        for item in _ITEM_SPLIT.split(rest.strip()):
            if item and item not in found[canonical]:
                found[canonical].append(item)
    return tuple(found["tags"]), tuple(found["sources"])


def parse_attribution(text: str) -> tuple[str, str]:
    """'English | French', or one text for both languages (a name such as "The Atlantic" often is)."""
    raw = _clean(text)
    if not raw:
        raise _fail("attribution", "must not be empty (write 'English | French', or one text for both)")
    parts = raw.split(ATTRIBUTION_SEPARATOR)
    if len(parts) == 1:
        both = " ".join(raw.split())
        return both, both
    if len(parts) != 2:
        raise _fail(
            "attribution",
            "must be the English and the French attribution separated by one '|', "
            "like 'according to The Atlantic | selon The Atlantic'",
        )
    english, french = (" ".join(part.split()) for part in parts)
    problems = []
    if not english:
        problems.append(FieldProblem("attribution", "the English part (before '|') is empty"))
    if not french:
        problems.append(FieldProblem("attribution", "the French part (after '|') is empty"))
    if problems:
        raise CurationInputError(problems)
    return english, french


def build_fact(fact_id: str, form: FactForm, sources: Sequence[Source], base: Fact | None = None) -> Fact:
    """The fact a moderator described, validated by the schema's rules, or CurationInputError.

    `base` is the fact being edited: its question variants, quote and status are kept, since
    the form does not show them. Every problem found is reported at once, named by field.
    """
    problems: list[FieldProblem] = []
    try:
        fact_id = validate_fact_id(fact_id)
    except CurationInputError as error:
        problems += error.problems
    attribution = ("-", "-")
    try:
        attribution = parse_attribution(form.attribution)
    except CurationInputError as error:
        problems += error.problems
    tags: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    try:
        tags, source_ids = parse_tags_sources(form.tags_sources)
    except CurationInputError as error:
        problems += error.problems
    date = _clean(form.date) or None
    if date is not None and not DATE.match(date):
        problems.append(
            FieldProblem("date", "must be YYYY, YYYY-MM or YYYY-MM-DD (like 2017-11-13), or empty")
        )
        date = None
    # A field that could not even be read is not checked again by the schema (no echoed noise).
    unreadable = {p.field for p in problems}

    fact = Fact(
        id=fact_id if "fact_id" not in unreadable else "placeholder",
        statement=Bilingual(_clean(form.statement_en), _clean(form.statement_fr)),
        attribution=Bilingual(*attribution),
        source_ids=source_ids,
        questions=base.questions if base else QuestionVariants(),
        tags=tags,
        date=date,
        quote=base.quote if base else None,
        status=base.status if base else "active",
    )
    problems += [p for p in check_fact(fact, sources) if p.field not in unreadable]
    if problems:
        raise CurationInputError(problems)
    return fact


def with_quote(
    fact: Fact,
    sources: Sequence[Source],
    speaker: str,
    original: str,
    original_language: str,
    translation: str = "",
) -> Fact:
    """The fact with the quote a moderator typed (speaker and words both empty: no quote), checked
    by the schema's rules, or CurationInputError naming the quote."""
    speaker, original, translation = _clean(speaker), _clean(original), _clean(translation)
    if not speaker and not original:
        return replace(fact, quote=None)
    code = _clean(original_language).casefold()
    if code not in LANGUAGES:
        raise _fail("quote", "the original language must be en or fr")
    quote = Quote(speaker, original, as_language(code), translation or None)
    updated = replace(fact, quote=quote)
    problems = check_fact(updated, sources)
    if problems:
        raise CurationInputError(problems)
    return updated


def check_fact(fact: Fact, sources: Sequence[Source]) -> list[FieldProblem]:
    """The schema's verdict on one fact, each problem mapped back to the form field it came from."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": {"title": {"en": "-", "fr": "-"}, "summary": {"en": "-", "fr": "-"}},
        "sources": [s.to_dict() for s in sources],
        "facts": [fact.to_dict()],
    }
    try:
        parse_fact_base(document, "form")
    except FactBaseError as error:
        return [_map_fact_problem(p, fact) for p in error.problems if p.location.startswith("fact")]
    return []


_INDEXED = re.compile(r"^(tags|source_ids)\[(\d+)\]$")


def _map_fact_problem(problem: Problem, fact: Fact) -> FieldProblem:
    name = problem.field
    if name in ("statement.en", "statement.fr"):
        return FieldProblem(name.replace(".", "_"), problem.message)
    if name.startswith("attribution."):
        part = "English" if name.endswith(".en") else "French"
        return FieldProblem("attribution", f"the {part} part {problem.message}")
    if name == "date":
        return FieldProblem("date", problem.message)
    if name == "id":
        return FieldProblem("fact_id", problem.message)
    indexed = _INDEXED.match(name)
    if indexed:
        kind, index = indexed.group(1), int(indexed.group(2))
        if kind == "tags":
            value = fact.tags[index] if index < len(fact.tags) else "?"
            return FieldProblem("tags_sources", f"tag '{value}' {problem.message}")
        message = problem.message
        if "not a known source id" in message:
            message += " (add it first with /facts source)"
        return FieldProblem("tags_sources", f"sources: {message}")
    if name == "tags":
        return FieldProblem("tags_sources", f"tags: {problem.message}")
    if name == "source_ids":
        return FieldProblem("tags_sources", f"sources: {problem.message}")
    if name.startswith("questions"):
        return FieldProblem("questions", problem.message)
    if name.startswith("quote"):
        return FieldProblem("quote", problem.message)
    return FieldProblem(name or "fact_id", problem.message)


# ---------------------------------------------------------------------------------------------
# Sources (the /facts source command)
# ---------------------------------------------------------------------------------------------

_SOURCE_FIELDS = {
    "id": "source_id",
    "title": "title",
    "publisher": "publisher",
    "date": "source_date",
    "language": "language",
    "url": "url",
}


def build_source(
    source_id: str, title: str, publisher: str, language: str, date: str | None = None, url: str | None = None
) -> Source:
    """A source from command options, checked by the schema's rules; errors name the option."""
    problems: list[FieldProblem] = []
    url = _clean(url) or None
    if url is not None and (not URL.match(url) or len(url) > LIMITS["url"]):
        problems.append(
            FieldProblem(
                "url",
                f"must be a web address starting with http:// or https:// (at most {LIMITS['url']} characters)",
            )
        )
    source = Source(
        id=(source_id or "").strip(),
        title=" ".join(_clean(title).split()),
        publisher=" ".join(_clean(publisher).split()),
        date=_clean(date) or None,
        language=cast(Language, language),  # not trusted: the schema check just below refuses others
        url=url,
    )
    document = {
        "schema_version": SCHEMA_VERSION,
        "seed_version": "-",
        "story": {"title": {"en": "-", "fr": "-"}, "summary": {"en": "-", "fr": "-"}},
        "sources": [source.to_dict()],
        "facts": [],
    }
    try:
        parse_fact_base(document, "source")
    except FactBaseError as error:
        explained = {p.field for p in problems}
        for p in error.problems:
            field = _SOURCE_FIELDS.get(p.field, p.field or "source_id")
            if field in explained:
                continue
            message = (
                "must be a lowercase slug: a-z, 0-9 and single hyphens" if field == "source_id" else p.message
            )
            if field == "source_date":
                message = "must be YYYY, YYYY-MM or YYYY-MM-DD, or empty"
            problems.append(FieldProblem(field, message))
    if problems:
        raise CurationInputError(problems)
    return source


# ---------------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------------


class RevisionLike(Protocol):
    """What `store.Revision` offers (a protocol so tests can use plain objects)."""

    @property
    def revision(self) -> int: ...
    @property
    def fact(self) -> Fact: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor_id(self) -> str: ...
    @property
    def actor_name(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def changed_fields(before: Fact, after: Fact) -> list[str]:
    """Which parts of a fact differ, in the order a moderator reads them."""
    names = []
    for name in ("status", "statement", "attribution", "date", "tags", "source_ids", "questions", "quote"):
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if isinstance(old, Bilingual) and isinstance(new, Bilingual):
            names += [f"{name}.{lang}" for lang in LANGUAGES if old.get(lang) != new.get(lang)]
        elif name == "questions":
            added = len(set(new.all()) - set(old.all()))
            removed = len(set(old.all()) - set(new.all()))
            names.append(f"questions (+{added}/-{removed})")
        else:
            names.append("sources" if name == "source_ids" else name)
    return names


def history_lines(
    revisions: Sequence[RevisionLike],
    escape: Callable[[str], str] = lambda text: text,
    reason_limit: int = 120,
    language: Language = "en",
) -> list[str]:
    """One line per revision, newest first as given: number, kind, who, when, what changed, why."""
    ordered = sorted(revisions, key=lambda r: r.revision)
    previous = {r.revision: p for p, r in zip([None, *ordered[:-1]], ordered, strict=True)}
    lines = []
    for rev in revisions:
        before = previous.get(rev.revision)
        what = ", ".join(changed_fields(before.fact, rev.fact)) if before is not None else ""
        reason = " ".join(rev.reason.split())
        if len(reason) > reason_limit:
            reason = reason[: reason_limit - 1].rstrip() + "…"
        line = f"r{rev.revision} · {rev.kind} · {escape(rev.actor_name)} ({escape(rev.actor_id)}) · {format_moment(rev.created_at, language)}"
        if what:
            line += f" · changed: {what}"
        if reason:
            line += f" · “{escape(reason)}”"
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# Import plans
# ---------------------------------------------------------------------------------------------


def describe_problem(problem: Problem) -> str:
    """A document problem as one line: where (file, fact or source), which field, why."""
    if problem.field:
        return f"{problem.location}, field '{problem.field}': {problem.message}"
    return f"{problem.location}: {problem.message}"


@dataclass(frozen=True, slots=True)
class PlanDescription:
    """One description of an import plan, for every front end: the CLI prints it as text
    (`as_text`), the Discord preview lays the same summary and sections out as an embed."""

    summary: str
    sections: tuple[tuple[str, str], ...]  # (heading, body), only the non-empty ones
    has_changes: bool

    def as_text(self) -> str:
        return "\n".join([self.summary, *(f"{heading}: {body}" for heading, body in self.sections)])


def _listing(ids: Sequence[str], limit: int) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" … and {len(ids) - limit} more" if len(ids) > limit else "")


def describe_plan(plan: ImportPlan, max_listed: int = 20) -> PlanDescription:
    """What an import would do, as headed lists of ids a moderator reviews before confirming."""
    sections: list[tuple[str, str]] = []
    for heading, ids in (
        ("Facts added", plan.added),
        ("Facts changed", plan.changed),
        ("Facts retired", plan.retired),
        ("Sources added", plan.sources_added),
        ("Sources changed", plan.sources_changed),
    ):
        if ids:
            sections.append((f"{heading} ({len(ids)})", _listing(ids, max_listed)))
    other = []
    if plan.story_changed:
        other.append("the story's title, summary or version changes")
    if plan.order_changed:
        other.append("the order of facts or sources changes")
    if other:
        sections.append(("Also", "; ".join(other)))
    summary = plan.summary() if plan.has_changes else "Nothing would change: the file matches the fact base."
    if plan.retired:
        summary += ". Retired facts are kept with their history and can be restored."
    return PlanDescription(summary=summary, sections=tuple(sections), has_changes=plan.has_changes)


# ---------------------------------------------------------------------------------------------
# Searching and choosing facts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    fact: Fact
    score: float | None  # the matcher's score, when the matcher found it
    how: str  # 'id', 'matcher', 'id contains', 'text contains'


def search_facts(
    query: str, facts: Sequence[Fact], matches: Sequence[Match], limit: int = 10
) -> list[SearchHit]:
    """Facts for a moderator's search: exact id, then the matcher's ranking (active facts), then
    ids and statements (either language, retired facts too) containing the query."""
    by_id = {f.id: f for f in facts}
    needle = query.strip().casefold()
    hits: list[SearchHit] = []
    seen: set[str] = set()

    def add(fact: Fact, score: float | None, how: str) -> None:
        if fact.id not in seen and len(hits) < limit:
            seen.add(fact.id)
            hits.append(SearchHit(fact, score, how))

    if needle in by_id:
        add(by_id[needle], None, "id")
    for match in matches:
        if match.fact_id in by_id and match.score > 0:
            add(by_id[match.fact_id], match.score, "matcher")
    if needle:
        for fact in facts:
            if needle in fact.id:
                add(fact, None, "id contains")
        for fact in facts:
            if needle in fact.statement.en.casefold() or needle in fact.statement.fr.casefold():
                add(fact, None, "text contains")
    return hits


def link_candidates(
    active_facts: Sequence[Fact], matches: Sequence[Match], limit: int = 25
) -> list[tuple[Fact, float]]:
    """Facts to offer for answering a question: the matcher's best first, then the others by id,
    so the right fact is reachable even when the matcher missed it entirely."""
    by_id = {f.id: f for f in active_facts if f.active}
    chosen: list[tuple[Fact, float]] = []
    for match in matches:
        if match.fact_id in by_id and all(f.id != match.fact_id for f, _ in chosen):
            chosen.append((by_id[match.fact_id], match.score))
    taken = {f.id for f, _ in chosen}
    chosen += [(by_id[i], 0.0) for i in sorted(by_id) if i not in taken]
    return chosen[:limit]
