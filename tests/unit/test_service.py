"""The knowledge service on the embedded seed, on each store backend (a SQLite file, a PostgreSQL database)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.answering import Answerer
from knowledge.models import Actor, RevisionKind
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.service import KnowledgeService

MODERATOR = Actor("42", "mod")


@pytest.fixture
async def service(store_target: Path | str):
    service = await KnowledgeService.open(store_target)
    yield service
    await service.close()


async def test_a_question_with_several_answers_gets_them(service: KnowledgeService) -> None:
    answer = await service.ask("what did WikiLeaks propose?")
    ids = [m.fact.id for m in answer.facts]
    assert answer.answered and len(ids) >= 2
    assert {"tax-returns-leak-offer", "contest-result-advice"} <= set(ids)
    assert answer.question_id is not None


async def test_companion_facts_must_be_about_whoever_the_question_names(service: KnowledgeService) -> None:
    """Trump Jr.'s suggestion to WikiLeaks is not something WikiLeaks proposed."""
    for question in ("what did WikiLeaks propose?", "qu'a proposé WikiLeaks ?"):
        ids = [m.fact.id for m in (await service.ask(question)).facts]
        assert "website-publishers-suggestion" not in ids, question


async def test_off_topic_questions_get_a_plain_i_dont_know(service: KnowledgeService) -> None:
    for question in (
        "when was Julian Assange arrested?",
        "what was in Hillary Clinton's emails?",
        "who founded Twitter?",
    ):
        answer = await service.ask(question)
        assert not answer.answered, question
        assert answer.headline == "I don't know that from this story."
        assert answer.facts == () and answer.sources == ()


async def test_unanswered_questions_reach_the_moderators_and_teaching_fixes_them(
    service: KnowledgeService,
) -> None:
    for _ in range(2):
        await service.ask("did the zeppelin appear in the messages?")
    gaps = await service.unanswered()
    assert gaps[0].count == 2
    await service.link_question(gaps[0].normalized, "one-sided-conversation", "en", gaps[0].text, MODERATOR)
    answer = await service.ask("did the zeppelin appear in the messages?")
    assert answer.answered and answer.facts[0].fact.id == "one-sided-conversation"
    assert not [g for g in await service.unanswered() if g.normalized == gaps[0].normalized]


async def test_an_edit_reaches_answers_at_once_and_keeps_the_old_revision(service: KnowledgeService) -> None:
    fact = service.fact("wow-after-victory")
    assert fact is not None
    revision = await service.revision_of(fact.id)
    edited = replace(fact, questions=fact.questions.with_added("en", "what about the xylophone?"))
    await service.update_fact(edited, MODERATOR, "teach", expected_revision=revision)
    assert (await service.ask("what about the xylophone?")).facts[0].fact.id == "wow-after-victory"
    history = await service.history(fact.id)
    assert history[0].actor_id == "42" and history[1].fact == fact
    assert history[0].kind is RevisionKind.EDITED and history[-1].kind is RevisionKind.ADDED


async def test_retired_facts_are_no_longer_answered(service: KnowledgeService) -> None:
    await service.set_status("wow-after-victory", "retired", MODERATOR, "test")
    answer = await service.ask("what did WikiLeaks say when Trump won? wow")
    assert all(m.fact.id != "wow-after-victory" for m in answer.facts)


async def test_synonyms_survive_the_store(service: KnowledgeService) -> None:
    seed = load_fact_base(SEED_PATH)
    assert (await service.export()).synonyms == seed.synonyms


def test_a_vague_question_gets_the_summary_citing_every_source() -> None:
    seed = load_fact_base(SEED_PATH)
    answer = Answerer(seed).answer("en gros il se passe quoi ?")
    assert answer.answered and answer.language == "fr"
    assert answer.paragraphs == (seed.story.summary.fr,)
    assert {s.id for s in answer.sources} == {s.id for s in seed.sources}
    assert answer.to_json()["facts"] == []


def test_a_two_part_question_answers_both_parts_and_says_which_it_cannot() -> None:
    answerer = Answerer(load_fact_base(SEED_PATH))
    both = answerer.answer("What did WikiLeaks say after Trump won, and what did it warn about?")
    assert {m.fact.id for m in both.facts} >= {"wow-after-victory", "obama-documents-warning"}
    half = answerer.answer("What did WikiLeaks say after Trump won, and when was Assange arrested?")
    assert half.answered and "other part of your question" in half.text
    assert "Assange arrested" not in half.text  # the user's words are never echoed into curated text


def test_a_when_question_gets_the_date_of_the_fact_it_belongs_with() -> None:
    answer = Answerer(load_fact_base(SEED_PATH)).answer("When did WikiLeaks offer the tax returns?")
    assert "In October" in answer.text.split("Sources")[0]
    tweet = Answerer(load_fact_base(SEED_PATH)).answer("what day did trump jr tweet the messages?")
    assert "14 November 2017" in tweet.text.split("Sources")[0]


def test_a_when_question_never_borrows_the_date_of_another_fact() -> None:
    """The "Wow" is undated in the story: a date from the fact scored beside it would be false."""
    answerer = Answerer(load_fact_base(SEED_PATH))
    wow = answerer.answer("when exactly did wikileaks say wow?")
    assert "2017" not in wow.text.split("Sources")[0]
    assert not answerer.answer("What time of day did Trump Jr. post the screenshots?").answered


def test_a_question_turning_on_a_word_the_story_never_uses_is_not_answered() -> None:
    answerer = Answerer(load_fact_base(SEED_PATH))
    assert not answerer.answer("Did Trump Jr. apologise to WikiLeaks in the messages?").answered
    assert not answerer.answer("Quel est le salaire des journalistes de The Atlantic ?").answered
    assert answerer.answer("What did WikiLeaks advise Trump Jr. to do if his father lost?").answered


def test_a_french_yes_no_question_turning_on_an_unknown_verb_is_not_answered() -> None:
    answerer = Answerer(load_fact_base(SEED_PATH))
    assert not answerer.answer("Trump Jr. a-t-il témoigné devant une commission du Congrès ?").answered
    assert answerer.answer("jr a répondu combien de fois à wikileaks").answered  # "fois" counts anything


@pytest.mark.parametrize(
    "question",
    ["Did the Washington Post break this story?", "WikiLeaks aurait-elle aidé Clinton pendant la campagne ?"],
)
def test_a_fact_never_confirms_a_party_it_does_not_name(question: str) -> None:
    """ "Yes." under a fact about someone else would be a confidently wrong answer."""
    answer = Answerer(load_fact_base(SEED_PATH)).answer(question)
    assert not answer.paragraphs or answer.paragraphs[0].split()[0] not in ("Yes.", "Oui.")


def test_an_owner_named_in_passing_does_not_withhold_the_verdict() -> None:
    answer = Answerer(load_fact_base(SEED_PATH)).answer(
        "Did Assange's organisation offer to leak the tax returns?"
    )
    assert answer.paragraphs[0].startswith("Yes.")
