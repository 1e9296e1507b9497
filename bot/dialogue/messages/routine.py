"""A routine: the menu, the safety check, pain questions, the step card, the summary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from bot.core.knowledge import SafetyTier
from bot.core.routine import StepView, Summary
from bot.core.routine_model import Level, Routine, Variant
from bot.dialogue.messages.general import urgent


def routine_menu(routines: Sequence[Routine]) -> str:
    """The list of routines."""
    lines = [
        f"• <b>{escape(r.title)}</b> ({_minutes(r.minutes)}): {escape(r.for_whom)}"
        for r in routines
    ]
    return "<b>Guided routines</b>\n\n" + "\n".join(lines) + "\n\nWhich one would you like?"


def routine_button(routine: Routine) -> str:
    """A routine's button label."""
    return f"{routine.title} ({_minutes(routine.minutes)})"


def _minutes(span: tuple[int, int]) -> str:
    low, high = span
    return f"{low} min" if low == high else f"{low}-{high} min"


def unfinished_routine(title: str) -> str:
    """/routine while another routine is unfinished."""
    return (
        f"You have an unfinished session of <b>{escape(title)}</b>. Continue it, or stop it "
        "and start a new one?"
    )


RESUME_LABEL = "▶ Continue"
NEW_ROUTINE_LABEL = "⏹ Stop it, start a new one"


def choose_level(routine: Routine, proposed: str) -> str:
    """Which level of a routine with a progression."""
    return (
        f"<b>{escape(routine.title)}</b>\n{escape(routine.description)}\n\n"
        "Which level? I've marked the one that fits your history so far."
    )


def level_label(level: Level, proposed: bool) -> str:
    """A level button."""
    return f"{'⭐ ' if proposed else ''}{level.label}"


def safety_check(routine: Routine, emergency: Sequence[str], same_day: Sequence[str]) -> str:
    """The red-flag checklist before a session, in full."""
    first = "\n".join(f"• {escape(b)}" for b in emergency)
    second = "\n".join(f"• {escape(b)}" for b in same_day)
    return (
        f"<b>{escape(routine.title)}</b>\n\nBefore we start, a quick safety check. "
        "Do any of these apply to you right now?\n\n"
        f"<b>A. Needs help now</b>\n{first}\n\n<b>B. Needs a doctor today</b>\n{second}"
    )


def safety_check_short(routine: Routine) -> str:
    """The checklist as one line, for someone who has seen it in the last 30 days."""
    return (
        f"<b>{escape(routine.title)}</b>\n\nBefore we start: none of the warning signs "
        "from the safety list apply to you today?"
    )


SAFE_LABEL = "✅ None of these"
SHOW_LIST_LABEL = "📋 Show the list"
FLAG_EMERGENCY_LABEL = "Something from A"
FLAG_SAME_DAY_LABEL = "Something from B"


def safety_stopped(tier: SafetyTier) -> str:
    """The session ends because a red flag applies."""
    return urgent(tier) + "\n\nI've ended the session. Please get checked first."


def pain_question(when: str) -> str:
    """Ask for a pain score; `when` is before, hurt, after or after-early."""
    question = {
        "before": "How much does your back hurt right now?",
        "hurt": "Sorry it hurts. What happened? Tell me in a few words, or tap how much it "
        "hurts now.",
        "after": "Well done! How much does your back hurt now, after the session?",
        "after-early": "OK, we'll end here. How much does your back hurt now, after the session?",
    }[when]
    return f"{question}\n0 = no pain, 10 = the worst pain imaginable. Tap a number or type it."


SHARP_LABEL = "⚡ Sharp or stabbing"
TINGLE_LABEL = "Pins and needles / numbness"


def invalid_pain() -> str:
    """A pain score outside 0-10."""
    return "Please give a whole number from 0 to 10."


def _variant_line(label: str, variant: Variant | None) -> str:
    if variant is None:
        return ""
    dose = f" ({escape(variant.dose.describe())})" if variant.dose else ""
    return f"\n<b>{label}:</b> {escape(variant.name)}{dose}. {escape(variant.how)}"


CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption, in visible characters
MORE_LABEL = "📖 More"


def step_card(
    routine: Routine,
    view: StepView,
    note: str = "",
    timer_running: bool = False,
    walk_minutes: int | None = None,
    caption: bool = False,
) -> str:
    """The card of one step; as a `caption` (under the step's picture) it leaves out the
    easier and harder versions ("More" shows them) and stays within Telegram's limit."""
    variant = {"easier": " (easier version)", "harder": " (harder version)"}.get(view.variant, "")
    dose = view.dose.describe()
    head = [
        f"<b>Step {view.number} of {view.total}</b> · {escape(routine.title)}",
        "",
        f"<b>{escape(view.name)}</b>{variant}",
        f"<b>Dose:</b> {escape(dose)}",
        "",
    ]
    tail = ["", f"<b>Common mistake:</b> {escape(view.mistake)}"]
    if not caption:
        if view.variant != "easier":
            tail.append(_variant_line("Easier", view.easier).lstrip("\n"))
        if view.variant != "harder":
            tail.append(_variant_line("Harder", view.harder).lstrip("\n"))
    if timer_running and view.timer_seconds:
        tail += ["", f"⏱ <b>Timer running: {_duration(view.timer_seconds)}</b>"]
    if note:
        tail += ["", note]
    how = view.how
    text = "\n".join([*head, escape(how), *tail])
    while caption and visible_length(text) > CAPTION_LIMIT and len(how) > 40:
        how = how[: len(how) - max(20, visible_length(text) - CAPTION_LIMIT)].rsplit(" ", 1)[0]
        text = "\n".join([*head, escape(how) + "…", *tail])
    return text


