"""Validation of fact-base documents (the seed file, exports, imports), on pydantic v2 models.

The content is data, not code, so anything can arrive here: a hand-edited seed, a
moderator's upload, a file from another story. Every problem is reported with the
file, the fact (or source) id and the field, so the person fixing it knows where to look.
Validation collects all problems before failing, so one round trip fixes a file.

One strict model per part of the format (`FactModel`, `SourceModel`, `StoryModel`,
`DocumentModel`): no type coercion, no unknown keys. Rules that span parts (a fact cites a
known source, ids are unique, a synonym word belongs to one group) are checked on the raw
document afterwards, so they are reported even when another part is broken.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from .jsondoc import JsonDocumentError, TooLarge, decode_utf8, describe_size, loads_strict, read_bounded
from .models import Bilingual, Fact, FactBase, QuestionVariants, Quote, Source, Story

SCHEMA_VERSION = 1
# Moderator uploads through Discord (an attachment); well inside Discord's own attachment limit.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Files named on the command line: large enough for any export of MAX_FACTS real-sized facts.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_FACTS = 200_000

# \Z, not $: "$" also matches before a final newline, which let "ok-id\n" through.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?\Z", re.ASCII)
URL = re.compile(r"^https?://[^\s<>\"']+\Z", re.IGNORECASE)

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
SUMMARY_LIMIT = 1500
SEED_VERSION_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Problem:
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        text = (
            f"{self.location}: {self.message}"
            if not self.field
            else (f"{self.location}: field '{self.field}': {self.message}")
        )
        return printable(text)


def printable(text: str) -> str:
    """The text on one line: line breaks and other unprintable characters shown as escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class FactBaseError(ValueError):
    """A document that is not a valid fact base; `problems` lists every fault found."""

    def __init__(self, origin: str, problems: list[Problem], kind: str = "fact base") -> None:
        self.origin = origin
        self.problems = problems
        if len(problems) == 1:  # the usual case, and every file-level refusal: one line
            super().__init__(f"{origin} is not a valid {kind}: {problems[0]}")
            return
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{origin} is not a valid {kind} ({len(problems)} problem(s)):\n{shown}{more}")


# -- field types -----------------------------------------------------------------------------

# Characters that show nothing on their own: format characters (zero-width space and joiners,
# bidi marks), separators, combining marks with no base, and the "filler" letters some
# scripts define. A text made only of these looks empty to a reader.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def is_visible(text: str) -> bool:
    """True when the text has at least one character a reader can see."""
    return any(
        unicodedata.category(c) not in _INVISIBLE_CATEGORIES and c not in _INVISIBLE_LETTERS for c in text
    )


