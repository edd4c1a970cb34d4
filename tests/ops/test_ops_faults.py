"""Fault tests: the production server killed mid-load loses no acknowledged submission.

gunicorn serves a copy of the test database (a file for SQLite, ``wb_prod_fault`` for
PostgreSQL, made with the project's own backup and restore) while client threads
submit survey responses, each with its own idempotency key, as ``bench/submit.py``
does. The server runs with the production configuration (``wellbeing.gunicorn_conf``: the
application preloaded in the master, the redacting access log). One worker is killed with
SIGKILL mid-load, later the master too; the server is started again and every key not
acknowledged is retried. Then, in the database: every key is stored exactly once (a
submission is one sealed row until its wave's results are published), and the counts are
printed; in the access log: no respondent's address.

Every wait is for an event, with a deadline: the server answering, acknowledgements
arriving, a process gone. A fixed pause is either too short on a busy machine (the load
has not started when the worker is killed) or wasted on a quiet one.
"""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-" + "k" * 50
ACK = b"Thank you: your answers are saved"
FAULT_DB = "wb_prod_fault"
CLIENTS = 4
POLL = 0.02  # seconds between two looks at a condition being waited for
DEADLINE = 120  # seconds: Django's import is slow on a busy CI machine
STORED = (
    "SELECT idempotency_key, LENGTH(sealed) FROM surveys_pending WHERE wave_id = WAVE"
    " UNION ALL SELECT idempotency_key, 1 FROM surveys_response WHERE wave_id = WAVE"
)
pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Survey:
    wave: int
    link_key: str
    last_step: int
    answers: dict


@dataclass
class Tally:
    acked: set = field(default_factory=set)
    in_doubt: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def attempts(self) -> int:
        return len(self.acked) + len(self.in_doubt)


