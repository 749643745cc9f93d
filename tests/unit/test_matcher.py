"""The matcher against the classic traps of fuzzy matching, on small hand-made fact bases."""

from dataclasses import replace

from knowledge.matcher import FactIndex
from knowledge.models import Bilingual, Fact, QuestionVariants
from knowledge.schema import SEED_PATH, load_fact_base

SEED = load_fact_base(SEED_PATH)


def make_fact(fact_id: str, statement: str, en: tuple[str, ...], fr: tuple[str, ...] = (), tags=()) -> Fact:
    return Fact(
        id=fact_id,
        statement=Bilingual(statement, statement),
        attribution=Bilingual("according to a test", "selon un test"),
        source_ids=("s",),
        questions=QuestionVariants(en, fr),
        tags=tuple(tags),
    )


SHORT = make_fact("short", "WikiLeaks spoke.", ("what did wikileaks say?",))
TAX = make_fact(
    "tax",
    "WikiLeaks proposed to leak Donald Trump's tax returns.",
    ("did wikileaks offer to leak the tax returns?", "what was proposed about the taxes?"),
    ("wikileaks a proposé de publier les déclarations fiscales ?",),
    tags=("tax-returns",),
)
CONTEST = make_fact(
    "contest",
    "WikiLeaks advised Trump to contest the election result if he lost.",
    ("did wikileaks advise contesting the result?",),
    ("wikileaks a conseillé de contester le résultat ?",),
)
FILLER = [
    make_fact(f"filler-{i}", f"WikiLeaks and Trump, item {word}.", (f"what about {word}?",))
    for i, word in enumerate(["campaign", "screenshots", "twitter", "committee", "magazine", "reaction"])
]


def index(*facts: Fact) -> FactIndex:
    return FactIndex([SHORT, TAX, CONTEST, *FILLER, *facts])


def test_a_short_fact_with_every_common_word_does_not_win() -> None:
    top = index().search("what did WikiLeaks propose?")[0]
    assert top.fact_id == "tax"


def test_intent_words_outweigh_shared_names() -> None:
    scores = {m.fact_id: m.score for m in index().search("did WikiLeaks want Trump to contest the result?")}
    assert max(scores, key=scores.get) == "contest"
    assert scores["contest"] > 2 * scores.get("short", 0)


def test_an_off_topic_question_scores_low_even_when_it_shares_a_name() -> None:
    matches = index().search("when was WikiLeaks founder arrested in London?")
    assert all(m.score < 0.5 for m in matches)
    assert index().search("what's the weather like today?") == []


def test_typos_are_mended_per_word() -> None:
    assert index().search("did wikileeks ofer to leek the tax retruns")[0].fact_id == "tax"


def test_french_question_finds_the_french_variant() -> None:
    top = index().search("Qu'a conseillé WikiLeaks à propos du résultat ?")[0]
    assert top.fact_id == "contest"
    assert top.best_variant_language == "fr"


def test_scores_are_fractions_and_ranked() -> None:
    matches = index().search("tax returns")
    assert matches[0].fact_id == "tax"
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_synonyms_join_words_people_use_interchangeably() -> None:
    plain = FactIndex([TAX, CONTEST, *FILLER])
    taught = FactIndex([TAX, CONTEST, *FILLER], synonyms=[("taxes", "impots")])
    question = "wikileaks et les impots de trump ?"
    assert taught.search(question)[0].score > (plain.search(question) or [None])[0].score


def test_index_updates_incrementally() -> None:
    idx = index()
    assert not idx.search("what about the zeppelin?")
    zeppelin = make_fact("zeppelin", "A zeppelin was mentioned.", ("what about the zeppelin?",))
    idx.upsert(zeppelin)
    assert idx.search("what about the zeppelin?")[0].fact_id == "zeppelin"
    idx.upsert(replace(zeppelin, status="retired"))
    assert "zeppelin" not in idx
    assert all(m.fact_id != "zeppelin" for m in idx.search("what about the zeppelin?"))


def test_editing_a_fact_replaces_its_old_words() -> None:
    idx = index()
    idx.upsert(
        replace(
            TAX,
            questions=QuestionVariants(("what about the blimp?",)),
            tags=(),
            statement=Bilingual("A blimp.", "Un dirigeable."),
        )
    )
    assert all(m.fact_id != "tax" for m in idx.search("tax returns"))
    assert idx.search("what about the blimp?")[0].fact_id == "tax"


def test_a_real_word_the_story_does_not_use_is_not_mended_into_one_it_does() -> None:
    index = FactIndex(SEED.facts, SEED.synonyms)
    unknown = [t for t in index.query_terms("Quelle est la recette de la ratatouille ?") if not t.known]
    assert {t.stem for t in unknown} >= {"?recett", "?ratato"}
    assert [t.known for t in index.query_terms("wikileeks")] == [True]  # a typo is still mended


def test_the_opposite_of_a_fact_word_finds_that_fact() -> None:
    index = FactIndex(SEED.facts, SEED.synonyms)
    assert index.search("Is Don Jr. the youngest son of Trump?", limit=1)[0].fact_id == "trump-jr-eldest-son"


def _judged_top(facts: list[Fact], question: str):
    from knowledge.question_shape import shape_of

    found = FactIndex(facts)
    return found.judged(found.search(question), question, shape_of(question))


def test_a_fact_that_names_nobody_does_not_answer_a_question_about_someone() -> None:
    nameless = replace(
        make_fact(
            "nameless", "Founders of cooperatives meet every spring.", ("who founded the cooperatives?",)
        ),
        source_ids=("archive",),
    )
    judged = {m.fact_id: m for m in _judged_top([*SEED.facts, nameless], "Who founded WikiLeaks?")}
    assert judged["nameless"].factor <= 0.5


def test_the_story_keeps_its_own_terms_inside_a_larger_archive() -> None:
    """Unrelated facts from another source must not turn "WikiLeaks" into a detail."""
    archive = [
        replace(
            make_fact(f"archive-{i}", f"Gardening note number {i}.", (f"what about note {i}?",)),
            source_ids=("garden",),
        )
        for i in range(200)
    ]
    grown = FactIndex([*SEED.facts, *archive])
    assert {grown.vocabulary.term("wikileaks"), grown.vocabulary.term("messages")} <= grown.story_terms
