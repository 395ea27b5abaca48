"""Settings: environment variables, .env, nesting, and errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobpilot.settings import Profile, SettingsError, load_settings


def test_defaults_are_embedded_sqlite_under_var() -> None:
    settings = load_settings()
    assert settings.profile is Profile.EMBEDDED
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("/var/jobpilot.sqlite3")
    assert settings.redis.url is None


def test_nested_variables_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "JOBPILOT_TASKS__CONCURRENCY=9\nJOBPILOT_DATA_DIR=/srv/jobpilot\n"
    )
    monkeypatch.setenv("JOBPILOT_DATABASE__URL", "postgresql://app:pw@db:5432/jobpilot")
    monkeypatch.setenv("JOBPILOT_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    settings = load_settings()
    assert settings.tasks.concurrency == 9
    assert settings.data_dir == Path("/srv/jobpilot")
    assert settings.database_url == "postgresql+asyncpg://app:pw@db:5432/jobpilot"
    assert settings.observability.otlp_endpoint == "http://127.0.0.1:4318"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("JOBPILOT_DATABASE__URL", "mysql://root@db/jobpilot", "sqlite:// or postgresql://"),
        ("JOBPILOT_REDIS__URL", "http://cache", "redis://"),
        ("JOBPILOT_TASKS__LEASE_SECONDS", "600", "60"),
        ("JOBPILOT_HTTP__PORT", "not-a-port", "integer"),
        ("JOBPILOT_PROFILE", "production", "embedded"),
        ("JOBPILOT_OBSERVABILITY__LOG_LEVEL", "LOUD", "DEBUG"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert variable in str(caught.value)
    assert says in str(caught.value)


def test_distributed_profile_needs_postgres_and_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBPILOT_PROFILE", "distributed")
    with pytest.raises(SettingsError, match="JOBPILOT_DATABASE__URL"):
        load_settings()
    monkeypatch.setenv("JOBPILOT_DATABASE__URL", "postgresql://u:secret-pw@db/j")
    with pytest.raises(SettingsError, match="JOBPILOT_REDIS__URL") as caught:
        load_settings()
    assert "secret-pw" not in str(caught.value)
    monkeypatch.setenv("JOBPILOT_REDIS__URL", "redis://cache:6379/0")
    with pytest.raises(SettingsError, match="JOBPILOT_AUTH__SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("JOBPILOT_AUTH__SECRET_KEY", "k" * 40)
    with pytest.raises(SettingsError, match="JOBPILOT_MAIL__BACKEND"):
        load_settings()
    monkeypatch.setenv("JOBPILOT_MAIL__BACKEND", "smtp")
    assert load_settings().profile is Profile.DISTRIBUTED
