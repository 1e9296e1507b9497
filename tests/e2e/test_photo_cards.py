"""A routine step's card is one photo message in Telegram: the step's picture with the card as
its caption, edited in place from step to step; each picture is uploaded once and its file_id
reused; a step without a picture stays a text card; "More" shows the whole card."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from bot.store.sqlite import SqliteStore
from tests.e2e.checks import assert_card_matches_store
from tests.e2e.harness import AnyApplication, Chat, StartApp, button
from tests.e2e.test_routine_buttons import start_gentle
from tests.fakes import Call, FakeBotApi, FakeUser

pytestmark = pytest.mark.usefixtures("unthrottled_chats")


def media_of(call: Call) -> Any:
    """The `media` value of a sendPhoto or editMessageMedia call: "attach://..." for an
    upload, else a file_id."""
    if call.method == "sendPhoto":
        return call.params.get("photo", "attach://photo")
    media = call.params["media"]
    return media["media"] if isinstance(media, dict) else media


async def test_each_step_is_one_photo_card_edited_in_place_and_uploaded_once(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    first = fake.message(alice.id, card)
    assert first.kind == "photo" and first.file_bytes
    assert (first.rendered_text or "").startswith("Step 1 of 3")
    assert msg.MORE_LABEL in [b["text"] for b in first.buttons]
    await alices.tap(card, msg.DONE_LABEL)
    assert fake.message(alice.id, card).kind == "photo"
    assert "Step 2 of 3" in (fake.message(alice.id, card).rendered_text or "")
    uploads = [media_of(c) for c in fake.calls_to("editMessageMedia")]
    assert all(str(m).startswith("attach://") for m in uploads)  # two new pictures
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)

    # The same routine again: its pictures now go by file_id, no upload.
    await alices.tap(card, msg.STOP_LABEL)
    second = await start_gentle(alices)
    again = fake.calls_to("editMessageMedia")[len(uploads) :]
    assert again and all(not str(media_of(c)).startswith("attach://") for c in again)
    assert fake.message(alice.id, second).file_id == first.file_id
    for call in fake.calls_to("editMessageMedia") + fake.calls_to("editMessageCaption"):
        assert call.ok, call.error  # every caption within Telegram's 1,024 characters


async def test_more_shows_the_whole_card_with_the_easier_and_harder_versions(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    assert "Easier:" not in (fake.message(alice.id, card).rendered_text or "")
    more = await alices.tap(card, msg.MORE_LABEL)
    assert more.toast == ""
    assert len(more.new) == 1 and "Easier:" in (more.new[0].rendered_text or "")
    assert "Step 1 of 3" in (fake.message(alice.id, card).rendered_text or "")  # unchanged


async def test_a_step_without_a_picture_is_a_plain_text_card(
    start_app: StartApp,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    first_step = kb.step_picture("gentle-start", kb.routines["gentle-start"].steps[0].id, None)
    pictures = {k: v for k, v in kb.pictures.items() if k != first_step}
    async with start_app(kb=dataclasses.replace(kb, pictures=pictures)):
        alices = chat(alice)
        card = await start_gentle(alices)
        assert fake.message(alice.id, card).kind == "text"
        assert msg.MORE_LABEL not in [b["text"] for b in fake.message(alice.id, card).buttons]
        await alices.tap(card, msg.DONE_LABEL)  # the next step has its picture again
        assert fake.message(alice.id, card).kind == "photo"
    assert not fake.calls_to("sendPhoto")


async def test_a_500_on_the_photo_card_is_retried_and_the_step_is_shown(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    since = fake.call_count
    fake.inject_fault("editMessageMedia", status=500, chat_id=alice.id)
    done = button(fake.message(alice.id, card), msg.DONE_LABEL)
    await alices.press(card, done)
    statuses = [c.status for c in fake.calls[since:] if c.method == "editMessageMedia"]
    assert statuses == [500, 200]
    assert "Step 2 of 3" in (fake.message(alice.id, card).rendered_text or "")
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_file_id_telegram_does_not_know_is_replaced_by_an_upload(
    start_app: StartApp,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    name = kb.step_picture("gentle-start", kb.routines["gentle-start"].steps[0].id, None)
    assert name is not None
    fingerprint = hashlib.sha256(kb.pictures[name].read_bytes()).hexdigest()[:16]
    store = SqliteStore(settings.db_path)
    await store.open()
    try:
        await store.save_picture_file_id(name, fingerprint, "NO-SUCH-FILE")
    finally:
        await store.close()

    async with start_app():
        card = await start_gentle(chat(alice))
    media = [media_of(c) for c in fake.calls_to("editMessageMedia")]
    assert media[0] == "NO-SUCH-FILE" and str(media[1]).startswith("attach://")
    assert fake.message(alice.id, card).kind == "photo"
    store = SqliteStore(settings.db_path)
    await store.open()
    try:
        kept = await store.picture_file_id(name, fingerprint)
    finally:
        await store.close()
    assert kept == fake.message(alice.id, card).file_id  # the new upload's file_id is kept


async def test_after_a_restart_a_text_phase_on_a_photo_card_goes_to_its_caption(
    start_app: StartApp,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    async with start_app():
        card = await start_gentle(alices)
    async with start_app():  # a new process: it does not know the card is a photo
        asked = await alices.tap(card, msg.HURTS_LABEL)
    assert "What happened?" in (asked.message.rendered_text or "")
    assert asked.message.kind == "photo" and asked.new == []
    tried = fake.calls_to("editMessageText")
    assert tried and not tried[-1].ok  # Telegram says a photo has no text ...
    assert fake.calls_to("editMessageCaption")[-1].ok  # ... so the caption is edited
