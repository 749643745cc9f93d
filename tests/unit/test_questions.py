"""What the bot refuses to try to answer, and how it says so."""

import pytest

from knowledge.questions import MAX_QUESTION_CHARS, QuestionRejected, validate_question


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\u200b\u200b", "\x00\x01"])
def test_empty_questions_are_rejected_in_both_languages(raw: str) -> None:
    with pytest.raises(QuestionRejected) as caught:
        validate_question(raw)
    assert "question" in caught.value.en.lower()
    assert "question" in caught.value.fr.lower()


def test_huge_question_is_rejected_with_its_length() -> None:
    with pytest.raises(QuestionRejected) as caught:
        validate_question("a" * 100_000)
    assert "100,000" in caught.value.en


def test_punctuation_only_is_rejected() -> None:
    with pytest.raises(QuestionRejected):
        validate_question("?!?!...")


def test_a_normal_question_is_cleaned_not_changed() -> None:
    assert validate_question("  what did   WikiLeaks propose?\u200b ") == "what did WikiLeaks propose?"
    assert len(validate_question("x" * MAX_QUESTION_CHARS)) == MAX_QUESTION_CHARS
