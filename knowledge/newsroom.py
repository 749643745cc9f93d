"""What /summary, /timeline and the daily digest say, and when a digest is due.

Kept free of discord so the two things that are easy to get wrong can be tested on their
own, with plain datetimes and plain changes:

* *when*: a digest slot is a wall-clock time in the subscriber's time zone, so "today's
  slot" moves in UTC with daylight saving and differs across zones. A slot is due when
  it has passed and the channel's last digest is older than it. The last digest's time
  and the change cursor are stored, so a restart neither repeats a slot nor skips one
  (a bot that was down over a slot posts once when it comes back, covering everything).
* *what*: the change feed records every revision, but readers want the net effect per
  fact since their last digest (added then edited is still "added"; retired then
  restored is nothing new). Question-wording changes ("variant") only teach the matcher
  and never change what the bot says, so they are left out.

Texts are plain; the Discord layer decides layout (headings, embeds, pagination).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .answers import citation_line, fact_sentence
from .dates import format_date
from .models import Fact, Language, Source, Story
from .phrases import phrases
from .store import Change

SourcesOf = Callable[[Fact], Sequence[Source]]
ComposeBrief = Callable[[Story, Iterable[Fact], SourcesOf, Language], "Brief"]

# ---------------------------------------------------------------------------------------------
# Phrases
# ---------------------------------------------------------------------------------------------


newsroom_phrase = phrases.area("newsroom")


# ---------------------------------------------------------------------------------------------
# Schedule: time of day, time zones, slots
# ---------------------------------------------------------------------------------------------

_TIME_OF_DAY = re.compile(r"^(\d{1,2})(?:\s*[:hH.]\s*(\d{2})?)?$")


def parse_time_of_day(text: str) -> str | None:
    """'9:05', '09:05', '9h05', '9h', '21' -> 'HH:MM' (24-hour); None if it is not a time.

    French speakers write "9h30"; accepting it costs nothing and saves a round of errors.
    """
    match = _TIME_OF_DAY.match(text.strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def parse_timezone(name: str) -> str | None:
    """The canonical IANA name for `name` (case-insensitive), or None if unknown.

    zoneinfo itself is case-sensitive on most systems, and people type "europe/paris".
    """
    cleaned = name.strip()
    if not cleaned or ".." in cleaned or cleaned.startswith("/"):
        return None
    canonical = _zones_by_folded_name().get(cleaned.casefold(), cleaned)
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return canonical


def timezone_names(fragment: str = "", limit: int = 25) -> list[str]:
    """IANA names containing `fragment` (prefix matches first), for autocomplete."""
    folded = fragment.strip().casefold()
    names = sorted(_zones_by_folded_name().values())
    first = [n for n in names if n.casefold().startswith(folded)]
    rest = [n for n in names if folded in n.casefold() and not n.casefold().startswith(folded)]
    return (first + rest)[:limit]


def _clock_time(time_of_day: str) -> time:
    parsed = parse_time_of_day(time_of_day)
    if parsed is None:
        raise ValueError(f"not a time of day: {time_of_day!r}")
    hours, minutes = parsed.split(":")
    return time(int(hours), int(minutes))


def slot_on(day: date, time_of_day: str, timezone: str) -> datetime:
    """The UTC instant of `time_of_day` on the local calendar `day` in `timezone`.

    A time skipped by a daylight-saving jump resolves to the instant just after the jump;
    a repeated time resolves to its first occurrence, so a slot happens once a day.
    """
    local = datetime.combine(day, _clock_time(time_of_day), tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def latest_slot(time_of_day: str, timezone: str, now: datetime) -> datetime:
    """The most recent slot at or before `now` (today's if it has passed, else yesterday's)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    slot = slot_on(today, time_of_day, timezone)
    if slot > now:
        slot = slot_on(today - timedelta(days=1), time_of_day, timezone)
    return slot


