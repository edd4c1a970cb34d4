"""Benchmark the respondent's final submit under a production server on PostgreSQL.

Creates a fresh benchmark database, migrates it, makes a synthetic survey
(single-item-burnout, WHO-5, PHQ-9; demographics "role"; one open question)
with an open wave and an open link through the project's actions, then starts
``gunicorn wellbeing.wsgi`` (gthread workers, keep-alive) on loopback with the
production settings (DEBUG=0). N asyncio clients, each on a keep-alive
connection, GET the link once for the CSRF cookie and token, then POST the
last page over and over: each POST carries a fresh idempotency key and a
``wb_draft`` cookie signed here with the server's SECRET_KEY (what a browser
holds after walking the earlier pages), so every request is one complete
response. After a 2 s warm-up, ``--seconds`` are measured; the clients then
finish their requests in flight and gunicorn is stopped. The database check:
every acknowledged key stored exactly once, with all its score rows and its
comment, and nothing stored that was not acknowledged.

Also printed: where the CPU went (gunicorn, postgres, this client, and anything
else running on the machine, which makes a run slower and is worth reading
before comparing two runs), and the raw psycopg baseline: the same rows
(response, its score rows in one multi-VALUES statement, the comment; one
transaction each) inserted on 1 connection and on N connections, the most the
database alone allows here.

    .venv/bin/python bench/submit.py [--seconds 30] [--workers 2] [--threads 4]
        [--clients WORKERS*THREADS] [--baseline-seconds 5]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_bench]

Target: >= 300 submissions/s on 2 cores with p99 < 150 ms, zero lost
or doubled. Exits 0 whether or not the target is met (it is a measurement),
1 if any acknowledged response is lost, doubled or partial.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.core import signing
from psycopg import sql
from psycopg.types.json import Jsonb

from _database import recreate_database  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
ACK = b"Thank you: your answers are saved"
REQUEST_TIMEOUT = 30.0
WARMUP_SECONDS = 2.0
BASELINE_WARMUP = 1.0
# A client reconnects after this many requests (drawn at random, so not all at once).
# A browser does not keep one connection for hundreds of submissions, and a connection
# stays with the worker that accepted it: without reconnecting, one unlucky accept at
# start-up (several connections on one worker, another worker with none) lasts the run.
RECONNECT_AFTER = (20, 60)
INSTRUMENTS = ["single-item-burnout", "who5", "phq9"]
COMMENTS = [
    "More predictable schedules would help most.",
    "Protected time for charting, please.",
    "Fewer inbox messages after hours.",
    "A quiet room to rest on night shifts.",
]

# Runs inside ``python -m wellbeing shell``: builds the survey through the
# project's actions and prints what the clients need as one JSON line.
FIXTURE = """
import json
from datetime import timedelta
from django.utils import timezone
from wellbeing.accounts.actions import create_organization
from wellbeing.surveys import actions, scoring
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.views.respond import Flow

