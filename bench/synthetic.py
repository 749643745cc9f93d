"""Deterministic synthetic fact bases, shaped like the real seed, at any size.

The matcher's cost depends on how words are spread over facts, not on what they mean:
posting-list lengths come from how many facts share a word, typo repair scans every
known word, and the candidate cap bites on the commonest words. So the generator copies
the *statistics* of a news archive rather than its content:

* the vocabulary grows with the archive (Heaps' law, V ~ n^0.65; the real seed's 17 facts
  use about 480 distinct content words), so a 100,000-fact base knows ~140,000 words;
* words are drawn by a Zipf law: a few words ("WikiLeaks", "Trump", "election") are in
  thousands of facts, most are in one or two; common words are short, rare ones long;
* every concept has an English and a French form, a third of them cognates that share the
  matcher's six-letter stem, some tied by a synonym group as the real lexicon does;
* each fact has the seed's shape: bilingual statements (~160 characters), 5 to 8 question
  variants per language, 3 to 5 tags, 1 to 3 sources, a quote for a third of them.

Everything comes from `random.Random` seeded with the size, so the same size always gives
the same fact base and the same questions, on any machine.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.models import Bilingual, Fact, FactBase, Language, QuestionVariants, Quote, Source, Story
from knowledge.text import ALL_STOPWORDS, content_tokens, fold

VOCABULARY_SCALE = 80.0
VOCABULARY_EXPONENT = 0.65
NAME_SCALE = 3.0
NAME_EXPONENT = 0.6
ZIPF_EXPONENT = 1.0
ZIPF_OFFSET = 2.7  # Zipf-Mandelbrot: flattens the very top so no word is in every fact
COGNATE_SHARE = 0.35
SYNONYM_SHARE = 0.08
QUOTE_SHARE = 0.35
VARIANTS_PER_LANGUAGE = (5, 8)
TAGS_PER_FACT = (3, 5)
KEY_CONCEPTS = (3, 5)
FILLER_CONCEPTS = (6, 10)

EN_ONSETS = (*"b c d f g h k l m n p r s t v w br cr dr gr pl pr st tr sh ch th".split(), "")
EN_VOWELS = tuple("a e i o u ea ou ai oo y".split())
EN_CODAS = ("", "", "", *"n r s t l nd st ck m".split())
FR_ONSETS = (*"b c d f g j l m n p r s t v ch qu gn br pr tr cl".split(), "")
FR_VOWELS = tuple("a e i o u é è ou eau ai oi an on in eu".split())
FR_CODAS = ("", "", "", *"r s l n t".split())
FR_ENDINGS = ("", *"e er é ée ion eur ité isme ique".split())
COGNATE_ENDINGS = tuple("e é ion eur ité ique er aire".split())
MONTHS_EN = tuple(
    "January February March April May June July August September October November December".split()
)
MONTHS_FR = tuple(
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
)
EN_CONNECTORS = tuple("the of to and with that a in for on had would by".split())
FR_CONNECTORS = tuple("le la de des et avec que pour dans sur a aux par".split())
EN_TEMPLATES = (
    "what did {name} {a} about the {b}?",
    "did {name} {a} the {b}",
    "why did {name} {a} {b}?",
    "{name} {a} {b} {c}?",
    "when was the {a} {b} {c}?",
    "who {a} the {b} {c}",
    "is it true that {name} {a} {b}?",
    "what was the {a} of {name}?",
    "how did {name} {a} the {b} {c}?",
    "tell me about {name} and the {a} {b}",
    "which {a} did {name} {b}?",
)
FR_TEMPLATES = (
    "qu'a {a} {name} sur le {b} ?",
    "{name} a-t-il {a} la {b} ?",
    "pourquoi {name} a {a} {b} ?",
    "quand {name} a {a} les {b} {c} ?",
    "c'est quoi le {a} de {name} ?",
    "est-ce que {name} a {a} les {b} ?",
    "qui a {a} la {b} {c} ?",
    "quel {a} pour {name} et le {b} ?",
    "{name} et la {b} {a} ?",
    "comment {name} a {a} le {b} ?",
)
OUT_OF_SCOPE_TEMPLATES = (
    "when was {name} {x} in {y}?",
    "what is the {x} of the {y}?",
    "did {name} ever {x} a {y}?",
    "{name} a-t-il {x} le {y} ?",
    "pourquoi la {x} de {y} ?",
    "how old is the {x}?",
)
QUESTION_MIX: tuple[tuple[str, float], ...] = (
    ("english", 0.30),
    ("french", 0.20),
    ("typo", 0.25),
    ("out_of_scope", 0.25),
)
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Concept:
    """One meaning, with its English and French word (identical for names)."""

    en: str
    fr: str

    def get(self, language: Language) -> str:
        return self.fr if language == "fr" else self.en


@dataclass(frozen=True, slots=True)
class Topic:
    """What a synthetic fact is about: what its questions are built from."""

    fact_id: str
    names: tuple[str, ...]
    concepts: tuple[Concept, ...]


@dataclass(frozen=True, slots=True)
class BenchQuestion:
    """A question of the benchmark mix; `expected` is empty for out-of-scope questions."""

    text: str
    kind: str
    expected: frozenset[str]


@dataclass(frozen=True, slots=True)
class Corpus:
    """A synthetic fact base together with what the question generator needs to know about it."""

    fact_base: FactBase
    topics: tuple[Topic, ...]
    lexicon: Lexicon


def vocabulary_size(facts: int) -> int:
    """Heaps' law, fitted so that 17 facts give about the seed's 480 content words."""
    return max(60, round(VOCABULARY_SCALE * facts**VOCABULARY_EXPONENT))


def name_count(facts: int) -> int:
    return max(6, round(8 + NAME_SCALE * facts**NAME_EXPONENT))


def zipf_weights(count: int) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights for `random.choices(cum_weights=...)`."""
    return list(itertools.accumulate(1 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT for rank in range(count)))


