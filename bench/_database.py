"""Shared by the benchmarks: a fresh PostgreSQL database for one run."""

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
