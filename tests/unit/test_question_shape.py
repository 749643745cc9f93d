"""What a question asks for, and two questions in one message."""

import pytest

from knowledge.question_shape import Asks, shape_of, split_parts, summary_request


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When did The Atlantic publish its story?", Asks.TIME),
        ("what day did don jr tweet the screenshots", Asks.TIME),
        ("c'était quand ?", Asks.TIME),
        ("À quelle date WikiLeaks a-t-elle réagi ?", Asks.TIME),
        ("En quelle année ?", Asks.TIME),
        ("how many times did he reply", Asks.COUNT),
        ("combien de réponses ?", Asks.COUNT),
        ("who published the messages?", Asks.PERSON),
        ("c ki julian assange", Asks.PERSON),
        ("Qui a révélé l'affaire ?", Asks.PERSON),
        ("why did wikileaks want the tax returns", Asks.REASON),
        ("pourquoi ?", Asks.REASON),
        ("Did WikiLeaks offer to leak the tax returns?", Asks.CONFIRMATION),
        ("didn't the campaign deny any contact?", Asks.CONFIRMATION),
        ("WikiLeaks a-t-elle réagi sur Twitter ?", Asks.CONFIRMATION),
        ("est-ce que trump jr a publié les messages ?", Asks.CONFIRMATION),
        ("wikileaks voulait balancer les impôts de trump ?", Asks.CONFIRMATION),
        ("what did wikileaks propose?", Asks.STATEMENT),
        ("tax returns?", Asks.STATEMENT),
        # A "when" inside a question joins a clause; one at either end asks for a date.
        ("how did wikileaks react when trump got elected", Asks.STATEMENT),
        ("Qu'a écrit WikiLeaks quand Clinton semblait gagner ?", Asks.STATEMENT),
        ("il a tweeté ça quand ?", Asks.TIME),
        ("so when did all this come out", Asks.TIME),
        ("Est-il vrai que Trump Jr. a répondu à WikiLeaks ?", Asks.CONFIRMATION),
    ],
)
def test_the_question_word_decides_what_is_asked(question: str, asks: Asks) -> None:
    assert shape_of(question).asks is asks


def test_a_time_of_day_is_not_a_date() -> None:
    assert shape_of("At what time did WikiLeaks write?").clock
    assert shape_of("à quelle heure le tweet est parti ?").clock
    assert not shape_of("On what day did Trump Jr. tweet?").clock


def test_a_negative_opening_is_noticed() -> None:
    assert shape_of("Didn't Trump Jr. publish them himself?").negative_opening
    assert not shape_of("Did Trump Jr. publish them himself?").negative_opening


@pytest.mark.parametrize(
    "question",
    [
        "tl;dr?",
        "give me the gist",
        "en gros il se passe quoi ?",
        "why is this a big deal",
        "c'est quoi l'histoire",
    ],
)
def test_requests_for_the_story_in_brief_are_recognised(question: str) -> None:
    assert summary_request(question) is not None


def test_a_detail_question_is_not_a_summary_request() -> None:
    assert summary_request("what did wikileaks propose?") is None


def test_two_questions_in_one_message_are_split() -> None:
    parts = split_parts("How many times did Trump Jr. reply, and where did he share the messages?")
    assert parts == ["How many times did Trump Jr. reply ?", "where did he share the messages ?"]


def test_a_bare_follow_up_borrows_the_first_part() -> None:
    _, second = split_parts("What did WikiLeaks want to leak, and why?")
    assert second.startswith("why") and "leak" in second


def test_and_inside_one_question_does_not_split_it() -> None:
    question = "What did WikiLeaks and Trump Jr. exchange?"
    assert split_parts(question) == [question]