class WordMaker:
    """Pronounceable pseudo-words, never a stopword and never the same word (once folded) twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, length: int, french: bool = False, ending: str = "") -> str:
        """A new word of about `length` letters (plus `ending`), reserved so it is never made again."""
        while True:
            word = spell(self.rng, length, french) + ending
            if self.claim(word):
                return word
            length += self.rng.random() < 0.1  # a crowded length: sometimes try a longer word

    def is_new(self, word: str) -> bool:
        folded = fold(word)
        return (
            len(folded) >= 3
            and folded not in self.used
            and folded not in ALL_STOPWORDS
            and content_tokens(word) == [folded]
        )

    def claim(self, word: str) -> bool:
        """Reserve a word if it is new and reads as exactly one content token."""
        if not self.is_new(word):
            return False
        self.used.add(fold(word))
        return True


def spell(rng: random.Random, length: int, french: bool = False) -> str:
    """About `length` letters of syllables in the language's spelling."""
    onsets, vowels, codas = (FR_ONSETS, FR_VOWELS, FR_CODAS) if french else (EN_ONSETS, EN_VOWELS, EN_CODAS)
    body = ""
    while len(body) < length:
        body += rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
    return body[: length + 1]


def _length_for_rank(rng: random.Random, rank: int) -> int:
    """Common words are short and rare ones long (Zipf's law of abbreviation)."""
    if rank < 30:
        return rng.randint(3, 5)
    if rank < 1000:
        return rng.randint(4, 8)
    return rng.randint(5, 11)


def _concept(maker: WordMaker, rank: int) -> Concept:
    en = maker.make(_length_for_rank(maker.rng, rank))
    if maker.rng.random() < COGNATE_SHARE:
        for ending in maker.rng.sample(COGNATE_ENDINGS, len(COGNATE_ENDINGS)):
            if maker.claim(en + ending):
                return Concept(en, en + ending)
    ending = maker.rng.choice(FR_ENDINGS)
    return Concept(en, maker.make(max(3, _length_for_rank(maker.rng, rank) - len(ending)), True, ending))