def next_slot(time_of_day: str, timezone: str, now: datetime) -> datetime:
    """The first slot strictly after `now`."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    for offset in range(0, 3):
        slot = slot_on(today + timedelta(days=offset), time_of_day, timezone)
        if slot > now:
            return slot
    raise AssertionError("unreachable: a slot happens every day")  # pragma: no cover


def due_slot(
    time_of_day: str, timezone: str, last_posted_at: datetime | None, now: datetime
) -> datetime | None:
    """The slot to post for now, or None when the latest slot has already been served.

    `last_posted_at` is when the channel last had its slot served (whether or not there was
    anything to post); None means never, so the latest slot is due.
    """
    slot = latest_slot(time_of_day, timezone, now)
    if last_posted_at is not None and last_posted_at >= slot:
        return None
    return slot


# ---------------------------------------------------------------------------------------------
# Digest: the net effect of the change feed, per fact
# ---------------------------------------------------------------------------------------------

DIGEST_KINDS: tuple[str, ...] = ("added", "edited", "restored", "retired")
# Revision kinds that change what a reader sees (the statement, its quote, date or sources).
_CONTENT_KINDS = frozenset({"added", "edited", "reverted", "source"})


@dataclass(frozen=True, slots=True)
class DigestEntry:
    kind: str  # one of DIGEST_KINDS
    fact: Fact  # its state after the last change


@dataclass(frozen=True, slots=True)
class Digest:
    language: Language
    entries: tuple[DigestEntry, ...]
    cursor: int  # the change id to store once this digest is served

    @property
    def is_empty(self) -> bool:
        return not self.entries

    def of_kind(self, kind: str) -> list[DigestEntry]:
        return [e for e in self.entries if e.kind == kind]


def _status_before(first: Change) -> str | None:
    """The fact's status before the window's first change (None: it did not exist)."""
    if first.kind == "added":
        return None
    if first.kind == "retired":
        return "active"
    if first.kind == "restored":
        return "retired"
    return first.fact.status


def _net_kind(changes: Sequence[Change]) -> str | None:
    before = _status_before(changes[0])
    after = changes[-1].fact.status
    if before is None:
        return "added" if after == "active" else None
    if before == "active" and after == "retired":
        return "retired"
    if before == "retired" and after == "active":
        return "restored"
    if before == after == "active" and any(c.kind in _CONTENT_KINDS for c in changes):
        return "edited"
    return None


def compose_digest(changes: Iterable[Change], language: Language, cursor: int = 0) -> Digest:
    """Group the changes after a cursor into one entry per fact, in the order facts first changed.

    `cursor` is the subscription's current cursor, kept when there are no changes.
    """
    by_fact: dict[str, list[Change]] = {}
    for change in sorted(changes, key=lambda c: c.change_id):
        by_fact.setdefault(change.fact_id, []).append(change)
        cursor = max(cursor, change.change_id)
    entries = []
    for fact_changes in by_fact.values():
        kind = _net_kind(fact_changes)
        if kind is not None:
            entries.append(DigestEntry(kind, fact_changes[-1].fact))
    order = {kind: i for i, kind in enumerate(DIGEST_KINDS)}
    entries.sort(key=lambda e: order[e.kind])  # stable: within a kind, first-changed first
    return Digest(language=language, entries=tuple(entries), cursor=cursor)


def _dated(fact: Fact, text: str, language: Language) -> str:
    when = format_date(fact.date, language)
    return f"{when} — {text}" if when else text


def _statement(fact: Fact, language: Language) -> str:
    """The statement with its attribution but without the quote: one line of a list."""
    body = fact.statement.get(language).strip().rstrip(".")
    attribution = fact.attribution.get(language).strip()
    return f"{body} ({attribution})." if attribution else f"{body}."


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join([self.heading, *self.lines])


def digest_sections(digest: Digest, sources_of: SourcesOf | None = None) -> list[Section]:
    """One section per kind of change, each line a fact's statement in the digest's language."""
    language = digest.language
    sections = []
    for kind in DIGEST_KINDS:
        lines = []
        for entry in digest.of_kind(kind):
            line = "• " + _dated(entry.fact, _statement(entry.fact, language), language)
            if sources_of is not None and kind != "retired":
                citation = citation_line(list(sources_of(entry.fact)), language)
                if citation:
                    line += f" — {citation}"
            lines.append(line)
        if lines:
            sections.append(Section(newsroom_phrase(kind, language), tuple(lines)))
    return sections


# ---------------------------------------------------------------------------------------------
# Summary and timeline
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BriefEntry:
    when: str  # the formatted date
    text: str
    citation: str  # "Sources: …", for plain text
    sources: tuple[Source, ...] = ()  # the same, for front ends that can link them


@dataclass(frozen=True, slots=True)
class Brief:
    """A titled text made of an optional introduction and dated, cited entries."""

    language: Language
    title: str
    intro: str
    heading: str
    entries: tuple[BriefEntry, ...]

    @property
    def text(self) -> str:
        lines = [self.title]
        if self.intro:
            lines += ["", self.intro]
        if self.heading:
            lines += ["", self.heading]
        for entry in self.entries:
            lines.append(
                f"• {entry.when} — {entry.text}" + (f" ({entry.citation})" if entry.citation else "")
            )
        return "\n".join(lines)


def _entries(
    facts: Iterable[Fact], sources_of: SourcesOf, language: Language, full: bool
) -> tuple[BriefEntry, ...]:
    ordered = sorted((f for f in facts if f.active and f.date), key=lambda f: (f.date or "", f.id))
    entries = []
    for fact in ordered:
        sources = tuple(sources_of(fact))
        entries.append(
            BriefEntry(
                when=format_date(fact.date, language),
                text=fact_sentence(fact, language) if full else _statement(fact, language),
                citation=citation_line(sources, language),
                sources=sources,
            )
        )
    return tuple(entries)


def compose_summary(
    story: Story, timeline: Iterable[Fact], sources_of: SourcesOf, language: Language
) -> Brief:
    """The story's summary, then its dated facts in order, one cited line each (no quotes)."""
    entries = _entries(timeline, sources_of, language, full=False)
    heading = newsroom_phrase("key_facts", language) if entries else ""
    return Brief(language, story.title.get(language), story.summary.get(language), heading, entries)


