"""Small talk: a message that is only a greeting, thanks, goodbye or "ok". Pure."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.knowledge import SmallTalkIntent
from bot.core.text import normalize

MAX_SMALL_TALK_WORDS = 8


class SmallTalk:
    """Recognises whole-message small talk; a message that also asks something is not."""

    def __init__(self, intents: Iterable[SmallTalkIntent], filler: frozenset[str]) -> None:
        self._by_pattern = {p: i for i in intents for p in i.patterns}
        self._filler = filler

    def match(self, text: str) -> SmallTalkIntent | None:
        """The intent of a small-talk message, or None."""
        words = normalize(text).split()
        if not words or len(words) > MAX_SMALL_TALK_WORDS:
            return None
        phrase = " ".join(words)
        if phrase in self._by_pattern:
            return self._by_pattern[phrase]
        # Try the message with filler words trimmed from either end ("thanks a lot mate").
        for start in range(len(words)):
            for end in range(len(words), start, -1):
                core = " ".join(words[start:end])
                if core in self._by_pattern and all(
                    w in self._filler for w in words[:start] + words[end:]
                ):
                    return self._by_pattern[core]
        return None
