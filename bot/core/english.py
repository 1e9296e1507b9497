"""English word frequencies, from pyspellchecker's word list: which words are real English
(the typo corrector leaves them alone) and how common they are in general (the matcher
weighs a word by how much more the knowledge base uses it than English at large)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Words seen at least this often count as real words; rarer entries are mostly
# misspellings and names.
MIN_COUNT = 100


@dataclass(frozen=True)
class EnglishFrequencies:
    """Word counts in a large English corpus."""

    counts: dict[str, int]
    total: int

    def is_word(self, word: str) -> bool:
        """True for a common, correctly spelt English word."""
        return self.counts.get(word, 0) >= MIN_COUNT

    def frequency(self, word: str) -> float:
        """The word's share of the corpus (add-one smoothed)."""
        return (self.counts.get(word, 0) + 1) / self.total


@lru_cache(maxsize=1)
def english() -> EnglishFrequencies:
    """The English frequencies; empty if the word list cannot be read."""
    try:
        data = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
        raw = json.loads(gzip.decompress(data))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return EnglishFrequencies({}, 1)
    counts = {w: c for w, c in raw.items() if isinstance(c, int) and c > 0}
    return EnglishFrequencies(counts, max(sum(counts.values()), 1))
