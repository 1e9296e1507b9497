"""Settings: the `.env` file's syntax, the environment winning over it, the defaults, and a
one-line ConfigError that never quotes a secret for every malformed setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE, DEFAULT_DB, ConfigError, load_settings, read_dotenv

TOKEN = "123456789:AAEexampleexampleexampleexample_-x"


def test_a_dotenv_file_allows_comments_blanks_export_and_quotes(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# the bot\n"
        "\n"
        f"TELEGRAM_BOT_TOKEN={TOKEN}\n"
        "export LOG_LEVEL=debug\n"
        "  ADMIN_IDS = 1, 2  \n"
        'WEBHOOK_URL="https://example.org/hook"\n'
        "WEBHOOK_SECRET='abc-123'\n"
        'QUOTE_ALONE="\n'
        "MISMATCHED='x\"\n"
        "EMPTY=\n"
        "EQUALS=a=b\n"
        "not a setting\n",
        encoding="utf-8",
    )
    assert read_dotenv(env) == {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "LOG_LEVEL": "debug",
        "ADMIN_IDS": "1, 2",
        "WEBHOOK_URL": "https://example.org/hook",
        "WEBHOOK_SECRET": "abc-123",
        "QUOTE_ALONE": '"',
        "MISMATCHED": "'x\"",
        "EMPTY": "",
        "EQUALS": "a=b",
    }


def test_no_dotenv_file_reads_as_nothing(tmp_path: Path) -> None:
    assert read_dotenv(tmp_path / ".env") == {}


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=debug\nPORT=8000\n", encoding="utf-8"
    )
    settings = load_settings({"LOG_LEVEL": "warning"}, cwd=tmp_path)
    assert settings.token == TOKEN
    assert settings.log_level == "WARNING"
    assert settings.port == 8000


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings.token is None
    assert settings.api_base_url == DEFAULT_API_BASE
    assert settings.db_path == DEFAULT_DB
    assert settings.database_url is None
    assert settings.knowledge_dir is None
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert settings.webhook_listen == "0.0.0.0"
    assert settings.port == 8443
    assert settings.admin_ids == frozenset()
    assert settings.log_level == "INFO"
    assert settings.timer_scale == 1.0


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": f"  {TOKEN} ",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
            "HIPBOT_DB": "/tmp/x.sqlite3",
            "DATABASE_URL": "postgresql://u@h/d",
            "HIPBOT_KNOWLEDGE_DIR": "/srv/kb",
            "WEBHOOK_URL": "https://example.org/hook",
            "WEBHOOK_SECRET": "s_1-2",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "PORT": " 9000 ",
            "ADMIN_IDS": "12, 34 56",
            "HIPBOT_TIMER_SCALE": "0.5",
        },
        cwd=tmp_path,
    )
    assert settings.require_token() == TOKEN
    assert settings.api_base_url == "http://127.0.0.1:8081"
    assert settings.db_path == Path("/tmp/x.sqlite3")
    assert settings.database_url == "postgresql://u@h/d"
    assert settings.knowledge_dir == Path("/srv/kb")
    assert (settings.webhook_url, settings.webhook_secret) == ("https://example.org/hook", "s_1-2")
    assert (settings.webhook_listen, settings.port) == ("127.0.0.1", 9000)
    assert settings.admin_ids == frozenset({12, 34, 56})
    assert settings.timer_scale == 0.5


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "80a"}, "PORT must be a whole number, not '80a'"),
        ({"ADMIN_IDS": "12, ann"}, "ADMIN_IDS must be Telegram user ids separated by commas"),
        ({"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET may only hold"),
        ({"WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET may only hold"),
        ({"HIPBOT_TIMER_SCALE": "fast"}, "HIPBOT_TIMER_SCALE must be a number"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, cwd=tmp_path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_missing_token_says_where_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set: get one from @BotFather"):
        load_settings({"TELEGRAM_BOT_TOKEN": "  "}, cwd=tmp_path).require_token()


@pytest.mark.parametrize(
    "token",
    ["12:AAEexampleexampleexampleexample", "123456789:short", "123456789 AAEexampleexample"],
)
def test_a_malformed_token_is_refused_without_quoting_it(tmp_path: Path, token: str) -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": token}, cwd=tmp_path)
    with pytest.raises(ConfigError) as caught:
        settings.require_token()
    assert "malformed" in str(caught.value)
    assert token not in str(caught.value)


def test_the_settings_repr_never_shows_the_token(tmp_path: Path) -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, cwd=tmp_path)
    assert TOKEN not in repr(settings)
    assert "token=set" in repr(settings)
    assert "token=unset" in repr(load_settings({}, cwd=tmp_path))


def test_an_empty_environment_is_not_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings({}, cwd=tmp_path)
    assert (settings.log_level, settings.token) == ("INFO", None)
    assert load_settings(cwd=tmp_path).log_level == "ERROR"
