"""What a question asks for, before anything is matched.

Words alone cannot tell "when did WikiLeaks write?" from "what did WikiLeaks write?", nor a
request for the story in brief ("tl;dr?") from a question about one of its details. The
shape of the question can: which question word leads it, whether it asks for a
confirmation (yes or no), whether it is two questions in one message. The answerer uses
the shape to demand the right kind of fact (a date for "when", a number for "how many"),
to lead the answer with what was asked ("Yes.", the date), and to split a two-part
question so that each part gets its own facts.

Everything works on folded text (lower case, no accents), so chat spelling is covered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .text import clean, content_tokens, fold


class Asks(Enum):
    """The kind of answer a question wants."""

    STATEMENT = "statement"  # what, which, how, a bare keyword
    PERSON = "person"  # who
    TIME = "time"  # when
    PLACE = "place"  # where
    REASON = "reason"  # why
    COUNT = "count"  # how many, how often
    CONFIRMATION = "confirmation"  # yes or no
    SUMMARY = "summary"  # the story in brief


def _words(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


_TIME = re.compile(
    r"\b"
    + _words(
        r"when",
        r"what (?:day|date|year|month|time)",
        r"which (?:day|date|year|month)",
        r"on what (?:day|date)",
        r"in what (?:year|month)",
        r"how long ago",
        r"since when",
        r"quand",
        r"quel(?:le)? (?:jour|date|annee|mois|epoque|heure)",
        r"a quelle heure",
        r"en quelle annee",
        r"a quel moment",
        r"depuis quand",
    )
    + r"\b"
)
# "what time did WikiLeaks write?" asks for a time of day, which a date does not answer.
_CLOCK = re.compile(
    r"\b" + _words(r"what time", r"at what hour", r"what hour", r"a quelle heure", r"quelle heure") + r"\b"
)
_COUNT = re.compile(r"\b" + _words(r"how many", r"how much", r"how often", r"combien") + r"\b")
_REASON = re.compile(
    r"\b" + _words(r"why", r"how come", r"pourquoi", r"pk", r"pq", r"pour quelle raison") + r"\b"
)
_PLACE = re.compile(r"\b" + _words(r"where", r"on what (?:site|platform|network)", r"ou ca") + r"\b")
_PERSON_EN = re.compile(r"\b(?:who|whom|whose)\b")
_PERSON_FR = re.compile(
    r"(?:^|\b(?:c'est|c est|cest|c|est|sont|etait|par|de|a|pour|avec|contre|selon) )(?:qui|ki)\b"
)
_STATEMENT = re.compile(
    r"\b"
    + _words(
        r"what",
        r"whats",
        r"wat",
        r"wht",
        r"which",
        r"how",
        r"que",
        r"quoi",
        r"koi",
        r"quel",
        r"quelle",
        r"quels",
        r"quelles",
        r"comment",
        r"qu",
        r"tell me",
        r"explain\w*",
        r"describe",
        r"dis moi",
        r"raconte",
    )
    + r"\b"
)
_CONFIRMATION = re.compile(
    r"^(?:(?:so|and|but|wait|ok|okay|hey|yo|lol|et|mais|alors|donc|attends|ok|bon|du coup)[ ,]+)*"
    + _words(
        r"did",
        r"does",
        r"do",
        r"is",
        r"was",
        r"were",
        r"are",
        r"has",
        r"have",
        r"had",
        r"can",
        r"could",
        r"will",
        r"would",
        r"should",
        r"didn't",
        r"doesn't",
        r"don't",
        r"isn't",
        r"wasn't",
        r"weren't",
        r"aren't",
        r"hasn't",
        r"haven't",
        r"est-ce que",
        r"est ce que",
        r"est-ce qu",
        r"est ce qu",
        r"is it true",
        r"est-il vrai",
        r"est il vrai",
        r"est-ce vrai",
        r"c'est vrai que",
        r"vrai que",
    )
    + r"\b"
)
_FRENCH_INVERSION = re.compile(
    r"\b\w+-t-(?:il|elle|ils|elles|on)\b|\b(?:est|etait|ont|sont|a)-(?:il|elle|ils|elles)\b"
)
_NEGATIVE_OPENING = re.compile(
    r"^(?:didn't|doesn't|don't|isn't|wasn't|weren't|aren't|hasn't|haven't)\b|\bn'(?:a|est|etait|ont)-(?:t-)?(?:il|elle|ils|elles)\s+pas\b"
)
_SUMMARY = re.compile(
    r"\b"
    + _words(
        r"tl ?;? ?dr",
        r"tldr",
        r"gist",
        r"summar\w*",
        r"sum (?:it )?up",
        r"recap\w*",
        r"in short",
        r"in a nutshell",
        r"overview",
        r"what happened",
        r"what'?s going on",
        r"what is going on",
        r"what'?s (?:this|it|the|that)(?: story| thing| affair| news| article| deal)? (?:all )?about",
        r"what is (?:this|it|the|that)(?: story| thing| affair| news| article| deal)? (?:all )?about",
        r"what'?s the (?:story|deal|fuss)",
        r"what is the (?:story|deal|fuss)",
        r"big deal",
        r"why (?:does|should) (?:it|this|that|anyone|i) (?:matter|care)",
        r"why is (?:it|this|that) (?:important|a scandal|news|bad|a problem)",
        r"for real",
        r"is (?:it|this|that) (?:true|real)",
        r"explain\w*",
        r"catch me up",
        r"fill me in",
        r"resume",
        r"resumer",
        r"en gros",
        r"en bref",
        r"en resume",
        r"de quoi (?:ca|il|elle|on) (?:parle|s'agit|cause)",
        r"c'?est quoi (?:l'|cette |le |ce )?(?:histoire|affaire|scandale|polemique|delire|truc)",
        r"il se passe quoi",
        r"qu'est-ce qui (?:se passe|s'est passe)",
        r"que s'est-il passe",
        r"expliqu\w*",
        r"pourquoi (?:c'est|ca|cela|c) (?:est )?(?:grave|important|un scandale|un probleme)",
        r"pourquoi (?:ca|cela|c'est) fait (?:scandale|polemique|du bruit|debat)",
        r"(?:c'est|est-ce) (?:vrai|reel)",
        r"vrai ou faux",
    )
    + r"\b"
)
_PART_BREAK = re.compile(
    r"\?\s+(?=\S)|[,;]?\s+(?:and|et|&|also|aussi|puis|plus)\s+(?:(?:on|in|at|to|sur|en|a|à|de|dans|par)\s+)?(?="
    + _words(
        r"who",
        r"what",
        r"when",
        r"where",
        r"why",
        r"how",
        r"which",
        r"did",
        r"does",
        r"is",
        r"was",
        r"qui",
        r"que",
        r"qu'",
        r"quoi",
        r"quand",
        r"pourquoi",
        r"comment",
        r"combien",
        r"quel",
        r"quelle",
        r"est-ce",
        r"où",
    )
    + r"\b)",
    re.IGNORECASE,
)
MIN_WORDS_FOR_CONFIRMATION = 4


@dataclass(frozen=True, slots=True)
class QuestionShape:
    asks: Asks
    negative_opening: bool = False
    clock: bool = False  # a time of day: "what time…", "à quelle heure…"

    @property
    def wants_time(self) -> bool:
        return self.asks is Asks.TIME

    @property
    def wants_count(self) -> bool:
        return self.asks is Asks.COUNT


def folded(question: str) -> str:
    return " ".join(fold(clean(question)).replace("’", "'").split())


def shape_of(question: str) -> QuestionShape:
    """The kind of answer `question` wants, from its question words and its form."""
    text = folded(question)
    negative = bool(_NEGATIVE_OPENING.search(text))
    first: tuple[int, Asks] | None = None
    for pattern, asks in (
        (_TIME if not _joins_a_clause(text) else _TIME_PHRASE, Asks.TIME),
        (_COUNT, Asks.COUNT),
        (_REASON, Asks.REASON),
        (_PLACE, Asks.PLACE),
        (_PERSON_EN, Asks.PERSON),
        (_PERSON_FR, Asks.PERSON),
    ):
        found = pattern.search(text)
        if found and (first is None or found.start() < first[0]):
            first = (found.start(), asks)
    statement = _STATEMENT.search(text)
    if statement and (first is None or statement.start() < first[0]):
        # "what was its reply *when* Trump won?": the first question word leads; a later
        # "when" or "quand" joins a clause, it does not ask for a date.
        first = (statement.start(), Asks.STATEMENT)
    if _CONFIRMATION.search(text) and (first is None or first[0] > 0):
        return QuestionShape(Asks.CONFIRMATION, negative)
    if first is not None and first[1] is not Asks.STATEMENT:
        return QuestionShape(first[1], negative, clock=first[1] is Asks.TIME and bool(_CLOCK.search(text)))
    if _FRENCH_INVERSION.search(text) and not statement:
        return QuestionShape(Asks.CONFIRMATION, negative)
    if not statement and text.endswith("?") and len(text.split()) >= MIN_WORDS_FOR_CONFIRMATION:
        return QuestionShape(Asks.CONFIRMATION, negative)
    return QuestionShape(Asks.STATEMENT, negative)


_OPENING_WHEN = re.compile(
    r"^(?:(?:so|and|but|wait|ok|okay|hey|yo|lol|et|mais|alors|donc|bon|du coup|c'?etait|c'?est)[ ,]+)*(?:when|quand)\b"
)
# A date asked for in words, not with a bare "when": "what year", "quel jour", "depuis quand".
_TIME_PHRASE = re.compile(_TIME.pattern.replace(r"when|", "").replace(r"|quand|", "|"))
_WORDS_AFTER_A_LAST_WHEN = 2


def _joins_a_clause(text: str) -> bool:
    """ "what did WikiLeaks say *when* Trump won": a "when" in mid-question opens a clause.
    One at the start, or near the end ("il a posté ça quand ?"), asks for a date."""
    found = re.search(r"\b(?:when|quand)\b", text)
    if found is None or _OPENING_WHEN.search(text):
        return False
    return len(text[found.end() :].split()) > _WORDS_AFTER_A_LAST_WHEN


def summary_request(question: str) -> str | None:
    """For a request for the story in brief ("tl;dr", "en gros il se passe quoi"), what is
    left of the question once the request itself is taken out; None for any other question."""
    text = folded(question)
    if not _SUMMARY.search(text):
        return None
    return _SUMMARY.sub(" ", text)


def split_parts(question: str) -> list[str]:
    """Two questions in one message, as two questions; one question stays whole.

    A part needs two words or more; a break that would leave a fragment is not one.
    """
    parts = [p.strip(" ,;?") for p in _PART_BREAK.split(clean(question).replace("’", "'"))]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return [question]
    # "who broke the story, and on what date?": a part with no subject of its own asks
    # about the first part's subject.
    first = parts[0]
    parts = [first] + [p if len(content_tokens(p)) >= 2 else f"{p} {first}" for p in parts[1:]]
    return [p + " ?" for p in parts]
