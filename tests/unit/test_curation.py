"""The moderator-input rules of knowledge.curation: what is accepted, and how refusals name the field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from knowledge.curation import (
    FACT_FORM_LABELS,
    CurationInputError,
    FactForm,
    build_fact,
    build_source,
    changed_fields,
    check_fact,
    clean_variant,
    describe_plan,
    describe_problem,
    format_tags_sources,
    history_lines,
    link_candidates,
    parse_attribution,
    parse_since,
    parse_tags_sources,
    search_facts,
    validate_fact_id,
)
from knowledge.importing import ImportPlan
from knowledge.matcher import Match
from knowledge.models import Bilingual, Fact, QuestionVariants, Quote, Source
from knowledge.schema import LIMITS, Problem

SOURCES = (
    Source(
        "the-atlantic",
        "WikiLeaks and Trump Jr.",
        "The Atlantic",
        "2017-11-13",
        "en",
        "https://theatlantic.com/x",
    ),
    Source("le-monde", "WikiLeaks et Trump Jr.", "Le Monde", "2017-11-14", "fr", None),
)


def good_form(**changes: str) -> FactForm:
    values = {
        "statement_en": "WikiLeaks wrote to Donald Trump Jr.",
        "statement_fr": "WikiLeaks a écrit à Donald Trump Jr.",
        "attribution": "according to The Atlantic | selon The Atlantic",
        "date": "2017-11-13",
        "tags_sources": "tags: wikileaks, trump-jr\nsources: the-atlantic",
    }
    values.update(changes)
    return FactForm(**values)


def problems_of(error: pytest.ExceptionInfo[CurationInputError]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.problems}


# -- building a fact from the form ------------------------------------------------------------


def test_a_good_form_makes_a_fact() -> None:
    fact = build_fact("new-fact", good_form(), SOURCES)
    assert fact == Fact(
        id="new-fact",
        statement=Bilingual("WikiLeaks wrote to Donald Trump Jr.", "WikiLeaks a écrit à Donald Trump Jr."),
        attribution=Bilingual("according to The Atlantic", "selon The Atlantic"),
        source_ids=("the-atlantic",),
        tags=("wikileaks", "trump-jr"),
        date="2017-11-13",
    )


def test_tags_and_sources_on_one_line_and_crlf_are_accepted() -> None:
    fact = build_fact(
        "x",
        good_form(tags_sources="tags: a, b, a / sources: the-atlantic, le-monde", statement_en="Text\r\n"),
        SOURCES,
    )
    assert fact.tags == ("a", "b")
    assert fact.source_ids == ("the-atlantic", "le-monde")
    assert fact.statement.en == "Text"


def test_an_empty_date_means_no_date() -> None:
    assert build_fact("x", good_form(date="  "), SOURCES).date is None


def test_editing_keeps_what_the_form_does_not_show() -> None:
    base = Fact(
        id="old",
        statement=Bilingual("a", "b"),
        attribution=Bilingual("c", "d"),
        source_ids=("le-monde",),
        questions=QuestionVariants(("who?",), ("qui ?",)),
        quote=Quote("Someone", "Quelque chose", "fr", "Something"),
        status="retired",
    )
    fact = build_fact("old", FactForm.from_fact(base), SOURCES, base=base)
    assert fact == base


def test_the_form_prefilled_from_a_fact_round_trips() -> None:
    fact = build_fact("x", good_form(), SOURCES)
    form = FactForm.from_fact(fact)
    assert form.attribution == "according to The Atlantic | selon The Atlantic"
    assert form.tags_sources == "tags: wikileaks, trump-jr\nsources: the-atlantic"
    assert build_fact("x", form, SOURCES) == fact


def test_empty_statements_are_named() -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(statement_en="   ", statement_fr=""), SOURCES)
    problems = problems_of(error)
    assert problems["statement_en"] == "must not be empty"
    assert problems["statement_fr"] == "must not be empty"
    assert "Statement (English)" in str(error.value)


def test_over_long_statement_names_the_field_and_the_limit() -> None:
    limit = LIMITS["statement"]
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(statement_fr="é" * (limit + 1)), SOURCES)
    assert problems_of(error) == {"statement_fr": f"is {limit + 1} characters, the limit is {limit}"}


def test_over_long_attribution_names_the_language() -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(attribution="a" * (LIMITS["attribution"] + 1) + " | selon"), SOURCES)
    message = problems_of(error)["attribution"]
    assert "English" in message and str(LIMITS["attribution"]) in message


def test_one_attribution_serves_both_languages() -> None:
    assert parse_attribution("  The  Atlantic ") == ("The Atlantic", "The Atlantic")


@pytest.mark.parametrize("text", ["a | b | c", "", " | french", "english | "])
def test_attribution_needs_both_languages_around_one_bar(text: str) -> None:
    with pytest.raises(CurationInputError) as error:
        parse_attribution(text)
    assert error.value.fields == ["attribution"]


def test_attribution_is_split_and_trimmed() -> None:
    assert parse_attribution("  according to  X |  selon X ") == ("according to X", "selon X")


@pytest.mark.parametrize("date", ["13/11/2017", "2017-13", "2017-11-32", "17", "2017-1-1"])
def test_bad_dates_are_named(date: str) -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(date=date), SOURCES)
    assert error.value.fields == ["date"]


@pytest.mark.parametrize(
    "fact_id", ["Bad", "has space", "trailing-", "a--b", "", "x" * (LIMITS["id"] + 1), "é"]
)
def test_bad_fact_ids_are_named(fact_id: str) -> None:
    with pytest.raises(CurationInputError) as error:
        validate_fact_id(fact_id)
    assert error.value.fields == ["fact_id"]
    with pytest.raises(CurationInputError) as error:
        build_fact(fact_id, good_form(), SOURCES)
    assert error.value.fields == ["fact_id"]


def test_good_fact_ids_pass() -> None:
    assert validate_fact_id(" atlantic-revelation-2 ") == "atlantic-revelation-2"


def test_unknown_source_ids_are_named_with_a_hint() -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(tags_sources="tags: a\nsources: the-atlantic, nowhere"), SOURCES)
    message = problems_of(error)["tags_sources"]
    assert "'nowhere' is not a known source id" in message
    assert "/facts source" in message


def test_a_fact_needs_a_source() -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(tags_sources="tags: a"), SOURCES)
    assert "at least one source" in problems_of(error)["tags_sources"]


def test_bad_tags_are_named_by_value() -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(tags_sources="tags: ok, Not_Slug\nsources: the-atlantic"), SOURCES)
    assert "tag 'Not_Slug'" in problems_of(error)["tags_sources"]


def test_too_many_sources_are_refused() -> None:
    many = tuple(Source(f"s{i}", "t", "p", None, "en") for i in range(LIMITS["sources_per_fact"] + 1))
    listing = ", ".join(s.id for s in many)
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(tags_sources=f"sources: {listing}"), many)
    assert error.value.fields == ["tags_sources"]


def test_unlabelled_tags_sources_text_is_refused() -> None:
    with pytest.raises(CurationInputError) as error:
        parse_tags_sources("wikileaks, trump\nsources: a")
    assert error.value.fields == ["tags_sources"]
    assert "tags:" in str(error.value)


def test_tags_sources_parsing_accepts_singular_keys_and_odd_spacing() -> None:
    assert parse_tags_sources("Tag:a b,,c\n\nSource : x ;sources: y") == (("a", "b", "c"), ("x", "y"))
    assert format_tags_sources(("a",), ("x", "y")) == "tags: a\nsources: x, y"


def test_every_problem_is_reported_at_once() -> None:
    form = FactForm("", "x" * 701, "two | bars | here", "yesterday", "sources: nowhere")
    with pytest.raises(CurationInputError) as error:
        build_fact("Bad Id", form, SOURCES)
    assert set(error.value.fields) == {
        "fact_id",
        "statement_en",
        "statement_fr",
        "attribution",
        "date",
        "tags_sources",
    }


def test_control_characters_are_refused() -> None:
    with pytest.raises(CurationInputError) as error:
        build_fact("x", good_form(statement_en="bad\x00text"), SOURCES)
    assert problems_of(error) == {"statement_en": "contains control characters"}


def test_field_labels_fit_a_discord_modal() -> None:
    assert len(FACT_FORM_LABELS) <= 5
    assert all(len(label) <= 45 for label in FACT_FORM_LABELS.values())


def test_check_fact_agrees_with_build_fact() -> None:
    fact = build_fact("x", good_form(), SOURCES)
    assert check_fact(fact, SOURCES) == []
    assert check_fact(replace(fact, source_ids=("gone",)), SOURCES)[0].field == "tags_sources"


# -- sources, variants, dates -----------------------------------------------------------------


def test_a_good_source() -> None:
    source = build_source("le-figaro", " Un  titre ", "Le Figaro", "fr", "2017-11", "http://lefigaro.fr/a")
    assert source == Source("le-figaro", "Un titre", "Le Figaro", "2017-11", "fr", "http://lefigaro.fr/a")
    assert build_source("s", "t", "p", "en", "", "").url is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "example.org", "https://a b", "data:,x"]
)
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(CurationInputError) as error:
        build_source("s", "t", "p", "en", None, url)
    assert error.value.fields == ["url"]


def test_over_long_url_is_refused() -> None:
    with pytest.raises(CurationInputError) as error:
        build_source("s", "t", "p", "en", None, "https://e.org/" + "a" * LIMITS["url"])
    assert error.value.fields == ["url"]


def test_source_problems_name_the_command_options() -> None:
    with pytest.raises(CurationInputError) as error:
        build_source("Bad Id", "", "p" * (LIMITS["publisher"] + 1), "de", "2017-99", None)
    assert set(error.value.fields) == {"source_id", "title", "publisher", "language", "source_date"}
    assert "date —" in str(error.value)


def test_variants_are_cleaned_and_bounded() -> None:
    assert clean_variant("  who   wrote\nto whom? ") == "who wrote to whom?"
    with pytest.raises(CurationInputError) as error:
        clean_variant(" \n ")
    assert error.value.fields == ["text"]
    with pytest.raises(CurationInputError) as error:
        clean_variant("q" * (LIMITS["question"] + 1))
    assert str(LIMITS["question"]) in str(error.value)


def test_since_defaults_to_thirty_days_and_reads_dates() -> None:
    now = datetime(2024, 5, 31, 12, tzinfo=UTC)
    assert parse_since(None, now) == now - timedelta(days=30)
    assert parse_since("2024-05-01", now) == datetime(2024, 5, 1, tzinfo=UTC)
    for bad in ("2024-5-1", "01/05/2024", "2024-02-30", "2025-01-01"):
        with pytest.raises(CurationInputError) as error:
            parse_since(bad, now)
        assert error.value.fields == ["since"]


# -- history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeRevision:
    revision: int
    fact: Fact
    kind: str
    actor_id: str
    actor_name: str
    reason: str
    created_at: datetime


def test_history_lines_say_who_when_what_and_why() -> None:
    first = build_fact("x", good_form(), SOURCES)
    second = replace(first, statement=Bilingual("New text", first.statement.fr), tags=("other",))
    third = replace(second, status="retired")
    moment = datetime(2024, 5, 1, 14, 3, tzinfo=UTC)
    revisions = [
        FakeRevision(3, third, "retired", "42", "bob", "duplicate of y", moment + timedelta(hours=2)),
        FakeRevision(2, second, "edited", "41", "alice_*", "", moment + timedelta(hours=1)),
        FakeRevision(1, first, "added", "41", "alice_*", "first", moment),
    ]
    lines = history_lines(revisions)
    assert lines == [
        "r3 · retired · bob (42) · 1 May 2024, 16:03 UTC · changed: status · “duplicate of y”",
        "r2 · edited · alice_* (41) · 1 May 2024, 15:03 UTC · changed: statement.en, tags",
        "r1 · added · alice_* (41) · 1 May 2024, 14:03 UTC · “first”",
    ]
    escaped = history_lines(revisions, escape=lambda text: text.replace("*", "\\*"))
    assert "alice\\_*" not in escaped[1] and "alice_\\*" in escaped[1]


def test_history_reasons_are_clipped_to_one_line() -> None:
    fact = build_fact("x", good_form(), SOURCES)
    long_reason = "because\n" + "very " * 100
    line = history_lines([FakeRevision(1, fact, "added", "1", "a", long_reason, datetime(2024, 1, 1))])[0]
    assert "\n" not in line and line.endswith("…”") and len(line) < 250


def test_changed_fields_counts_question_changes() -> None:
    fact = build_fact("x", good_form(), SOURCES)
    more = replace(fact, questions=fact.questions.with_added("fr", "qui ?").with_added("en", "who?"))
    assert changed_fields(fact, more) == ["questions (+2/-0)"]
    assert changed_fields(fact, fact) == []


# -- import plans -----------------------------------------------------------------------------


def test_plan_description_lists_each_kind_of_change() -> None:
    plan = ImportPlan(
        added=["a", "b"],
        changed=["c"],
        retired=["d"],
        unchanged=["e"],
        sources_added=["s"],
        story_changed=True,
    )
    description = describe_plan(plan)
    assert description.has_changes
    assert dict(description.sections) == {
        "Facts added (2)": "a, b",
        "Facts changed (1)": "c",
        "Facts retired (1)": "d",
        "Sources added (1)": "s",
        "Also": "the story's title, summary or version changes",
    }
    assert "2 fact(s) added" in description.summary
    assert "can be restored" in description.summary


def test_plan_description_truncates_long_lists() -> None:
    plan = ImportPlan(added=[f"f{i}" for i in range(30)])
    body = dict(describe_plan(plan, max_listed=5).sections)["Facts added (30)"]
    assert body == "f0, f1, f2, f3, f4 … and 25 more"


def test_an_empty_plan_says_nothing_changes() -> None:
    description = describe_plan(ImportPlan(unchanged=["a"]))
    assert not description.has_changes
    assert description.sections == ()
    assert "Nothing would change" in description.summary


def test_document_problems_read_as_one_line() -> None:
    assert describe_problem(Problem("fact 'x'", "date", "bad")) == "fact 'x', field 'date': bad"
    assert describe_problem(Problem("file", "", "is not UTF-8 text")) == "file: is not UTF-8 text"


# -- searching and choosing facts -------------------------------------------------------------


def _fact(fact_id: str, en: str = "text", status: str = "active") -> Fact:
    return Fact(fact_id, Bilingual(en, "texte"), Bilingual("a", "b"), ("the-atlantic",), status=status)  # type: ignore[arg-type]


def test_search_puts_exact_id_first_then_matcher_then_substrings() -> None:
    facts = [
        _fact("tax"),
        _fact("tax-returns", "WikiLeaks offered the tax returns"),
        _fact("old", "Tax talk", "retired"),
    ]
    matches = [Match("tax-returns", 0.8, None, None), Match("ghost", 0.5, None, None)]
    hits = search_facts("tax", facts, matches)
    assert [(h.fact.id, h.score, h.how) for h in hits] == [
        ("tax", None, "id"),
        ("tax-returns", 0.8, "matcher"),
        ("old", None, "text contains"),
    ]
    assert len(search_facts("t", facts, [], limit=2)) == 2


def test_link_candidates_rank_by_matcher_then_offer_every_other_active_fact() -> None:
    facts = [_fact("c"), _fact("a"), _fact("b"), _fact("retired", status="retired")]
    matches = [Match("b", 0.7, None, None), Match("retired", 0.9, None, None), Match("b", 0.1, None, None)]
    assert [(f.id, s) for f, s in link_candidates(facts, matches)] == [("b", 0.7), ("a", 0.0), ("c", 0.0)]
    assert len(link_candidates([_fact(f"f{i}") for i in range(40)], [], limit=25)) == 25
