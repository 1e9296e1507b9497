"""A list of common English words, so the typo corrector leaves real words alone."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

# Words seen at least this often in pyspellchecker's English frequency list count as real
# words; rarer entries there are mostly misspellings and names.
MIN_COUNT = 100


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (lower case); empty if the word list cannot be read."""
    try:
        data = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
        counts = json.loads(gzip.decompress(data))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return frozenset()
    return frozenset(w for w, c in counts.items() if isinstance(c, int) and c >= MIN_COUNT)
