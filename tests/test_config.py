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


@pytest.mark.parametrize("url", ["sqlite:////tmp/x.sqlite3", "sqlite+pysqlite:///x.db",
                                 "postgresql+psycopg://postgres@127.0.0.1:5432/test",
                                 "postgresql://u:p@db/ranknews"])
def test_database_dialect_is_what_the_engine_says(url, tmp_path):
    """The importer formats rows for the dialect before the database is opened (and before
    SQLAlchemy is loaded); it must name the dialect the engine will have."""
    from sqlalchemy.engine import make_url

    assert Settings(database_url=url).database_dialect == make_url(url).get_backend_name()
    default = Settings(data_dir=tmp_path)
    assert default.database_dialect == "sqlite" == make_url(
        default.effective_database_url).get_backend_name()