org = create_organization(name="Bench Health", kind="health_system", slug="bench", is_synthetic=True)
survey = actions.create_survey(
    organization=org, name="Bench pulse", instruments=INSTRUMENTS, demographics=["role"],
    open_questions=["What would help most?"],
)
now = timezone.now()
wave = actions.create_wave(
    survey=survey, name="Bench wave", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7)
)
(link,) = actions.open_links(wave=wave, units=[None])
actions.set_wave_status(wave=wave, status="open")
flow = Flow(wave, None)
sample = {i.id: [item.option_set.codes[0] for item in i.items] for i in flow.instruments}
rows = scoring.score_answers(sample).rows
print(json.dumps({
    "wave": wave.pk, "path": link.get_absolute_url(), "last_step": len(flow.steps) - 1,
    "items": {i.id: [list(item.option_set.codes) for item in i.items] for i in flow.instruments},
    "demographics": {k: sorted(DEMOGRAPHICS[k].keys) for k in flow.demographics},
    "open_questions": len(flow.open_questions),
    "score_rows": [[r.instrument, r.scale, r.value, r.category] for r in rows],
}))
"""


@dataclass
class Fixture:
    wave: int
    path: str
    last_step: int
    items: dict[str, list[list[int]]]
    demographics: dict[str, list[str]]
    open_questions: int
    score_rows: list[list]

    def answers(self) -> dict[str, list[int]]:
        return {i: [random.choice(codes) for codes in items] for i, items in self.items.items()}

    def demo(self) -> dict[str, str]:
        return {k: random.choice(keys) for k, keys in self.demographics.items()}


# -- setup ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="measured run (after a 2 s warm-up)"
    )
    parser.add_argument(
        "--clients", type=int, help="concurrent keep-alive clients (default: workers x threads)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/wellbeing_bench",
        help="dropped and re-created; its name must contain 'bench'",
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=5.0, help="per baseline variant (0: skip)"
    )
    args = parser.parse_args()
    # One client per server thread keeps every thread busy; more clients only queue (on 2
    # cores, 16 or 32 clients gave no more submissions/s than 8, with 2.5-3.5x the p99).
    args.clients = args.clients or args.workers * args.threads
    return args


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
    )
    env.pop("SECRET_KEY_FILE", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "wellbeing", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"python -m wellbeing {args[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def create_fixture(env: dict[str, str]) -> Fixture:
    code = f"INSTRUMENTS = {INSTRUMENTS!r}\n{FIXTURE}"
    out = manage(env, "shell", "-v", "0", "-c", code)
    return Fixture(**json.loads(out.strip().splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    args: argparse.Namespace, env: dict[str, str], port: int, log: Path
) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "wellbeing.wsgi", f"--bind=127.0.0.1:{port}"]
    command += ["--worker-class=gthread", f"--workers={args.workers}", f"--threads={args.threads}"]
    command += ["--keep-alive=30", "--log-level=warning", f"--error-logfile={log}"]
    # No --reuse-port: its hash pinned both connections of 2 clients on one of 2 workers; the
    # shared socket plus clients that reconnect (RECONNECT_AFTER) spreads the load better.
    command += ["--no-control-socket"]  # gunicorn 27 would otherwise create ~/.gunicorn/
    # Its own session, so a Ctrl-C here reaches gunicorn only through stop_server().
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def wait_until_up(server: subprocess.Popen, port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                if re.match(rb"HTTP/1\.[01] 200 ", sock.recv(64)):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {path} within 30 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # graceful: workers finish the requests they hold
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session started for it above
        server.wait()


# -- CPU accounting (Linux /proc) --------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, float]:
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
        text = handle.read()
    comm = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return comm, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _machine() -> float:
    """CPU seconds the whole machine spent so far (all cores; not idle, not iowait)."""
    with open("/proc/stat", encoding="ascii") as handle:
        ticks = [int(v) for v in handle.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS


@dataclass
class CpuSample:
    """CPU seconds so far of gunicorn (per process), postgres (per process), us, the machine."""

    at: float
    gunicorn: dict[int, float]
    postgres: dict[int, float]
    client: float
    machine: float

    @classmethod
    def take(cls, server_pid: int) -> CpuSample:
        gunicorn, postgres = {}, {}
        try:
            children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        except OSError:
            children = []
        for pid in [server_pid, *map(int, children)]:
            with contextlib.suppress(OSError):  # a worker may exit between listing and reading
                gunicorn[pid] = _stat(pid)[1]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError):
                    comm, seconds = _stat(int(entry.name))
                    if comm == "postgres":
                        postgres[int(entry.name)] = seconds
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            time.monotonic(), gunicorn, postgres, usage.ru_utime + usage.ru_stime, _machine()
        )


def _delta(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    # Processes started during the run (postgres backends) count from zero.
    return {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}


def report_cpu(before: CpuSample, after: CpuSample, server_pid: int, submissions: int) -> None:
    span = after.at - before.at
    gunicorn = _delta(before.gunicorn, after.gunicorn)
    workers = sorted(v / span for pid, v in gunicorn.items() if pid != server_pid)
    app, db = sum(gunicorn.values()), sum(_delta(before.postgres, after.postgres).values())
    client, machine = after.client - before.client, after.machine - before.machine
    other = machine - app - db - client
    print(
        f"cpu, cores busy: gunicorn {app / span:.2f} (workers {' '.join(f'{w:.2f}' for w in workers)}),"
        f" postgres {db / span:.2f}, bench client {client / span:.2f}, everything else"
        f" {other / span:.2f}; machine {machine / span:.2f} of {os.cpu_count()}"
    )
    n = max(submissions, 1)
    per = (app + db + client) / n
    print(
        f"cpu per submission: gunicorn {1000 * app / n:.2f} ms, postgres {1000 * db / n:.2f} ms,"
        f" bench client {1000 * client / n:.2f} ms; so {os.cpu_count()} idle cores could take"
        f" at most {(os.cpu_count() or 1) / per if submissions else 0:.0f} submissions/s"
    )


# -- the clients ------------------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 keep-alive connection: just enough protocol for this benchmark."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, head: bytes, body: bytes = b""
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = [
            (k.strip().lower(), v.strip()) for k, _, v in (h.partition(":") for h in lines[1:] if h)
        ]
        values = dict(headers)
        if "content-length" in values:
            content = await self.reader.readexactly(int(values["content-length"]))
        elif values.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunked()
        else:
            content = await self.reader.read()
            self.close()
        if values.get("connection", "").lower() == "close":
            self.close()
        return status, headers, content

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readuntil(b"\r\n")
        return b"".join(p[:-2] for p in parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    acked: list[str] = field(default_factory=list)  # keys acknowledged with the thank-you page
    in_doubt: set[str] = field(default_factory=set)  # keys whose request failed or got no thank-you
    statuses: Counter = field(default_factory=Counter)  # non-200 (or 200 without the thank-you)
    errors: Counter = field(default_factory=Counter)  # connection errors and time-outs by type
    samples: list[tuple[float, float, bool]] = field(default_factory=list)  # (started, ms, acked)


class Respondent:
    def __init__(self, port: int, fixture: Fixture, tally: Tally) -> None:
        self.port, self.fixture, self.tally = port, fixture, tally
        self.connection = Connection(port)
        self.host = f"127.0.0.1:{port}"
        self.csrf_cookie = self.csrf_token = ""

    async def open(self) -> None:
        head = f"GET {self.fixture.path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        status, headers, body = await self.connection.request(head)
        if status != 200:
            raise SystemExit(f"GET {self.fixture.path}: expected 200, got {status}")
        for name, value in headers:
            if name == "set-cookie" and value.startswith("csrftoken="):
                self.csrf_cookie = value.split(";", 1)[0].split("=", 1)[1]
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not self.csrf_cookie or found is None:
            raise SystemExit("GET: expected a csrftoken cookie and a csrfmiddlewaretoken field")
        self.csrf_token = found.group(1).decode()

    def submission(self, key: str) -> bytes:
        """The last page's POST, as a browser sends it after walking the earlier pages."""
        path = self.fixture.path
        # The draft cookie carries the key too: the view keeps the draft's key whenever it
        # does not accept the posted field, so the stored key is ours either way.
        draft = signing.dumps(
            {"k": key, "a": self.fixture.answers(), "d": self.fixture.demo()},
            salt=path,
            compress=True,
        )
        form = {
            "csrfmiddlewaretoken": self.csrf_token,
            "idempotency_key": key,
            "step": str(self.fixture.last_step),
            "go": "submit",
        }
        form.update(
            {
                f"open__{n}": random.choice(COMMENTS)
                for n in range(1, self.fixture.open_questions + 1)
            }
        )
        body = urllib.parse.urlencode(form).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nOrigin: http://{self.host}\r\n"
            f"Referer: http://{self.host}{path}?step={self.fixture.last_step}\r\n"
            f"Cookie: csrftoken={self.csrf_cookie}; wb_draft={draft}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def run(self, deadline: float) -> None:
        left = random.randint(*RECONNECT_AFTER)
        try:
            while time.monotonic() < deadline:
                left -= 1
                if left == 0:
                    self.connection.close()
                    left = random.randint(*RECONNECT_AFTER)
                await self.submit(secrets.token_urlsafe(24))
        finally:
            self.connection.close()  # also on cancellation: gunicorn's graceful stop waits for it

    async def submit(self, key: str) -> None:
        payload = self.submission(key)
        started = time.monotonic()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                status, _headers, body = await self.connection.request(payload)
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError) as error:
            self.tally.errors[type(error).__name__] += 1
            self.tally.in_doubt.add(key)  # it may or may not have been stored
            self.connection.close()
            return
        acked = status == 200 and ACK in body
        self.tally.samples.append((started, (time.monotonic() - started) * 1000, acked))
        if acked:
            self.tally.acked.append(key)
        else:
            self.tally.statuses[status] += 1
            self.tally.in_doubt.add(key)


