"""The conversation, free of any transport: events in, replies out, one module per feature."""

from bot.dialogue.dialogue import Dialogue
from bot.dialogue.events import ButtonIn, CommandIn, Event, OtherIn, TextIn, TimerDue, Who

__all__ = ["ButtonIn", "CommandIn", "Dialogue", "Event", "OtherIn", "TextIn", "TimerDue", "Who"]
