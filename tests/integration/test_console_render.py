"""The console shows every kind of reply as a chat would: an edit prints the message again with
its buttons, a message that loses its buttons makes its numbers press nothing, a toast is a
line in brackets, a picture its caption."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from bot.adapters.console import Console
from bot.core.loader import load_knowledge
from bot.dialogue import Dialogue, TextIn, Who
from bot.dialogue.replies import Button, Edit, EditButtons, Photo, Send, Toast
from bot.store import open_store


def _console(tmp_path: Path) -> tuple[Console, StringIO]:
    store = open_store(database_url=None, sqlite_path=tmp_path / "bot.sqlite3")
    out = StringIO()
    return Console(Dialogue(load_knowledge(), store), Who(1, 1, "Ann"), out), out


def test_every_kind_of_reply_is_shown(tmp_path: Path) -> None:
    console, out = _console(tmp_path)
    console.render(
        [
            Send("<b>Step 1</b>", ((Button("Done", "rt:done"), Button("Skip", "rt:skip")),)),
            Edit(1, "<b>Step 2</b> &amp; more", ((Button("Done", "rt:done"),),)),
            Toast("Saved"),
            Toast(""),
            Photo(b"png", "<i>The pose</i>"),
        ]
    )
    lines = out.getvalue().splitlines()
    assert "Step 1" in lines and "Step 2 & more" in lines
    assert "  [1] Done   [2] Skip" in lines
    assert lines.count("  [1] Done") == 1  # the edited message's buttons
    assert "  (Saved)" in lines and "  ()" not in lines
    assert "[picture] The pose" in lines
    assert console.event_for("1") is not None


def test_a_message_that_loses_its_buttons_presses_nothing_any_more(tmp_path: Path) -> None:
    console, _ = _console(tmp_path)
    console.render([Send("Pick one", ((Button("Yes", "fg:no"),),))])
    assert [c.data for c in console.choices] == ["fg:no"]
    console.render([EditButtons(1, ())])
    assert console.choices == []
    assert console.shown[1] == ()
    assert console.event_for("1") == TextIn(Who(1, 1, "Ann"), "1")  # now plain text
    assert console.event_for("   ") is None
