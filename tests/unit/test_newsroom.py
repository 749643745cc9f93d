"""The newsroom's pure logic: when a digest is due, what it says, and the summary/timeline texts.

Times are plain aware datetimes, so every case (time zones, daylight saving, a bot that was
down over a slot, a restart right after posting) is a line of arithmetic, not a wait.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from knowledge.models import Bilingual, Fact, Quote, Source, Story
from knowledge.newsroom import (
    Digest,
    SourcesOf,
    compose_digest,
    compose_summary,
    compose_timeline,
    digest_sections,
    due_slot,
    latest_slot,
    newsroom_phrase,
    next_slot,
    paginate,
    parse_time_of_day,
    parse_timezone,
    slot_on,
    timezone_names,
)
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import Answerer
from knowledge.store import Change


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Parsing what moderators type
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("09:00", "09:00"),
        ("9:05", "09:05"),
        ("9h30", "09:30"),
        ("9h", "09:00"),
        (" 21 ", "21:00"),
        ("23:59", "23:59"),
    ],
)
def test_time_of_day_accepts_common_spellings(typed: str, expected: str) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "9:60", "noon", "", "09:00:00", "-1:00", "9:5"])
def test_time_of_day_rejects_the_rest(typed: str) -> None:
    assert parse_time_of_day(typed) is None


def test_timezone_names_are_validated_and_canonicalised() -> None:
    assert parse_timezone("Europe/Paris") == "Europe/Paris"
    assert parse_timezone("europe/paris") == "Europe/Paris"
    assert parse_timezone(" UTC ") == "UTC"
    for bad in ["Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/localtime", "Europe/Paris\x00"]:
        assert parse_timezone(bad) is None
    assert timezone_names("paris")[0] == "Europe/Paris"
    assert len(timezone_names("", 25)) == 25


# ---------------------------------------------------------------------------------------------
# Slots and due-ness
# ---------------------------------------------------------------------------------------------


def test_a_slot_follows_daylight_saving_in_utc() -> None:
    assert slot_on(date(2026, 1, 15), "09:00", "Europe/Paris") == utc(2026, 1, 15, 8, 0)
    assert slot_on(date(2026, 7, 15), "09:00", "Europe/Paris") == utc(2026, 7, 15, 7, 0)
    assert slot_on(date(2026, 7, 15), "09:00", "America/New_York") == utc(2026, 7, 15, 13, 0)


def test_due_once_the_slot_has_passed_and_not_again_after_posting() -> None:
    posted = utc(2026, 1, 14, 8, 0, 30)  # yesterday's 09:00 Paris slot was served
    assert due_slot("09:00", "Europe/Paris", posted, utc(2026, 1, 15, 7, 59)) is None
    assert due_slot("09:00", "Europe/Paris", posted, utc(2026, 1, 15, 8, 0)) == utc(2026, 1, 15, 8, 0)
    served_at = utc(2026, 1, 15, 8, 0, 5)
    for later in (served_at, utc(2026, 1, 15, 20, 0), utc(2026, 1, 16, 7, 59)):
        assert due_slot("09:00", "Europe/Paris", served_at, later) is None
    assert due_slot("09:00", "Europe/Paris", served_at, utc(2026, 1, 16, 8, 1)) == utc(2026, 1, 16, 8, 0)


def test_the_same_instant_is_due_in_one_zone_and_not_in_another() -> None:
    posted = utc(2026, 3, 1)
    now = utc(2026, 3, 2, 1, 0)  # 10:00 in Tokyo, 20:00 the day before in New York
    assert due_slot("09:00", "Asia/Tokyo", posted, now) == utc(2026, 3, 2, 0, 0)
    assert due_slot("21:00", "America/New_York", utc(2026, 3, 1, 2, 30), now) is None
    assert due_slot("21:00", "America/New_York", utc(2026, 3, 1, 2, 30), utc(2026, 3, 2, 2, 0)) == utc(
        2026, 3, 2, 2, 0
    )


def test_zones_either_side_of_the_date_line() -> None:
    now = utc(2026, 5, 10, 12, 0)  # 02:00 on 11 May at UTC+14, 01:00 on 10 May at UTC-11
    assert latest_slot("01:30", "Pacific/Kiritimati", now) == utc(2026, 5, 10, 11, 30)
    assert latest_slot("01:30", "Pacific/Pago_Pago", now) == utc(2026, 5, 9, 12, 30)
    assert next_slot("01:30", "Pacific/Pago_Pago", now) == utc(2026, 5, 10, 12, 30)


def test_a_restart_neither_repeats_nor_skips() -> None:
    # Served on the 10th, then the bot was down until the 13th at noon (slot: 09:00 UTC).
    posted = utc(2026, 4, 10, 9, 0, 1)
    back = utc(2026, 4, 13, 12, 0)
    slot = due_slot("09:00", "UTC", posted, back)
    assert slot == utc(2026, 4, 13, 9, 0)  # one digest for the missed days, not three
    # Restarted right after posting it: the stored posted_at keeps the slot served.
    assert due_slot("09:00", "UTC", back, back + timedelta(minutes=1)) is None
    # Restarted after the slot but before posting: still due, so it is not skipped.
    assert due_slot("09:00", "UTC", posted, utc(2026, 4, 13, 9, 0, 30)) == slot


def test_never_posted_means_the_latest_slot_is_due() -> None:
    assert due_slot("09:00", "UTC", None, utc(2026, 4, 13, 9, 30)) == utc(2026, 4, 13, 9, 0)


def test_daylight_saving_gaps_and_repeats_give_one_slot_a_day() -> None:
    # 02:30 does not exist in Paris on 29 March 2026: the slot falls just after the jump.
    spring = slot_on(date(2026, 3, 29), "02:30", "Europe/Paris")
    assert spring == utc(2026, 3, 29, 1, 30)
    # 01:30 happens twice in New York on 1 November 2026: only the first counts.
    first = slot_on(date(2026, 11, 1), "01:30", "America/New_York")
    assert first == utc(2026, 11, 1, 5, 30)
    served = first + timedelta(seconds=10)
    second_occurrence = utc(2026, 11, 1, 6, 31)
    assert due_slot("01:30", "America/New_York", served, second_occurrence) is None


# ---------------------------------------------------------------------------------------------
# Digest composition
# ---------------------------------------------------------------------------------------------


def make_fact(
    fact_id: str, statement: str = "The bridge closed", status: str = "active", **extra: object
) -> Fact:
    fact = Fact(
        id=fact_id,
        statement=Bilingual(f"{statement}.", f"FR {statement}."),
        attribution=Bilingual("according to The Daily", "selon The Daily"),
        source_ids=("daily",),
        date="2017-11-14",
        status=status,  # type: ignore[arg-type]
    )
    return replace(fact, **extra) if extra else fact


CHANGE_IDS = iter(range(1, 10_000))


def digest_text(digest: Digest, sources_of: SourcesOf | None = None) -> str:
    """The whole digest as plain text, as the embeds lay it out; empty when there is nothing to say."""
    if digest.is_empty:
        return ""
    body = "\n\n".join(s.text for s in digest_sections(digest, sources_of))
    return f"{newsroom_phrase('digest_title', digest.language)}\n\n{body}"


def change(fact: Fact, kind: str, change_id: int | None = None) -> Change:
    return Change(
        change_id=change_id if change_id is not None else next(CHANGE_IDS),
        fact_id=fact.id,
        kind=kind,
        revision=1,
        fact=fact,
        actor_id="1",
        actor_name="mod",
        reason="",
        created_at=utc(2026, 1, 1),
    )


def test_nothing_changed_means_an_empty_digest_and_no_text() -> None:
    digest = compose_digest([], "en", cursor=41)
    assert digest.is_empty and digest.cursor == 41
    assert digest_text(digest) == ""


def test_added_edited_and_retired_are_grouped_with_statements() -> None:
    added = make_fact("new-fact", "WikiLeaks replied")
    edited = make_fact("old-fact", "Trump Jr. published the messages")
    retired = make_fact("gone-fact", "A rumour", status="retired")
    changes = [change(added, "added", 10), change(edited, "edited", 11), change(retired, "retired", 12)]
    digest = compose_digest(changes, "en", cursor=9)
    assert [(e.kind, e.fact.id) for e in digest.entries] == [
        ("added", "new-fact"),
        ("edited", "old-fact"),
        ("retired", "gone-fact"),
    ]
    assert digest.cursor == 12
    text = digest_text(digest)
    assert text.index("New facts") < text.index("WikiLeaks replied") < text.index("Corrected or updated")
    assert text.index("Trump Jr. published the messages") < text.index("Withdrawn") < text.index("A rumour")
    assert "14 November 2017" in text


def test_the_digest_speaks_the_subscription_language() -> None:
    digest = compose_digest([change(make_fact("x", "WikiLeaks replied"), "added")], "fr")
    text = digest_text(digest, lambda f: [Source("daily", "T", "The Daily", "2017-11-14", "en")])
    assert "Nouveaux faits" in text and "FR WikiLeaks replied" in text and "14 novembre 2017" in text
    assert "Source : The Daily, 14 novembre 2017" in text
    assert "WikiLeaks replied." not in text.replace("FR WikiLeaks replied", "")


def test_net_effect_per_fact() -> None:
    a, b, c, e = (make_fact(i) for i in "abce")
    changes = [
        change(a, "added"),
        change(
            replace(a, statement=Bilingual("A final.", "A final FR.")), "edited"
        ),  # added then edited: added
        change(replace(b, status="retired"), "retired"),
        change(b, "restored"),  # retired then restored: nothing to tell
        change(c, "variant"),  # a new wording only: nothing readers see
        change(e, "added"),
        change(replace(e, status="retired"), "retired"),  # added then withdrawn: never existed for readers
        change(replace(make_fact("f"), status="retired"), "edited"),  # edits to a retired fact: invisible
        change(make_fact("g"), "source"),  # a new source changes the citation: updated
    ]
    digest = compose_digest(changes, "en")
    kinds = {e.fact.id: e.kind for e in digest.entries}
    assert kinds["a"] == "added" and digest.entries[0].fact.statement.en == "A final."
    assert "b" not in kinds and "c" not in kinds and "e" not in kinds and "f" not in kinds
    assert kinds["g"] == "edited"
    assert digest.cursor == max(ch.change_id for ch in changes)


def test_restored_facts_have_their_own_group() -> None:
    fact = make_fact("back", "It is back")
    digest = compose_digest([change(fact, "restored")], "en")
    sections = digest_sections(digest)
    assert [s.heading for s in sections] == ["Back in the fact base"]
    assert "It is back" in sections[0].lines[0]


def test_variant_only_changes_post_nothing_but_advance_the_cursor() -> None:
    digest = compose_digest([change(make_fact("x"), "variant", 77)], "en", cursor=70)
    assert digest.is_empty and digest.cursor == 77


# ---------------------------------------------------------------------------------------------
# Summary and timeline
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer(load_fact_base(SEED_PATH))


def test_summary_lists_dated_facts_in_order_each_cited(answerer: Answerer) -> None:
    brief = compose_summary(answerer.story, answerer.timeline(), answerer.sources_of, "en")
    assert brief.intro == answerer.story.summary.en
    assert brief.entries, "the seed has dated facts"
    dates = [f.date for f in answerer.timeline()]
    assert dates == sorted(dates)
    assert all(entry.citation.startswith(("Source: ", "Sources: ")) for entry in brief.entries)
    assert brief.entries[0].when == "October 2016"
    assert brief.text.startswith(answerer.story.title.en)


def test_summary_and_timeline_in_french(answerer: Answerer) -> None:
    summary = compose_summary(answerer.story, answerer.timeline(), answerer.sources_of, "fr")
    assert summary.title == answerer.story.title.fr
    assert any(e.when == "13 novembre 2017" for e in summary.entries)
    timeline = compose_timeline(answerer.story, answerer.timeline(), answerer.sources_of, "fr")
    assert timeline.title.startswith("Chronologie")
    assert all(e.citation.startswith(("Source : ", "Sources : ")) for e in timeline.entries)


def test_timeline_skips_retired_and_undated_facts_and_keeps_quotes() -> None:
    quote = Quote("WikiLeaks", "Hi Don", "en")
    facts = [
        make_fact("late", "Late", date="2017-11-14", quote=quote),
        make_fact("early", "Early", date="2016-10"),
        make_fact("undated", "Undated", date=None),
        make_fact("retired", "Retired", status="retired"),
    ]
    story = Story(Bilingual("T", "T"), Bilingual("S", "S"))
    brief = compose_timeline(story, facts, lambda f: [], "en")
    assert [e.when for e in brief.entries] == ["October 2016", "14 November 2017"]
    assert "Hi Don" in brief.entries[1].text
    summary = compose_summary(story, facts, lambda f: [], "en")
    assert "Hi Don" not in summary.text


def test_timeline_without_dated_facts_says_so() -> None:
    story = Story(Bilingual("T", "T"), Bilingual("S", "S"))
    assert compose_timeline(story, [], lambda f: [], "en").intro == "No dated facts yet."


# ---------------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------------


def test_paginate_keeps_blocks_whole_and_pages_within_the_limit() -> None:
    blocks = [f"line {i} " + "x" * 50 for i in range(100)]
    pages = paginate(blocks, 500)
    assert all(len(p) <= 500 for p in pages)
    assert "\n".join(pages).split("\n") == blocks


def test_paginate_clips_a_huge_block_and_counts_what_is_left_out() -> None:
    pages = paginate(["y" * 10_000, *(f"item {i}" for i in range(1000))], 300, max_pages=3)
    assert len(pages) == 3
    assert all(len(p) <= 300 for p in pages)
    assert pages[0].endswith("…")
    assert pages[-1].splitlines()[-1].startswith("… and ")
    shown = sum(len(p.splitlines()) for p in pages) - 1
    left = int(pages[-1].splitlines()[-1].split()[2])
    assert shown + left == 1001


def test_paginate_of_nothing_is_no_page() -> None:
    assert paginate([], 100) == []
