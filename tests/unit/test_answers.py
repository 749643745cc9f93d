"""The Answer's text: sources named, quotes attributed, translations marked."""

from knowledge.answers import (
    FactMatch,
    citation_line,
    compose_abstention,
    compose_answer,
    format_date,
    quote_line,
)
from knowledge.models import Bilingual, Fact, Quote, Source

ATLANTIC = Source("atlantic", "Report", "The Atlantic", "2017-11-13", "en")
TWEET = Source(
    "tweet", "Tweet", "Donald Trump Jr. on Twitter", "2017-11-14", "en", "https://pic.twitter.com/SiwTqWtykA"
)
QUOTE = Quote("WikiLeaks", "Juste un avertissement", "fr", "Just a warning")
FACT = Fact(
    id="warning",
    statement=Bilingual("WikiLeaks warned Trump Jr.", "WikiLeaks a prévenu Trump Jr."),
    attribution=Bilingual("according to The Atlantic", "selon The Atlantic"),
    source_ids=("atlantic", "tweet"),
    quote=QUOTE,
)
SOURCES = {"atlantic": ATLANTIC, "tweet": TWEET}


def test_dates_render_in_each_language_and_keep_their_precision() -> None:
    assert format_date("2017-11-13", "en") == "13 November 2017"
    assert format_date("2017-11-13", "fr") == "13 novembre 2017"
    assert format_date("2016-10", "en") == "October 2016"
    assert format_date("2016", "fr") == "2016"
    assert format_date(None, "en") == ""


def test_citation_line_names_publisher_and_date() -> None:
    assert citation_line([ATLANTIC], "en") == "Source: The Atlantic, 13 November 2017"
    assert citation_line([ATLANTIC, TWEET], "fr") == (
        "Sources : The Atlantic, 13 novembre 2017 ; Donald Trump Jr. on Twitter, 14 novembre 2017"
    )


def test_english_rendering_of_a_french_quote_is_marked_as_a_translation() -> None:
    assert quote_line(QUOTE, "en") == "WikiLeaks wrote (our translation from the French): “Just a warning”"
    assert quote_line(QUOTE, "fr") == "WikiLeaks a écrit : « Juste un avertissement »"


def test_english_quote_in_a_french_answer_says_it_is_english() -> None:
    tweet = Quote("Donald Trump Jr.", "How ironic!", "en")
    assert quote_line(tweet, "fr") == "Donald Trump Jr. a écrit (en anglais) : « How ironic! »"


def test_answer_text_attributes_and_cites() -> None:
    answer = compose_answer("q?", "en", [FactMatch(FACT, 0.9)], SOURCES)
    assert answer.answered
    assert answer.text.startswith("WikiLeaks warned Trump Jr. (according to The Atlantic).")
    assert "(our translation from the French)" in answer.text
    assert answer.text.endswith(
        "Sources: The Atlantic, 13 November 2017; Donald Trump Jr. on Twitter, 14 November 2017"
    )
    assert [s.id for s in answer.sources] == ["atlantic", "tweet"]


def test_json_contract_fields() -> None:
    document = compose_answer("q?", "fr", [FactMatch(FACT, 0.9)], SOURCES).to_json()
    assert set(document) == {"question", "answered", "language", "answer", "facts", "sources", "suggestions"}
    assert document["facts"] == [{"id": "warning", "text": "WikiLeaks a prévenu Trump Jr.", "score": 0.9}]
    assert document["sources"][1] == {
        "id": "tweet",
        "title": "Tweet",
        "publisher": "Donald Trump Jr. on Twitter",
        "date": "2017-11-14",
        "url": "https://pic.twitter.com/SiwTqWtykA",
    }


def test_abstention_says_so_and_lists_at_most_three_suggestions() -> None:
    answer = compose_abstention("weather?", "en", ["a?", "b?", "c?", "d?"])
    assert not answer.answered
    assert answer.text.startswith("I don't know that from this story.")
    assert answer.suggestions == ("a?", "b?", "c?")
    assert answer.to_json()["facts"] == [] and answer.to_json()["sources"] == []
