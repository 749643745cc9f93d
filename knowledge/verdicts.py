"""Yes or no: answering a confirmation question with the fact that decides it.

A fact that matches a yes/no question confirms it unless it says the opposite, and a word
matcher can see three kinds of opposite: a restriction where the question generalises
("did he answer *every* message?" / "he replied *only* three times"), an absence where
the question asserts ("did WikiLeaks give more details?" / "*without* giving further
details"), and a word against its antonym ("*youngest* son?" / "*eldest* son"). Anything
subtler gets no verdict: the facts are shown and the reader decides.
"""

from __future__ import annotations

import re

from .models import Fact, Language
from .phrases import phrases
from .text import ALL_STOPWORDS, fold, stem, tokens

_UNIVERSAL = frozenset(
    "every all each always everything everyone entire whole tous toutes tout chaque toujours chacun".split()
)
_RESTRICTIVE = frozenset("only merely solely just seulement uniquement qu".split())
_ABSENCE = frozenset("without never nothing sans jamais rien".split())
_ANTONYMS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(stem(w) for w in left.split()), frozenset(stem(w) for w in right.split()))
    for left, right in (
        ("eldest oldest elder aine ainee", "youngest younger cadet cadette benjamin"),
        ("one-sided unilateral unique", "balanced equal mutual equilibree equilibre reciproque"),
        (
            "alleged presumed presumees supposed",
            "genuine authentic confirmed authentiques authentique verified",
        ),
        ("contest challenge dispute contester", "concede accept accepter reconnaitre"),
        ("win won victory victoire gagner gagne", "lose lost defeat defaite perdre perdu"),
        ("many multiple numerous multiples nombreuses nombreux", "few rare peu"),
        ("inevitable certain ineluctable", "unlikely improbable impossible"),
        ("surprise unexpected inattendue", "expected predicted prevue attendue"),
        ("simple short brief single bref court seul", "long lengthy detailed elaborate longue detaille"),
    )
)


def opposites(word: str) -> frozenset[str]:
    """The stems a word is the antonym of ("youngest" -> "eldest"…), for matching: a
    question that asks the opposite of a fact is still about that fact (and gets "No")."""
    found = stem(word)
    return frozenset().union(
        *(right for left, right in _ANTONYMS if found in left),
        *(left for left, right in _ANTONYMS if found in right),
    )


phrase = phrases.area("answer")


def verdict(question: str, fact: Fact, language: Language) -> str | None:
    """'Yes.' or 'No.' (in `language`) for a confirmation question the fact decides."""
    asked = _meaningful(tokens(question))
    texts = [fact.statement.en, fact.statement.fr]
    if fact.quote:
        texts += [fact.quote.original, fact.quote.translation or ""]
    said = [word for text in texts for word in tokens(text)]
    stems_said = {stem(w) for w in said}
    affirmed = {
        stem(w)
        for i, w in enumerate(said)
        if not _NEGATIONS & set(said[max(0, i - 3) : i]) and said[i + 1 : i + 2] != ["pas"]  # "n'accepte pas"
    }
    stems_asked = {stem(w) for w in asked if w not in ALL_STOPWORDS}
    contradicted = (
        (bool(_UNIVERSAL & set(asked)) and bool(_RESTRICTIVE & set(said)))
        or (_asks_more_than(asked) and bool(_RESTRICTIVE & set(said)))
        or _other_number(asked, said)
        or _polarity_differs(asked, _claims(texts), _names_in(texts))
        or (bool(_ABSENCE & set(said)) and not _ABSENCE & set(asked) and _absence_touches(said, stems_asked))
        or any(
            (left & stems_asked and right & stems_said and not right & stems_asked and not left & affirmed)
            or (right & stems_asked and left & stems_said and not left & stems_asked and not right & affirmed)
            for left, right in _ANTONYMS
            if not _negated_in(asked, left | right)
        )
    )
    return phrase("no" if contradicted else "yes", language)


def _meaningful(words: list[str]) -> list[str]:
    """The question without its negative opening: "didn't he…" asks the same as "did he…"."""
    if len(words) > 1 and words[1] == "not":
        return words[:1] + words[2:]
    if "pas" in words[:6] and any("-t-" in w or w in ("il", "elle") for w in words[:6]):
        cut = words.index("pas")
        return words[:cut] + words[cut + 1 :]
    return words


