"""Validation of fact-base documents (the seed file, exports, imports).

The content is data, not code, so anything can arrive here: a hand-edited seed, a
moderator's upload, a file from another story. Every problem is reported with the
file, the fact (or source) id and the field, so the person fixing it knows where to look.
Validation collects all problems before failing, so one round trip fixes a file.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import (
    FACT_STATUSES,
    LANGUAGES,
    Bilingual,
    Fact,
    FactBase,
    QuestionVariants,
    Quote,
    Source,
    Story,
)

SCHEMA_VERSION = 1
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_FACTS = 200_000

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

# Sized so one fact always renders inside a Discord embed field (1,024) with room for its citation.
LIMITS = {
    "id": 64,
    "statement": 700,
    "attribution": 120,
    "quote": 600,
    "speaker": 80,
    "tag": 40,
    "question": 200,
    "title": 200,
    "publisher": 120,
    "url": 400,
    "questions_per_language": 50,
    "tags_per_fact": 12,
    "sources_per_fact": 10,
}


@dataclass(frozen=True, slots=True)
class Problem:
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: field '{self.field}': {self.message}"


class FactBaseError(ValueError):
    """A document that is not a valid fact base; `problems` lists every fault found."""

    def __init__(self, origin: str, problems: list[Problem]) -> None:
        self.origin = origin
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{origin} is not a valid fact base ({len(problems)} problem(s)):\n{shown}{more}")


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, location: str, field: str, message: str) -> None:
        self.problems.append(Problem(location, field, message))

    def text(self, value: Any, location: str, field: str, limit: int, *, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self.fail(location, field, "must be a string")
            return None
        if required and not value.strip():
            self.fail(location, field, "must not be empty")
            return None
        if len(value) > limit:
            self.fail(location, field, f"is {len(value)} characters, the limit is {limit}")
            return None
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.fail(location, field, "contains control characters")
            return None
        return value

    def bilingual(self, value: Any, location: str, field: str, limit: int) -> Bilingual | None:
        if not isinstance(value, dict):
            self.fail(location, field, "must be an object with 'en' and 'fr'")
            return None
        en = self.text(value.get("en"), location, f"{field}.en", limit)
        fr = self.text(value.get("fr"), location, f"{field}.fr", limit)
        self.unknown_keys(value, {"en", "fr"}, location, field)
        return Bilingual(en, fr) if en is not None and fr is not None else None

    def unknown_keys(self, value: dict[str, Any], allowed: set[str], location: str, field: str) -> None:
        for key in value:
            if key not in allowed:
                self.fail(location, f"{field}.{key}" if field else key, "is not a known field")

    def date(self, value: Any, location: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not DATE.match(value):
            self.fail(location, "date", "must be YYYY, YYYY-MM or YYYY-MM-DD, or null")
            return None
        if len(value) == 10 and not _is_calendar_date(value):
            self.fail(location, "date", f"must be a real day of the calendar ({value} is not)")
            return None
        return value

    def slug(self, value: Any, location: str, field: str) -> str | None:
        if not isinstance(value, str) or not SLUG.match(value) or len(value) > LIMITS["id"]:
            self.fail(
                location, field, f"must be a lowercase slug (a-z, 0-9, hyphens), at most {LIMITS['id']}"
            )
            return None
        return value


def _is_calendar_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_source(raw: Any, check: _Checker, index: int) -> Source | None:
    if not isinstance(raw, dict):
        check.fail(f"sources[{index}]", "", "must be an object")
        return None
    location = f"source '{raw.get('id', f'#{index}')}'"
    source_id = check.slug(raw.get("id"), location, "id")
    title = check.text(raw.get("title"), location, "title", LIMITS["title"])
    publisher = check.text(raw.get("publisher"), location, "publisher", LIMITS["publisher"])
    date = check.date(raw.get("date"), location)
    language = raw.get("language")
    if language not in LANGUAGES:
        check.fail(location, "language", "must be 'en' or 'fr'")
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not URL.match(url) or len(url) > LIMITS["url"]):
        check.fail(location, "url", "must be an http(s) URL or null")
        url = None
    check.unknown_keys(raw, {"id", "title", "publisher", "date", "language", "url"}, location, "")
    if None in (source_id, title, publisher) or language not in LANGUAGES:
        return None
    return Source(source_id, title, publisher, date, language, url)  # type: ignore[arg-type]


def parse_quote(raw: Any, check: _Checker, location: str) -> Quote | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        check.fail(location, "quote", "must be an object or null")
        return None
    speaker = check.text(raw.get("speaker"), location, "quote.speaker", LIMITS["speaker"])
    original = check.text(raw.get("original"), location, "quote.original", LIMITS["quote"])
    language = raw.get("original_language")
    if language not in LANGUAGES:
        check.fail(location, "quote.original_language", "must be 'en' or 'fr'")
    translation = check.text(
        raw.get("translation"), location, "quote.translation", LIMITS["quote"], required=False
    )
    if language == "fr" and translation is None:
        check.fail(location, "quote.translation", "a French quote needs an English translation")
    check.unknown_keys(raw, {"speaker", "original", "original_language", "translation"}, location, "quote")
    if speaker is None or original is None or language not in LANGUAGES:
        return None
    return Quote(speaker, original, language, translation)  # type: ignore[arg-type]


def parse_questions(raw: Any, check: _Checker, location: str) -> QuestionVariants | None:
    if not isinstance(raw, dict):
        check.fail(location, "questions", "must be an object with 'en' and 'fr' lists")
        return None
    per_language: dict[str, tuple[str, ...]] = {}
    for language in LANGUAGES:
        items = raw.get(language, [])
        if not isinstance(items, list):
            check.fail(location, f"questions.{language}", "must be a list of strings")
            return None
        if len(items) > LIMITS["questions_per_language"]:
            check.fail(location, f"questions.{language}", f"has more than {LIMITS['questions_per_language']}")
        texts = [
            check.text(q, location, f"questions.{language}[{i}]", LIMITS["question"])
            for i, q in enumerate(items)
        ]
        if len({t for t in texts if t}) != len([t for t in texts if t]):
            check.fail(location, f"questions.{language}", "contains duplicates")
        per_language[language] = tuple(t for t in texts if t)
    check.unknown_keys(raw, set(LANGUAGES), location, "questions")
    return QuestionVariants(per_language["en"], per_language["fr"])


def parse_fact(raw: Any, check: _Checker, index: int, source_ids: set[str]) -> Fact | None:
    if not isinstance(raw, dict):
        check.fail(f"facts[{index}]", "", "must be an object")
        return None
    location = f"fact '{raw.get('id', f'#{index}')}'"
    before = len(check.problems)
    fact_id = check.slug(raw.get("id"), location, "id")
    status = raw.get("status", "active")
    if status not in FACT_STATUSES:
        check.fail(location, "status", "must be 'active' or 'retired'")
    statement = check.bilingual(raw.get("statement"), location, "statement", LIMITS["statement"])
    attribution = check.bilingual(raw.get("attribution"), location, "attribution", LIMITS["attribution"])
    date = check.date(raw.get("date"), location)
    quote = parse_quote(raw.get("quote"), check, location)
    questions = parse_questions(raw.get("questions", {"en": [], "fr": []}), check, location)

    tags = raw.get("tags", [])
    if not isinstance(tags, list) or len(tags) > LIMITS["tags_per_fact"]:
        check.fail(location, "tags", f"must be a list of at most {LIMITS['tags_per_fact']} slugs")
        tags = []
    tags = [t for i, t in enumerate(tags) if check.slug(t, location, f"tags[{i}]")]

    fact_sources = raw.get("source_ids")
    if not isinstance(fact_sources, list) or not fact_sources:
        check.fail(location, "source_ids", "must list at least one source id")
        fact_sources = []
    elif len(fact_sources) > LIMITS["sources_per_fact"]:
        check.fail(location, "source_ids", f"lists more than {LIMITS['sources_per_fact']} sources")
    for i, source_id in enumerate(fact_sources):
        if source_id not in source_ids:
            check.fail(location, f"source_ids[{i}]", f"'{source_id}' is not a known source id")
    check.unknown_keys(
        raw,
        {"id", "status", "date", "attribution", "statement", "quote", "tags", "source_ids", "questions"},
        location,
        "",
    )
    if len(check.problems) != before or None in (fact_id, statement, attribution, questions):
        return None
    return Fact(
        id=fact_id,  # type: ignore[arg-type]
        statement=statement,  # type: ignore[arg-type]
        attribution=attribution,  # type: ignore[arg-type]
        source_ids=tuple(fact_sources),
        questions=questions,  # type: ignore[arg-type]
        tags=tuple(tags),
        date=date,
        quote=quote,
        status=status,
    )


def parse_fact_base(document: Any, origin: str = "document") -> FactBase:
    """Turn a decoded JSON document into a FactBase, or raise FactBaseError listing every problem."""
    check = _Checker()
    if not isinstance(document, dict):
        raise FactBaseError(origin, [Problem("document", "", "must be a JSON object")])
    if document.get("schema_version") != SCHEMA_VERSION:
        check.fail("document", "schema_version", f"must be {SCHEMA_VERSION}")
    seed_version = check.text(document.get("seed_version"), "document", "seed_version", 100)
    story_raw = document.get("story")
    story = None
    if isinstance(story_raw, dict):
        title = check.bilingual(story_raw.get("title"), "story", "title", LIMITS["title"])
        summary = check.bilingual(story_raw.get("summary"), "story", "summary", 1500)
        story = Story(title, summary) if title and summary else None
    else:
        check.fail("document", "story", "must be an object with 'title' and 'summary'")

    raw_sources = document.get("sources")
    raw_facts = document.get("facts")
    if not isinstance(raw_sources, list):
        check.fail("document", "sources", "must be a list")
        raw_sources = []
    if not isinstance(raw_facts, list):
        check.fail("document", "facts", "must be a list")
        raw_facts = []
    if len(raw_facts) > MAX_FACTS:
        raise FactBaseError(origin, [Problem("document", "facts", f"more than {MAX_FACTS} facts")])
    check.unknown_keys(
        document, {"schema_version", "seed_version", "story", "sources", "facts", "synonyms"}, "document", ""
    )
    synonyms = parse_synonyms(document.get("synonyms", []), check)

    sources = [parse_source(raw, check, i) for i, raw in enumerate(raw_sources)]
    known_sources = {s.id for s in sources if s}
    _report_duplicates([s.id for s in sources if s], "source", check)
    facts = [parse_fact(raw, check, i, known_sources) for i, raw in enumerate(raw_facts)]
    _report_duplicates([f.id for f in facts if f], "fact", check)

    if check.problems:
        raise FactBaseError(origin, check.problems)
    return FactBase(
        schema_version=SCHEMA_VERSION,
        seed_version=seed_version,  # type: ignore[arg-type]
        story=story,  # type: ignore[arg-type]
        sources=tuple(s for s in sources if s),
        facts=tuple(f for f in facts if f),
        synonyms=synonyms,
    )


def parse_synonyms(raw: Any, check: _Checker) -> tuple[tuple[str, ...], ...]:
    """Groups of single words; each word may belong to one group only, or matching would be ambiguous."""
    if not isinstance(raw, list):
        check.fail("document", "synonyms", "must be a list of word lists")
        return ()
    groups: list[tuple[str, ...]] = []
    owner: dict[str, int] = {}
    for i, group in enumerate(raw):
        location = f"synonyms[{i}]"
        if not isinstance(group, list) or len(group) < 2:
            check.fail("document", location, "must list at least two words")
            continue
        words = []
        for j, word in enumerate(group):
            if not isinstance(word, str) or len(word) > 40 or len(word.split()) != 1:
                check.fail("document", f"{location}[{j}]", "must be a single word")
                continue
            if word in owner:
                check.fail("document", f"{location}[{j}]", f"'{word}' is already in synonyms[{owner[word]}]")
                continue
            owner[word] = i
            words.append(word)
        groups.append(tuple(words))
    return tuple(groups)


def _report_duplicates(ids: list[str], kind: str, check: _Checker) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            check.fail(f"{kind} '{item_id}'", "id", "is used more than once")
        seen.add(item_id)


def decode_document(data: bytes, origin: str) -> Any:
    """Decode bytes as a UTF-8 JSON document, with a readable error for anything else."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise FactBaseError(
            origin, [Problem("file", "", f"is larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FactBaseError(
            origin, [Problem("file", "", f"is not UTF-8 text (byte {error.start})")]
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem(
            "file", "", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        )
        raise FactBaseError(origin, [problem]) from None


def load_fact_base(path: Path) -> FactBase:
    """Read and validate a fact-base file; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FactBaseError(str(path), [Problem("file", "", f"cannot be read: {error.strerror}")]) from None
    return parse_fact_base(decode_document(data, str(path)), str(path))


def dump_fact_base(fact_base: FactBase) -> str:
    """The canonical text form: stable key order, 2-space indent, UTF-8 kept readable."""
    return json.dumps(fact_base.to_dict(), ensure_ascii=False, indent=2) + "\n"


SEED_PATH = Path(__file__).parent / "data" / "seed.json"
