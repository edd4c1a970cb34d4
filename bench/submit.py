"""Benchmark the respondent's final submit under a production server on PostgreSQL.

Creates a fresh benchmark database, migrates it, makes a synthetic survey
(single-item-burnout, WHO-5, PHQ-9; demographics "role"; one open question)
with an open wave and an open link through the project's actions, then starts
``gunicorn wellbeing.wsgi`` (gthread workers, keep-alive) on loopback with the
production settings (DEBUG=0). N asyncio clients, each on a keep-alive
connection, open the link as a browser does: its entrance ``/s/<key>/`` answers
303 to a token-free address ``/r/<rid>/`` of the client's own, with the draft
cookie, and a GET there gives the CSRF cookie and token. Each client then POSTs
the last page to its ``/r/<rid>/`` over and over: each POST carries a fresh
idempotency key (in the form, signed as the server signs it) and a ``wb_draft``
cookie sealed here with the server's SECRET_KEY for that address (AES-GCM, what
a browser holds after walking the earlier pages), so every request is one
complete response. After a 2 s warm-up, ``--seconds`` are measured; the clients
then finish their requests in flight and gunicorn is stopped.

The submit stores one sealed row in ``surveys_pending``; the response, score and
comment rows are written only when the wave's results are published
(``actions.settle_responses``). So the database is checked twice. After the run:
every acknowledged key stored exactly once (in surveys_pending, or in
surveys_response if settled), its sealed row opening to the answers,
demographics and comment sent, and nothing stored that was not acknowledged.
Then ``settle_responses`` runs on the wave (in ``python -m wellbeing shell``,
timed alone) and: every key in surveys_response exactly once with the answers
sent and all its score rows, the comments there, surveys_pending empty.

Also printed: where the CPU went (gunicorn, postgres, this client, and anything
else running on the machine, which makes a run slower and is worth reading
before comparing two runs), the sealed rows' size, the settle time per 1,000
submissions, and the raw psycopg baseline: what the app stores per submission,
one INSERT of a pending row with random sealed bytes of a size the app stored
(one transaction each), on 1 connection and on N connections, the most the
database alone allows here.

    .venv/bin/python bench/submit.py [--seconds 30] [--workers 2] [--threads 4]
        [--clients WORKERS*THREADS] [--baseline-seconds 5]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_bench]

Target: >= 300 submissions/s on 2 cores with p99 < 150 ms, zero lost
or doubled. Exits 0 whether or not the target is met (it is a measurement),
1 if any acknowledged response is lost, doubled, partial or not as sent, or
anything is stored that was never acknowledged.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.core import signing

from _database import recreate_database  # bench/ is on sys.path when run as a script
from wellbeing.core import sealing  # needs only settings.SECRET_KEY

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
# As in wellbeing.surveys.views.respond (Draft.payload, _seal) and wellbeing.surveys.actions
# (SEAL_PURPOSE): importing those needs the app registry, which this process does not set up.
DRAFT_DAYS = 7
DRAFT_BLOCK = 256
PENDING_PURPOSE = "surveys.pending-submission"
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
    "wave": wave.pk, "path": link.get_absolute_url(), "key": link.key,
    "last_step": len(flow.steps) - 1,
    "items": {i.id: [list(item.option_set.codes) for item in i.items] for i in flow.instruments},
    "demographics": {k: sorted(DEMOGRAPHICS[k].keys) for k in flow.demographics},
    "open_questions": len(flow.open_questions),
    "score_rows": [[r.instrument, r.scale, r.value, r.category] for r in rows],
}))
"""

# Runs inside ``python -m wellbeing shell`` after the run: what publishing the wave's results
# does first (``reports.releases``), timed alone.
SETTLE = """
import json, time
from wellbeing.surveys.actions import settle_responses
from wellbeing.surveys.models import Wave

wave = Wave.objects.get(pk=WAVE)
started = time.perf_counter()
settled = settle_responses(wave)
print(json.dumps({"settled": settled, "seconds": time.perf_counter() - started}))
"""


