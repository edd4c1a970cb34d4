"""Backups of the database and their restore: pg_dump/pg_restore, or SQLite's online backup.

A backup is one file, ``wellbeing-<UTC time>.dump`` (PostgreSQL custom format) or
``.sqlite3`` (a consistent copy taken while the site runs). ``keep`` prunes the
directory to the newest N backups. A restore writes into the configured database,
or into the one a ``database_url`` names (which may be empty: it is created by the
restore for SQLite, and must exist for PostgreSQL). ``pg_dump`` and ``pg_restore``
run with argument lists, never through a shell.
"""

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection
from django.utils import timezone

PREFIX = "wellbeing-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def _vendor(config: dict[str, Any]) -> str:
    engine = str(config["ENGINE"])
    for vendor in SUFFIXES:
        if vendor in engine:
            return vendor
    raise BackupError(f"database: expected SQLite or PostgreSQL, got {engine}")


def _config(database_url: str | None) -> dict[str, Any]:
    if database_url:
        return dict(dj_database_url.parse(database_url))
    return dict(connection.settings_dict)


def default_directory() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def backup(output: Path | None = None, *, keep: int | None = None) -> Path:
    """Back up the configured database to ``output`` (a file or a directory)."""
    config = _config(None)
    vendor = _vendor(config)
    if output is None or output.is_dir() or not output.suffix:
        directory = output or default_directory()
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        output = directory / f"{PREFIX}{stamp}{SUFFIXES[vendor]}"
    output.parent.mkdir(parents=True, exist_ok=True)
    if vendor == "sqlite":
        _sqlite_backup(output)
    else:
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={output}"]
        _run([*command, *_pg_args(config)], config)
    if keep is not None:
        prune(output.parent, keep)
    return output


def _sqlite_backup(output: Path) -> None:
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(output)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()


def restore(path: Path, *, database_url: str | None = None) -> None:
    """Restore the backup at ``path`` into the configured database or ``database_url``'s."""
    if not path.is_file():
        raise BackupError(f"path: expected a backup file, got {path}")
    config = _config(database_url)
    vendor = _vendor(config)
    if path.suffix != SUFFIXES[vendor]:
        raise BackupError(f"path: expected a {SUFFIXES[vendor]} backup for {vendor}, got {path}")
    if vendor == "sqlite":
        _sqlite_restore(path, config, same=database_url is None)
    else:
        args = ["--no-owner", "--clean", "--if-exists", "--exit-on-error", "--single-transaction"]
        _run(["pg_restore", *args, *_pg_args(config), str(path)], config)
    if database_url is None:
        connection.close()  # the next query reconnects to the restored data


def _sqlite_restore(path: Path, config: dict[str, Any], *, same: bool) -> None:
    source = sqlite3.connect(path)
    try:
        if same:
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            target = sqlite3.connect(str(config["NAME"]))
            try:
                source.backup(target)
            finally:
                target.close()
    finally:
        source.close()


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``directory``; return the deleted."""
    if keep < 1:
        raise BackupError(f"keep: expected 1 or more, got {keep}")
    backups = sorted(
        (p for p in directory.glob(f"{PREFIX}*") if p.suffix in SUFFIXES.values()),
        key=lambda p: p.name,
    )
    old = backups[:-keep]
    for path in old:
        path.unlink()
    return old


def _pg_args(config: dict[str, Any]) -> list[str]:
    args = [f"--dbname={config['NAME']}"]
    if config.get("HOST"):
        args.append(f"--host={config['HOST']}")
    if config.get("PORT"):
        args.append(f"--port={config['PORT']}")
    if config.get("USER"):
        args.append(f"--username={config['USER']}")
    return args


def _run(command: list[str], config: dict[str, Any]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]}: not found; install the PostgreSQL client tools")
    environ = dict(os.environ)
    password = str(config.get("PASSWORD") or "")
    if password:
        environ["PGPASSWORD"] = password
    # A fixed program found on PATH, an argument list, no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, *command[1:]], env=environ, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
