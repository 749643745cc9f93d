"""Unrelated facts of real English and French words, to grow the seed into an archive.

A matcher that abstains well on 17 facts may stop abstaining on 5,000: every new fact brings
words an off-topic question may share, and shifts every word's weight. These distractors
are real words (lemmas from simplemma's bundled dictionaries, drawn deterministically), so
"what's the weather in Paris?" has real facts about weather or Paris to be tempted by,
unlike pseudo-words that no question ever uses.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import lru_cache

from simplemma.strategies.dictionaries import DefaultDictionaryFactory

from knowledge.models import Bilingual, Fact, FactBase, Language, QuestionVariants, Source
from knowledge.text import fold

SOURCE = Source(
    id="distractor-archive",
    title="Unrelated archive (benchmark distractors)",
    publisher="Benchmark archive",
    date="2020-01-01",
    language="en",
    url=None,
)
WORDS_PER_STATEMENT = 14
VARIANTS_PER_LANGUAGE = 3


@lru_cache(maxsize=2)
def real_words(language: Language) -> tuple[str, ...]:
    """Lower-case alphabetic lemmas of 4 to 12 letters, sorted (so draws are reproducible)."""
    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    lemmas = {lemma for lemma in dictionary.values() if isinstance(lemma, str)}
    return tuple(sorted(w for w in lemmas if w.isalpha() and w.islower() and 4 <= len(w) <= 12))


def distractor_facts(count: int, seed: str = "distractors") -> list[Fact]:
    rng = random.Random(f"{seed}:{count}")
    english, french = real_words("en"), real_words("fr")
    facts = []
    for number in range(count):
        en = rng.sample(english, WORDS_PER_STATEMENT)
        fr = rng.sample(french, WORDS_PER_STATEMENT)
        facts.append(
            Fact(
                id=f"distractor-{number:06d}",
                statement=Bilingual(_sentence(en), _sentence(fr)),
                attribution=Bilingual("according to an unrelated archive", "selon une archive sans rapport"),
                source_ids=(SOURCE.id,),
                questions=QuestionVariants(
                    tuple(f"what about {' '.join(rng.sample(en, 3))}?" for _ in range(VARIANTS_PER_LANGUAGE)),
                    tuple(f"et {' '.join(rng.sample(fr, 3))} ?" for _ in range(VARIANTS_PER_LANGUAGE)),
                ),
                tags=tuple(rng.sample(en, 2)),
            )
        )
    return facts


def with_distractors(fact_base: FactBase, count: int) -> FactBase:
    """The fact base plus `count` unrelated facts and their source."""
    if count <= 0:
        return fact_base
    return replace(
        fact_base,
        facts=(*fact_base.facts, *distractor_facts(count)),
        sources=(*fact_base.sources, SOURCE),
    )


def _sentence(words: list[str]) -> str:
    return " ".join(words).capitalize() + "."


def importable(fact_base: FactBase) -> FactBase:
    """The same facts as a document `bot.py import` accepts: tags as ASCII slugs, no repeated question.

    Drawn words may carry accents ("fermé") or repeat within a fact; the matcher does not care,
    the document schema does. Used where distractors go through the public import path.
    """
    return replace(fact_base, facts=tuple(_importable(fact) for fact in fact_base.facts))


def _importable(fact: Fact) -> Fact:
    if not fact.id.startswith("distractor-"):
        return fact
    tags = tuple(dict.fromkeys(t for t in (fold(tag) for tag in fact.tags) if _SLUG.match(t)))
    questions = QuestionVariants(
        tuple(dict.fromkeys(fact.questions.en)), tuple(dict.fromkeys(fact.questions.fr))
    )
    return replace(fact, tags=tags, questions=questions)


_SLUG = re.compile(r"^[a-z0-9]+\Z")