@dataclass
class Fixture:
    wave: int
    path: str  # the entrance, /s/<key>/
    key: str  # the open link's key: the draft's reference
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
    """Wait until the link's entrance answers its 303 to a survey's own address."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                if re.match(rb"HTTP/1\.[01] 303 ", sock.recv(64)):
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


@dataclass(frozen=True)
class Sent:
    answers: dict[str, list[int]]
    demographics: dict[str, str]
    comments: dict[str, str]  # {question number: text}, as the app stores them


@dataclass
class Tally:
    acked: list[str] = field(default_factory=list)  # keys acknowledged with the thank-you page
    in_doubt: set[str] = field(default_factory=set)  # keys whose request failed or got no thank-you
    statuses: Counter = field(default_factory=Counter)  # non-200 (or 200 without the thank-you)
    errors: Counter = field(default_factory=Counter)  # connection errors and time-outs by type
    samples: list[tuple[float, float, bool]] = field(default_factory=list)  # (started, ms, acked)
    sent: dict[str, Sent] = field(default_factory=dict)  # what each acknowledged key carried


def sealed_draft(path: str, ref: str, key: str, answers: dict, demo: dict) -> str:
    """The ``wb_draft`` cookie of an open link's survey at ``path``, exactly as the server
    seals it (``Draft(source="s", ...).sealed(path)`` in ``surveys/views/respond.py``)."""
    payload = {
        "src": "s",
        "ref": ref,
        "k": key,
        "a": answers,
        "d": demo,
        # A day ahead or behind the server's time zone is nothing against DRAFT_DAYS.
        "exp": (datetime.now(UTC).date() + timedelta(days=DRAFT_DAYS)).isoformat(),
    }
    data = json.dumps(payload, separators=(",", ":")).encode()
    data += b" " * (-len(data) % DRAFT_BLOCK)
    return sealing.seal_text(data, f"respondent-draft:{path}")


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    pairs = (v.split(";", 1)[0].partition("=") for k, v in headers if k == "set-cookie")
    return {name.strip(): value for name, _, value in pairs}


class Respondent:
    def __init__(self, port: int, fixture: Fixture, tally: Tally) -> None:
        self.port, self.fixture, self.tally = port, fixture, tally
        self.connection = Connection(port)
        self.host = f"127.0.0.1:{port}"
        self.path = ""  # this respondent's own /r/<rid>/, given by the entrance
        self.csrf_cookie = self.csrf_token = ""

    async def open(self) -> None:
        """Open the link as a browser does: the entrance's 303, then the survey's first page."""
        entrance = self.fixture.path
        head = f"GET {entrance} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        status, headers, _body = await self.connection.request(head)
        location = dict(headers).get("location", "")
        self.path = urllib.parse.urlsplit(location).path
        draft = _cookies(headers).get("wb_draft", "")
        if status != 303 or not re.fullmatch(r"/r/[A-Za-z0-9_-]{22}/", self.path) or not draft:
            raise SystemExit(
                f"GET {entrance}: expected a 303 to /r/<rid>/ with a wb_draft cookie,"
                f" got {status} to {location!r}"
            )
        head = (
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nCookie: wb_draft={draft}\r\n\r\n"
        ).encode()
        status, headers, body = await self.connection.request(head)
        if status != 200:
            raise SystemExit(f"GET {self.path}: expected 200, got {status}")
        self.csrf_cookie = _cookies(headers).get("csrftoken", "")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not self.csrf_cookie or found is None:
            raise SystemExit("GET: expected a csrftoken cookie and a csrfmiddlewaretoken field")
        self.csrf_token = found.group(1).decode()

    def submission(self, key: str, sent: Sent) -> bytes:
        """The last page's POST, as a browser sends it after walking the earlier pages."""
        path, step = self.path, self.fixture.last_step
        # The draft holds the key and the earlier pages' answers, sealed for this address;
        # the form's key field is the one the server signed into the page.
        draft = sealed_draft(path, self.fixture.key, key, sent.answers, sent.demographics)
        form = {
            "csrfmiddlewaretoken": self.csrf_token,
            "idempotency_key": signing.dumps(key, salt=f"wb-idempotency:{path}"),
            "step": str(step),
            "go": "submit",
        }
        form.update({f"open__{n}": text for n, text in sent.comments.items()})
        body = urllib.parse.urlencode(form).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nOrigin: http://{self.host}\r\n"
            f"Referer: http://{self.host}{path}?step={step}\r\n"
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
        fixture = self.fixture
        sent = Sent(
            fixture.answers(),
            fixture.demo(),
            {str(n): random.choice(COMMENTS) for n in range(1, fixture.open_questions + 1)},
        )
        payload = self.submission(key, sent)
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
            self.tally.sent[key] = sent
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
    stage: str  # "acknowledged" (before settling) or "settled"
    stored: int
    lost: int
    doubled: int
    partial: int  # pending: a row that does not open or lacks an answer; settled: scores missing
    mismatched: int  # stored answers, demographics or comments other than the ones sent
    comments: int  # settled comments, in responses' worth (each response has one per open question)
    pending: int  # rows still in surveys_pending
    unacknowledged: int  # stored although the client saw no thank-you (failed requests only)
    unexplained: int  # stored, never acknowledged, and the request did not fail either

    @property
    def failed(self) -> bool:
        settled = self.stage == "settled"
        return bool(
            self.lost
            or self.doubled
            or self.partial
            or self.mismatched
            or self.unexplained
            or (settled and (self.pending or self.comments != self.stored))
        )


