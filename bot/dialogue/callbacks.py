"""Callback data of inline buttons: encoded and parsed in this one place.

Every piece of data is short, namespaced ("rt:done", "kb:psoas-anatomy") and checked against
Telegram's 64-byte limit. Parsing never raises: data from an old message or forged data
comes back as None (or as an action the dialogue then finds stale) and gets a polite reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_BYTES = 64
_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"

RoutineAction = Literal[
    "safe",
    "flag-emergency",
    "flag-same-day",
    "done",
    "skip",
    "back",
    "timer",
    "hurt",
    "sharp",
    "tingle",
    "easier",
    "end",
    "pause",
    "resume",
    "stop",
    "show",
    "menu",
    "new",
    "list",
]
ROUTINE_ACTIONS: frozenset[str] = frozenset(RoutineAction.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShowEntry:
    """Send the answer of an entry (from a related topic or an inline result)."""

    entry_id: str


@dataclass(frozen=True)
class ChooseEntry:
    """A "did you mean" candidate picked: its answer, and the pair kept for the curators."""

    entry_id: str


@dataclass(frozen=True)
class BrowseEntry:
    """Show an entry inside the /topics browser (edits the message, with Back)."""

    entry_id: str


@dataclass(frozen=True)
class BrowseCategory:
    """Show a category's entries in the /topics browser; empty id: the list of categories."""

    category_id: str


@dataclass(frozen=True)
class Feedback:
    """Helpful / not helpful on an answer."""

    entry_id: str
    helpful: bool


@dataclass(frozen=True)
class NoneOfThese:
    """None of the "did you mean" candidates fits."""


@dataclass(frozen=True)
class StartRoutine:
    """Start a routine, at a level if given (else the bot asks or proposes one)."""

    routine_id: str
    level_id: str | None = None


@dataclass(frozen=True)
class RoutineButton:
    """A button of the routine in progress."""

    action: RoutineAction


@dataclass(frozen=True)
class PainScore:
    """A pain score button 0-10."""

    value: int


@dataclass(frozen=True)
class ForgetAnswer:
    """The answer to "delete everything about me?"."""

    confirmed: bool


@dataclass(frozen=True)
class Menu:
    """A button of the /start menu."""

    item: Literal["routine", "topics", "help"]


Action = (
    ShowEntry
    | ChooseEntry
    | BrowseEntry
    | BrowseCategory
    | Feedback
    | NoneOfThese
    | StartRoutine
    | RoutineButton
    | PainScore
    | ForgetAnswer
    | Menu
)


def encode(action: Action) -> str:
    """The callback data of an action; ValueError if it would not fit in 64 bytes."""
    match action:
        case ShowEntry(entry_id):
            data = f"kb:{entry_id}"
        case ChooseEntry(entry_id):
            data = f"ch:{entry_id}"
        case BrowseEntry(entry_id):
            data = f"te:{entry_id}"
        case BrowseCategory(category_id):
            data = f"tc:{category_id}"
        case Feedback(entry_id, helpful):
            data = f"fb:{int(helpful)}:{entry_id}"
        case NoneOfThese():
            data = "none"
        case StartRoutine(routine_id, level_id):
            data = f"rs:{routine_id}" + (f":{level_id}" if level_id else "")
        case RoutineButton(name):
            data = f"rt:{name}"
        case PainScore(value):
            data = f"pn:{value}"
        case ForgetAnswer(confirmed):
            data = f"fg:{'yes' if confirmed else 'no'}"
        case Menu(item):
            data = f"mn:{item}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data[:20]}...")
    return data


def parse(data: str | None) -> Action | None:
    """The action behind callback data, or None for anything unknown or malformed."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    prefix, _, rest = data.partition(":")
    if prefix == "none" and not rest:
        return NoneOfThese()
    if prefix in ("kb", "te", "ch") and re.fullmatch(_ID, rest):
        if prefix == "ch":
            return ChooseEntry(rest)
        return ShowEntry(rest) if prefix == "kb" else BrowseEntry(rest)
    if prefix == "tc" and (rest == "" or re.fullmatch(_ID, rest)):
        return BrowseCategory(rest)
    if prefix == "fb":
        flag, _, entry_id = rest.partition(":")
        if flag in ("0", "1") and re.fullmatch(_ID, entry_id):
            return Feedback(entry_id, flag == "1")
        return None
    if prefix == "rs":
        routine_id, _, level_id = rest.partition(":")
        if re.fullmatch(_ID, routine_id) and (not level_id or re.fullmatch(_ID, level_id)):
            return StartRoutine(routine_id, level_id or None)
        return None
    if prefix == "rt" and rest in ROUTINE_ACTIONS:
        return RoutineButton(rest)  # type: ignore[arg-type]
    if prefix == "pn" and re.fullmatch(r"\d{1,2}", rest) and 0 <= int(rest) <= 10:
        return PainScore(int(rest))
    if prefix == "fg" and rest in ("yes", "no"):
        return ForgetAnswer(rest == "yes")
    if prefix == "mn" and rest in ("routine", "topics", "help"):
        return Menu(rest)  # type: ignore[arg-type]
    return None
