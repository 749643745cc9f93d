"""Text normalisation shared by the matcher, the store's question log and the baselines.

People type questions in chat: mixed case, missing accents, curly apostrophes, French
elisions ("qu'a", "l'ONG"), English contractions and possessives, zero-width characters
pasted from elsewhere. Everything is folded to plain lowercase ASCII-ish tokens here so
the matcher compares words, not typography.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .models import Language

_APOSTROPHE_MAP = {"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"}
_APOSTROPHES = str.maketrans(_APOSTROPHE_MAP)
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_TOKEN = re.compile(r"[a-z0-9]+")
_FRENCH_ELISION = re.compile(r"\b(?:qu|jusqu|lorsqu|puisqu|quoiqu|[ldjmntsc])'(?=\w)")
_ENGLISH_CONTRACTION = re.compile(r"(?<=\w)'(?:s|re|ve|ll|d|m|t)\b")
_NEGATION = re.compile(r"(?<=\w)n't\b")

STOPWORDS: dict[Language, frozenset[str]] = {
    "en": frozenset(
        """
     a about above after again against all am an and any are as at be because been before being
     below between both but by can could did do does doing down during each few for from further
     had has have having he her here hers herself him himself his how i if in into is it its
     itself just me more most my myself no nor not now of off on once only or other our ours out
     over own same she should so some such than that the their theirs them themselves then there
     these they this those through to too under until up very was we were what when where which
     while who whom will with would you your yours yourself tell know anything something thing
     things please hey hi hello bot say said says get got really actually also ever much many
     like mean happened happen happens exactly one ok okay thanks time times give gave given
     giving write writes wrote written writing
     pls plz lol lmao omg yo bro dude guys wait basically literally honestly seriously stuff kinda
     sorta quick quickly briefly gonna wanna gotta idk tbh btw ngl u ur ya yeah yep nope hmm um
     bruh single every each both either neither whole entire anyway somehow someone somebody
     """.split()
    ),
    "fr": frozenset(
        """
     a au aux avec ce ces cet cette dans de des du elle elles en est et eu il ils je la le les
     leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que quel
     quelle quelles quels qui sa se ses sur ta te tes toi ton tu un une vos votre vous y ete
     etait etaient sont sera ont avait avaient fait faire quoi comment quand ou est-ce cela ca
     ceci dit dire sais savoir bonjour salut merci stp svp s'il plait alors donc aussi tres bien
     chose choses quelque peu beaucoup ete a-t-il a-t-elle t il y avoir etre tout tous toute
     toutes passe se sont exactement fois donner donne donnait donnerait donnent va vont vais
     faites ecrit ecrite ecrits ecrire combien
     jpp mdr ptdr stp svp wesh genre bref truc trucs machin vraiment franchement attends attend
     bon ben bah euh hein vite ouais mec frere cest ki koi pk pq jsp tkt dcp ya deja
     aupres lors durant selon chez vers envers rapport moment chacun chaque quelqu
     """.split()
    ),
}
ALL_STOPWORDS: frozenset[str] = STOPWORDS["en"] | STOPWORDS["fr"]

# Words that betray a language even without accents; kept short and unambiguous.
_LANGUAGE_MARKERS: dict[Language, frozenset[str]] = {
    "en": frozenset(
        """
     the what did does do is was were who when why how which about with of to and would could
     should have has after his her their wikileaks's trump's u ur pls plz wat wut tho gonna
     wanna yo bro dude lol whats hes shes
     """.split()
    ),
    "fr": frozenset(
        """
     le la les des du une est qu que quoi qui quand pourquoi comment quel quelle a-t-il ont avec
     pour sur au aux son sa ses leur apres elle il ils etait propose dit fils de combien c ki koi
     pk pq jpp mdr ptdr stp svp wesh ca cest lui leurs ces cette mais aussi vraiment moi toi nous
     vous ete avait sont fait quoi quels quelles dans par
     """.split()
    ),
}
_FRENCH_LETTERS = set("éèêëàâîïôûùüçœæ")

# The fact base is a snapshot of the story as told in November 2017. A question about what
# happened afterwards ("did they publish the tax returns in the end?") is outside it, however
# many of its words the facts share.
_AFTERMATH = re.compile(
    r"\b(?:in the end|end(?:ed|s)? up|eventually|ultimately|finally|since then|ever since|afterwards|these days|"
    r"finalement|au final|en fin de compte|par la suite|depuis|aujourd'hui|desormais|toujours pas)\b"
)


def asks_about_aftermath(text: str) -> bool:
    """True when a question asks what happened after the story, which no fact can answer."""
    return bool(_AFTERMATH.search(fold(clean(text))))


def clean(text: str) -> str:
    """Remove invisible and control characters and collapse whitespace; keeps the text readable."""
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    if not text.isprintable():  # a C-speed check; the per-character pass is for the rare rest
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())


def _latin_folding_table() -> dict[int, str]:
    """Accented Latin letters to plain ones, precomputed: str.translate runs at C speed."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        letter = chr(code)
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", letter.casefold()) if not unicodedata.combining(c)
        )
        if plain != letter:
            table[code] = plain
    table.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae"})
    return table | {ord(k): v for k, v in _APOSTROPHE_MAP.items()}


