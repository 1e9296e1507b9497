"""Typed questions and topics: the safety screen's message, answers, "did you mean", browsing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core import routine as rt
from bot.core.knowledge import Entry
from bot.core.text import normalize
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import (
    MAX_KEPT_QUESTION,
    Ctx,
    Services,
    edit_or_send,
    kb_buttons,
    keep_question,
    menu,
    show,
)
from bot.dialogue.replies import Button, EditButtons, InlineItem, Keyboard, Reply, Send, Toast
from bot.dialogue.routine_cards import PAIN_PHASES, Session, back_to_routine
from bot.dialogue.routines import Routines

MAX_TEXT = 10_000
LAST_QUESTION = "last_question"
CLARIFIED = "clarified"
ANSWERED = "answered:"
CRISIS = "crisis"
LAST_ANSWER = "last_answer"
# A short follow-up within this time of an answer is read with that answer's topic.
FOLLOW_UP_WINDOW = timedelta(minutes=5)
# Commands typed as words, alone or with a word of filler ("show me the menu please").
TYPED_COMMANDS = {
    "help": "help",
    "commands": "help",
    "menu": "start",
    "main menu": "start",
    "start": "start",
    "start over": "start",
    "restart": "start",
}
_COMMAND_FILLER = frozenset({"please", "pls", "the", "show", "me", "open", "go", "to", "back"})
_PAIN_TEXT = re.compile(r"^\s*(-?\d{1,3})\s*(?:/\s*10)?\s*$")


def typed_command(text: str) -> str | None:
    """The command a message means when it is only "help", "menu" or "start over"."""
    words = [w for w in normalize(text).split() if w not in _COMMAND_FILLER]
    return TYPED_COMMANDS.get(" ".join(words)) if 0 < len(words) <= 2 else None


def _recent_answer(kept: str | None, now: datetime) -> str | None:
    """The entry answered last, if that was within the follow-up window."""
    entry_id, _, when = (kept or "").partition(" ")
    try:
        answered_at = datetime.fromisoformat(when)
    except ValueError:
        return None
    return entry_id if timedelta(0) <= now - answered_at <= FOLLOW_UP_WINDOW else None


class Questions:
    """Answers typed text and the buttons around answers and topics."""

    def __init__(self, services: Services, routines: Routines) -> None:
        self.s = services
        self.routines = routines

    async def text(self, ctx: Ctx, text: str) -> list[Reply]:
        """Typed text: a pain score in a routine, else screen, small talk and the knowledge base."""
        # Lone surrogates (broken input) cannot be stored or sent: replace them.
        text = text[:MAX_TEXT].encode("utf-8", "replace").decode("utf-8")
        session = await self.routines.session(ctx)
        if isinstance(session, Session) and session.state.phase in PAIN_PHASES:
            number = _PAIN_TEXT.match(text)
            if number:
                return await self.routines.apply(ctx, session, rt.Pain(int(number.group(1))))
        context = _recent_answer(await ctx.tx.get_state(LAST_ANSWER), ctx.now)
        verdict = self.s.answerer.verdict(text, context)
        screen = verdict.screen
        replies: list[Reply] = []
        # No "back to the routine" next to a red flag: the routine waits until they are checked.
        active = isinstance(session, Session) and screen.tier is None
        if screen.tier is not None:
            replies.append(Send(msg.urgent(screen.tier)))
            if isinstance(session, Session) and session.state.phase in rt.PAUSABLE_PHASES:
                await self.routines.apply(ctx, session, rt.Pause())
                replies.append(Send(msg.routine_paused_for_safety()))
        self._record(ctx, verdict.kind, verdict.entry_id, verdict.score)
        if screen.tier is not None and screen.tier.id == CRISIS:
            # Helplines first and nothing else competes: at most the crisis entry, no buttons.
            if verdict.entry_id == CRISIS:
                replies.append(Send(msg.answer(self.s.kb.entries[CRISIS])))
            return replies
        if verdict.small_talk is not None:
            return [Send(verdict.small_talk.reply)]
        if isinstance(session, Session) and session.state.phase == rt.Phase.HURT_CHECK:
            if screen.tier is None:
                # "It hurts" asked what happened: the reply was screened, now the pain score.
                return [
                    Send(msg.hurt_noted()),
                    *self.routines.render(ctx, session, rt.Notice.HURT_ASKED, new_message=True),
                ]
            return replies
        back = back_to_routine() if active else []
        match verdict.match.kind:
            case "answer" if verdict.entry_id:
                entry = self.s.kb.entries[verdict.entry_id]
                await self._answered(ctx, entry, text)
                replies.append(Send(msg.answer(entry), self.answer_keyboard(entry, back)))
            case "clarify" if verdict.candidates:
                await ctx.tx.set_state(LAST_QUESTION, text[:MAX_KEPT_QUESTION])
                ids = [c.entry_id for c in verdict.candidates]
                await ctx.tx.set_state(CLARIFIED, " ".join(ids))
                rows = [
                    [Button(self.s.kb.entries[i].title, cb.encode(cb.ChooseEntry(i)))] for i in ids
                ]
                rows.append([Button(msg.NONE_OF_THESE_LABEL, cb.encode(cb.NoneOfThese()))])
                replies.append(Send(msg.clarify(), kb_buttons([*rows, back])))
            case _ if screen.tier is None:
                if any(ch.isalnum() for ch in text):
                    keep_question(ctx, self.s.store, text)
                    replies.append(Send(msg.fallback(), self.fallback_keyboard(back)))
                else:
                    replies.append(Send(msg.empty_text()))
            case _:
                pass
        if screen.note is not None:
            replies.append(Send(msg.gp_note(screen.note)))
        return replies

    async def _answered(self, ctx: Ctx, entry: Entry, question: str) -> None:
        """Remember the question (for feedback) and the entry (for a follow-up)."""
        await ctx.tx.set_state(ANSWERED + entry.id, question[:MAX_KEPT_QUESTION])
        await ctx.tx.set_state(LAST_ANSWER, f"{entry.id} {ctx.now.isoformat()}")

    async def _chosen(self, ctx: Ctx, entry: Entry) -> list[Reply]:
        """A "did you mean" candidate picked: the pair is kept for the curators."""
        question = await ctx.tx.get_state(LAST_QUESTION)
        offered = (await ctx.tx.get_state(CLARIFIED) or "").split()
        if question and entry.id in offered:
            keep_question(ctx, self.s.store, question, "chosen", entry.id)
            await ctx.tx.set_state(LAST_QUESTION, None)
            await ctx.tx.set_state(CLARIFIED, None)
            await self._answered(ctx, entry, question)
        return [Toast(""), *self.answer(entry)]

    def _record(self, ctx: Ctx, kind: str, entry_id: str | None, score: float) -> None:
        store = self.s.store

        async def write() -> None:
            await store.record_question(kind, entry_id, score)

        ctx.after_commit.append(write)

    def answer_keyboard(
        self, entry: Entry, extra: Sequence[Button] = (), *, feedback: bool = True
    ) -> Keyboard:
        """Related topics, helpful / not helpful, and any extra buttons."""
        kb = self.s.kb
        related = [
            [Button(msg.RELATED_PREFIX + kb.entries[r].title, show(r))]
            for r in entry.related
            if r in kb.entries
        ][:3]
        votes = [
            Button(msg.HELPFUL_LABEL, cb.encode(cb.Feedback(entry.id, True))),
            Button(msg.NOT_HELPFUL_LABEL, cb.encode(cb.Feedback(entry.id, False))),
        ]
        return kb_buttons([*related, votes if feedback else [], list(extra)])

    def fallback_keyboard(self, extra: Sequence[Button] = ()) -> Keyboard:
        """Browse topics, and any extra buttons."""
        return kb_buttons([[Button(msg.BROWSE_TOPICS_LABEL, menu("topics"))], list(extra)])

    def answer(self, entry: Entry) -> list[Reply]:
        """An entry as a new message with its buttons."""
        return [Send(msg.answer(entry), self.answer_keyboard(entry))]

    def topics_root(self) -> tuple[str, Keyboard]:
        """The list of categories."""
        rows = [[Button(c.title, cb.encode(cb.BrowseCategory(c.id)))] for c in self.s.kb.categories]
        return msg.topics_root(), kb_buttons(rows)

    async def topics(self, ctx: Ctx, args: str) -> list[Reply]:
        """/topics."""
        text, buttons = self.topics_root()
        return [Send(text, buttons)]

    def inline(self, query: str) -> list[InlineItem]:
        """Entries matching an inline query (`@bot psoas`), best first; no store involved."""
        kb, matcher = self.s.kb, self.s.answerer.matcher
        text = query.strip()[:MAX_KEPT_QUESTION]
        if not text:
            return [_inline_item(kb.entries[i]) for i in list(kb.entries)[:10]]
        floor = matcher.thresholds.clarify
        return [
            _inline_item(kb.entries[c.entry_id])
            for c in matcher.score(text)[:10]
            if c.score >= floor
        ]

    async def button(self, ctx: Ctx, action: cb.Action) -> list[Reply] | None:
        """A button about entries and topics; None when it is not one of these."""
        entries = self.s.kb.entries
        match action:
            case cb.ShowEntry(entry_id) if entry_id in entries:
                return [Toast(""), *self.answer(entries[entry_id])]
            case cb.ChooseEntry(entry_id) if entry_id in entries:
                return await self._chosen(ctx, entries[entry_id])
            case cb.BrowseCategory(category_id):
                return self._category(ctx, category_id)
            case cb.BrowseEntry(entry_id) if entry_id in entries:
                entry = entries[entry_id]
                back = [Button(msg.BACK_LABEL, cb.encode(cb.BrowseCategory(entry.category)))]
                return edit_or_send(ctx, msg.answer(entry), [back])
            case cb.Feedback(entry_id, helpful) if entry_id in entries:
                return await self._feedback(ctx, entries[entry_id], helpful)
            case cb.NoneOfThese():
                question = await ctx.tx.get_state(LAST_QUESTION)
                if question:
                    keep_question(ctx, self.s.store, question)
                    await ctx.tx.set_state(LAST_QUESTION, None)
                    await ctx.tx.set_state(CLARIFIED, None)
                return [Toast(""), *edit_or_send(ctx, msg.fallback(), self.fallback_keyboard())]
        return None

    def _category(self, ctx: Ctx, category_id: str) -> list[Reply]:
        if not category_id:
            return edit_or_send(ctx, *self.topics_root())
        kb = self.s.kb
        category = kb.category(category_id)
        if category is None:
            return [Toast(msg.stale_button())]
        rows = [
            [Button(kb.entries[i].title, cb.encode(cb.BrowseEntry(i)))] for i in category.entry_ids
        ]
        rows.append([Button(msg.ALL_TOPICS_LABEL, cb.encode(cb.BrowseCategory("")))])
        return edit_or_send(ctx, msg.topics_category(category.title), rows)

    async def _feedback(self, ctx: Ctx, entry: Entry, helpful: bool) -> list[Reply]:
        await ctx.tx.add_feedback(entry.id, helpful)
        question = await ctx.tx.get_state(ANSWERED + entry.id)
        if not helpful:
            # The curators see which question the answer failed (never who asked it).
            keep_question(ctx, self.s.store, question or entry.title, "not-helpful", entry.id)
        await ctx.tx.set_state(ANSWERED + entry.id, None)
        replies: list[Reply] = [Toast(msg.FEEDBACK_THANKS if helpful else msg.FEEDBACK_SORRY)]
        if ctx.message_id is not None:
            session = await self.routines.session(ctx)
            back = back_to_routine() if isinstance(session, Session) else []
            keyboard = self.answer_keyboard(entry, back, feedback=False)
            replies.append(EditButtons(ctx.message_id, keyboard))
        return replies


def _inline_item(entry: Entry) -> InlineItem:
    return InlineItem(
        entry_id=entry.id,
        title=entry.title,
        description=msg.inline_description(entry),
        text=msg.answer(entry),
        start_payload=f"kb-{entry.id}",
    )
