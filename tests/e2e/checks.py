"""Checks shared by the fault tests: the routine state saved in the store is what the user last
saw on their card, another user was served while a fault was in progress, and no secret
reached a log line."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.dialogue.routine_cards import Session, session_card, step_picture
from bot.store import UserTx
from bot.store.sqlite import SqliteStore
from tests.e2e.harness import shown
from tests.fakes import Call, FakeBotApi, StoredMessage

# Buttons that only a routine card has (a pain score, or a step's own buttons).
_CARD_ACTIONS = frozenset(
    {"safe", "done", "skip", "back", "timer", "hurt", "sharp", "tingle", "easier", "end",
     "pause", "stop", "more"}
)  # fmt: skip
_SHOWN_BY = ("sendMessage", "editMessageText", "sendPhoto", "editMessageMedia",
             "editMessageCaption")  # fmt: skip


def is_card_button(data: str) -> bool:
    """Whether callback data belongs to a routine card (whatever its tags)."""
    prefix, _, rest = data.partition(":")
    return prefix == "pn" or (prefix == "rt" and rest.split(":")[0] in _CARD_ACTIONS)


def _message_id(call: Call) -> int | None:
    if call.method.startswith("send"):
        return int(call.result["message_id"]) if isinstance(call.result, dict) else None
    value = call.params.get("message_id")
    return int(value) if value is not None else None


def last_card(fake: FakeBotApi, chat_id: int) -> StoredMessage | None:
    """The routine card the user saw last: the card message most recently sent or edited
    (a card stays a card when it is edited into the summary)."""
    cards: set[int] = set()
    last: int | None = None
    for call in fake.calls:
        if call.method not in _SHOWN_BY or not call.ok or call.chat_id != chat_id:
            continue
        message_id = _message_id(call)
        if message_id is None:
            continue
        message = fake.message(chat_id, message_id)
        if message_id in cards or any(is_card_button(d) for d in message.callback_data):
            cards.add(message_id)
            last = message_id
    return None if last is None else fake.message(chat_id, last)


def saved_state(db_path: Path, user_id: int, kb: KnowledgeBase) -> rt.SessionState | None:
    """The routine in progress as the store has it (read from the SQLite file)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT data FROM active_sessions WHERE user_id = ?", (user_id,)
        ).fetchone()
    if row is None:
        return None
    state = rt.SessionState.from_json(str(row[0]), kb.routines)
    assert state is not None, row[0]
    return state


def _header(text: str) -> str:
    """The part of a card that says where the session is ("Step 3 of 7 · ...")."""
    return text.split("\n")[0].split(".")[0]


def _labels(message_rows: Iterable[Iterable[str]]) -> list[str]:
    return [label for row in message_rows for label in row]


def assert_card_matches_store(
    fake: FakeBotApi, chat_id: int, user_id: int, db_path: Path, kb: KnowledgeBase
) -> None:
    """The saved routine state is what the user last saw: the same phase and step on the
    card, and the same buttons (a session that is over shows no routine buttons)."""
    state = saved_state(db_path, user_id, kb)
    card = last_card(fake, chat_id)
    if state is None:
        assert card is None or not any(is_card_button(d) for d in card.callback_data), (
            "no routine is saved, but the last card still offers its buttons: "
            f"{card.rendered_text if card else None!r}"
        )
        return
    assert card is not None, f"a routine is saved ({state.phase}) but the user saw no card"
    session = Session(kb.routines[state.routine_id], state, user_id)
    pictured = step_picture(kb, session) is not None
    text, rows = session_card(kb, session, rt.Notice.NEXT_STEP, None, None, "", pictured=pictured)
    seen_labels = [b["text"] for b in card.buttons]
    expected = (_header(shown(text)), _labels([b.label for b in row] for row in rows))
    assert (_header(card.rendered_text or ""), seen_labels) == expected, (
        f"saved: {state.phase} at step {state.step_index}; "
        f"shown: {(card.rendered_text or '')[:80]!r}"
    )


def served_during(fake: FakeBotApi, other_chat: int, fault_chat: int, since: int = 0) -> bool:
    """Whether the other chat got a message before the faulty chat's requests were all
    answered (calls counted from number `since`): the other user did not wait for the fault."""
    calls = fake.calls[since:]
    other = [c.answered_at for c in calls if c.chat_id == other_chat and c.ok
             and c.method in _SHOWN_BY and c.answered_at is not None]  # fmt: skip
    faulty = [c.answered_at for c in calls if c.chat_id == fault_chat and c.answered_at]
    return bool(other) and bool(faulty) and min(other) < max(faulty)


def assert_no_secret_logged(records: Iterable[logging.LogRecord], *secrets: str) -> None:
    """No log record's text (nor its traceback) holds any of the secrets."""
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            text += logging.Formatter().formatException(record.exc_info)
        for secret in secrets:
            if secret:
                assert secret not in text, f"a secret in a log line of {record.name}"


class BrokenFor(SqliteStore):
    """A store with a bug that bites every action of `broken_user` (a bug in the bot's own
    code), once it is set."""

    broken_user = 0

    @asynccontextmanager
    async def user_action(self, user_id: int) -> AsyncIterator[UserTx]:
        if user_id == self.broken_user:
            raise RuntimeError("a bug in the bot's own code")
        async with super().user_action(user_id) as tx:
            yield tx