async def drive(
    port: int, fixture: Fixture, clients: int, seconds: float
) -> tuple[Tally, float, float]:
    """Run the clients; return the tally and the measured window (start, end)."""
    tally = Tally()
    respondents = [Respondent(port, fixture, tally) for _ in range(clients)]
    await asyncio.gather(*(r.open() for r in respondents))
    start = time.monotonic() + WARMUP_SECONDS
    await asyncio.gather(
        *(r.run(start + seconds) for r in respondents)
    )  # waits for in-flight requests
    return tally, start, time.monotonic()


# -- checks -----------------------------------------------------------------------------------


@dataclass
class Check:
    stored: int
    lost: int
    doubled: int
    partial: int
    comments: int
    unacknowledged: int  # stored although the client saw no thank-you (failed requests only)
    unexplained: int  # stored, never acknowledged, and the request did not fail either

    @property
    def failed(self) -> bool:
        return bool(
            self.lost
            or self.doubled
            or self.partial
            or self.unexplained
            or self.comments != self.stored
        )


def check_database(database_url: str, fixture: Fixture, tally: Tally) -> Check:
    with psycopg.connect(database_url) as conn:
        counts = dict(
            conn.execute(
                "SELECT idempotency_key, count(*) FROM surveys_response WHERE wave_id = %s GROUP BY 1",
                (fixture.wave,),
            ).fetchall()
        )
        (partial,) = conn.execute(
            "SELECT count(*) FROM surveys_response r WHERE r.wave_id = %s"
            " AND (SELECT count(*) FROM surveys_score s WHERE s.response_id = r.id) <> %s",
            (fixture.wave, len(fixture.score_rows)),
        ).fetchone()
        (comments,) = conn.execute(
            "SELECT count(*) FROM surveys_comment WHERE wave_id = %s", (fixture.wave,)
        ).fetchone()
    acked = set(tally.acked)
    extra = counts.keys() - acked
    return Check(
        stored=sum(counts.values()),
        lost=len(acked - counts.keys()),
        doubled=sum(n - 1 for n in counts.values()) + len(tally.acked) - len(acked),
        partial=partial,
        comments=comments // max(fixture.open_questions, 1),
        unacknowledged=len(extra & tally.in_doubt),
        unexplained=len(extra - tally.in_doubt),
    )


