"""Matching a question to the facts that answer it.

The score of a fact is the share of the question's *information* that the fact explains:
each content word of the question weighs its inverse document frequency, so the words that
carry the question ("propose", "tax", "contest") count far more than the names every fact
shares ("WikiLeaks", "Trump"). Because the score is a fraction of the question itself, it
means the same thing for every fact, and one threshold can gate all of them. A word the
fact base has never seen weighs twice as much as a word no fact contains would by idf: it is
most likely what the question is about, so a question about something else ("Assange's
arrest") cannot reach the threshold on the strength of a shared name.

Typos are absorbed per word: a word the index does not know is mapped to its closest known
word (at most one slip per five letters, transpositions counting once) before scoring. Candidates come from an inverted index on word stems,
rarest stems first, so a question never scores the whole fact base.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from .dictionary import is_real_word
from .models import Fact, Language
from .question_shape import Asks, QuestionShape
from .roles import Roles, find_roles
from .text import ALL_STOPWORDS, content_tokens, fold, normalize, stem, tokens
from .typos import MIN_TYPO_LENGTH, TypoIndex
from .verdicts import opposites

# Bump whenever what the index stores, or how it is built, changes: a saved index snapshot
# (knowledge/snapshot.py) built by another version is then rebuilt instead of trusted.
MATCHER_VERSION = 1
COVERAGE_WEIGHT = 0.55
VARIANT_WEIGHT = 0.2
WORDING_WEIGHT = 0.25
RESEMBLANCE_FLOOR = 0.3
MAX_CANDIDATES = 1500
RESCORED = 25
RESEMBLED = 8
MEMO_LIMIT = 1_000_000
UNKNOWN_WEIGHT = 0.8
STOPWORD_SUBSTITUTION_MIN_LENGTH = 7
TAG_MATCH = 0.8
STATEMENT_MATCH = 0.6
NAMES_ONLY_FACTOR = 0.5
ROLE_SWAP_FACTOR = 0.4
OTHER_ACTOR_FACTOR = 0.35
UNKNOWN_FACTOR = 0.9
UNKNOWN_FOCUS_FACTOR = 0.6
MISSING_NAME_FACTOR = 0.5
NO_COUNT_FACTOR = 0.4
NO_PLACE_FACTOR = 0.4
COMPANION_TAG_LIMIT = 3
STORY_TERM_SHARE = 0.4
MIN_STORY_FACTS = 5
_MONTHS = (
    "january february march april may june july august september october november december "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre"
)
_TIME_WORDS = re.compile(r"\b(?:(?:19|20)\d\d|" + "|".join(_MONTHS.split()) + r")\b")
_HOUR = re.compile(r"\b(?:\d{1,2} ?(?:h|am|pm|heures?)\b|\d{1,2}:\d\d|o'clock|midnight|minuit|noon|midi)")
# "on Twitter", "through its website", "in the magazine The Atlantic": somewhere to point at.
_PLACE = re.compile(
    r"\b(?:on|in|at|via|through|from)\s+(?:(?:the|its|his|her|their|a)\s+)?"
    r"(?:[A-Z]\w+|website|site|internet|web|magazine|newspaper)"
)
_NUMBER_WORDS = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twice|once|deux|trois|quatre|cinq|six|sept|"
    r"huit|neuf|dix|dozen|douzaine)\b"
)
# "The source article does not say which website." / "ne précise pas de quel site"
_UNSAID = re.compile(
    r"(?:does not|doesn't) say (?:which|what|who|whom) (\w+)|ne precise pas (?:de )?(?:quel|quelle) (\w+)"
)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»")
_CAPITALISED = re.compile(r"(?<=[\s(])([A-Z][\w'’-]*)")


@dataclass(frozen=True, slots=True)
class Match:
    fact_id: str
    score: float
    best_variant: str | None
    best_variant_language: Language | None
    factor: float = field(default=1.0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class QueryTerm:
    stem: str
    weight: float
    known: bool


@dataclass(slots=True)
class _IndexedFact:
    fact: Fact
    stems: dict[str, float]
    names: frozenset[str]
    subject: frozenset[str]
    variants: list[tuple[frozenset[str], Language, str]]
    variant_texts: list[str]
    term_variants: dict[str, tuple[int, ...]]
    tells_time: bool = False
    tells_hour: bool = False
    counts: bool = False
    locates: bool = False
    roles: Roles | None = None
    roles_names: int = -1
    unsaid: frozenset[str] = frozenset()
    variant_weights: list[float] | None = None
    weights_generation: int = -1


class Vocabulary:
    """Turns words into index terms: stemmed, with synonyms folded onto one canonical term."""

    def __init__(self, synonyms: Iterable[Iterable[str]] = ()) -> None:
        self._canonical: dict[str, str] = {}
        self._memo: dict[str, str] = {}  # words repeat across facts; stemming each once is enough
        for group in synonyms:
            words = [stem(t) for word in group for t in tokens(word)[:1]]
            for word in words:
                self._canonical.setdefault(word, words[0])

    def term(self, token: str) -> str:
        found = self._memo.get(token)
        if found is None:
            if len(self._memo) > MEMO_LIMIT:  # questions bring endless new words; stay bounded
                self._memo.clear()
            stemmed = stem(token)
            found = self._memo[token] = self._canonical.get(stemmed, stemmed)
        return found

    def terms(self, text: str) -> list[str]:
        return [self.term(t) for t in content_tokens(text)]


class FactIndex:
    """An incrementally updatable index of the active facts."""

    def __init__(self, facts: Iterable[Fact] = (), synonyms: Iterable[Iterable[str]] = ()) -> None:
        self.vocabulary = Vocabulary(synonyms)
        self._facts: dict[str, _IndexedFact] = {}
        self._postings: dict[str, set[str]] = {}
        self._words = TypoIndex()
        # Every word of the synonym lexicon is a known spelling, even one no fact uses yet.
        self._words.add({word for group in synonyms for entry in group for word in tokens(entry)[:1]})
        self._name_counts: Counter[str] = Counter()
        self._names_version = 0  # bumped when a name enters or leaves the index
        self._resolved: dict[str, str | None] = {}
        self._tags: dict[str, set[str]] = {}
        self._story_terms: tuple[int, frozenset[str]] = (-1, frozenset())
        self._generation = 0
        for fact in facts:
            self.upsert(fact)

    def __len__(self) -> int:
        return len(self._facts)

    def __contains__(self, fact_id: object) -> bool:
        return fact_id in self._facts

    def upsert(self, fact: Fact) -> None:
        """Add or replace a fact; a retired fact leaves the index."""
        self.remove(fact.id)
        if not fact.active:
            return
        entry, words = self._analyse(fact)
        self._facts[fact.id] = entry
        if any(self._name_counts.get(name, 0) <= 0 for name in entry.names):
            self._names_version += 1
        self._name_counts.update(entry.names)
        for term in entry.stems:
            self._postings.setdefault(term, set()).add(fact.id)
        for tag in fact.tags:
            self._tags.setdefault(tag, set()).add(fact.id)
        self._words.add(words)
        self._changed()

    def remove(self, fact_id: str) -> None:
        entry = self._facts.pop(fact_id, None)
        if entry is None:
            return
        self._name_counts.subtract(entry.names)
        if any(self._name_counts.get(name, 0) <= 0 for name in entry.names):
            self._names_version += 1
        for tag in entry.fact.tags:
            self._tags.get(tag, set()).discard(fact_id)
        for term in entry.stems:
            holders = self._postings.get(term)
            if holders is not None:
                holders.discard(fact_id)
                if not holders:
                    del self._postings[term]
        self._words.discard(self._analyse(entry.fact)[1])  # re-derived: cheaper than keeping it
        self._changed()

    def _changed(self) -> None:
        """Word frequencies moved: typo repairs and cached variant weights may be stale."""
        self._generation += 1
        self._resolved.clear()

    def _analyse(self, fact: Fact) -> tuple[_IndexedFact, set[str]]:
        """Tokenise every text of a fact once, and derive all the index needs from it.

        Every term a fact can be found by gets a weight: question variants are what people
        ask, so they count fully; tags a little less; words that only occur in the statement
        less still, so a passing word of the statement ("at a *time* when") cannot answer a
        question on its own.
        """
        term = self.vocabulary.term
        weights: dict[str, float] = {}
        words: set[str] = set()
        statement_texts = [fact.statement.en, fact.statement.fr]
        if fact.quote:
            statement_texts += [fact.quote.original, fact.quote.translation or ""]
        for text in statement_texts:
            content = _content(tokens(text))
            words.update(content)
            weights.update(dict.fromkeys(map(term, content), STATEMENT_MATCH))
        for tag in fact.tags:
            content = _content(tokens(tag.replace("-", " ")))
            words.update(content)
            weights.update(dict.fromkeys(map(term, content), TAG_MATCH))
        variants: list[tuple[frozenset[str], Language, str]] = []
        variant_texts: list[str] = []
        for language, text in fact.questions.all():
            words_of_text = tokens(text)
            content = _content(words_of_text)
            words.update(content)
            terms = frozenset(map(term, content))
            weights.update(dict.fromkeys(terms, 1.0))
            variants.append((terms, language, text))
            variant_texts.append(" ".join(words_of_text))
        return _IndexedFact(
            fact=fact,
            stems=weights,
            names=self._name_terms(fact),
            subject=self._subject_terms(fact),
            variants=variants,
            variant_texts=variant_texts,
            term_variants=_positions(variants),
            tells_time=bool(fact.date) or any(_TIME_WORDS.search(fold(t)) for t in statement_texts),
            tells_hour=any(_HOUR.search(fold(t)) for t in statement_texts),
            counts=any(_NUMBER_WORDS.search(fold(t)) for t in statement_texts),
            locates=bool(_PLACE.search(fact.statement.en)),
            unsaid=frozenset(
                self.vocabulary.term(found.group(1) or found.group(2))
                for text in statement_texts
                for found in _UNSAID.finditer(fold(text))
            ),
        ), words

    def _name_terms(self, fact: Fact) -> frozenset[str]:
        """Terms written with a capital inside a sentence: people, places, organisations, months.

        They say who or when a question is about, not what it asks; a fact that shares only
        names with a question ("When was *Assange* arrested?") has not answered it.
        """
        texts = [_QUOTED.sub(" ", fact.statement.en), fact.attribution.en]
        if fact.quote:
            texts.append(" " + fact.quote.speaker)
        names = {
            self.vocabulary.term(t)
            for text in texts
            for word in _CAPITALISED.findall(text)
            for t in tokens(word)
        }
        return frozenset(n for n in names if n not in ALL_STOPWORDS)

    def _subject_terms(self, fact: Fact) -> frozenset[str]:
        """The first run of capitalised words of the English statement: usually who acts.

        "Donald Trump Jr. suggested that WikiLeaks…" acts as Trump Jr., not WikiLeaks; this
        is how "what did WikiLeaks propose?" tells WikiLeaks' offers from his suggestion.
        """
        words = _QUOTED.sub(" ", fact.statement.en).split()
        run: list[str] = []
        for word in words:
            if word[:1].isupper() and word.strip(".,;:") not in ("In", "On", "The", "A", "An", "At"):
                run.append(word)
            elif run:
                break
        return frozenset(
            self.vocabulary.term(t) for word in run for t in tokens(word) if t not in ALL_STOPWORDS
        )

    def subject_of(self, fact_id: str) -> frozenset[str]:
        entry = self._facts.get(fact_id)
        return entry.subject if entry else frozenset()

    def question_subject(self, question: str) -> frozenset[str]:
        """The first run of name words in a question ("what did *WikiLeaks* propose?")."""
        run: list[str] = []
        for token in content_tokens(question):
            term = self.vocabulary.term(token)
            if self.is_name(term):
                run.append(term)
            elif run:
                break
        return frozenset(run)

    def is_name(self, term: str) -> bool:
        return self._name_counts.get(term, 0) > 0

    # Judging a match against what the question asks for --------------------------

    def roles_of_fact(self, fact_id: str) -> Roles:
        """Who acts and who receives in the fact's English statement.

        Worked out on first use and kept with the fact until the index's names change (a
        name new to the index is rare: most edits reuse the story's names).
        """
        entry = self._facts[fact_id]
        if entry.roles is None or entry.roles_names != self._names_version:
            statement = _QUOTED.sub(" ", entry.fact.statement.en)
            entry.roles = self.roles_in(statement)
            entry.roles_names = self._names_version
        return entry.roles

    def roles_in(self, text: str) -> Roles:
        return find_roles(text, self._term_of, self.is_name, family=self.vocabulary.term("son"))

    def _term_of(self, word: str) -> str:
        return self._resolve(word) or self.vocabulary.term(word)

    def judged(self, matches: list[Match], question: str, shape: QuestionShape) -> list[Match]:
        """The matches re-scored and re-ranked, lowered where a fact cannot be what the
        question asks for.

        Roles reversed (the question's receiver acts in the fact), another actor than the one
        asked about, a count asked of a fact with no number, a place of a fact that names
        none, a detail the fact itself says the story does not give ("which website?"):
        each is a fact sharing the words but not the meaning. Words the story does not know
        lower every fact alike. The question is analysed once, whatever the matches.
        """
        if not matches:
            return []
        terms = self.query_terms(question)
        unknown = sum(not t.known for t in terms)
        named = {t.stem for t in terms if t.known and self.is_name(t.stem)} - {self.vocabulary.term("son")}
        focus_factor = UNKNOWN_FOCUS_FACTOR if self._focus_is_unknown(question, shape) else 1.0
        asked = self.roles_in(question)
        which = {self.vocabulary.term(w) for w in _asks_which(question)}
        counted = self._counted_term(question) if shape.wants_count else None
        rescored = []
        has_roles = bool(asked.actor or asked.receivers)
        for match in matches:
            entry = self._facts[match.fact_id]
            told = self.roles_of_fact(match.fact_id) if has_roles else Roles()
            factor = focus_factor * UNKNOWN_FACTOR**unknown
            if asked.swapped_with(told):
                factor *= ROLE_SWAP_FACTOR
            elif asked.other_actor_than(told, or_receiver=shape.asks is Asks.CONFIRMATION):
                # "Did Clinton seem set to win?" may be about a party the fact only mentions;
                # "what did Clinton say?" asks for something she did.
                factor *= OTHER_ACTOR_FACTOR
            if named and not entry.names and not named & entry.stems.keys():
                # "Who founded WikiLeaks?" is not answered by a fact that names nobody. (A fact
                # naming someone else may still be about the same party: "Assange's group".)
                factor *= MISSING_NAME_FACTOR
            if shape.wants_count and not self._counts(entry, counted):
                factor *= NO_COUNT_FACTOR
            if shape.asks is Asks.PLACE and not entry.locates:
                factor *= NO_PLACE_FACTOR
            if which & entry.unsaid or (shape.clock and not entry.tells_hour):
                factor = 0.0
            if factor != 1.0:
                match = replace(match, score=round(match.score * factor, 4), factor=match.factor * factor)
            rescored.append(match)
        return sorted(rescored, key=lambda m: (-m.score, m.fact_id))

    def _focus_is_unknown(self, question: str, shape: QuestionShape) -> bool:
        """The word the question turns on is one the fact base never uses.

        "What are the *names* of the reporters?", "did Trump Jr. *testify*?", "quel est le
        *tirage* du magazine ?": the rest of the question is the story's, but what it asks
        for is not, so a fact sharing the rest cannot answer it.
        """
        focus = _focus_word(question, self.is_name, self._term_of, shape.asks is Asks.CONFIRMATION)
        if focus is None:
            return False
        typed = _as_typed(question).get(focus, focus)
        return (
            self._resolve(focus, typed) is None
            and (is_real_word(typed) or is_real_word(focus))  # a typo the mender missed is no new content
            and not _looks_like_stopword(focus)
        )

    def _counted_term(self, question: str) -> str | None:
        """What "how many…" counts, as a term; None when nothing specific is named."""
        counted = _COUNTED.search(fold(question))
        if counted is None or counted.group(1) in ALL_STOPWORDS or counted.group(1) in _FRAME_WORDS:
            return None  # "combien de fois", "how many times": a number of anything
        term = self.vocabulary.term(counted.group(1))
        return None if term in ALL_STOPWORDS else term

    def _counts(self, entry: _IndexedFact, counted: str | None) -> bool:
        """The fact has a number, and what the question counts ("how many *replies*") is in it.

        The story's own names do not say what is counted: "how many messages did WikiLeaks
        send?" is not answered by "he replied three times" for sharing "messages".
        """
        if not entry.counts:
            return False
        return counted is None or (counted in entry.stems and counted not in self.story_terms)

    def names_others(self, fact_id: str, question: str) -> bool:
        """The question names a party the fact never mentions ("…favoured *Hillary Clinton*?",
        "the *New York Times*?"): the fact cannot confirm it, nor safely deny it."""
        # "Assange's outfit", "l'ONG d'Assange": the outfit is asked about, not its owner.
        question = _OWNER.sub(" ", question)
        stems = self._facts[fact_id].stems
        named = {t.stem for t in self.query_terms(question) if t.known and self.is_name(t.stem)}
        if named - stems.keys() - {self.vocabulary.term("son")}:
            return True
        return any(not self._resolve(word) for word in _capitalised_inside(question))

    def leaves_unsaid(self, fact_id: str, question: str) -> bool:
        """The question asks which X, and the fact itself says the story does not say which X."""
        unsaid = self._facts[fact_id].unsaid
        return bool(unsaid) and bool({self.vocabulary.term(w) for w in _asks_which(question)} & unsaid)

    def asks_beyond_the_story(self, question: str, shape: QuestionShape) -> bool:
        """A year or number the fact base never mentions: another election, another time."""
        return any(token.isdigit() and self._resolve(token) is None for token in content_tokens(question))

    def tells_time(self, fact_id: str) -> bool:
        return self._facts[fact_id].tells_time

    def dated_companion(self, fact_id: str) -> str | None:
        """A fact that tells the time of this one: it shares a topic tag few facts carry."""
        entry = self._facts.get(fact_id)
        if entry is None:
            return None
        for tag in entry.fact.tags:
            holders = self._tags.get(tag, set())
            if len(holders) > COMPANION_TAG_LIMIT:
                continue
            for other in sorted(holders - {fact_id}):
                if self._facts[other].tells_time:
                    return other
        return None

    @property
    def story_terms(self) -> frozenset[str]:
        """Terms nearly every fact of a story shares: its own names, not any detail of it.

        A story is what one source tells: an archive of many stories has no term every fact
        shares, yet within this story "WikiLeaks" and "messages" still name no detail.
        Computed once per index generation: it reads every fact's terms.
        """
        if self._story_terms[0] != self._generation:
            told_by: dict[str, list[_IndexedFact]] = {}
            for entry in self._facts.values():
                for source_id in entry.fact.source_ids:
                    told_by.setdefault(source_id, []).append(entry)
            shared: set[str] = set()
            for entries in told_by.values():
                if len(entries) < MIN_STORY_FACTS:
                    continue
                counts = Counter(term for entry in entries for term in entry.stems)
                shared.update(t for t, n in counts.items() if n >= STORY_TERM_SHARE * len(entries))
            self._story_terms = (self._generation, frozenset(shared))
        return self._story_terms[1]

    def _idf(self, term: str) -> float:
        total = len(self._facts)
        frequency = len(self._postings.get(term, ()))
        return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))

    def _resolve(self, token: str, as_typed: str | None = None) -> str | None:
        """The term a question word stands for, mending a typo against the known words.

        A real English or French word the fact base does not use is left unknown rather than
        "mended" into a word it does use ("recette" is not a typo of "rejette").
        """
        key = token if as_typed in (None, token) else f"{token}\0{as_typed}"
        if key in self._resolved:
            return self._resolved[key]
        term: str | None = self.vocabulary.term(token)
        if term not in self._postings:
            term = next(
                (
                    self.vocabulary.term(o)
                    for o in sorted(opposites(token))
                    if self.vocabulary.term(o) in self._postings
                ),
                term,
            )
        if term not in self._postings and (
            len(token) < MIN_TYPO_LENGTH or is_real_word(token) or (as_typed and is_real_word(as_typed))
        ):
            term = None
        elif term not in self._postings:
            closest = self._words.closest(token)
            term = self.vocabulary.term(closest) if closest else None
            if term not in self._postings:  # a lexicon word no active fact uses
                term = None
        if len(self._resolved) > 8192:
            self._resolved.clear()
        self._resolved[key] = term
        return term

    def query_terms(self, question: str) -> list[QueryTerm]:
        """The question's content words as weighted terms; unknown words weigh like rare ones."""
        unknown_weight = UNKNOWN_WEIGHT * self._idf("\0")
        terms: dict[str, QueryTerm] = {}
        typed = _as_typed(question)
        for token in content_tokens(question):
            resolved = self._resolve(token, typed.get(token))
            if resolved is not None:
                terms[resolved] = QueryTerm(resolved, self._idf(resolved), known=True)
            elif not _looks_like_stopword(token):
                key = "?" + stem(token)
                terms[key] = QueryTerm(key, unknown_weight, known=False)
        return list(terms.values())

    def _candidates(self, terms: list[QueryTerm]) -> set[str]:
        """Facts sharing a term with the question, rarest terms first, bounded in size."""
        candidates: set[str] = set()
        for term in sorted((t for t in terms if t.known), key=lambda t: len(self._postings[t.stem])):
            postings = self._postings[term.stem]
            if candidates and len(candidates) + len(postings) > MAX_CANDIDATES:
                break
            if len(postings) > MAX_CANDIDATES:
                candidates.update(list(postings)[:MAX_CANDIDATES])
                break
            candidates.update(postings)
        return candidates

    def search(self, question: str, limit: int = 5) -> list[Match]:
        """Rank facts by the calibrated score in [0, 1]; higher means more of the question is answered.

        Coverage is cheap (a few dictionary look-ups per candidate), so it ranks every
        candidate; the finer variant comparison only runs on the best few.
        """
        terms = self.query_terms(question)
        total = sum(t.weight for t in terms)
        if total <= 0:
            return []
        query = {t.stem: t.weight for t in terms}
        coverage = {
            fact_id: sum(weight * self._facts[fact_id].stems.get(s, 0.0) for s, weight in query.items())
            / total
            for fact_id in self._candidates(terms)
        }
        shortlist = sorted(coverage, key=lambda fact_id: (-coverage[fact_id], fact_id))[:RESCORED]
        intent = {s for s in query if not self.is_name(s)}
        scored = sorted(
            (self._score(fact_id, coverage[fact_id], query, total, intent) for fact_id in shortlist),
            key=lambda m: (-m.score, m.fact_id),
        )
        # Wording resemblance (a rapidfuzz pass over every variant) is the costliest signal and
        # can add at most WORDING_WEIGHT: it is only worth computing for the leading few.
        wording = normalize(question)
        contenders = [m for m in scored[:RESEMBLED] if m.score + WORDING_WEIGHT >= scored[0].score]
        matches = [self._with_resemblance(m, wording) for m in contenders] + scored[len(contenders) :]
        matches.sort(key=lambda m: (-m.score, m.fact_id))
        return matches[:limit]

    def _score(
        self, fact_id: str, coverage: float, query: dict[str, float], total: float, intent: set[str]
    ) -> Match:
        """Coverage and the best variant's overlap; a fact sharing only names is halved."""
        entry = self._facts[fact_id]
        if entry.weights_generation != self._generation or entry.variant_weights is None:
            entry.variant_weights = [sum(map(self._idf, stems)) for stems, _, _ in entry.variants]
            entry.weights_generation = self._generation
        shared: dict[int, float] = {}
        for term, weight in query.items():
            for position in entry.term_variants.get(term, ()):
                shared[position] = shared.get(position, 0.0) + weight
        best, best_variant, best_language = 0.0, None, None
        for position in sorted(shared):  # the first of equally good variants wins, as listed
            dice = 2 * shared[position] / (total + entry.variant_weights[position])
            if dice > best:
                best = dice
                _, best_language, best_variant = entry.variants[position]
        factor = 1.0 if not intent or any(term in entry.stems for term in intent) else NAMES_ONLY_FACTOR
        score = factor * (COVERAGE_WEIGHT * coverage + VARIANT_WEIGHT * best)
        return Match(fact_id, round(score, 4), best_variant, best_language, factor)

    def _with_resemblance(self, match: Match, wording: str) -> Match:
        closest = process.extractOne(
            wording, self._facts[match.fact_id].variant_texts, scorer=fuzz.token_sort_ratio
        )
        resemblance = (
            max(0.0, (closest[1] / 100 - RESEMBLANCE_FLOOR) / (1 - RESEMBLANCE_FLOOR)) if closest else 0.0
        )
        score = match.score + match.factor * WORDING_WEIGHT * resemblance
        return replace(match, score=round(min(score, 1.0), 4))


def _focus_word(
    question: str, is_name: Callable[[str], bool], term: Callable[[str], str], confirmation: bool = False
) -> str | None:
    """The first content word after the question word, or after the names a yes/no question
    opens with ("Trump Jr. a-t-il *témoigné*…"): what the question turns on."""
    words = tokens(question)
    while words and words[0] in _FILLERS:
        words = words[1:]
    if words and words[0] in _FOCUS_OPENERS:
        words = words[1:]
    elif not confirmation:
        return None  # "when", "who", "why" ask for a time, a person, a reason: no focus word
    for following in words[:_FOCUS_REACH]:
        if following in ALL_STOPWORDS or following in _FOCUS_OPENERS or following in _FRAME_WORDS:
            continue
        if len(following) < 3 or following.isdigit() or is_name(term(following)):
            continue
        return following
    return None


def _capitalised_inside(question: str) -> list[str]:
    """Folded words written with a capital after the first word: names, even unknown ones."""
    return [t for w in _CAPITALISED.findall(question) if not w.isupper() for t in tokens(w) if len(t) > 2]


_OWNER = re.compile(r"\b[\w-]+['’]s\b|\b(?:d['’]|de |du )[A-Z][\w-]*")


def _as_typed(question: str) -> dict[str, str]:
    """Folded word -> the word as typed (accents kept), to look it up in a dictionary."""
    if question.isascii():
        return {}
    return {fold(word): word for word in _LETTERS.findall(question.casefold())}


def _positions(variants: list[tuple[frozenset[str], Language, str]]) -> dict[str, tuple[int, ...]]:
    """For each term, which of a fact's variants contain it: scoring then touches only those."""
    positions: dict[str, list[int]] = {}
    for position, (terms, _, _) in enumerate(variants):
        for term in terms:
            positions.setdefault(term, []).append(position)
    return {term: tuple(found) for term, found in positions.items()}


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in ALL_STOPWORDS and len(w) > 1]