def _name(maker: WordMaker) -> str:
    parts = [maker.make(maker.rng.randint(4, 9)).capitalize()]
    if maker.rng.random() < 0.3:
        parts.append(maker.make(maker.rng.randint(4, 8)).capitalize())
    return " ".join(parts)


class Lexicon:
    """The archive's words by frequency rank, with Zipf samplers over concepts, names and sources."""

    def __init__(self, facts: int, rng: random.Random) -> None:
        self.maker = WordMaker(rng)
        self.concepts = [_concept(self.maker, rank) for rank in range(vocabulary_size(facts))]
        self.names = [_name(self.maker) for _ in range(name_count(facts))]
        self._concept_weights = zipf_weights(len(self.concepts))
        self._name_weights = zipf_weights(len(self.names))

    def draw(self, rng: random.Random, count: int) -> list[Concept]:
        return rng.choices(self.concepts, cum_weights=self._concept_weights, k=count)

    def draw_names(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.names, cum_weights=self._name_weights, k=count)

    def synonyms(self, rng: random.Random) -> tuple[tuple[str, ...], ...]:
        """Some English/French pairs that do not share a stem, as the seed's lexicon groups them."""
        return tuple(
            (fold(c.en), fold(c.fr))
            for c in self.concepts
            if fold(c.fr)[:6] != fold(c.en)[:6] and rng.random() < SYNONYM_SHARE
        )

    def unknown_word(self, rng: random.Random) -> str:
        """A word no fact contains: out-of-scope questions are about something else.

        It comes from the caller's generator and reserves nothing, so a question set does
        not depend on which other sets were generated before it.
        """
        french = rng.random() < 0.3
        while True:
            word = spell(rng, rng.randint(5, 10), french)
            if self.maker.is_new(word):
                return word


def slug(text: str) -> str:
    return _SLUG_JUNK.sub("-", fold(text)).strip("-")


def _sentence(rng: random.Random, opening: str, words: Sequence[str], connectors: Sequence[str]) -> str:
    parts = [opening]
    for word in words:
        parts += [rng.choice(connectors), word]
    return " ".join(parts) + "."


def _statements(rng: random.Random, names: list[str], key: list[Concept], filler: list[Concept]) -> Bilingual:
    day, month, year = rng.randint(1, 28), rng.randrange(12), rng.randint(2001, 2024)
    concepts = key + filler
    rng.shuffle(concepts)
    order = [names[0], *[c.en for c in concepts[:3]], *names[1:], *[c.en for c in concepts[3:]]]
    order_fr = [names[0], *[c.fr for c in concepts[:3]], *names[1:], *[c.fr for c in concepts[3:]]]
    return Bilingual(
        en=_sentence(rng, f"On {day} {MONTHS_EN[month]} {year},", order, EN_CONNECTORS),
        fr=_sentence(rng, f"Le {day} {MONTHS_FR[month]} {year},", order_fr, FR_CONNECTORS),
    )


def phrase(rng: random.Random, topic: Topic, language: Language, lexicon: Lexicon) -> str:
    """One way of asking for a topic: a template filled with its names and key words."""
    template = rng.choice(FR_TEMPLATES if language == "fr" else EN_TEMPLATES)
    words = rng.sample(topic.concepts, len(topic.concepts))
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = lexicon.draw(rng, 1)[0]  # people add words of their own
    slots = {"a": words[0], "b": words[1], "c": words[2 % len(words)]}
    return template.format(name=rng.choice(topic.names), **{k: c.get(language) for k, c in slots.items()})


