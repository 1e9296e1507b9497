"""Greeting, help, answers, the safety message, fallbacks and errors, topics."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.knowledge import Entry, SafetyTier

BOT_NAME = "Hip &amp; Back Coach"

# (command, description): the list /help shows and the bot registers with set_my_commands.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and main menu"),
    ("routine", "Start a guided exercise routine"),
    ("resume", "Continue your unfinished routine"),
    ("topics", "Browse all topics"),
    ("progress", "Your sessions, streak and pain over time"),
    ("reminder", "Daily nudge: /reminder 08:00 or /reminder off"),
    ("timezone", "Your time zone: /timezone Europe/Berlin"),
    ("cancel", "Leave what you are doing"),
    ("forget", "Delete everything stored about you"),
    ("help", "What I can do"),
)

DISCLAIMER = (
    "<i>I share general, sourced information and guided exercise. I am not a doctor and "
    "cannot diagnose you.</i>"
)


def greeting(first_name: str) -> str:
    """The /start message."""
    name = escape(first_name.strip()[:64]) if first_name.strip() else "there"
    return (
        f"Hello {name}! I'm {BOT_NAME}.\n\n"
        "I answer questions about hip flexors and low back pain from a curated, sourced "
        "knowledge base, and I guide you through short exercise routines, one step at a time.\n\n"
        "Just type a question, for example <i>Should I stretch my hip flexors?</i>\n\n"
        f"{DISCLAIMER}"
    )


START_ROUTINE_LABEL = "🏃 Start a routine"
BROWSE_TOPICS_LABEL = "📚 Browse topics"
HELP_LABEL = "❓ Help"


def help_text() -> str:
    """The /help message, from the same list the bot registers as its commands."""
    lines = [f"/{name} – {escape(description)}" for name, description in COMMANDS]
    return (
        "<b>What I can do</b>\n\n"
        "Type any question about hip flexors, low back pain, stretching, sitting, walking or "
        "exercise, and I'll answer with my sources.\n\n" + "\n".join(lines) + "\n\n" + DISCLAIMER
    )


def notes(lines: Sequence[str]) -> str:
    """Shared notes (`KnowledgeBase.notes`) under a text, one paragraph each; empty for none."""
    return "".join(f"\n\n<i>{escape(line)}</i>" for line in lines)


def answer(entry: Entry) -> str:
    """An entry's answer with its notes and sources."""
    sources = "\n".join(f"• {escape(s.citation)}" for s in entry.sources)
    return (
        f"<b>{escape(entry.title)}</b>\n\n{escape(entry.answer)}{notes(entry.notes)}"
        f"\n\n<i>Sources</i>\n{sources}"
    )


RELATED_PREFIX = "➜ "
HELPFUL_LABEL = "👍 Helpful"
NOT_HELPFUL_LABEL = "👎 Not helpful"
FEEDBACK_THANKS = "Thanks for the feedback!"
FEEDBACK_SORRY = "Thanks. I'll pass that on to the people who write the answers."


def urgent(tier: SafetyTier) -> str:
    """A safety message: always sent first."""
    return f"⚠️ <b>{escape(tier.title)}</b>\n\n{escape(tier.message)}"


def gp_note(tier: SafetyTier) -> str:
    """The calm routine-GP note, sent after the answer."""
    return f"ℹ️ <b>{escape(tier.title)}</b>\n\n{escape(tier.message)}"


def clarify() -> str:
    """The "did you mean" question."""
    return "I'm not sure which of these you mean. Did you mean:"


NONE_OF_THESE_LABEL = "None of these"


def fallback() -> str:
    """Nothing in the knowledge base is close."""
    return (
        "Sorry, I don't have a good answer to that. I only know about hip flexors, low back "
        "pain and the exercise, everyday and pain topics around them, and I'd rather not guess.\n\n"
        "You can browse everything I know with /topics, or rephrase your question. "
        "I've kept your question (without your name) so the people who curate my answers "
        "can see what is missing."
    )


def empty_text() -> str:
    """A message with no words in it (only emoji or punctuation)."""
    return "I can only read words. Type a question, or try /help."


def not_text() -> str:
    """A sticker, photo, voice note, location..."""
    return "I can only read text messages. Type your question, or try /help."


def unknown_command() -> str:
    """A command the bot does not have."""
    return "I don't know that command. /help lists what I can do."


def stale_button() -> str:
    """A button from an old message, or data the bot does not know."""
    return "That button is no longer active."


def something_went_wrong() -> str:
    """The error handler's message to the user."""
    return "Sorry, something went wrong on my side. Please try again in a moment."


# ------------------------------------------------------------------ topics


def topics_root() -> str:
    """The first /topics screen."""
    return "<b>Topics</b>\nPick a category:"


def topics_category(title: str) -> str:
    """A category's screen."""
    return f"<b>{escape(title)}</b>\nPick a question:"


BACK_LABEL = "⬅ Back"
ALL_TOPICS_LABEL = "⬅ All topics"
