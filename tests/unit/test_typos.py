"""Typo repair: the nearest known word, found in small buckets, kept in step with edits."""

from knowledge.typos import TypoIndex


def index(*words: str) -> TypoIndex:
    typos = TypoIndex()
    typos.add(words)
    return typos


def test_one_slip_is_mended() -> None:
    typos = index("wikileaks", "returns", "contest", "election")
    assert typos.closest("wikileeks") == "wikileaks"  # substitution
    assert typos.closest("retruns") == "returns"  # swapped letters
    assert typos.closest("contesst") == "contest"  # doubled letter
    assert typos.closest("electon") == "election"  # missing letter


def test_a_wrong_first_letter_is_still_found_by_the_last_one() -> None:
    assert index("wikileaks").closest("qikileaks") == "wikileaks"


def test_distant_or_short_words_are_not_mended() -> None:
    typos = index("returns", "tax")
    assert typos.closest("weather") is None
    assert typos.closest("tux") is None  # too short to guess safely


def test_words_leave_only_when_no_fact_uses_them_any_more() -> None:
    typos = index("returns", "returns")
    typos.discard(["returns"])
    assert typos.closest("retruns") == "returns"
    typos.discard(["returns"])
    assert typos.closest("retruns") is None
    assert len(typos) == 0