@lru_cache(maxsize=65536)
def _looks_like_stopword(token: str) -> bool:
    """A misspelt function word ('wat', 'whta', 'quell') should not count as unknown content.

    Only one slip is forgiven: a letter missing or doubled, or two letters swapped; a wrong
    letter only in longer words. Short words that are not such slips ('age', 'old', 'cup')
    are real content the fact base does not know, and must count against a match.
    """
    if len(token) <= 2:
        return True
    for stopword in ALL_STOPWORDS:
        if (
            len(stopword) < 3
            or abs(len(stopword) - len(token)) > 1
            or OSA.distance(token, stopword, score_cutoff=1) > 1
        ):
            continue
        if Indel.distance(token, stopword) <= 1 or sorted(token) == sorted(stopword):
            return True
        if len(token) >= STOPWORD_SUBSTITUTION_MIN_LENGTH:
            return True
    return False


_LETTERS = re.compile(r"[^\W\d_]+")
_FOCUS_OPENERS = frozenset(
    "what which how did does do has have was were is are quel quelle quels quelles comment est qu que".split()
)
_FOCUS_REACH = 7
_FILLERS = frozenset("so and but wait ok okay hey yo lol bruh et mais alors donc bon".split())
# Words that say what kind of answer is wanted, not what it is about, and light verbs
# ("tried to", "a utilisé") that carry no subject of their own.
_FRAME_WORDS = frozenset(
    """
    often year years day days date month week time times country countries word words name
    names kind sort type reason way point thing things true really actually exactly
    annee jour jours mois semaine fois pays mot mots nom noms genre raison chose truc vrai
    vraiment exactement fut etait sera ete
    try tried trying use used using seek sought cherche cherchait essaye essayait tente
    tentait utilise utilisait employe
    """.split()
)
_COUNTED = re.compile(r"\b(?:how many|how much|combien d(?:e|es|u|')?)\s*(\w+)")
_WHICH = re.compile(r"\b(?:which|what|quel|quelle|quels|quelles|name of|nom d[eu])\b")
_NEXT_WORDS = re.compile(r"\W+(\w+)")


def _asks_which(question: str) -> set[str]:
    """The words a which-question asks to identify ("which *website*", "the name of the *site*")."""
    text = fold(question)
    words: set[str] = set()
    for found in _WHICH.finditer(text):
        following = _NEXT_WORDS.findall(text, found.end())[:4]
        words.update(w for w in following if w not in ALL_STOPWORDS and len(w) > 2)
    return words
