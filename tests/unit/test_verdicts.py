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
    ],
)
def test_the_fact_decides(question: str, fact_id: str, language: str, expected: str) -> None:
    assert verdict(question, FACTS[fact_id], language) == expected


def test_a_fact_that_says_both_sides_does_not_contradict() -> None:
    fact = FACTS["contest-result-advice"]  # "…if he lost, at a time when a Clinton victory seemed inevitable"
    assert verdict("Clinton semblait-elle partie pour gagner ?", fact, "fr") == "Oui."