# -- raw psycopg baseline ---------------------------------------------------------------------

INSERT_RESPONSE = (
    "INSERT INTO surveys_response (wave_id, unit_id, submitted_on, idempotency_key, answers, demographics)"
    " VALUES (%s, NULL, CURRENT_DATE, %s, %s, %s) RETURNING id"
)
INSERT_COMMENT = (
    "INSERT INTO surveys_comment (wave_id, unit_id, question, text) VALUES (%s, NULL, %s, %s)"
)


def insert_scores(n: int) -> sql.Composed:
    rows = sql.SQL(", ").join([sql.SQL("(%s, %s, %s, %s, %s, %s)")] * n)
    return sql.SQL(
        "INSERT INTO surveys_score (response_id, wave_id, instrument, scale, value, category) VALUES {}"
    ).format(rows)


def baseline(database_url: str, fixture: Fixture, seconds: float, connections: int) -> float:
    """Transactions/s of raw inserts, each connection in its own thread, sequential on it."""
    statement = insert_scores(len(fixture.score_rows))
    done = [0] * connections
    barrier = threading.Barrier(connections + 1)
    window: list[float] = []

    def work(slot: int) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            barrier.wait()
            while not window or time.monotonic() < window[0]:
                key = f"baseline-{secrets.token_urlsafe(24)}"
                with conn.transaction():
                    (rid,) = conn.execute(
                        INSERT_RESPONSE,
                        (fixture.wave, key, Jsonb(fixture.answers()), Jsonb(fixture.demo())),
                    ).fetchone()
                    params = [v for row in fixture.score_rows for v in (rid, fixture.wave, *row)]
                    conn.execute(statement, params)
                    for n in range(1, fixture.open_questions + 1):
                        conn.execute(INSERT_COMMENT, (fixture.wave, n, random.choice(COMMENTS)))
                done[slot] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    barrier.wait()
    # A warm-up second outside the count: prepared statements, and the autovacuum
    # that the app run's inserts set off, would otherwise weigh on the first moments.
    window.append(time.monotonic() + BASELINE_WARMUP + seconds)
    time.sleep(BASELINE_WARMUP)
    counted, started = sum(done), time.monotonic()
    for thread in threads:
        thread.join()
    return (sum(done) - counted) / (time.monotonic() - started)