def _keys_check(stage: str, counts: Counter, tally: Tally, **figures: int) -> Check:
    """Compare the keys stored (with how often) with the keys acknowledged and in doubt."""
    acked = set(tally.acked)
    extra = counts.keys() - acked
    return Check(
        stage=stage,
        stored=sum(counts.values()),
        lost=len(acked - counts.keys()),
        doubled=sum(n - 1 for n in counts.values()) + len(tally.acked) - len(acked),
        unacknowledged=len(extra & tally.in_doubt),
        unexplained=len(extra - tally.in_doubt),
        **figures,
    )


def _complete(fixture: Fixture, answers: object) -> bool:
    return isinstance(answers, dict) and all(
        isinstance(answers.get(i), list) and len(answers[i]) == len(items)
        for i, items in fixture.items.items()
    )


def check_pending(database_url: str, fixture: Fixture, tally: Tally) -> tuple[Check, list[int]]:
    """Before settling: each acknowledged key once in surveys_pending (or surveys_response),
    its sealed row opening to what was sent. Also returns the sealed rows' sizes."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, sealed FROM surveys_pending WHERE wave_id = %s",
            (fixture.wave,),
        ).fetchall()
        settled = conn.execute(
            "SELECT idempotency_key, count(*) FROM surveys_response WHERE wave_id = %s GROUP BY 1",
            (fixture.wave,),
        ).fetchall()
    counts = Counter(key for key, _sealed in rows)
    counts.update(dict(settled))  # none unless something settled the wave during the run
    partial = mismatched = 0
    for key, sealed in rows:
        try:
            payload = json.loads(sealing.unseal(bytes(sealed), PENDING_PURPOSE))
        except (sealing.Unsealable, ValueError):
            partial += 1
            continue
        comments = payload.get("comments")
        if not _complete(fixture, payload.get("answers")) or not (
            isinstance(comments, dict) and len(comments) == fixture.open_questions
        ):
            partial += 1
        elif (sent := tally.sent.get(key)) is not None and (
            payload["answers"],
            payload["demographics"],
            comments,
        ) != (sent.answers, sent.demographics, sent.comments):
            mismatched += 1
    check = _keys_check(
        "acknowledged",
        counts,
        tally,
        partial=partial,
        mismatched=mismatched,
        comments=0,
        pending=len(rows),
    )
    return check, [len(sealed) for _key, sealed in rows]


def settle(env: dict[str, str], fixture: Fixture) -> tuple[int, float]:
    """Run ``actions.settle_responses`` on the wave; return (settled, seconds of the call)."""
    out = manage(env, "shell", "-v", "0", "-c", f"WAVE = {fixture.wave}\n{SETTLE}")
    done = json.loads(out.strip().splitlines()[-1])
    return done["settled"], done["seconds"]


def check_settled(database_url: str, fixture: Fixture, tally: Tally) -> Check:
    """After settling: each acknowledged key once in surveys_response with all its score rows
    and what was sent, the comments there, surveys_pending empty."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT r.idempotency_key, r.answers, r.demographics,"
            " (SELECT count(*) FROM surveys_score s WHERE s.response_id = r.id)"
            " FROM surveys_response r WHERE r.wave_id = %s",
            (fixture.wave,),
        ).fetchall()
        (comments,) = conn.execute(
            "SELECT count(*) FROM surveys_comment WHERE wave_id = %s", (fixture.wave,)
        ).fetchone()
        (pending,) = conn.execute(
            "SELECT count(*) FROM surveys_pending WHERE wave_id = %s", (fixture.wave,)
        ).fetchone()
    partial = sum(
        1
        for _key, answers, _demo, scores in rows
        if scores != len(fixture.score_rows) or not _complete(fixture, answers)
    )
    mismatched = sum(
        1
        for key, answers, demo, _scores in rows
        if (sent := tally.sent.get(key)) is not None
        and (answers, demo) != (sent.answers, sent.demographics)
    )
    return _keys_check(
        "settled",
        Counter(key for key, *_rest in rows),
        tally,
        partial=partial,
        mismatched=mismatched,
        comments=comments // max(fixture.open_questions, 1),
        pending=pending,
    )