_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f]")


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _text_rule(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if _SURROGATES.search(value):
            raise _fail("surrogate", "contains a lone UTF-16 surrogate, which is not Unicode text")
        if not value.strip() or not is_visible(value):
            raise _fail("empty", "must not be empty")
        if len(value) > limit:
            raise _fail("too_long_text", f"is {len(value)} characters, the limit is {limit}")
        if _CONTROLS.search(value):
            raise _fail("control", "contains control characters")
        return value

    return check


def _slug_rule(value: str) -> str:
    if not SLUG.match(value) or len(value) > LIMITS["id"]:
        raise _fail("slug", f"must be a lowercase slug (a-z, 0-9, hyphens), at most {LIMITS['id']}")
    return value


def _date_rule(value: str) -> str:
    if not DATE.match(value):
        raise _fail("date", "must be YYYY, YYYY-MM or YYYY-MM-DD, or null")
    if len(value) == 10:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise _fail("date", f"must be a real day of the calendar ({value} is not)") from None
    return value


def _url_rule(value: str) -> str:
    if not URL.match(value) or len(value) > LIMITS["url"]:
        raise _fail("url", "must be an http(s) URL or null")
    return value


def _word_rule(value: str) -> str:
    if len(value) > 40 or len(value.split()) != 1 or not is_visible(value):
        raise _fail("word", "must be a single word")
    return value


def _unique(items: list[str], what: str) -> list[str]:
    repeated = [item for item, count in Counter(items).items() if count > 1]
    if repeated:
        raise _fail("duplicates", f"contains duplicates ({what} {repeated[0]!r} more than once)")
    return items


Slug = Annotated[str, AfterValidator(_slug_rule)]
DateText = Annotated[str, AfterValidator(_date_rule)]
UrlText = Annotated[str, AfterValidator(_url_rule)]
Word = Annotated[str, AfterValidator(_word_rule)]
Language = Literal["en", "fr"]
# Required, visible, bounded texts without control characters.
StatementText = Annotated[str, AfterValidator(_text_rule(LIMITS["statement"]))]
AttributionText = Annotated[str, AfterValidator(_text_rule(LIMITS["attribution"]))]
TitleText = Annotated[str, AfterValidator(_text_rule(LIMITS["title"]))]
SummaryText = Annotated[str, AfterValidator(_text_rule(SUMMARY_LIMIT))]
QuestionText = Annotated[str, AfterValidator(_text_rule(LIMITS["question"]))]
QuoteText = Annotated[str, AfterValidator(_text_rule(LIMITS["quote"]))]
SpeakerText = Annotated[str, AfterValidator(_text_rule(LIMITS["speaker"]))]
PublisherText = Annotated[str, AfterValidator(_text_rule(LIMITS["publisher"]))]
SeedVersionText = Annotated[str, AfterValidator(_text_rule(SEED_VERSION_LIMIT))]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# -- the models, one per part of the format ---------------------------------------------------


class _BilingualModel(_Strict):
    """A text in English and French; each subclass gives both the same length limit."""

    en: str
    fr: str

    def build(self) -> Bilingual:
        return Bilingual(self.en, self.fr)


class StatementModel(_BilingualModel):
    en: StatementText
    fr: StatementText


class AttributionModel(_BilingualModel):
    en: AttributionText
    fr: AttributionText


class TitleModel(_BilingualModel):
    en: TitleText
    fr: TitleText


class SummaryModel(_BilingualModel):
    en: SummaryText
    fr: SummaryText


class QuoteModel(_Strict):
    speaker: SpeakerText
    original: QuoteText
    original_language: Language
    translation: QuoteText | None = Field(default=None, validate_default=True)

    @field_validator("translation")
    @classmethod
    def _french_needs_translation(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("original_language") == "fr":
            raise _fail("translation", "a French quote needs an English translation")
        return value

    def build(self) -> Quote:
        return Quote(self.speaker, self.original, self.original_language, self.translation)


class QuestionsModel(_Strict):
    en: list[QuestionText] = Field(default_factory=list, max_length=LIMITS["questions_per_language"])
    fr: list[QuestionText] = Field(default_factory=list, max_length=LIMITS["questions_per_language"])

    @field_validator("en", "fr")
    @classmethod
    def _no_duplicates(cls, value: list[str]) -> list[str]:
        return _unique(value, "question")

    def build(self) -> QuestionVariants:
        return QuestionVariants(tuple(self.en), tuple(self.fr))


class SourceModel(_Strict):
    id: Slug
    title: TitleText
    publisher: PublisherText
    date: DateText | None = None
    language: Language
    url: UrlText | None = None

    def build(self) -> Source:
        return Source(self.id, self.title, self.publisher, self.date, self.language, self.url)


class FactModel(_Strict):
    id: Slug
    status: Literal["active", "retired"] = "active"
    date: DateText | None = None
    attribution: AttributionModel
    statement: StatementModel
    quote: QuoteModel | None = None
    tags: list[Slug] = Field(default_factory=list, max_length=LIMITS["tags_per_fact"])
    source_ids: list[str] = Field(min_length=1, max_length=LIMITS["sources_per_fact"])
    questions: QuestionsModel = Field(default_factory=QuestionsModel)

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        return _unique(value, "tag")

    @field_validator("source_ids")
    @classmethod
    def _unique_sources(cls, value: list[str]) -> list[str]:
        return _unique(value, "source")

    def build(self) -> Fact:
        return Fact(
            id=self.id,
            statement=self.statement.build(),
            attribution=self.attribution.build(),
            source_ids=tuple(self.source_ids),
            questions=self.questions.build(),
            tags=tuple(self.tags),
            date=self.date,
            quote=self.quote.build() if self.quote else None,
            status=self.status,
        )


class StoryModel(_Strict):
    title: TitleModel
    summary: SummaryModel

    def build(self) -> Story:
        return Story(self.title.build(), self.summary.build())


class DocumentModel(_Strict):
    """A whole seed file, export or import."""

    schema_version: StrictInt
    seed_version: SeedVersionText
    story: StoryModel
    sources: list[SourceModel]
    facts: list[FactModel]
    synonyms: list[Annotated[list[Word], Field(min_length=2)]] = Field(default_factory=list)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise _fail("version", f"must be {SCHEMA_VERSION}")
        return value

    def build(self) -> FactBase:
        return FactBase(
            schema_version=self.schema_version,
            seed_version=self.seed_version,
            story=self.story.build(),
            sources=tuple(s.build() for s in self.sources),
            facts=tuple(f.build() for f in self.facts),
            synonyms=tuple(tuple(group) for group in self.synonyms),
        )


# -- turning pydantic's errors into Problems ---------------------------------------------------

_MESSAGES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "int_type": "must be a whole number",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "literal_error":
        return f"must be {context.get('expected', 'one of the allowed values')}"
    if kind == "too_long":
        return f"has more than {context.get('max_length')} items"
    if kind == "too_short":
        if error["loc"][-1] == "source_ids":
            return "must list at least one source id"
        return f"must list at least {context.get('min_length')} items"
    return _MESSAGES.get(kind, error["msg"])


def _path(parts: Iterable[int | str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _item_label(kind: str, raw: object, index: int) -> str:
    item_id = raw.get("id") if isinstance(raw, dict) else None
    shown = item_id if isinstance(item_id, str) and len(item_id) <= 200 else f"#{index}"
    return f"{kind} '{shown}'"


def _problem(error: ErrorDetails, document: Mapping[str, Any]) -> Problem:
    loc = error["loc"]
    message = _message(error)
    head = loc[0] if loc else ""
    if head in ("facts", "sources") and len(loc) >= 2 and isinstance(loc[1], int):
        items = document.get(str(head))
        raw = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        return _item_problem(str(head), loc[1], raw, loc[2:], message)
    if head == "story" and len(loc) >= 2:
        return Problem("story", _path(loc[1:]), message)
    return Problem("document", _path(loc), message)


def _item_problem(kind: str, index: int, raw: object, loc: Sequence[int | str], message: str) -> Problem:
    """A problem inside item `index` of `facts` or `sources`, named by the item's id when it has one."""
    if not loc:
        return Problem(f"{kind}[{index}]", "", message)
    return Problem(_item_label(kind[:-1], raw, index), _path(loc), message)


def validate_fact(raw: object, index: int) -> tuple[Fact | None, list[Problem]]:
    """One fact of a document on its own (item `index` of its `facts`), for a streaming reader.

    Problems are named exactly as `parse_fact_base` names them; rules that span facts (unique
    ids, known sources) are the caller's.
    """
    try:
        return FactModel.model_validate(raw).build(), []
    except ValidationError as error:
        return None, [
            _item_problem("facts", index, raw, e["loc"], _message(e))
            for e in error.errors(include_url=False, include_input=False)
        ]


# -- rules that span parts ---------------------------------------------------------------------


def _cross_checks(document: Mapping[str, Any]) -> list[Problem]:
    """Known source ids, unique ids, one group per synonym word; run on the raw document."""
    problems: list[Problem] = []
    sources = document.get("sources")
    facts = document.get("facts")
    source_items = sources if isinstance(sources, list) else []
    fact_items = facts if isinstance(facts, list) else []
    known = {s["id"] for s in source_items if isinstance(s, dict) and isinstance(s.get("id"), str)}
    for index, fact in enumerate(fact_items):
        cited = fact.get("source_ids") if isinstance(fact, dict) else None
        if not isinstance(cited, list):
            continue
        for i, source_id in enumerate(cited):
            if isinstance(source_id, str) and source_id not in known:
                problems.append(
                    Problem(
                        _item_label("fact", fact, index),
                        f"source_ids[{i}]",
                        f"{source_id[:80]!r} is not a known source id",
                    )
                )
    problems += _duplicate_ids(source_items, "source")
    problems += _duplicate_ids(fact_items, "fact")
    problems += _synonym_owners(document.get("synonyms"))
    return problems


def _duplicate_ids(items: Sequence[object], kind: str) -> list[Problem]:
    ids = [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]
    return [
        Problem(f"{kind} '{item_id}'", "id", "is used more than once")
        for item_id, count in Counter(ids).items()
        if count > 1
    ]


def _synonym_owners(groups: object) -> list[Problem]:
    """Groups of single words; each word may belong to one group only, or matching would be ambiguous."""
    problems: list[Problem] = []
    owner: dict[str, int] = {}
    for i, group in enumerate(groups if isinstance(groups, list) else []):
        for j, word in enumerate(group if isinstance(group, list) else []):
            if not isinstance(word, str):
                continue
            if word in owner and owner[word] != i:
                problems.append(
                    Problem(
                        "document", f"synonyms[{i}][{j}]", f"'{word}' is already in synonyms[{owner[word]}]"
                    )
                )
            owner.setdefault(word, i)
    return problems


# -- public entry points -------------------------------------------------------------------------


def parse_fact_base(document: Any, origin: str = "document") -> FactBase:
    """Turn a decoded JSON document into a FactBase, or raise FactBaseError listing every problem."""
    if not isinstance(document, dict):
        raise FactBaseError(origin, [Problem("document", "", "must be a JSON object")])
    facts = document.get("facts")
    if isinstance(facts, list) and len(facts) > MAX_FACTS:
        raise FactBaseError(origin, [Problem("document", "facts", f"more than {MAX_FACTS} facts")])
    problems: list[Problem] = []
    model: DocumentModel | None = None
    try:
        model = DocumentModel.model_validate(document)
    except ValidationError as error:
        problems = [_problem(e, document) for e in error.errors(include_url=False, include_input=False)]
    problems += _cross_checks(document)
    if problems or model is None:
        raise FactBaseError(origin, problems)
    return model.build()


def decode_document(data: bytes, origin: str, limit: int = MAX_DOCUMENT_BYTES) -> Any:
    """Decode bytes as a UTF-8 JSON document, with a readable error for anything else."""
    if len(data) > limit:
        raise FactBaseError(origin, [Problem("file", "", f"is larger than {describe_size(limit)}")])
    try:
        return loads_strict(decode_utf8(data))
    except JsonDocumentError as error:
        raise FactBaseError(origin, [Problem("file", "", str(error))]) from None


def read_document(path: Path, limit: int = MAX_FILE_BYTES) -> Any:
    """Read (at most `limit` bytes of) a file and decode it; every failure is a FactBaseError."""
    try:
        data = read_bounded(path, limit)
    except TooLarge as error:
        raise FactBaseError(str(path), [Problem("file", "", str(error))]) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise FactBaseError(str(path), [Problem("file", "", f"cannot be read: {reason}")]) from None
    return decode_document(data, str(path), limit)


def load_fact_base(path: Path, limit: int = MAX_FILE_BYTES) -> FactBase:
    """Read and validate a fact-base file; errors name the file."""
    return parse_fact_base(read_document(path, limit), str(path))


def dump_fact_base(fact_base: FactBase) -> str:
    """The canonical text form: stable key order, 2-space indent, UTF-8 kept readable."""
    return json.dumps(fact_base.to_dict(), ensure_ascii=False, indent=2) + "\n"


SEED_PATH = Path(__file__).parent / "data" / "seed.json"
