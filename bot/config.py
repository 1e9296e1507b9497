"""Settings from the environment or a `.env` file in the working directory."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
DEFAULT_DB = Path("data") / "hipbot.sqlite3"
DEFAULT_API_BASE = "https://api.telegram.org"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line and never holds a secret."""


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; comments, blanks and `export ` prefixes allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None
    api_base_url: str
    db_path: Path
    database_url: str | None
    knowledge_dir: Path | None
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen: str
    port: int
    admin_ids: frozenset[int]
    log_level: str
    timer_scale: float

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a repr.
        return f"Settings(token={'set' if self.token else 'unset'}, db={self.db_path})"

    def require_token(self) -> str:
        """The bot token, checked for shape; ConfigError if it is missing or malformed."""
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get one from @BotFather and put it in .env"
            )
        if not TOKEN_PATTERN.match(self.token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed: it looks like 123456789:AAE... from @BotFather"
            )
        return self.token


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a whole number, not {raw!r}") from None


def load_settings(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Settings from the process environment, falling back to ./.env."""
    given = os.environ if environ is None else environ  # {} is an empty environment
    env = {**read_dotenv((cwd or Path.cwd()) / ".env"), **given}
    admin_raw = env.get("ADMIN_IDS", "")
    try:
        admins = frozenset(int(x) for x in re.split(r"[,\s]+", admin_raw) if x)
    except ValueError:
        raise ConfigError("ADMIN_IDS must be Telegram user ids separated by commas") from None
    webhook_secret = env.get("WEBHOOK_SECRET") or None
    if webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
        raise ConfigError("WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1-256 chars)")
    try:
        timer_scale = float(env.get("HIPBOT_TIMER_SCALE", "1") or "1")
    except ValueError:
        raise ConfigError("HIPBOT_TIMER_SCALE must be a number") from None
    knowledge = env.get("HIPBOT_KNOWLEDGE_DIR")
    return Settings(
        token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
        api_base_url=(env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE).rstrip("/"),
        db_path=Path(env.get("HIPBOT_DB") or DEFAULT_DB),
        database_url=env.get("DATABASE_URL") or None,
        knowledge_dir=Path(knowledge) if knowledge else None,
        webhook_url=env.get("WEBHOOK_URL") or None,
        webhook_secret=webhook_secret,
        webhook_listen=env.get("WEBHOOK_LISTEN") or "0.0.0.0",
        port=_int(env, "PORT", 8443),
        admin_ids=admins,
        log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        timer_scale=timer_scale,
    )
