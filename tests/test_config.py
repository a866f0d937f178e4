"""Settings: environment and overrides, conversion errors, and documentation of every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from ranknews.config import SETTINGS, Settings
from ranknews.errors import ConfigError

DOCS = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text or f"`{s.env}`" not in text]
    assert not missing, f"undocumented settings in docs/configuration.md: {missing}"


def test_every_setting_is_a_field():
    fields = set(Settings.__dataclass_fields__)
    assert {s.name for s in SETTINGS} == fields


def test_environment_then_overrides():
    env = {"RANKNEWS_PAGE_SIZE": "30", "RANKNEWS_BOARD_NAME": "랭크뉴스"}
    settings = Settings.from_env(env, board_name="다른이름")
    assert settings.page_size == 30
    assert settings.board_name == "다른이름"


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path):
    settings = Settings.from_env({}, data_dir=str(tmp_path))
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'ranknews.sqlite3'}"


def test_bad_value_gives_a_clear_error():
    with pytest.raises(ConfigError, match="page_size"):
        Settings.from_env({"RANKNEWS_PAGE_SIZE": "many"})
    with pytest.raises(ConfigError):
        Settings.from_env({"RANKNEWS_DEFAULT_DISPLAY_MODE": "sometimes"})
