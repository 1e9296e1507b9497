"""Text normalising shared by the matcher, the safety screen and small talk: no I/O."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})

# Contractions are expanded before punctuation is stripped, so "don't" keeps its "not"
# (the safety screen depends on it) and "what's" does not leave a stray "s".
_CONTRACTIONS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    # (a literal the pattern needs, the pattern, its replacement): the literal lets most
    # messages skip most patterns.
    (literal, re.compile(pattern), replacement)
    for literal, pattern, replacement in (
        ("can't", r"\bcan't\b", "can not"),
        ("cannot", r"\bcannot\b", "can not"),
        ("won't", r"\bwon't\b", "will not"),
        ("shan't", r"\bshan't\b", "shall not"),
        ("ain't", r"\bain't\b", "is not"),
        ("n't", r"\b(\w+)n't\b", r"\1 not"),
        ("'ve", r"\b(i|you|we|they|who|what|that)'ve\b", r"\1 have"),
        ("'ll", r"\b(i|you|we|they|he|she|it|who|what|that|there)'ll\b", r"\1 will"),
        ("'d", r"\b(i|you|we|they|he|she|who|that|there)'d\b", r"\1 would"),
        ("'re", r"\b(you|we|they|who|what)'re\b", r"\1 are"),
        ("i'm", r"\bi'm\b", "i am"),
        ("'s", r"\b(it|what|that|there|here|who|where|how|he|she|let)'s\b", r"\1 is"),
        ("'s", r"'s\b", ""),
        ("s'", r"s'\b", "s"),
    )
)

# Common forms written without the apostrophe ("dont", "cant") mean the same.
_BARE_CONTRACTIONS = {
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "havent": "have not",
    "hasnt": "has not",
    "wont": "will not",
    "im": "i am",
    "ive": "i have",
    "whats": "what is",
    "hows": "how is",
    "thats": "that is",
    "shouldnt": "should not",
    "couldnt": "could not",
    "wouldnt": "would not",
}

_NON_WORD = re.compile(r"[^a-z0-9]+")

# Question words are not stop words: "where is the psoas" and "what is the psoas" ask
# different things, and "how can I tell if" asks for a test.
QUESTION_WORDS: frozenset[str] = frozenset({"where", "when", "why", "how", "which", "tell"})

STOP_WORDS: frozenset[str] = frozenset(
    """
    a an the and or but if so of to in on at by for from with into onto about as than then
    is are was were be been being am do does did doing done have has had having will would
    shall should can could may might must i me my mine myself yours we our us they
    them their he him his she her it its this that these those there here what who whom
    whose just very really actually quite also too still even much many
    any some all more most such only own same other again please know want wanted like
    get got gets getting go going thing things something anything lot lots bit kind sort
    one ones way ways hi hello hey thanks thank pls plz ok okay yes yeah well need im
    always often usually sometimes ever every each now currently right exactly say says said
    """.split()
)

# Negations must survive stop-word removal: "not" changes what a question asks.
NEGATIONS: frozenset[str] = frozenset({"not", "no", "never", "without", "nor"})


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes; keeps punctuation."""
    if text.isascii():  # nothing to strip or unify: the common case, and much faster
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_APOSTROPHES).lower()


def normalize(text: str) -> str:
    """Fold case and accents, expand contractions, drop punctuation and emoji."""
    text = fold(text)
    if "'" in text or "cannot" in text:
        for literal, pattern, replacement in _CONTRACTIONS:
            if literal in text:
                text = pattern.sub(replacement, text)
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_BARE_CONTRACTIONS.get(word, word) for word in words)


def words(text: str) -> list[str]:
    """The normalised words of a text, in order."""
    return normalize(text).split()


# Compounds written three ways ("sit-ups", "sit ups", "situps") become one token. A singular
# joins only with its hyphen: "sit up straight" is posture, "a sit-up" is the exercise.
_COMPOUND = re.compile(
    r"\b(?:(sit|curl|push|press|pull|step|warm|flare|cool)(?:-|\s+)?(ups|downs)"
    r"|(sit|curl|push|press|pull|step|warm|flare|cool)-(up|down)"
    r"|(x)(?:-|\s+)?(rays?)"
    r"|(back)(?:-|\s+)?(aches?))\b"
)


def _joined(found: re.Match[str]) -> str:
    return "".join(part for part in found.groups() if part)


def join_compounds(text: str) -> str:
    """The text with known compounds written as one word ("sit ups" -> "situps")."""
    return _COMPOUND.sub(_joined, fold(text))


# British and American spellings: (British ending, American ending); tried both ways.
_SPELLING_ENDINGS: tuple[tuple[str, str], ...] = (
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("iser", "izer"),
    ("isers", "izers"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ogue", "og"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("ence", "ense"),
)
_SPELLING_INNER: tuple[tuple[str, str], ...] = (("ae", "e"), ("oe", "e"))


def spelling_variants(word: str) -> list[str]:
    """Other spellings and base forms a word may have: British or American ("stabilise",
    "stabilize"), and the base of an -est form ("safest" -> "safe", "easiest" -> "easy")."""
    out: list[str] = []
    if len(word) < 5:
        return out
    for british, american in _SPELLING_ENDINGS:
        for ending, other in ((british, american), (american, british)):
            # "our" -> "or" only on longer words: "four" and "your" are not spellings.
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                out.append(word[: len(word) - len(ending)] + other)
    for british, american in _SPELLING_INNER:
        if british in word:
            out.append(word.replace(british, american))
    if word.endswith("iest"):
        out.append(word[:-4] + "y")
    elif word.endswith("est") and len(word) >= 6:
        base = word[:-3]
        out += [base, base + "e"]
        if len(base) > 2 and base[-1] == base[-2]:
            out.append(base[:-1])
    return out


_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ization", "ize"),
    ("ening", "en"),
    ("ening", "en"),
    ("ities", "ity"),
    ("iness", "y"),
    ("ingly", ""),
    ("ously", "ous"),
    ("ness", ""),
    ("ment", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ers", "er"),
    ("ed", ""),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)

_DOUBLE_END = re.compile(r"([bdfgmnprt])\1$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: enough to meet "stretching" with "stretch"."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "zes")):
                continue
            base = word[: len(word) - len(suffix)] + replacement
            if suffix in ("ing", "ed") and _DOUBLE_END.search(base):
                base = base[:-1]
            return base
    return word
