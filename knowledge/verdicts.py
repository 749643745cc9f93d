"""Yes or no: answering a confirmation question with the fact that decides it.

A fact that matches a yes/no question confirms it unless it says the opposite, and a word
matcher can see three kinds of opposite: a restriction where the question generalises
("did he answer *every* message?" / "he replied *only* three times"), an absence where
the question asserts ("did WikiLeaks give more details?" / "*without* giving further
details"), and a word against its antonym ("*youngest* son?" / "*eldest* son"). Anything
subtler gets no verdict: the facts are shown and the reader decides.
"""

from __future__ import annotations

from .models import Fact, Language
from .text import stem, tokens

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


_WORDS = {
    "yes": {"en": "Yes.", "fr": "Oui."},
    "no": {"en": "No.", "fr": "Non."},
}


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
    stems_asked = {stem(w) for w in asked}
    contradicted = (
        (bool(_UNIVERSAL & set(asked)) and bool(_RESTRICTIVE & set(said)))
        or (bool(_ABSENCE & set(said)) and not _ABSENCE & set(asked) and _absence_touches(said, stems_asked))
        or any(
            (left & stems_asked and right & stems_said and not right & stems_asked and not left & affirmed)
            or (right & stems_asked and left & stems_said and not left & stems_asked and not right & affirmed)
            for left, right in _ANTONYMS
            if not _negated_in(asked, left | right)
        )
    )
    return _WORDS["no" if contradicted else "yes"][language]


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
        if stem(word) in stems and _NEGATIONS & set(words[max(0, position - reach) : position]):
            return True
    return False


def _absence_touches(said: list[str], asked: set[str], reach: int = 3) -> bool:
    """An absence word in the fact governs one of the question's own words, close after it."""
    for position, word in enumerate(said):
        if word in _ABSENCE and any(stem(w) in asked for w in said[position + 1 : position + 1 + reach]):
            return True
    return False
