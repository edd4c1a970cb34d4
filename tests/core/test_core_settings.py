import os
import subprocess
import sys

import pytest

from wellbeing import env


def _production_env(**extra: str) -> dict[str, str]:
    # The browser tests allow Django's sync ORM inside Playwright's event loop;
    # a deployment never sets that, so neither does the deploy check.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ.update(
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
        DEBUG="0",
        SECRET_KEY="prod-" + "k3y-with-enough-entropy-for-the-deploy-check-0123456789abcdefghij",
        ALLOWED_HOSTS="wellbeing.example.org",
        **extra,
    )
    return environ


@pytest.mark.slow
def test_deploy_check_is_clean_under_the_production_profile():
    result = subprocess.run(
        [sys.executable, "-m", "wellbeing", "check", "--deploy", "--fail-level", "DEBUG"],
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key():
    environ = _production_env()
    environ.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "-m", "wellbeing", "check"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_minimum_group_size_below_three_is_refused(monkeypatch):
    monkeypatch.setenv("MIN_GROUP_SIZE", "2")
    with pytest.raises(ValueError, match="MIN_GROUP_SIZE: expected an integer >= 3, got 2"):
        env.env_int("MIN_GROUP_SIZE", 5, minimum=3)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_booleans_are_read_from_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.env_bool("SOME_FLAG") is expected


def test_an_unreadable_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ValueError, match="DEBUG: expected one of"):
        env.env_bool("DEBUG")


def test_secrets_can_come_from_a_file(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env.env_secret("SECRET_KEY") == "from-a-file"


def test_the_embedded_default_database_is_sqlite_in_wal_mode(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="wellbeing.settings", VAR_DIR=str(tmp_path))
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode')\n"
        "    print(connection.vendor, c.fetchone()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "wellbeing", "shell", "--verbosity", "0", "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["sqlite", "wal"], result.stdout + result.stderr
    assert (tmp_path / "db.sqlite3").exists()


def test_the_csrf_cookie_is_http_only_as_the_security_document_says(client, db):
    """docs/security.md promises HttpOnly session and CSRF cookies: no script may read them."""
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
