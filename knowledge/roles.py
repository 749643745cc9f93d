"""Who acts and who receives, in a question and in a fact.

"What did WikiLeaks propose to Trump Jr.?" and "What did Trump Jr. propose to WikiLeaks?"
share every word; only the roles differ. Both languages mark the receiving side with a
preposition ("to", "à", "au", "with", "avec"…) and put the actor in front of the verb or,
in a French inversion ("qu'a proposé WikiLeaks à…"), right after it without one. So the
actor is the first run of names that no preposition introduces and that is not a
possessive ("Trump's tax returns" is about the returns, not Trump's doing).

Names are whatever the fact base writes with a capital inside a sentence (people,
organisations, places), so moderators curate roles by writing statements as usual. A
family word next to a name ("Trump Jr.", "le fils Trump") belongs to the name: it is what
tells the son from the father.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .text import clean, fold, tokens

RECEIVING = frozenset(
    """
    to for with from about at on of into toward towards against than
    a au aux avec pour de du des sur aupres contre envers chez vers dont
    """.split()
)
# Capitalised in a sentence, but never a party: days and months.
_CALENDAR = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi
    samedi dimanche january february march april may june july august september october november
    december janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    """.split()
)
# Capitalised in English, yet adjectives: "the American billionaire", "un média américain".
_NATIONALITIES = frozenset(
    "american americain americaine americains us russian russe french francais".split()
)
# A name after these opens a clause of its own: "reported *that* WikiLeaks had…".
SUBORDINATING = frozenset("that whether que".split())
_RAW_WORD = re.compile(r"[\w'’.-]+")
_POSSESSIVE = re.compile(r"['’]s$|s['’]$")


@dataclass(frozen=True, slots=True)
class Roles:
    actor: frozenset[str] = frozenset()
    receivers: frozenset[str] = frozenset()

    def other_actor_than(self, other: Roles) -> bool:
        """True when both name an actor and they are different parties."""
        return bool(self.actor and other.actor and not same_party(self.actor, other.actor))

    def swapped_with(self, other: Roles) -> bool:
        """True when what acts here receives there and nothing of the actor acts there."""
        return bool(
            self.actor
            and other.actor
            and same_party(other.actor, self.receivers)
            and not same_party(other.actor, self.actor)
        )


def same_party(a: frozenset[str], b: frozenset[str], family: str = "son") -> bool:
    """Two runs of name terms name the same party: they share a name, and both or neither
    carry the family word (so Trump Jr. is not his father)."""
    if not a or not b:
        return False
    return bool((a - {family}) & (b - {family})) and ((family in a) == (family in b))


def find_roles(
    text: str, term: Callable[[str], str], is_name: Callable[[str], bool], family: str = "son"
) -> Roles:
    """The actor and the receivers named in `text` (a question or a fact's statement)."""
    actor: set[str] = set()
    receivers: set[str] = set()
    run: list[str] = []
    run_receives = False
    in_clause = False  # past "that"/"que", names belong to another clause's action
    previous = ""

    def close() -> None:
        nonlocal run
        if run and set(run) - {family}:
            if run_receives:
                receivers.update(run)
            elif not actor:
                actor.update(run)
        run = []

    for raw in _RAW_WORD.findall(fold(clean(text))):
        possessive = bool(_POSSESSIVE.search(raw))
        if raw[:2] in ("d'", "d’"):
            previous = "de"  # "l'organisation d'Assange": the elided "de" introduces Assange
        for word in tokens(raw) or [raw]:
            found = term(word)
            if word in _CALENDAR or word in _NATIONALITIES:
                close()
            elif is_name(found) or (found == family and (run or previous in ("the", "le", "his", "son"))):
                if not run:
                    run_receives = in_clause or previous in RECEIVING
                run.append(found)
            else:
                close()
                opens_clause = word in SUBORDINATING and previous != "ce"  # not "est-ce que"
                in_clause = in_clause or (opens_clause and not actor)
            previous = word
        if possessive:
            run = []  # "Trump's returns": Trump owns, he does not act
    close()
    return Roles(frozenset(actor), frozenset(receivers))
