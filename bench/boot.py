"""Start-up: how soon a killed worker is replaced, and a restarted server acknowledges again.

Migrates a fresh SQLite database in a temporary VAR_DIR (PostgreSQL with ``--database-url``),
makes a survey with an open link through the project's actions, and runs gunicorn (gthread,
``DEBUG=0``) on loopback with the production configuration, ``wellbeing.gunicorn_conf``:

- worker boot: one worker, killed with SIGKILL; the time until the first answered GET of the
  home page, which the worker the master forks in its place serves. With the production
  configuration (the application preloaded in the master) and with the same configuration
  without preloading (each worker imports the application itself).
- restart: the master and its workers killed with SIGKILL, then gunicorn started again, as a
  service manager restarts it; the time from the start to the first acknowledged submission
  of a client that sends the survey's last page again and again, as a respondent does after
  an error page. With and without preloading.
- the baseline, measured in the same run: both for a hello-world WSGI module under the same
  gunicorn, configuration and options (restart: until its first answer).
- importing ``wellbeing.wsgi`` (Django's set-up, every URL configuration and view) in a new
  interpreter, with and without compiled bytecode, against importing the hello-world module:
  what a restart and a worker without preloading pay first.

The servers run with compiled bytecode, as an installed release has it (docs/operations.md):
the run compiles into a cache of its own (``PYTHONPYCACHEPREFIX`` in its temporary folder,
the project and the virtualenv are left as they are) before it measures. ``--no-bytecode``
runs them as a checkout whose virtualenv has none and ``PYTHONDONTWRITEBYTECODE`` set, where
every process compiles every module it imports.

    .venv/bin/python bench/boot.py [--kills 5] [--restarts 3] [--workers 2] [--threads 4]
        [--no-bytecode]
        [--database-url postgresql://postgres@127.0.0.1:5432/wellbeing_boot_bench]

Prints the median of each figure (with the fastest and the slowest), its ratio to the
baseline, and the CPU time it took: the new worker's; the master's and workers' of a restart;
the interpreter's of an import. A busy machine stretches the times, not the CPU times: where
one process does the work (a worker's boot, a preloaded restart, an import), its time on an
idle core is about its CPU time. Targets (issue #22): a worker boots in <= 1 s; the first acknowledgement comes
<= 2 s after a restart. Exits 0 whether or not they are met (it is a measurement).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACK = b"Thank you: your answers are saved"
POLL = 0.01  # seconds between two attempts while the server is down
DEADLINE = 180.0  # seconds: a start without preloading is slow on a busy machine
WORKER_BOOT_TARGET, RESTART_TARGET = 1.0, 2.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
HELLO = '''"""The baseline: the least a WSGI application can do."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]
'''
# The production configuration with one change.
NO_PRELOAD = "from wellbeing.gunicorn_conf import *  # noqa: F403\n\npreload_app = False\n"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=5, help="workers killed per variant")
    parser.add_argument("--restarts", type=int, default=3, help="restarts per variant")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (restart)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="servers compile every module they import"
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL, dropped and re-created (its name must contain 'bench')"
    )
    return parser.parse_args()


# -- the database and the survey ----------------------------------------------------------------


def server_env(var_dir: str, database_url: str | None) -> dict[str, str]:
    dropped = ("DATABASE_URL", "SECRET_KEY_FILE", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=var_dir,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@dataclass
class Survey:
    """What a respondent's browser holds on the survey's last page."""

    link_key: str
    last_step: int
    answers: dict
    path: str = ""  # the survey's own address, /r/<rid>/
    csrf_cookie: str = ""
    csrf_token: str = ""


def make_survey(env: dict[str, str]) -> Survey:
    """Migrate the database and make an open survey, in this process (Django set up here)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from wellbeing.accounts.actions import create_organization
    from wellbeing.surveys import actions
    from wellbeing.surveys.views.respond import Flow

    call_command("migrate", verbosity=0)
    org = create_organization(
        name="Boot Health", kind="health_system", slug="boot", is_synthetic=True
    )
    survey = actions.create_survey(
        organization=org,
        name="Boot pulse",
        instruments=["single-item-burnout", "who5", "phq9"],
        open_questions=["What would help most?"],
    )
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Boot",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
    )
    (link,) = actions.open_links(wave=wave, units=[None])
    actions.set_wave_status(wave=wave, status="open")
    flow = Flow(wave, None)
    answers = {i.id: [item.option_set.codes[0] for item in i.items] for i in flow.instruments}
    connections.close_all()  # the servers write to this database from here on
    return Survey(link.key, len(flow.steps) - 1, answers, f"/r/{secrets.token_urlsafe(16)}/")


def sealed_draft(survey: Survey, key: str) -> str:
    """The draft cookie a browser holds after walking the earlier pages."""
    from wellbeing.surveys.views.respond import Draft

    return Draft("s", survey.link_key, key, survey.answers).sealed(survey.path)


# -- the server -----------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    app: str
    config: str
    ready: str  # "ack": an acknowledged submission; "answer": a 200 of the home page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(
    variant: Variant, env: dict, port: int, workers: int, threads: int, log: Path
) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", variant.app, f"--bind=127.0.0.1:{port}"]
    command += ["-c", variant.config, "--worker-class=gthread", f"--workers={workers}"]
    command += [f"--threads={threads}", f"--pythonpath={log.parent}", "--log-level=warning"]
    command += [f"--error-logfile={log}", "--no-control-socket"]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def children(pid: int) -> list[int]:
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in listed if not gone(int(child))]


def gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie not yet reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def kill_all(server: subprocess.Popen) -> None:
    """SIGKILL the master and every worker (its session), and wait until all are gone."""
    workers = [] if server.poll() is not None else children(server.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    wait_until(lambda: all(gone(pid) for pid in workers), "the workers exit")


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"not within {DEADLINE:.0f} s: {what}")
        time.sleep(POLL)


# -- the client -----------------------------------------------------------------------------------


def answered(port: int, path: str = "/") -> bool:
    """True when a GET of ``path`` is answered 200 (it waits for a worker to take it)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False


def open_survey(port: int, survey: Survey) -> None:
    """GET the survey's last page as a browser: the CSRF cookie and the form's token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    draft = sealed_draft(survey, secrets.token_urlsafe(24))
    connection.request("GET", survey.path, headers={"Cookie": f"wb_draft={draft}"})
    response = connection.getresponse()
    body = response.read()
    survey.csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))[1]
    survey.csrf_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()


def acknowledged(port: int, survey: Survey) -> bool:
    """True when a submission with a fresh idempotency key comes back with the thank-you page."""
    key = secrets.token_urlsafe(24)
    form = {
        "csrfmiddlewaretoken": survey.csrf_token,
        "idempotency_key": key,
        "step": str(survey.last_step),
        "go": "submit",
        "open__1": "More staff on nights.",
    }
    host = f"127.0.0.1:{port}"
    headers = {
        "Host": host,
        "Origin": f"http://{host}",
        "Referer": f"http://{host}{survey.path}",
        "Cookie": f"csrftoken={survey.csrf_cookie}; wb_draft={sealed_draft(survey, key)}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        connection.request("POST", survey.path, urllib.parse.urlencode(form), headers)
        response = connection.getresponse()
        return response.status == 200 and ACK in response.read()
    except (OSError, http.client.HTTPException):
        return False


# -- the measurements -----------------------------------------------------------------------------


Timing = tuple[float, float]  # seconds of wall-clock time, CPU seconds


def worker_boots(variant: Variant, env: dict, kills: int, threads: int, tmp: Path) -> list[Timing]:
    """From SIGKILL of the only worker to the first answer of its replacement; the CPU time
    is the replacement's, its first request included."""
    port, times = free_port(), []
    server = start(variant, env, port, 1, threads, tmp / "gunicorn.log")
    try:
        wait_until(lambda: answered(port), f"{variant.name} answers")
        for _ in range(kills):
            (worker,) = children(server.pid)
            os.kill(worker, signal.SIGKILL)
            started = time.monotonic()
            wait_until(lambda: answered(port), f"{variant.name}'s new worker answers")
            elapsed = time.monotonic() - started
            (replacement,) = children(server.pid)
            times.append((elapsed, cpu_seconds(replacement)))
    finally:
        kill_all(server)
    return times


def restarts(
    variant: Variant, env: dict, args: argparse.Namespace, survey: Survey, tmp: Path
) -> list[Timing]:
    """From starting gunicorn again, after SIGKILL of all of it, to the first acknowledged
    submission (the baseline: its first answer); the CPU time of its master and workers."""
    port, times, log = free_port(), [], tmp / "gunicorn.log"

    def ready() -> bool:
        return acknowledged(port, survey) if variant.ready == "ack" else answered(port)

    server = start(variant, env, port, args.workers, args.threads, log)
    try:
        wait_until(lambda: answered(port), f"{variant.name} answers")
        if variant.ready == "ack":
            open_survey(port, survey)  # the browser's CSRF cookie outlives the restart
            wait_until(ready, f"{variant.name} acknowledges a submission")
        for _ in range(args.restarts):
            kill_all(server)
            started = time.monotonic()
            server = start(variant, env, port, args.workers, args.threads, log)
            wait_until(ready, f"{variant.name} acknowledges after a restart")
            elapsed = time.monotonic() - started
            processes = [server.pid, *children(server.pid)]
            times.append((elapsed, sum(cpu_seconds(pid) for pid in processes)))
    finally:
        kill_all(server)
    return times


def with_bytecode(env: dict, cache: Path) -> dict:
    """``env`` with a bytecode cache of its own, filled by the first import of each module."""
    return {**env, "PYTHONPYCACHEPREFIX": str(cache)}


def without_bytecode(env: dict, cache: Path) -> dict:
    """``env`` reading bytecode from an empty cache and writing none: every import compiles."""
    cache.mkdir(exist_ok=True)
    return {**env, "PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}


def compile_once(env: dict) -> None:
    """Import what the servers import, so the bytecode cache holds it before a measurement."""
    modules = "wellbeing.wsgi, gunicorn.app.wsgiapp, gunicorn.workers.gthread, gunicorn.glogging"
    subprocess.run([sys.executable, "-c", f"import {modules}"], env=env, cwd=ROOT, check=True)


def imports(module: str, env: dict, tmp: Path, times: int = 3) -> list[Timing]:
    """Starting an interpreter and importing ``module``, in new processes."""
    env = {**env, "PYTHONPATH": str(tmp)}
    out = []
    for _ in range(times):
        before, started = _children_cpu(), time.monotonic()
        subprocess.run([sys.executable, "-c", f"import {module}"], env=env, cwd=ROOT, check=True)
        out.append((time.monotonic() - started, _children_cpu() - before))
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- the report -----------------------------------------------------------------------------------


def line(label: str, times: list[Timing], baseline: list[Timing] | None) -> float:
    """Print the median time, the fastest and slowest, the ratio to the baseline's median and
    the median CPU time (which a busy machine does not stretch); return the median."""
    walls = [wall for wall, _cpu in times]
    median = statistics.median(walls)
    base = statistics.median(wall for wall, _cpu in baseline) if baseline else None
    ratio = f"{median / base:7.1f}x" if base else "  (baseline)"
    spread = f"[{min(walls):.2f}-{max(walls):.2f}]"
    cpu = statistics.median(cpu for _wall, cpu in times)
    print(f"  {label:44} {median:7.2f} s {spread:>13}  {ratio}   cpu {cpu:5.2f} s")
    return median


def main() -> None:
    args = parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="wellbeing-boot-") as directory:
        tmp = Path(directory)
        (tmp / "hello.py").write_text(HELLO)
        (tmp / "no_preload.py").write_text(NO_PRELOAD)
        if args.database_url:
            sys.path.insert(0, str(ROOT / "bench"))
            from _database import recreate_database

            recreate_database(args.database_url)
        env = server_env(str(tmp / "var"), args.database_url)
        survey = make_survey(env)
        compiled = with_bytecode(env, tmp / "bytecode")
        compile_once(compiled)
        plain = without_bytecode(env, tmp / "no-bytecode")
        env = plain if args.no_bytecode else compiled
        print(f"servers run {'without' if args.no_bytecode else 'with'} compiled bytecode")
        production = "python:wellbeing.gunicorn_conf"
        hello = Variant("hello-world", "hello:application", production, "answer")
        preloaded = Variant("wellbeing, preloaded", "wellbeing.wsgi", production, "ack")
        each_own = Variant(
            "wellbeing, not preloaded", "wellbeing.wsgi", str(tmp / "no_preload.py"), "ack"
        )

        print(
            f"\nworker boot: SIGKILL of the only worker -> first answered GET /, {args.kills} times"
        )
        base = worker_boots(hello, env, args.kills, args.threads, tmp)
        line("hello-world app", base, None)
        boot = line(
            "wellbeing, preloaded (production)",
            worker_boots(preloaded, env, args.kills, args.threads, tmp),
            base,
        )
        line(
            "wellbeing, not preloaded",
            worker_boots(each_own, env, args.kills, args.threads, tmp),
            base,
        )

        print(
            f"\nrestart: SIGKILL of master and workers, gunicorn started again ({args.workers}x"
            f"{args.threads}) -> first acknowledged submission, {args.restarts} times"
        )
        base = restarts(hello, env, args, survey, tmp)
        line("hello-world app (first answer)", base, None)
        restart = line(
            "wellbeing, preloaded (production)", restarts(preloaded, env, args, survey, tmp), base
        )
        line("wellbeing, not preloaded", restarts(each_own, env, args, survey, tmp), base)

        print("\nimport in a new interpreter")
        base = imports("hello", compiled, tmp)
        line("hello-world module", base, None)
        wsgi = "wellbeing.wsgi (set-up, URLs, views)"
        line(wsgi, imports("wellbeing.wsgi", compiled, tmp), base)
        line(f"{wsgi}, no bytecode", imports("wellbeing.wsgi", plain, tmp), base)

    print(
        f"\ntargets: worker boot <= {WORKER_BOOT_TARGET:g} s: "
        f"{'met' if boot <= WORKER_BOOT_TARGET else 'not met'}; first acknowledgement after a "
        f"restart <= {RESTART_TARGET:g} s: {'met' if restart <= RESTART_TARGET else 'not met'}"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
