"""Rendering answers and newsroom texts as Discord messages.

Discord rejects a whole message over any of its limits, so the hostile cases here (huge
facts, dozens of sources, a question full of mentions and markdown) must still produce
embeds inside every limit, with the user's words shown rather than obeyed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import discord
import pytest

from handlers.community import (
    Cooldown,
    SourcesButton,
    SuggestionButton,
    VoteButton,
    answer_view,
    without_mentions,
)
from handlers.rendering import (
    answer_embed,
    answer_sources_embed,
    brief_embeds,
    digest_embeds,
    fact_ids_from_footer,
    link,
    page_embeds,
    plain_text,
    safe_url,
    sources_embed,
)
from handlers.safety import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_FOOTER_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
)
from handlers.shared import locale_language
from knowledge.answers import Answer, FactMatch, compose_abstention, compose_answer
from knowledge.models import Bilingual, Fact, Quote, RevisionKind, Source, Story
from knowledge.newsroom import compose_digest, compose_summary, compose_timeline
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import Answerer
from knowledge.store import Change

HOSTILE = "@everyone @here <@123456789012345678> **bold** [click](https://evil.example) ```code``` __u__ ~~s~~ > quote"


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.title or "") <= EMBED_TITLE_LIMIT
    assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
    assert len(embed.fields) <= EMBED_FIELDS_LIMIT
    for field in embed.fields:
        assert 0 < len(field.name or "") <= EMBED_FIELD_NAME_LIMIT
        assert 0 < len(field.value or "") <= EMBED_FIELD_VALUE_LIMIT
    assert len(embed.footer.text or "") <= EMBED_FOOTER_LIMIT
    embed.to_dict()  # serialisable


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer(load_fact_base(SEED_PATH))


def huge_answer(count_sources: int = 40) -> Answer:
    sources = {
        f"s{i}": Source(
            f"s{i}",
            "T" * 300 + HOSTILE,
            "Publisher " * 20 + HOSTILE,
            "2017-11-14",
            "en",
            f"https://example.org/{'a' * 300}/{i}",
        )
        for i in range(count_sources)
    }
    facts = [
        Fact(
            id=f"fact-{i}",
            statement=Bilingual("Long statement " * 400, "Énoncé long " * 400),
            attribution=Bilingual("according to " + "x" * 200, "selon " + "x" * 200),
            source_ids=tuple(sources),
            quote=Quote("Speaker", "q" * 3000, "en"),
        )
        for i in range(3)
    ]
    answer = compose_answer(HOSTILE * 40, "en", [FactMatch(f, 0.9) for f in facts], sources)
    return replace(answer, question_id=987654321)


# ---------------------------------------------------------------------------------------------
# The answer embed
# ---------------------------------------------------------------------------------------------


def test_a_real_answer_has_its_fact_sources_and_footer(answerer: Answerer) -> None:
    answer = replace(answerer.answer("what did wikileaks propose?"), question_id=42)
    embed = answer_embed(answer)
    assert_within_limits(embed)
    assert embed.description == answer.paragraphs[0]
    names = [f.name for f in embed.fields]
    assert names.count("Related fact") == len(answer.paragraphs) - 1
    assert names[-1] == "Sources"
    assert "The Atlantic, 13 November 2017" in embed.fields[-1].value
    assert (
        "[Donald Trump Jr. (@DonaldJTrumpJr) on Twitter, 14 November 2017](https://pic.twitter.com/SiwTqWtykA)"
        in (embed.fields[-1].value)
    )
    assert "#42" in embed.footer.text
    assert fact_ids_from_footer(embed.footer.text) == [m.fact.id for m in answer.facts]


def test_french_answer_labels_and_footer_round_trip(answerer: Answerer) -> None:
    answer = replace(answerer.answer("qu'a proposé WikiLeaks ?"), question_id=7)
    assert answer.language == "fr"
    embed = answer_embed(answer)
    assert "Réponse n° 7" in embed.footer.text
    assert fact_ids_from_footer(embed.footer.text) == [m.fact.id for m in answer.facts]
    assert "13 novembre 2017" in embed.fields[-1].value


def test_footer_parsing_refuses_garbage() -> None:
    assert fact_ids_from_footer(None) == []
    assert fact_ids_from_footer("no separator") == []
    assert fact_ids_from_footer("x · facts: ok-id, Bad Id, ../x") == ["ok-id"]


def test_huge_answers_fit_every_limit() -> None:
    answer = huge_answer()
    embed = answer_embed(answer)
    assert_within_limits(embed)
    sources_field = next(f for f in embed.fields if f.name == "Sources")
    assert "more (see the Sources button)" in sources_field.value
    assert_within_limits(answer_sources_embed(answer))
    assert len(plain_text(answer)) <= 2000


def test_the_question_is_escaped_not_obeyed() -> None:
    answer = compose_abstention(HOSTILE, "en", ["What did WikiLeaks propose?"])
    embed = answer_embed(answer)
    title = embed.title or ""
    assert "@everyone" not in title and "@here" not in title
    assert "<@123456789012345678>" not in title
    assert "](https://" not in title and "```" not in title
    assert "\\*\\*bold\\*\\*" in title
    text = plain_text(answer)
    assert "@everyone" not in text and "](https://" not in text


def test_abstention_lists_the_suggestions() -> None:
    answer = compose_abstention("who is the pope?", "en", ["What did The Atlantic reveal?", "Who published?"])
    embed = answer_embed(answer)
    assert embed.description.startswith("I don't know that from this story.")
    assert "• What did The Atlantic reveal?" in embed.description
    assert not embed.fields
    assert fact_ids_from_footer(embed.footer.text) == []


def test_links_only_for_safe_urls() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://exa mple.org") is None
    assert safe_url("https://example.org/a_(b)") == "https://example.org/a_%28b%29"
    assert link("Title [x]", "https://example.org/a)b") == "[Title (x)](https://example.org/a%29b)"
    assert link("No link", None) == "No link"
    assert link("@everyone", None) != "@everyone"


def test_sources_embed_shows_every_detail() -> None:
    source = Source("s", "A title", "The Atlantic", "2017-11-13", "en", "https://www.theatlantic.com/x")
    embed = sources_embed([source, replace(source, id="t", url=None, language="fr")], "en")
    assert_within_limits(embed)
    assert embed.fields[0].name == "A title"
    assert "The Atlantic" in embed.fields[0].value and "13 November 2017" in embed.fields[0].value
    assert "[www.theatlantic.com](https://www.theatlantic.com/x)" in embed.fields[0].value
    assert "no link available" in embed.fields[1].value and "in French" in embed.fields[1].value
    empty = sources_embed([], "fr")
    assert empty.description == "Cette réponse ne cite aucune source."


def test_locale_to_language() -> None:
    assert locale_language(discord.Locale.french) == "fr"
    assert locale_language(discord.Locale.british_english) == "en"
    assert locale_language(discord.Locale.german) is None
    assert locale_language(None) is None


# ---------------------------------------------------------------------------------------------
# Newsroom embeds
# ---------------------------------------------------------------------------------------------


def test_summary_and_timeline_embeds_fit(answerer: Answerer) -> None:
    for language in ("en", "fr"):
        for compose in (compose_summary, compose_timeline):
            embeds = brief_embeds(compose(answerer.story, answerer.timeline(), answerer.sources_of, language))
            assert embeds
            for embed in embeds:
                assert_within_limits(embed)


def test_brief_entries_link_their_sources(answerer: Answerer) -> None:
    embeds = brief_embeds(compose_timeline(answerer.story, answerer.timeline(), answerer.sources_of, "en"))
    text = "\n".join(e.description or "" for e in embeds)
    assert (
        "[Donald Trump Jr. (@DonaldJTrumpJr) on Twitter, 14 November 2017](https://pic.twitter.com/SiwTqWtykA)"
        in text
    )
    assert "**October 2016**" in text


def test_huge_briefs_are_paged_and_capped() -> None:
    facts = [
        Fact(
            id=f"f{i}",
            statement=Bilingual("S" * 700 + HOSTILE, "S"),
            attribution=Bilingual("a", "a"),
            source_ids=(),
            date="2017-11-14",
        )
        for i in range(500)
    ]
    story = Story(Bilingual("T" * 500, "T"), Bilingual("Summary " * 1000, "S"))
    embeds = brief_embeds(compose_timeline(story, facts, lambda f: [], "en"))
    assert 1 < len(embeds) <= 10
    for embed in embeds:
        assert_within_limits(embed)
        assert "@everyone" not in (embed.description or "")
    assert "… and " in (embeds[-1].description or "")
    assert (embeds[-1].footer.text or "").startswith("Page 10/10")


def test_page_embeds_never_return_nothing() -> None:
    embeds = page_embeds("Title", [], "en")
    assert len(embeds) == 1 and embeds[0].description


def test_empty_digest_posts_nothing_and_a_real_one_fits() -> None:
    assert digest_embeds(compose_digest([], "en")) == []
    fact = Fact(
        id="x",
        statement=Bilingual("A" * 700, "B" * 700),
        attribution=Bilingual("a", "a"),
        source_ids=(),
        date="2017-11-14",
    )
    changes = [
        Change(
            change_id=i,
            fact_id=f"x{i}",
            revision=1,
            fact=replace(fact, id=f"x{i}"),
            kind=RevisionKind.ADDED,
            actor_id="1",
            actor_name="m",
            reason="",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i in range(1, 200)
    ]
    embeds = digest_embeds(compose_digest(changes, "fr"))
    assert embeds and len(embeds) <= 10
    assert embeds[0].title == "Ce qui a changé dans la base de faits"
    assert "**Nouveaux faits**" in (embeds[0].description or "")
    for embed in embeds:
        assert_within_limits(embed)


# ---------------------------------------------------------------------------------------------
# Buttons under an answer (custom_id formats are a contract with the e2e tests)
# ---------------------------------------------------------------------------------------------


async def test_answered_view_has_sources_and_votes(answerer: Answerer) -> None:
    answer = replace(answerer.answer("what did wikileaks propose?"), question_id=42)
    view = answer_view(answer)
    assert view is not None and view.timeout is None
    ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
    assert ids == ["ask:sources:42", "ask:vote:up:42", "ask:vote:down:42"]


async def test_abstention_view_offers_up_to_three_clipped_suggestions() -> None:
    answer = replace(compose_abstention("q", "en", ["S" * 200, "Two", "Three", "Four"]), question_id=5)
    view = answer_view(answer)
    assert view is not None
    assert [i.custom_id for i in view.children] == ["ask:suggest:5:0", "ask:suggest:5:1", "ask:suggest:5:2"]  # type: ignore[attr-defined]
    assert all(len(i.item.label) <= 80 for i in view.children)  # type: ignore[attr-defined]


async def test_no_view_without_a_question_id() -> None:
    assert answer_view(compose_abstention("", "en", [], error="Please type a question")) is None


@pytest.mark.parametrize(
    ("item", "custom_id", "groups"),
    [
        (SourcesButton, "ask:sources:42", {"qid": "42"}),
        (VoteButton, "ask:vote:down:9007199254740993", {"direction": "down", "qid": "9007199254740993"}),
        (SuggestionButton, "ask:suggest:3:2", {"qid": "3", "index": "2"}),
    ],
)
def test_custom_id_templates(item: type, custom_id: str, groups: dict[str, str]) -> None:
    pattern: re.Pattern[str] = item.__discord_ui_compiled_template__  # type: ignore[attr-defined]
    match = pattern.fullmatch(custom_id)
    assert match is not None and match.groupdict() == groups
    assert pattern.fullmatch(custom_id + "x") is None
    assert len(custom_id) <= 100


def test_mentions_are_not_part_of_the_question() -> None:
    assert (
        without_mentions("<@123> what did WikiLeaks propose? @everyone <@&9> <#7>")
        == "what did WikiLeaks propose?"
    )
    assert without_mentions("<@!123>") == ""


def test_cooldown_counts_from_the_last_allowed_use() -> None:
    now = [100.0]
    cooldown = Cooldown(5, clock=lambda: now[0])
    assert cooldown.hit(1) == 0
    assert cooldown.hit(2) == 0
    now[0] = 103.0
    assert cooldown.hit(1) == pytest.approx(2.0)
    assert cooldown.retry_after(1) == pytest.approx(2.0)
    now[0] = 105.0
    assert cooldown.hit(1) == 0
    assert Cooldown(0).hit(1) == 0 and Cooldown(0).hit(1) == 0
