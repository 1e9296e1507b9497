"""The Telegram adapter: PTB wiring, Telegram's limits, rendering, and token-safe logging."""

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.wiring import build_application, run

__all__ = ["TelegramAdapter", "build_application", "run"]
