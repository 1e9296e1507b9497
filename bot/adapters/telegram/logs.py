"""Logging that never shows the bot token or the webhook secret, a quiet HTTP client, and
Telegram's refusals in one line instead of a traceback."""

from __future__ import annotations

import logging

from telegram.error import InvalidToken, TelegramError

from bot.adapters.telegram.limits import describe
from bot.config import Settings


class TokenFilter(logging.Filter):
    """Removes the secrets (the bot token, the webhook secret) from every log record,
    whatever logger wrote it."""

    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, with the secrets replaced."""
        if self.secrets:
            text = record.getMessage()
            if any(s in text for s in self.secrets):
                record.msg, record.args = self._scrub(text), None
            if record.exc_info and record.exc_info[1] is not None:
                formatted = logging.Formatter().formatException(record.exc_info)
                if any(s in formatted for s in self.secrets):
                    record.exc_info = None
                    record.exc_text = self._scrub(formatted)
        return True


class OneLineTelegramErrors(logging.Filter):
    """A record about an error Telegram answered or a request that failed on the network is
    one line: the error's kind instead of its traceback (PTB logs those with tracebacks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Fold a TelegramError's traceback into the message."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TelegramError):
            # PTB's InvalidToken at start quotes the token: its kind is enough.
            kind = type(error).__name__ if isinstance(error, InvalidToken) else describe(error)
            record.msg, record.args = f"{record.getMessage()} [{kind}]", None
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(settings: Settings) -> None:
    """Log lines to stderr, httpx quiet (it logs request URLs, which hold the token)."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=getattr(logging, settings.log_level, logging.INFO),
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # The JobQueue's scheduler logs two INFO lines per job run: every few seconds for the sweeps.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    token_filter = TokenFilter(settings.token, settings.webhook_secret)
    for handler in logging.getLogger().handlers:
        handler.addFilter(OneLineTelegramErrors())
        handler.addFilter(token_filter)
