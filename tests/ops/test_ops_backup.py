"""Backups: a round trip into an empty database keeps every row and every response.

On PostgreSQL the restore goes into a second database, ``wb_prod_restore``
(created empty here, dropped after); on SQLite into a second file.
"""

import hashlib
import sqlite3
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

RESTORE_DB = "wb_prod_restore"
pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


def _fill(org, org_admin, units):
    from wellbeing.surveys import actions

    survey = actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout", "who5"],
        demographics=["role"],
        open_questions=["What would help most?"],
        actor=org_admin,
    )
    wave = actions.create_wave(
        survey=survey,
        name="Spring",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
        actor=org_admin,
    )
    rows = [
        actions.ImportedResponse(
            key=f"r-{i}",
            unit=units["icu"] if i % 2 else units["ed"],
            answers={"single-item-burnout": [i % 5 + 1], "who5": [i % 6, 3, 2, 4, 5]},
            demographics={"role": "nurse"},
        )
        for i in range(40)
    ]
    actions.import_responses(wave=wave, rows=rows)
    actions.import_comments(wave=wave, texts=["More staff.", "Fewer clicks."], actor=org_admin)


CHECKSUM_QUERIES = [
    "SELECT idempotency_key, CAST(answers AS TEXT), CAST(demographics AS TEXT), submitted_on"
    " FROM surveys_response"
    " ORDER BY idempotency_key",
    "SELECT r.idempotency_key, s.instrument, s.scale, s.value FROM surveys_score s"
    " JOIN surveys_response r ON r.id = s.response_id"
    " ORDER BY r.idempotency_key, s.instrument, s.scale",
]


def _fingerprint(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608  # names from introspection
        counts[table] = cursor.fetchone()[0]
    digest = hashlib.sha256()
    for query in CHECKSUM_QUERIES:
        cursor.execute(query)
        for row in cursor.fetchall():
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return counts, digest.hexdigest()


@pytest.fixture
def empty_target(tmp_path):
    """The URL of an empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    import psycopg

    conf = connection.settings_dict
    base = dict(host=conf["HOST"], port=conf["PORT"] or 5432, user=conf["USER"])
    if conf["PASSWORD"]:
        base["password"] = conf["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        admin.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    auth = f":{conf['PASSWORD']}" if conf["PASSWORD"] else ""
    url = f"postgresql://{conf['USER']}{auth}@{base['host']}:{base['port']}/{RESTORE_DB}"
    yield url, lambda: psycopg.connect(dbname=RESTORE_DB, **base)
    with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)')


def test_a_backup_restored_into_an_empty_database_has_every_row_and_response(
    org, org_admin, units, tmp_path, empty_target, capsys
):
    _fill(org, org_admin, units)
    call_command("backup", "--output", str(tmp_path / "backups"))
    [path] = (tmp_path / "backups").iterdir()
    url, connect = empty_target
    call_command("restore", str(path), "--database-url", url)
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        source = _fingerprint(cursor, tables)
    target_connection = connect()
    try:
        restored = _fingerprint(target_connection.cursor(), tables)
    finally:
        target_connection.close()
    assert source[0]["surveys_response"] == 40 and source[0]["surveys_score"] > 40
    assert restored == source
    print(f"restored {sum(source[0].values())} rows in {len(tables)} tables, sha256 {source[1]}")


def test_keep_prunes_the_directory_to_the_newest_backups(org, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (folder / f"wellbeing-{stamp}{suffix}").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")
    call_command("backup", "--output", str(folder), "--keep", "2")
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 3 and "notes.txt" in left
    assert "wellbeing-20260103T000000Z" + suffix in left
    assert not (folder / f"wellbeing-20260102T000000Z{suffix}").exists()


def test_a_restore_of_a_missing_file_is_refused_clearly(db, tmp_path):
    with pytest.raises(CommandError, match="expected a backup file"):
        call_command("restore", str(tmp_path / "nothing.dump"))