# -- raw psycopg baseline ---------------------------------------------------------------------

INSERT_PENDING = (
    "INSERT INTO surveys_pending (id, wave_id, unit_id, idempotency_key, body_digest, sealed)"
    " VALUES (%s, %s, NULL, %s, %s, %s)"
)


def baseline(
    database_url: str, fixture: Fixture, seconds: float, connections: int, sizes: list[int]
) -> float:
    """Transactions/s of raw inserts of one pending row (random sealed bytes of a size the
    app stored), each connection in its own thread, sequential on it."""
    done = [0] * connections
    barrier = threading.Barrier(connections + 1)
    window: list[float] = []

    def work(slot: int) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            barrier.wait()
            while not window or time.monotonic() < window[0]:
                params = (
                    secrets.randbelow(2**63 - 1) + 1,  # as models.random_id
                    fixture.wave,
                    f"baseline-{secrets.token_urlsafe(24)}",
                    secrets.token_hex(32),  # a keyed SHA-256 digest, in hex
                    os.urandom(random.choice(sizes)),
                )
                with conn.transaction():
                    conn.execute(INSERT_PENDING, params)
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
    where = "pending" if check.stage == "acknowledged" else "settled"
    extra = (
        f"{check.pending} rows sealed"
        if check.stage == "acknowledged"
        else f"comments {check.comments}, left pending {check.pending}"
    )
    print(
        f"{where}: stored {check.stored} {relation} acknowledged {acknowledged} "
        f"(lost {check.lost}, doubled {check.doubled}, partial {check.partial}, "
        f"not as sent {check.mismatched}; {extra}; stored after a failed request "
        f"{check.unacknowledged}, stored never acknowledged {check.unexplained})"
    )


def report_sizes(sizes: list[int]) -> None:
    if sizes:
        print(
            f"sealed rows: {sum(sizes) / len(sizes):.0f} bytes on average"
            f" ({min(sizes)}-{max(sizes)})"
        )


def report_settle(settled: int, seconds: float) -> None:
    per = 1000 * seconds / settled if settled else float("nan")
    print(
        f"settle: {settled} submissions in {seconds:.2f} s ({per:.3f} s per 1,000;"
        f" settle_responses, as publishing the wave's results runs it)"
    )


def report_baseline(
    args: argparse.Namespace, fixture: Fixture, rate: float, sizes: list[int]
) -> None:
    one = baseline(args.database_url, fixture, args.baseline_seconds, 1, sizes)
    print(f"baseline raw psycopg: {one:.0f} tx/s (1 connection)")
    many = baseline(args.database_url, fixture, args.baseline_seconds, args.clients, sizes)
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
    # The bench process seals wb_draft cookies, signs the form's key and opens pending rows.
    settings.configure(SECRET_KEY=secret_key)
    env = server_env(args.database_url, secret_key)

    t0 = time.monotonic()
    recreate_database(args.database_url)
    manage(env, "migrate", "-v", "0")
    fixture = create_fixture(env)
    print(f"setup: {time.monotonic() - t0:.1f} s (database, migrate, survey)")
    run = run_app(args, env, fixture)
    rate, p99 = report_run(args, run)
    acknowledged = len(run.tally.acked)
    check, sizes = check_pending(args.database_url, fixture, run.tally)
    report_check(check, acknowledged)
    report_sizes(sizes)
    settled, seconds = settle(env, fixture)
    report_settle(settled, seconds)
    after = check_settled(args.database_url, fixture, run.tally)
    report_check(after, acknowledged)
    if args.baseline_seconds > 0 and sizes:  # pending rows of the sizes the app stored
        report_baseline(args, fixture, rate, sizes)
    elif args.baseline_seconds > 0:
        print("baseline: skipped, the app stored no pending row to size it on")
    met = rate >= 300 and p99 < 150
    print(f"target: >= 300/s and p99 < 150 ms: {'MET' if met else 'NOT MET'}")
    print(f"total: {time.monotonic() - t0:.1f} s")
    if check.failed or after.failed:
        print(
            "FAILED: responses lost, doubled, partial, not as sent or stored unacknowledged",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