# -- report -----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p=100: the maximum)."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


@dataclass
class Run:
    tally: Tally
    start: float  # the measured window, after the warm-up
    end: float
    cpu: tuple[CpuSample, CpuSample]
    server_pid: int
    log_errors: int


def run_app(args: argparse.Namespace, env: dict[str, str], fixture: Fixture) -> Run:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        server = start_server(args, env, port, log)
        try:
            wait_until_up(server, port, fixture.path, log)
            before = CpuSample.take(server.pid)
            tally, start, end = asyncio.run(drive(port, fixture, args.clients, args.seconds))
            after = CpuSample.take(server.pid)
        finally:
            stop_server(server)
        errors = [
            line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line
        ]
    return Run(tally, start, end, (before, after), server.pid, len(errors))


def report_run(args: argparse.Namespace, run: Run) -> tuple[float, float]:
    """Print throughput, latency, CPU and failures; return (submissions/s, p99 ms)."""
    tally, window = run.tally, run.end - run.start
    latencies = sorted(ms for started, ms, ok in tally.samples if ok and started >= run.start)
    rate = len(latencies) / window
    p99 = percentile(latencies, 99)
    print(
        f"submit: {rate:.1f} submissions/s over {window:.1f} s, {args.clients} clients, "
        f"gunicorn {args.workers}x{args.threads} (gthread)"
    )
    print(
        f"latency p50 {percentile(latencies, 50):.1f} ms, p90 {percentile(latencies, 90):.1f} ms,"
        f" p99 {p99:.1f} ms, max {percentile(latencies, 100):.1f} ms"
    )
    report_cpu(*run.cpu, run.server_pid, len(tally.acked))
    print(
        f"failed requests: {sum(tally.errors.values())} errors {dict(tally.errors)}, "
        f"{sum(tally.statuses.values())} without thank-you {dict(tally.statuses)}; "
        f"{run.log_errors} error lines in the gunicorn log"
    )
    return rate, p99


def report_check(check: Check, acknowledged: int) -> None:
    relation = "=" if check.stored == acknowledged else "!="
    print(
        f"stored {check.stored} {relation} acknowledged {acknowledged} "
        f"(lost {check.lost}, doubled {check.doubled}, partial {check.partial}; "
        f"comments {check.comments}; stored after a failed request {check.unacknowledged}, "
        f"stored never acknowledged {check.unexplained})"
    )


def report_baseline(args: argparse.Namespace, fixture: Fixture, rate: float) -> None:
    one = baseline(args.database_url, fixture, args.baseline_seconds, 1)
    print(f"baseline raw psycopg: {one:.0f} tx/s (1 connection)")
    many = baseline(args.database_url, fixture, args.baseline_seconds, args.clients)
    print(f"baseline raw psycopg: {many:.0f} tx/s ({args.clients} connections)")
    print(
        f"ratio to baseline: {rate / one:.2f} (1 connection), "
        f"{rate / many:.2f} ({args.clients} connections)"
    )


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind through the finally that stops gunicorn


def main() -> int:
    signal.signal(signal.SIGTERM, _terminated)
    args = parse_args()
    secret_key = secrets.token_urlsafe(50)
    settings.configure(SECRET_KEY=secret_key)  # the bench process only signs wb_draft cookies
    env = server_env(args.database_url, secret_key)

    t0 = time.monotonic()
    recreate_database(args.database_url)
    manage(env, "migrate", "-v", "0")
    fixture = create_fixture(env)
    print(f"setup: {time.monotonic() - t0:.1f} s (database, migrate, survey)")
    run = run_app(args, env, fixture)
    rate, p99 = report_run(args, run)
    check = check_database(args.database_url, fixture, run.tally)
    report_check(check, len(run.tally.acked))
    if args.baseline_seconds > 0:
        report_baseline(args, fixture, rate)
    met = rate >= 300 and p99 < 150
    print(f"target: >= 300/s and p99 < 150 ms: {'MET' if met else 'NOT MET'}")
    print(f"total: {time.monotonic() - t0:.1f} s")
    if check.failed:
        print("FAILED: responses lost, doubled, partial or stored unacknowledged", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
