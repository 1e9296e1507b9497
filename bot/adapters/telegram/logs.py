"""Logging that never shows the bot token, and a quiet HTTP client."""

from __future__ import annotations

import logging

from bot.config import Settings


class TokenFilter(logging.Filter):
    """Removes the bot token from every log record, whatever logger wrote it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, with the token replaced."""
        if self.token:
            text = record.getMessage()
            if self.token in text:
                record.msg, record.args = text.replace(self.token, "<token>"), None
            if record.exc_info and record.exc_info[1] is not None:
                formatted = logging.Formatter().formatException(record.exc_info)
                if self.token in formatted:
                    record.exc_info = None
                    record.exc_text = formatted.replace(self.token, "<token>")
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
    if settings.token:
        token_filter = TokenFilter(settings.token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(token_filter)
