"""Yes or no, decided by the fact that answers a confirmation question."""

import pytest

from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.verdicts import verdict

FACTS = {fact.id: fact for fact in load_fact_base(SEED_PATH).facts}


@pytest.mark.parametrize(
    ("question", "fact_id", "language", "expected"),
    [
        ("Did WikiLeaks offer to leak the tax returns?", "tax-returns-leak-offer", "en", "Yes."),
        ("Did Trump Jr. answer every single message?", "three-responses-downplay", "en", "No."),
        ("WikiLeaks a-t-elle donné plus de détails ?", "wikileaks-reaction-lack-of-context", "fr", "Non."),
        ("Is Don Jr. the youngest son?", "trump-jr-eldest-son", "en", "No."),
        ("Is Don Jr. the eldest son?", "trump-jr-eldest-son", "en", "Yes."),
        ("wikileaks lui a conseillé de pas reconnaître la défaite ?", "contest-result-advice", "fr", "Oui."),
        ("Did WikiLeaks advise him to concede if he lost?", "contest-result-advice", "en", "No."),
        ("Didn't the campaign claim it never had contact?", "campaign-denied-contact", "en", "Yes."),
        # The question affirms what the fact denies, or denies what it affirms.
        ("Le camp Trump a-t-il admis des contacts avec WikiLeaks ?", "campaign-denied-contact", "fr", "Non."),
        ("Did the campaign deny any contact with WikiLeaks?", "campaign-denied-contact", "en", "Yes."),
        ("So WikiLeaks never reacted to the publication?", "wikileaks-reaction-lack-of-context", "en", "No."),
        # Counts and comparatives.
        ("Did Trump Jr. reply more than three times?", "three-responses-downplay", "en", "No."),
        ("Did Trump Jr. reply four times?", "three-responses-downplay", "en", "No."),
        ("Trump Jr. a-t-il répondu trois fois ?", "three-responses-downplay", "fr", "Oui."),
        ("WikiLeaks a-t-elle envoyé un long message après la victoire ?", "wow-after-victory", "fr", "Non."),
        ("Did WikiLeaks urge him to refuse to concede?", "contest-result-advice", "en", "Yes."),
    ],
)
def test_the_fact_decides(question: str, fact_id: str, language: str, expected: str) -> None:
    assert verdict(question, FACTS[fact_id], language) == expected


def test_a_fact_that_says_both_sides_does_not_contradict() -> None:
    fact = FACTS["contest-result-advice"]  # "…if he lost, at a time when a Clinton victory seemed inevitable"
    assert verdict("Clinton semblait-elle partie pour gagner ?", fact, "fr") == "Oui."


def test_a_note_on_what_the_story_leaves_out_denies_nothing() -> None:
    fact = FACTS["upcoming-leak-request"]  # "…The source article does not say which leak."
    assert verdict("Trump Jr. voulait-il des infos sur une fuite à venir ?", fact, "fr") == "Oui."


def test_a_question_word_of_the_question_is_no_claim() -> None:
    fact = FACTS["wikileaks-reaction-lack-of-context"]  # "…sans donner plus de détails"
    assert verdict("WikiLeaks parle-t-elle de conversations présumées ?", fact, "fr") == "Oui."