def _variants(rng: random.Random, topic: Topic, language: Language, lexicon: Lexicon) -> tuple[str, ...]:
    wanted = rng.randint(*VARIANTS_PER_LANGUAGE)
    variants: list[str] = []
    for _ in range(wanted * 20):
        text = phrase(rng, topic, language, lexicon)
        if text not in variants:
            variants.append(text)
        if len(variants) == wanted:
            break
    return tuple(variants)


def _tags(rng: random.Random, topic: Topic) -> tuple[str, ...]:
    candidates = [slug(topic.names[0]), *(slug(c.en) for c in topic.concepts)]
    candidates.append(f"{slug(topic.concepts[0].en)}-{slug(topic.concepts[1].en)}")
    tags = list(dict.fromkeys(t for t in candidates if t and len(t) <= 40))
    return tuple(tags[: rng.randint(*TAGS_PER_FACT)])


def _quote(rng: random.Random, topic: Topic) -> Quote | None:
    if rng.random() >= QUOTE_SHARE:
        return None
    language: Language = rng.choice(("en", "fr"))
    words = [c.get(language) for c in topic.concepts[:3]]
    connectors = FR_CONNECTORS if language == "fr" else EN_CONNECTORS
    original = _sentence(rng, words[0].capitalize(), words[1:], connectors)
    translation = _sentence(
        rng, topic.concepts[0].en.capitalize(), [c.en for c in topic.concepts[1:3]], EN_CONNECTORS
    )
    return Quote(topic.names[0], original, language, translation if language == "fr" else None)