def _wait_until(condition, what: str, timeout: float = DEADLINE) -> None:
    """Return as soon as ``condition()`` holds; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(POLL)


def _make_survey(org, org_admin) -> Survey:
    from wellbeing.surveys import actions, scoring
    from wellbeing.surveys.views.respond import Flow

    survey = actions.create_survey(
        organization=org,
        name="Pulse",
        instruments=["single-item-burnout", "who5", "phq9"],
        open_questions=["What would help most?"],
        actor=org_admin,
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Peak",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        actor=org_admin,
    )
    (link,) = actions.open_links(wave=wave, units=[None], actor=org_admin)
    actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    flow = Flow(wave, None)
    answers = {i.id: [item.option_set.codes[0] for item in i.items] for i in flow.instruments}
    scoring.score_answers(answers)  # a complete, valid response
    return Survey(wave.pk, link.key, len(flow.steps) - 1, answers)


def _server_database(tmp_path: Path) -> tuple[str, object]:
    """Copy the test database for the server; return its URL and a DB-API connect function."""
    from wellbeing.core import backups

    if connection.vendor == "sqlite":
        path = backups.backup(tmp_path / "fault.sqlite3")
        return f"sqlite:///{path}", lambda: sqlite3.connect(path)
    import psycopg

    conf = connection.settings_dict
    base = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{FAULT_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{FAULT_DB}"')
    dump = backups.backup(tmp_path / "fault.dump")
    url = f"postgresql://{base['user']}@{base['host']}:{base['port']}/{FAULT_DB}"
    backups.restore(dump, database_url=url)
    return url, lambda: psycopg.connect(dbname=FAULT_DB, **base)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(env: dict, port: int, log: Path, access_log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "wellbeing.wsgi", f"--bind=127.0.0.1:{port}"]
    command += ["-c", "python:wellbeing.gunicorn_conf", f"--access-logfile={access_log}"]
    command += ["--worker-class=gthread", "--workers=2", "--threads=2", "--graceful-timeout=2"]
    command += ["--log-level=warning", f"--error-logfile={log}", "--no-control-socket"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(POLL)
    raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def _workers(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children if not _gone(int(pid))]


def _gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def _kill_all(server: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


class Client:
    """One respondent's browser: a CSRF cookie, then final-page submits with fresh keys."""

    def __init__(self, port: int, survey: Survey) -> None:
        self.port, self.survey = port, survey
        self.csrf_cookie = self.csrf_token = ""
        # The survey's own address, as the link's redirect gives one to each browser.
        self.path = f"/r/{secrets.token_urlsafe(16)}/"

    def _draft(self, key: str) -> str:
        """The sealed draft a browser holds after walking the earlier pages."""
        from wellbeing.surveys.views.respond import Draft

        return Draft("s", self.survey.link_key, key, self.survey.answers).sealed(self.path)

    def _open(self) -> None:
        page = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        draft = self._draft(secrets.token_urlsafe(24))
        page.request("GET", self.path, headers={"Cookie": f"wb_draft={draft}"})
        response = page.getresponse()
        body = response.read()
        cookie = response.getheader("Set-Cookie", "")
        self.csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        self.csrf_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]

    def submit(self, key: str) -> bool:
        """True when the thank-you page came back (acknowledged); raises on a lost connection."""
        if not self.csrf_cookie:
            self._open()
        path = self.path
        draft = self._draft(key)
        form = {
            "csrfmiddlewaretoken": self.csrf_token,
            "idempotency_key": key,
            "step": str(self.survey.last_step),
            "go": "submit",
            "open__1": "More staff on nights.",
        }
        host = f"127.0.0.1:{self.port}"
        post = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        post.request(
            "POST",
            path,
            urllib.parse.urlencode(form),
            {
                "Host": host,
                "Origin": f"http://{host}",
                "Referer": f"http://{host}{path}",
                "Cookie": f"csrftoken={self.csrf_cookie}; wb_draft={draft}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = post.getresponse()
        return response.status == 200 and ACK in response.read()


def _load(port: int, survey: Survey, tally: Tally, stop: threading.Event) -> None:
    client = Client(port, survey)
    while not stop.is_set():
        key = secrets.token_urlsafe(24)
        try:
            acked = client.submit(key)
        except (OSError, http.client.HTTPException, AttributeError, TypeError):
            acked = False
            client.csrf_cookie = ""
            time.sleep(0.05)
        with tally.lock:
            (tally.acked if acked else tally.in_doubt).add(key)


def _retry(port: int, survey: Survey, keys: set) -> set:
    client, left = Client(port, survey), set(keys)
    for _attempt in range(5):
        for key in sorted(left):
            try:
                if client.submit(key):
                    left.discard(key)
            except (OSError, http.client.HTTPException):
                client.csrf_cookie = ""
        if not left:
            break
    return left


def test_killing_a_worker_and_then_the_server_loses_no_acknowledged_submission(
    org, org_admin, tmp_path, settings
):
    settings.SECRET_KEY = SECRET  # the clients seal their drafts as the server would
    survey = _make_survey(org, org_admin)
    url, connect = _server_database(tmp_path)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    port, log, access_log = _free_port(), tmp_path / "gunicorn.log", tmp_path / "access.log"
    server = _start(env, port, log, access_log)
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=_load, args=(port, survey, tally, stop)) for _ in range(CLIENTS)
    ]
    try:
        for thread in threads:
            thread.start()
        _wait_until(lambda: len(tally.acked) >= 2 * CLIENTS, "the load is under way")
        victim, acked = _workers(server)[0], len(tally.acked)
        os.kill(victim, signal.SIGKILL)  # one worker, mid-request
        _wait_until(
            lambda: (
                _gone(victim)
                and len(set(_workers(server)) - {victim}) == 2
                and len(tally.acked) >= acked + 2 * CLIENTS
            ),
            "a new worker replaces the killed one while submissions are acknowledged",
        )
        workers, attempts = _workers(server), tally.attempts
        os.kill(server.pid, signal.SIGKILL)  # then the master
        server.wait(timeout=DEADLINE)
        # Its orphaned workers serve on until they notice: every client tries again.
        _wait_until(lambda: tally.attempts >= attempts + CLIENTS, "clients meet the dead master")
        _kill_all(server)  # and any worker it left behind
        _wait_until(lambda: all(_gone(pid) for pid in workers), "the workers are gone")
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        print(f"\nkilled; {len(tally.acked)} acknowledged so far; restarting", flush=True)
        server = _start(env, port, log, access_log)
        unacknowledged = tally.in_doubt - tally.acked
        left = _retry(port, survey, unacknowledged)
    finally:
        stop.set()
        _kill_all(server)
    database = connect()
    try:
        cursor = database.cursor()
        cursor.execute(STORED.replace("WAVE", str(int(survey.wave))))
        stored = cursor.fetchall()
    finally:
        database.close()
    keys = [key for key, _ in stored]
    acknowledged = tally.acked | (unacknowledged - left)
    print(
        f"\n{connection.vendor}: {len(tally.acked)} acknowledged under load, "
        f"{len(unacknowledged)} in doubt, {len(unacknowledged) - len(left)} acknowledged on retry; "
        f"{len(keys)} stored"
    )
    assert len(tally.acked) > 10, "the load never got going"
    assert not left, f"{len(left)} keys never acknowledged after the restart"
    assert len(keys) == len(set(keys)), "a key is stored twice"
    assert set(keys) == acknowledged, "stored and acknowledged keys differ"
    empty = [key for key, size in stored if not size]
    assert not empty, f"submissions stored without their answers: {empty}"
    # The preloaded workers log through the redacting logger: "/r/-", never a survey's address.
    requests = re.findall(r'"[A-Z]+ (\S+) HTTP', access_log.read_text())
    assert "/r/-" in requests
    assert not [path for path in requests if path.startswith("/r/") and path != "/r/-"]