_NEGATIONS = frozenset("not no never pas ne jamais".split())


def _negated_in(words: list[str], stems: frozenset[str], reach: int = 3) -> bool:
    """The question negates the word itself ("de pas reconnaître"), so its antonym agrees."""
    for position, word in enumerate(words):
        if stem(word) in stems and _DENIALS & set(words[max(0, position - reach) : position]):
            return True
    return False


def _absence_touches(said: list[str], asked: set[str], reach: int = 3) -> bool:
    """An absence word in the fact governs one of the question's own words, close after it."""
    for position, word in enumerate(said):
        if word in _ABSENCE and any(stem(w) in asked for w in said[position + 1 : position + 1 + reach]):
            return True
    return False


# Words that deny what follows them: "no contact", "n'avoir eu aucun contact", "denied
# any contact". "pas" alone is enough in French once "ne" is elided by the tokenizer.
_DENIALS = frozenset(
    "not no never without nothing none nobody neither nor deny denied denies denying "
    "refuse refused refuses refusing pas jamais aucun aucune rien sans personne ni nier nie niait "
    "nient dementi dementent refuser refusent".split()
)
_DENIAL_REACH = 3


def _denied(words: list[str]) -> dict[str, bool]:
    """Each content word's stem, and whether a denial word stands just before it."""
    found: dict[str, bool] = {}
    for position, word in enumerate(words):
        if word in ALL_STOPWORDS or word in _DENIALS or len(word) < 4:
            continue
        before = words[max(0, position - _DENIAL_REACH) : position]
        denied = bool(_DENIALS & set(before)) or words[position + 1 : position + 2] in (["pas"], ["jamais"])
        found[stem(word)] = found.get(stem(word), False) or denied  # "n'accepte pas"
    return found


def _polarity_differs(asked: list[str], said: list[str], names: set[str]) -> bool:
    """The question affirms what the fact denies, or denies what the fact affirms:
    "did the campaign admit *contacts*?" / "it had had *no contact*"; "did WikiLeaks
    *not react at all*?" / "WikiLeaks *reacted* on Twitter". Names are not claims."""
    in_question, in_fact = _denied(asked), _denied(said)
    return any(
        in_fact[word] != denied
        for word, denied in in_question.items()
        if word in in_fact and word not in names
    )


_SAYS_NOTHING_OF = re.compile(r"[^.]*(?:does not say|doesn't say|ne precise pas)[^.]*\.?")


def _claims(texts: list[str]) -> list[str]:
    """The fact's words without its notes on what the story leaves out ("the article does
    not say which leak"): such a note denies nothing the question could ask."""
    return [w for text in texts for w in tokens(_SAYS_NOTHING_OF.sub(" ", fold(text)))]


def _names_in(texts: list[str]) -> set[str]:
    """Stems of the words a fact capitalises inside a sentence: names, not claims."""
    return {stem(w.casefold()) for text in texts for w in re.findall(r"(?<=\s)[A-Z][\w-]+", text)}


_MORE_THAN = re.compile(r"\b(?:more than|over|at least|plus de|plus que|au moins)\b")
_NUMBERS = {
    "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3, "four": 4,
    "quatre": 4, "five": 5, "cinq": 5, "six": 6, "seven": 7, "sept": 7, "eight": 8, "huit": 8,
    "nine": 9, "neuf": 9, "ten": 10, "dix": 10, "twice": 2, "once": 1,
}  # fmt: skip


def _asks_more_than(asked: list[str]) -> bool:
    """ "did he reply *more than* three times?" against "*only* three times"."""
    return bool(_MORE_THAN.search(" ".join(asked)))


def _counted(words: list[str]) -> set[int]:
    found = {int(w) for w in words if w.isdigit() and len(w) < 4}
    return found | {_NUMBERS[w] for w in words if w in _NUMBERS and w not in ("un", "une", "one")}


def _other_number(asked: list[str], said: list[str]) -> bool:
    """The question counts differently from the fact: "four times?" / "three times"."""
    in_question, in_fact = _counted(asked), _counted(said)
    return bool(in_question and in_fact and not in_question & in_fact)
