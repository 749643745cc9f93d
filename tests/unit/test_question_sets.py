"""Question sets: strict reading, grading on what users read, first touch kept for good."""

import json
from pathlib import Path

import pytest

from knowledge import first_touch
from knowledge.evaluation import Outcome, Scorecard, is_correct, scorecard
from knowledge.question_sets import EvalQuestion, QuestionSetError, available_sets, load_questions, load_set

GOOD = {"question": "what did wikileaks propose?", "language": "en", "category": "casual"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "set.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[]", "non-empty JSON array"),
        ('{"question": "q"}', "non-empty JSON array"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('[{"question": "q", "language": "en", "category": "c", "question": "again"}]', "appears twice"),
        ('[{"question": 7, "language": "en", "category": "c"}]', "question 1, field 'question'"),
        ('[{"question": "q", "language": "de", "category": "c"}]', "field 'language'"),
        ('[{"question": "q", "language": "en", "category": "c", "extra": 1}]', "unknown field 'extra'"),
        ('[{"question": "q", "language": "en", "category": "c", "expected": [["x"]]}]', "field 'expected'"),
        (
            '[{"question": "q", "language": "en", "category": "c", "expected_keywords": [[]]}]',
            "keyword group",
        ),
        ("not json", "not JSON"),
    ],
)
def test_a_bad_question_file_gets_one_line_naming_the_place(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(QuestionSetError) as refused:
        load_questions(write(tmp_path, text))
    assert says in str(refused.value) and str(tmp_path) in str(refused.value)
    assert "\n" not in str(refused.value)


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    path.write_bytes(b'[{"question": "\xff"}]')
    with pytest.raises(QuestionSetError, match="not UTF-8"):
        load_questions(path)


def test_keywords_ignore_case_and_accents_and_need_every_group() -> None:
    question = EvalQuestion("q", "fr", "when", expected_keywords=(("novembre",), ("13", "treize")))
    assert question.keywords_found_in("Le lundi 13 Novembre 2017…")
    assert not question.keywords_found_in("En novembre.")


def test_grading_wants_the_question_language_and_ignores_the_sources_line() -> None:
    question = EvalQuestion("when?", "en", "when", expected_keywords=(("2017",),))
    assert is_correct(question, Outcome(True, "en", ("f",), "On 13 November 2017, …"))
    assert not is_correct(question, Outcome(True, "fr", ("f",), "Le 13 novembre 2017, …"))
    assert not is_correct(question, Outcome(True, "en", ("f",), "The Atlantic revealed it."))
    trap = EvalQuestion("when was Assange arrested?", "en", "near_topic")
    assert is_correct(trap, Outcome(False)) and not is_correct(trap, Outcome(True, "en", ("f",), "x"))


def test_near_topic_and_off_topic_are_reported_apart() -> None:
    questions = [
        EvalQuestion("a", "en", "near_topic"),
        EvalQuestion("b", "en", "off_topic"),
        EvalQuestion("c", "en", "casual", expected_ids=frozenset({"f"})),
    ]
    card = scorecard(
        "x", questions, [Outcome(True, "en", ("f",)), Outcome(False), Outcome(True, "fr", ("f",))]
    )
    assert card.near_topic_abstention == 0.0
    assert card.off_topic_abstention == 1.0
    assert card.in_scope_accuracy == 0.0 and card.wrong_language == 1


def test_first_touch_is_written_once(tmp_path: Path) -> None:
    records = tmp_path / "first_touch.json"
    card = Scorecard("this bot", 0.3, {"casual": (3, 4)}, 1)
    first_touch.record("blind-x", card, "abc1234", path=records)
    with pytest.raises(first_touch.AlreadyTouched):
        first_touch.record("blind-x", Scorecard("this bot", 0.3, {"casual": (4, 4)}), "def5678", path=records)
    kept = first_touch.load(records)["blind-x"]
    assert kept.commit == "abc1234" and kept.card.per_category == {"casual": (3, 4)}
    assert json.loads(records.read_text())["blind-x"]["wrong_language"] == 1


def test_every_shipped_set_reads_cleanly() -> None:
    for path in available_sets():
        assert load_set(path).questions
