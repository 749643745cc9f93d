"""Who acts and who receives: the difference between two facts that share every word."""

from knowledge.roles import find_roles, same_party
from knowledge.text import stem

NAMES = {"wikile", "donald", "trump", "atlant", "julian", "assang", "hillar", "clinto", "obama"}


def roles(text: str):
    def term(word: str) -> str:
        return "son" if word in ("jr", "junior", "fils") else stem(word)

    return find_roles(text, term, lambda t: t in NAMES)


def test_the_actor_is_the_name_no_preposition_introduces() -> None:
    asked = roles("What did WikiLeaks propose to Donald Trump Jr.?")
    assert asked.actor == {"wikile"}
    assert asked.receivers == {"donald", "trump", "son"}


def test_a_french_inversion_keeps_the_actor() -> None:
    asked = roles("Qu'a proposé Trump Jr. à WikiLeaks ?")
    assert asked.actor == {"trump", "son"} and asked.receivers == {"wikile"}


def test_reversed_roles_are_detected() -> None:
    question = roles("What did WikiLeaks propose to Donald Trump Jr.?")
    his_suggestion = roles("Donald Trump Jr. suggested that WikiLeaks look into the publishers of a website.")
    its_offer = roles("WikiLeaks proposed to Donald Trump Jr. to leak his father's tax returns.")
    assert question.swapped_with(his_suggestion)
    assert not question.swapped_with(its_offer)


def test_a_possessive_owns_rather_than_acts() -> None:
    assert roles("What did WikiLeaks say about Trump's tax returns?").actor == {"wikile"}
    assert roles("Did Trump's team deny any contact?").actor == frozenset()


def test_a_name_in_a_subordinate_clause_is_not_the_actor() -> None:
    assert roles("Which outlet reported that WikiLeaks had messaged Trump Jr.?").actor == frozenset()


def test_the_son_is_not_his_father() -> None:
    assert not same_party(frozenset({"donald", "trump"}), frozenset({"donald", "trump", "son"}))
    assert same_party(frozenset({"trump", "son"}), frozenset({"donald", "trump", "son"}))
    assert roles("What did Donald Trump himself say?").other_actor_than(roles("Donald Trump Jr. tweeted."))


def test_question_forms_are_not_clauses() -> None:
    assert roles("Qu'est-ce que WikiLeaks voulait faire fuiter ?").actor == {"wikile"}
    assert roles("When did WikiLeaks react?").actor == {"wikile"}


def test_a_name_that_only_qualifies_a_vague_noun_does_not_act() -> None:
    assert roles("whats the obama thing wikileaks warned about").actor == {"wikile"}


def test_what_a_which_question_asks_for_is_the_actor() -> None:
    assert roles("Quel journal a sorti l'histoire de WikiLeaks et Trump Jr. ?").actor == frozenset()
    assert roles("Which paper broke the news about WikiLeaks?").actor == frozenset()
    assert roles("What did WikiLeaks propose to Trump Jr.?").actor == {"wikile"}


def test_a_name_right_after_that_acts_in_its_clause() -> None:
    told = roles("The Atlantic revealed that WikiLeaks had written to Donald Trump Jr.")
    assert told.actor == {"atlant"} and told.clause_actors == {"wikile"}
    assert not roles("Who did WikiLeaks write to, then?").other_actor_than(told)
    assert roles("What did Trump Jr. reveal about it?").other_actor_than(told)
