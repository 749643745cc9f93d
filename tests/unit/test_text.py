"""Normalisation and language detection on the kinds of input people really type."""

import pytest

from knowledge.text import clean, content_tokens, detect_language, normalize, stem, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Qu'a proposé l'ONG ?", ["a", "propose", "ong"]),
        ("Qu’a proposé l’ONG ?", ["a", "propose", "ong"]),
        ("What's WikiLeaks's offer?", ["what", "wikileaks", "offer"]),
        ("Trump's taxes didn't leak", ["trump", "taxes", "did", "not", "leak"]),
        ("CONTESTE le résultat", ["conteste", "le", "resultat"]),
        ("wiki\u200bleaks", ["wikileaks"]),
    ],
)
def test_tokens_fold_case_accents_elisions_and_contractions(raw: str, expected: list[str]) -> None:
    assert tokens(raw) == expected


def test_clean_removes_control_and_invisible_characters() -> None:
    assert clean("  what\x00 did\u202e\n\n wikileaks\u200b say ") == "what did wikileaks say"


def test_content_tokens_drop_stopwords_of_both_languages() -> None:
    assert content_tokens("what did WikiLeaks propose?") == ["wikileaks", "propose"]
    assert content_tokens("qu'a proposé WikiLeaks ?") == ["propose", "wikileaks"]


def test_normalize_groups_identical_questions() -> None:
    assert normalize("Wow??") == normalize("  wow ") == "wow"


@pytest.mark.parametrize(
    ("a", "b"),
    [("impartiality", "impartialité"), ("contest", "contester"), ("taxes", "tax"), ("sources", "source")],
)
def test_stem_joins_word_families_across_languages(a: str, b: str) -> None:
    assert stem(tokens(a)[0]) == stem(tokens(b)[0])


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what did WikiLeaks propose?", "en"),
        ("qu'a proposé WikiLeaks ?", "fr"),
        ("Quand The Atlantic a-t-il révélé les messages ?", "fr"),
        ("when did the atlantic reveal the messages", "en"),
        ("pourquoi wikileaks voulait publier les impots", "fr"),
        ("did trump jr answer wikileaks", "en"),
    ],
)
def test_detect_language_on_short_questions(question: str, language: str) -> None:
    assert detect_language(question)[0] == language


def test_detect_language_falls_back_to_default_when_unclear() -> None:
    assert detect_language("WikiLeaks Trump", default="fr") == ("fr", False)