def visible_length(html: str) -> int:
    """How many characters Telegram shows for our HTML (tags dropped, entities as one)."""
    return len(unescape(re.sub(r"</?[a-z]+>", "", html)))


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min" + (f" {rest} s" if rest else "")


DONE_LABEL = "✅ Done"
SKIP_LABEL = "⏭ Skip"
BACK_STEP_LABEL = "⏮ Back"
TIMER_LABEL = "⏱ Start timer"
HURTS_LABEL = "🤕 It hurts"
PAUSE_LABEL = "⏸ Pause"
STOP_LABEL = "⏹ Stop"
EASIER_LABEL = "Try the easier version"
END_LABEL = "End the session"
SHOW_ROUTINE_LABEL = "↩ Back to the routine"

NOTE_TIME_UP = "⏰ <b>Time's up!</b> Tap Done when you've finished the set."
NOTE_HURT_OK = (
    "OK: that is within 2 points of where you started, which is fine. Carry on gently and "
    "stay in a comfortable range."
)
NOTE_EASIER = "Switched to the easier version. Go gently."
NOTE_RESUMED = "Welcome back. Here is where you were."
NOTE_WENT_BACK = "Back one step."
NOTE_SKIPPED = "Skipped."


def time_up(step_name: str) -> str:
    """The short message when a hold is over."""
    return f"⏰ Time's up for <b>{escape(step_name)}</b>!"


def timer_started(seconds: int) -> str:
    """Toast when a timer starts."""
    return f"Timer started: {_duration(seconds)}"


def exercise_stopped(view: StepView, sharp: bool, tingling: bool, pain_up: bool = False) -> str:
    """That exercise stops: offer the easier version or ending (the reason when it is known)."""
    why = (
        "New pins and needles or numbness is a reason to stop."
        if tingling
        else "Sharp pain is a reason to stop."
        if sharp
        else "That is more than 2 points above where you started, so let's stop this one."
        if pain_up
        else "We stopped this exercise because it hurt."
    )
    extra = (
        "\n\nIf the numbness is around your genitals or bottom, or both legs feel weak, "
        "get medical help straight away."
        if tingling
        else ""
    )
    easier = (
        f"\n\nYou can try the easier version ({escape(view.easier.name)}), skip to the next "
        "exercise, or end the session."
        if view.easier is not None and view.variant != "easier"
        else "\n\nYou can skip to the next exercise or end the session."
    )
    return f"<b>Stop {escape(view.name)}.</b> {why}{extra}{easier}"


def paused(title: str) -> str:
    """A paused session."""
    return (
        f"⏸ <b>{escape(title)}</b> is paused. Continue with /resume or the button below "
        "whenever you're ready."
    )


def stopped(recorded: bool) -> str:
    """The session was stopped."""
    note = " I've saved what you did." if recorded else ""
    return f"Session stopped.{note} Start again any time with /routine."


def summary(routine: Routine, result: Summary) -> str:
    """The end of a session."""
    lines = [
        f"🎉 <b>{escape(routine.title)}: finished</b>"
        if result.completed
        else f"<b>{escape(routine.title)}: ended early</b>"
    ]
    lines.append(f"Exercises done: {len(result.steps_done)} of {result.steps_total}")
    if result.steps_skipped:
        lines.append(f"Skipped: {len(result.steps_skipped)}")
    if result.steps_easier:
        lines.append(f"Done in the easier version: {len(result.steps_easier)}")
    if result.pain_before is not None and result.pain_after is not None:
        change = result.pain_after - result.pain_before
        trend = "lower" if change < 0 else "higher" if change > 0 else "the same"
        lines.append(f"Pain: {result.pain_before} before, {result.pain_after} after ({trend})")
    lines += [
        "",
        "Mild soreness that settles within a day is normal. If the pain is still raised "
        "tomorrow morning, go easier next time.",
        "See your progress with /progress.",
    ]
    return "\n".join(lines)


def not_now() -> str:
    """An event that does not fit the session's current step."""
    return "Not now: that doesn't fit this step."


def no_routine() -> str:
    """A routine button or /resume with nothing in progress."""
    return "There is no routine in progress. Start one with /routine."


def session_lost() -> str:
    """A saved session that can no longer be restored (e.g. the routine changed)."""
    return "I couldn't restore your last session, sorry. Start a new one with /routine."


def unknown_routine() -> str:
    """A deep link or button naming a routine that does not exist."""
    return "I don't have that routine. Here are the ones I have:"


def routine_paused_for_safety() -> str:
    """A red flag typed during a routine."""
    return "I've paused your routine. Please don't continue until you have been checked."


def hurt_noted() -> str:
    """After someone describes what hurts (and it is not a red flag)."""
    return "Thanks for telling me. How much does it hurt now? Tap a number from 0 to 10."
