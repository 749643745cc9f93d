"""The fact base must not copy the evaluation: a variant that is an eval question makes the
figure on that question a memory test, not a measure of understanding."""

from rapidfuzz import fuzz, process

from knowledge.question_sets import available_sets, load_set
from knowledge.schema import SEED_PATH, load_fact_base
from knowledge.text import normalize

NEAR_COPY = 90


def eval_questions() -> list[str]:
    return [normalize(q.question) for path in available_sets() for q in load_set(path).questions]


def test_no_question_variant_is_a_near_copy_of_an_eval_question() -> None:
    asked = eval_questions()
    copies = []
    for fact in load_fact_base(SEED_PATH).facts:
        for _, variant in fact.questions.all():
            found = process.extractOne(normalize(variant), asked, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
            if found:
                copies.append((fact.id, variant, found[0], round(found[1])))
    assert copies == []


def test_no_synonym_group_is_a_near_copy_of_an_eval_question() -> None:
    asked = eval_questions()
    copies = []
    for group in load_fact_base(SEED_PATH).synonyms:
        text = normalize(" ".join(group))
        found = process.extractOne(text, asked, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
        if found:
            copies.append((group, found[0]))
    assert copies == []
