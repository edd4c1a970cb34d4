"""Shared by the benchmarks: a fresh PostgreSQL database, and the environment of a run."""

import os
import secrets

import psycopg
from psycopg import sql


def recreate_database(database_url: str) -> None:
    """Drop and create the database of ``database_url``; only names containing "bench"."""
    name = psycopg.conninfo.conninfo_to_dict(database_url).get("dbname", "")
    if "bench" not in str(name):
        raise SystemExit(
            f"--database-url: expected a database whose name contains 'bench', got {name!r}"
        )
    admin = psycopg.conninfo.make_conninfo(database_url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def child_env(backend: str, var_dir: str, database_url: str) -> dict[str, str]:
    """The environment of a child process of the app on ``backend`` with production settings."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
        VAR_DIR=var_dir,
        DEBUG="0",  # production settings: no query log
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("SECRET_KEY_FILE", None)
    if backend == "postgresql":
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)  # SQLite file under VAR_DIR
    return env