def _sources(lexicon: Lexicon, rng: random.Random, facts: int) -> list[Source]:
    sources = []
    for i in range(4 + facts // 10):
        publisher = rng.choice(lexicon.names)
        language: Language = rng.choice(("en", "fr"))
        title = " ".join(c.get(language) for c in lexicon.draw(rng, 5)).capitalize()
        date = f"{rng.randint(2001, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sources.append(Source(f"source-{i:05d}", title, publisher, date, language))
    return sources


def _fact(
    rng: random.Random, number: int, lexicon: Lexicon, sources: list[Source], source_weights: list[float]
) -> tuple[Fact, Topic]:
    names = list(dict.fromkeys(lexicon.draw_names(rng, rng.choice((1, 1, 2)))))
    key = list(dict.fromkeys(lexicon.draw(rng, rng.randint(*KEY_CONCEPTS))))
    while len(key) < 2:
        key = list(dict.fromkeys(key + lexicon.draw(rng, 1)))
    fact_id = f"fact-{number:06d}-{slug(key[0].en)}"[:64].rstrip("-")
    topic = Topic(fact_id, tuple(names), tuple(key))
    cited = list(dict.fromkeys(rng.choices(sources, cum_weights=source_weights, k=rng.randint(1, 3))))
    fact = Fact(
        id=fact_id,
        statement=_statements(rng, names, key, lexicon.draw(rng, rng.randint(*FILLER_CONCEPTS))),
        attribution=Bilingual(f"according to {cited[0].publisher}", f"selon {cited[0].publisher}"),
        source_ids=tuple(s.id for s in cited),
        questions=QuestionVariants(
            _variants(rng, topic, "en", lexicon), _variants(rng, topic, "fr", lexicon)
        ),
        tags=_tags(rng, topic),
        date=cited[0].date,
        quote=_quote(rng, topic),
    )
    return fact, topic


def synthetic_corpus(facts: int) -> Corpus:
    """The fact base of `facts` facts; the same size always gives the same corpus."""
    rng = random.Random(f"story-bot synthetic corpus {facts}")
    lexicon = Lexicon(facts, rng)
    sources = _sources(lexicon, rng, facts)
    source_weights = zipf_weights(len(sources))
    pairs = [_fact(rng, number, lexicon, sources, source_weights) for number in range(facts)]
    story = Story(
        Bilingual(f"Synthetic news archive ({facts:,} facts)", f"Archive synthétique ({facts} faits)"),
        Bilingual("Generated for benchmarks.", "Générée pour les mesures de performance."),
    )
    fact_base = FactBase(
        1, f"synthetic-{facts}", story, tuple(sources), tuple(f for f, _ in pairs), lexicon.synonyms(rng)
    )
    return Corpus(fact_base, tuple(t for _, t in pairs), lexicon)


# Questions -------------------------------------------------------------------------


def misspell(rng: random.Random, text: str) -> str:
    """One slip (swap, drop, double or wrong letter) in one or two of the longer words."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and fold(w) not in ALL_STOPWORDS]
    for i in rng.sample(long, min(len(long), rng.choice((1, 1, 2)))):
        words[i] = _slip(rng, words[i])
    return " ".join(words)


def _slip(rng: random.Random, word: str) -> str:
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "wrong"))
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + rng.choice("aeioustrnl".replace(word[at], "")) + word[at + 1 :]


def _in_scope(rng: random.Random, corpus: Corpus, language: Language) -> BenchQuestion:
    number = rng.randrange(len(corpus.topics))
    topic, fact = corpus.topics[number], corpus.fact_base.facts[number]
    variants = fact.questions.get(language)
    text = (
        rng.choice(variants)
        if variants and rng.random() < 0.5
        else phrase(rng, topic, language, corpus.lexicon)
    )
    return BenchQuestion(text, "french" if language == "fr" else "english", frozenset({topic.fact_id}))


def _out_of_scope(rng: random.Random, corpus: Corpus) -> BenchQuestion:
    template = rng.choice(OUT_OF_SCOPE_TEMPLATES)
    near = rng.random() < 0.5  # half mention a known name or word: a near-topic trap
    lexicon = corpus.lexicon
    name = lexicon.draw_names(rng, 1)[0] if near else lexicon.unknown_word(rng).capitalize()
    y = lexicon.draw(rng, 1)[0].en if near else lexicon.unknown_word(rng)
    return BenchQuestion(
        template.format(name=name, x=lexicon.unknown_word(rng), y=y), "out_of_scope", frozenset()
    )


def question_kinds(rng: random.Random, count: int) -> list[str]:
    """The benchmark mix, in exact proportions and a shuffled order."""
    kinds = [kind for kind, share in QUESTION_MIX for _ in range(round(share * count))]
    kinds = (kinds + ["english"] * count)[:count]
    rng.shuffle(kinds)
    return kinds


def synthetic_questions(corpus: Corpus, count: int, seed: str) -> list[BenchQuestion]:
    """`count` questions in the QUESTION_MIX proportions; a different `seed` gives a fresh set."""
    rng = random.Random(f"story-bot synthetic questions {len(corpus.topics)} {seed}")
    questions = []
    for kind in question_kinds(rng, count):
        if kind == "out_of_scope":
            questions.append(_out_of_scope(rng, corpus))
        elif kind == "typo":
            base = _in_scope(rng, corpus, rng.choice(("en", "fr")))
            questions.append(BenchQuestion(misspell(rng, base.text), "typo", base.expected))
        else:
            questions.append(_in_scope(rng, corpus, "fr" if kind == "french" else "en"))
    return questions


SEED_CATEGORIES = {
    "english": "english",
    "paraphrase": "english",
    "keyword": "english",
    "french": "french",
    "typo": "typo",
    "out_of_scope": "out_of_scope",
    "off_topic": "out_of_scope",
    "near_topic": "out_of_scope",
}


def labelled_questions(paths: Sequence[Path]) -> list[BenchQuestion]:
    """The real labelled questions (for the real seed), mapped onto the benchmark's four kinds."""
    questions = []
    for path in paths:
        if path.is_file():
            for row in json.loads(path.read_text(encoding="utf-8")):
                kind = SEED_CATEGORIES.get(
                    row["category"], "french" if row["language"] == "fr" else "english"
                )
                questions.append(BenchQuestion(row["question"], kind, frozenset(row.get("expected", []))))
    return questions
