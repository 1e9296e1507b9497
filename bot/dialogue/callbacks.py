"""Callback data of inline buttons: encoded and parsed in this one place.

Every piece of data is short, namespaced ("kb:psoas-anatomy") and checked against
Telegram's 64-byte limit. A routine card's buttons also name the session and the step they
were drawn for ("rt:done:k3x9q2ab:s2"), and the /forget confirmation a one-time nonce
("fg:yes:Xq3..."), so the dialogue can tell a double tap, an old card or another user's press.
Parsing never raises: data from an old message or forged data comes back as None (or as an
action the dialogue then finds stale) and gets a polite reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_BYTES = 64
_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SESSION = r"[a-z0-9]{1,16}"
_CARD = r"[a-z][0-9]{1,3}"
_NONCE = r"[A-Za-z0-9_-]{1,32}"

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
    "more",
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
    """A button of a routine session: `session` names the session it was drawn for and `card`
    the step and phase of its card (both None on buttons that fit any session, and on data
    from before they were added)."""

    action: RoutineAction
    session: str | None = None
    card: str | None = None


@dataclass(frozen=True)
class PainScore:
    """A pain score button 0-10 of a routine card, bound like a `RoutineButton`."""

    value: int
    session: str | None = None
    card: str | None = None


@dataclass(frozen=True)
class ForgetAnswer:
    """The answer to "delete everything about me?"; a yes carries the question's one-time
    nonce."""

    confirmed: bool
    nonce: str | None = None


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
        case RoutineButton(name, session, card):
            data = "rt:" + ":".join(p for p in (name, session, card) if p)
        case PainScore(value, session, card):
            data = "pn:" + ":".join(p for p in (str(value), session, card) if p)
        case ForgetAnswer(confirmed, nonce):
            data = "fg:yes" + (f":{nonce}" if nonce else "") if confirmed else "fg:no"
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
    if prefix in ("rt", "pn"):
        return _session_button(prefix, rest)
    if prefix == "fg":
        answer, _, nonce = rest.partition(":")
        if answer == "no" and not nonce:
            return ForgetAnswer(False)
        if answer == "yes" and (not nonce or re.fullmatch(_NONCE, nonce)):
            return ForgetAnswer(True, nonce or None)
        return None
    if prefix == "mn" and rest in ("routine", "topics", "help"):
        return Menu(rest)  # type: ignore[arg-type]
    return None


def _session_button(prefix: str, rest: str) -> RoutineButton | PainScore | None:
    """`rt:ACTION[:SESSION[:CARD]]` or `pn:VALUE[:SESSION[:CARD]]`."""
    head, *tags = rest.split(":")
    if len(tags) > 2 or (tags and not re.fullmatch(_SESSION, tags[0])):
        return None
    if len(tags) == 2 and not re.fullmatch(_CARD, tags[1]):
        return None
    session = tags[0] if tags else None
    card = tags[1] if len(tags) == 2 else None
    if prefix == "rt" and head in ROUTINE_ACTIONS:
        return RoutineButton(head, session, card)  # type: ignore[arg-type]
    if prefix == "pn" and re.fullmatch(r"\d{1,2}", head) and 0 <= int(head) <= 10:
        return PainScore(int(head), session, card)
    return None
