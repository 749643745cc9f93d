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
from dataclasses import dataclass, field

from .text import clean, fold, tokens

RECEIVING = frozenset(
    """
    to for with from about at on of into toward towards against than between among like
    besides except a au aux avec pour de du des sur aupres contre envers chez vers
    dont entre comme outre sauf leur
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
SUBORDINATING = frozenset("that whether que if si because parce when quand while".split())
# "who is Julian Assange?", "c'est qui": the name is what is asked about, not who acts.
_ASKS_ABOUT_SOMEONE = re.compile(
    r"\b(?:who(?:'s| is| was| are)|whos|c'?est qui|c qui|c ki|cest qui|qui est|qui etait|qui sont)\b"
)
_COORDINATION = frozenset("and et".split())
# "the Obama thing", "l'histoire Trump": a name that only qualifies a vague noun acts in nothing.
_VAGUE_NOUNS = frozenset("thing stuff story affair business deal case truc histoire affaire".split())
_ARTICLES = frozenset("the le la les l".split())
MIN_WORDS_FOR_ROLES = 4
# A subject already given ("does *this* make Assange look bad?") leaves no name to act.
SUBJECT_PRONOUNS = frozenset("this it he she they we ca cela il elle ils elles je tu nous".split())
# "Who published…?" asks for the actor; "who did Trump Jr. accuse?" names it after the auxiliary.
_ASKS_FOR_THE_ACTOR = frozenset("who whom qui ki".split())
_NAMES_THE_ACTOR_NEXT = frozenset("did does do".split())
# "revealed that (the NGO) WikiLeaks had…": a name this close after "that" acts in its clause.
_CLAUSE_REACH = 2
_ASKS_WHICH = frozenset("which what wat quel quelle quels quelles".split())
_AUXILIARIES = frozenset(
    "did does do is was are were has have had will would can could est etait a ont sont avait".split()
)
_RAW_WORD = re.compile(r"[\w'’.-]+")
_POSSESSIVE = re.compile(r"['’]s$|s['’]$")


@dataclass(frozen=True, slots=True)
class Roles:
    actor: frozenset[str] = frozenset()
    receivers: frozenset[str] = frozenset()
    # Who acts in a clause of the sentence: "The Atlantic revealed that *WikiLeaks* had
    # kept up a correspondence" is also about something WikiLeaks did.
    clause_actors: frozenset[str] = frozenset()

    def other_actor_than(self, other: Roles, or_receiver: bool = False) -> bool:
        """True when both name an actor and they differ (and, if `or_receiver`, this actor
        is not even on the receiving side there)."""
        return bool(
            self.actor
            and other.actor
            and not same_party(self.actor, other.actor)
            and not same_party(self.actor, other.clause_actors)
            and not (or_receiver and same_party(self.actor, other.receivers))
        )

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
    folded = fold(clean(text))
    if len(folded.split()) < MIN_WORDS_FOR_ROLES:
        return Roles()  # "impôts trump", "Assange image": keywords, nobody acts
    scan = _Scan(family, in_clause=bool(_ASKS_ABOUT_SOMEONE.search(folded)))
    for raw in _RAW_WORD.findall(folded):
        if raw[:2] in ("d'", "d’"):
            scan.previous = "de"  # "l'organisation d'Assange": the elided "de" introduces Assange
        for word in tokens(raw) or [raw]:
            scan.step(word, term(word), is_name)
        if _POSSESSIVE.search(raw):
            scan.run = []  # "Trump's returns": Trump owns, he does not act
    scan.close()
    actor = frozenset() if scan.shared else frozenset(scan.actor)
    return Roles(actor, frozenset(scan.receivers), frozenset(scan.clause_actors))


@dataclass
class _Scan:
    """One left-to-right pass over a text's words, collecting runs of names."""

    family: str
    in_clause: bool = False
    actor: set[str] = field(default_factory=set)
    receivers: set[str] = field(default_factory=set)
    clause_actors: set[str] = field(default_factory=set)
    run: list[str] = field(default_factory=list)
    run_opens_clause: bool = False
    since_subordinator: int = _CLAUSE_REACH + 1
    run_receives: bool = False
    shared: bool = False  # "WikiLeaks and Trump Jr. exchanged…": nobody acts alone
    last_run_received: bool = False
    previous: str = ""
    before_previous: str = ""
    position: int = 0

    def step(self, word: str, found: str, is_name: Callable[[str], bool]) -> None:
        if self.position == 1 and self.previous in _ASKS_FOR_THE_ACTOR:
            self.in_clause = not (is_name(found) or word in _NAMES_THE_ACTOR_NEXT)
        elif self.position == 1 and self.previous in _ASKS_WHICH and not is_name(found):
            # "which newspaper revealed…", "quel titre a sorti l'affaire WikiLeaks": what is
            # asked for acts; a name after the verb does not.
            self.in_clause = word not in _AUXILIARIES
        self.position += 1
        family_word = found == self.family and (
            bool(self.run) or self.previous in ("the", "le", "his", "son")
        )
        if word in _CALENDAR or word in _NATIONALITIES:
            self.close()
        elif is_name(found) or family_word:
            if not self.run:
                self._start_run()
            self.run.append(found)
        else:
            if word in _VAGUE_NOUNS and self.run and not self.run_receives and not self.actor:
                self.run = []
            self.close()
            opens_clause = word in SUBORDINATING and self.previous != "ce" and self.position > 1
            self.since_subordinator = 0 if opens_clause else self.since_subordinator + 1
            if (opens_clause or word in SUBJECT_PRONOUNS) and not self.actor:
                self.in_clause = True
        self.before_previous, self.previous = self.previous, word

    def _start_run(self) -> None:
        self.run_opens_clause = self.since_subordinator <= _CLAUSE_REACH
        pronoun_on = self.previous == "on" and self.before_previous == "t"  # "soupçonne-t-on"
        self.run_receives = self.in_clause or (self.previous in RECEIVING and not pronoun_on)
        coordinated = self.previous in _COORDINATION or (
            self.previous in _ARTICLES and self.before_previous in _COORDINATION
        )
        if coordinated and self.last_run_received:
            self.run_receives = True  # "between WikiLeaks and (the son of) Trump"
        elif coordinated and self.actor and not self.receivers:
            self.shared = True

    def close(self) -> None:
        if self.run and set(self.run) - {self.family}:
            self.last_run_received = self.run_receives
            if self.run_receives:
                self.receivers.update(self.run)
            elif not self.actor:
                self.actor.update(self.run)
            elif self.run_opens_clause:
                self.clause_actors.update(self.run)
        self.run = []