def compose_timeline(
    story: Story, timeline: Iterable[Fact], sources_of: SourcesOf, language: Language
) -> Brief:
    """Every dated fact in order, in full (quotes included), each cited."""
    entries = _entries(timeline, sources_of, language, full=True)
    return Brief(
        language=language,
        title=f"{newsroom_phrase('timeline_title', language)} — {story.title.get(language)}",
        intro="" if entries else newsroom_phrase("no_dated_facts", language),
        heading="",
        entries=entries,
    )


# ---------------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def paginate(
    blocks: Sequence[str], limit: int, max_pages: int | None = None, language: Language = "en"
) -> list[str]:
    """Join blocks (paragraphs, list lines) with newlines into pages of at most `limit` characters.

    A block never straddles two pages; one longer than a page is clipped. With `max_pages`,
    what does not fit is counted in a final "… and N more." line instead of silently lost.
    """
    pages: list[list[str]] = []
    for block in (_clip(b, limit) for b in blocks):
        if pages and len("\n".join([*pages[-1], block])) <= limit:
            pages[-1].append(block)
        else:
            pages.append([block])
    if max_pages is not None and len(pages) > max_pages:
        kept = pages[:max_pages]
        remaining = len(blocks) - sum(len(page) for page in kept)
        last = kept[-1]
        while True:
            more = newsroom_phrase("more", language).format(count=remaining)
            if len("\n".join([*last, more])) <= limit or len(last) == 1:
                break
            last.pop()
            remaining += 1
        last.append(more)
        pages = kept
    return [_clip("\n".join(page), limit) for page in pages]