_LATIN_FOLDING = _latin_folding_table()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Casefold and strip accents: 'Qu'a proposé l'ONG ?' -> "qu'a propose l'ong ?"."""
    if text.isascii():
        return text.lower().replace("`", "'")
    quick = text.translate(_LATIN_FOLDING).lower()
    if quick.isascii():
        return quick
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")
    )


def tokens(text: str) -> list[str]:
    """Folded word tokens with elisions, contractions and possessives removed."""
    folded = fold(clean(text))
    if "'" in folded:
        folded = _NEGATION.sub(" not", folded)
        folded = _FRENCH_ELISION.sub("", folded)
        folded = _ENGLISH_CONTRACTION.sub("", folded)
    return _TOKEN.findall(folded)


def normalize(text: str) -> str:
    """A canonical form used to group identical questions in the log ('Wow??' == 'wow')."""
    return " ".join(tokens(text))


@lru_cache(maxsize=131072)
def stem(token: str) -> str:
    """A deliberately crude stemmer: inflection stripping, then truncation to six letters.

    Truncation works across both languages ('impartiality' / 'impartialité' -> 'impart',
    'contest' / 'contester' -> 'contes'), which a per-language stemmer would not give us.
    Before it, the commonest inflections are removed so short words meet their own forms
    ('asked' / 'asks' / 'asking' -> 'ask', 'reply' / 'replied' / 'replies' -> 'repli').
    """
    if token.isdigit():
        return token
    if len(token) >= 5 and token.endswith(("ies", "ied")):
        token = token[:-2]
    elif len(token) >= 6 and token.endswith("ing"):
        token = token[:-3]
    elif len(token) >= 5 and token.endswith(("ed", "es")) and not token.endswith("eed"):
        token = token[:-2]
    elif len(token) >= 4 and token[-1] in "sx":
        token = token[:-1]
    if len(token) >= 5 and token.endswith("e"):
        token = token[:-1]
    elif len(token) >= 4 and token.endswith("y"):
        token = token[:-1] + "i"
    return token[:6]


def content_tokens(text: str) -> list[str]:
    """Tokens that carry meaning: stopwords of both languages and one-letter debris removed."""
    return [t for t in tokens(text) if t not in ALL_STOPWORDS and len(t) > 1]


def detect_language(
    text: str, default: Language = "en", own_words: Mapping[Language, frozenset[str]] | None = None
) -> tuple[Language, bool]:
    """Guess English or French for a short question; returns (language, confident).

    Accented letters and French elisions are strong evidence; otherwise the count of
    marker words decides, helped by `own_words`: words the fact base uses in one language
    only ("avertissement", "warning"), which tell the language of a question typed without
    a single accent or function word. A tie falls back to `default` and reports low
    confidence, so a caller can prefer the user's Discord locale instead.
    """
    lowered = text.casefold().translate(_APOSTROPHES)
    french = 2 * sum(1 for c in lowered if c in _FRENCH_LETTERS)
    french += 2 * len(_FRENCH_ELISION.findall(fold(lowered)))
    english = 2 * len(_ENGLISH_CONTRACTION.findall(fold(lowered))) + 2 * len(_NEGATION.findall(lowered))
    for token in _TOKEN.findall(fold(lowered)):
        french += token in _LANGUAGE_MARKERS["fr"]
        english += token in _LANGUAGE_MARKERS["en"]
        if own_words is not None:
            french += token in own_words["fr"]
            english += token in own_words["en"]
    if french > english:
        return "fr", True
    if english > french:
        return "en", True
    return default, False


def words_of_one_language(texts: Iterable[tuple[Language, str]]) -> dict[Language, frozenset[str]]:
    """Words that occur in texts of one language only: evidence of that language."""
    seen: dict[Language, set[str]] = {"en": set(), "fr": set()}
    for language, text in texts:
        seen[language].update(t for t in tokens(text) if len(t) > 2 and not t.isdigit())
    return {"en": frozenset(seen["en"] - seen["fr"]), "fr": frozenset(seen["fr"] - seen["en"])}
