"""Public pages under concurrent load: requests/s and p99 per page, against a static file.

Migrates a fresh SQLite database in a temporary VAR_DIR (the Plan comes with the
migrations; ``load_hub`` adds the hub's seed), starts ``gunicorn wellbeing.wsgi``
with ``DEBUG=0`` on loopback, then for each page runs a bounded loop: ``--clients``
threads, each with one keep-alive ``http.client`` connection, GET the page for
``--seconds``. The baseline is a static file served by the same server (WhiteNoise),
so the ratio is what the page's Django work costs against serving bytes.

The clients send no cookies: every request is a first-time visitor without a session,
who gets the page kept by ``core/pagecache.py`` (and a new CSRF cookie of their own). Each
client's three warm-up requests fill the page cache of the worker it reaches. Each page is
then run a second time with a query parameter the page does not read, which the page cache
never keeps: that is the page rendered for every request, as a signed-in user gets it.

    .venv/bin/python bench/load.py [--seconds 5] [--clients 4] [--workers 2] [--threads 4]
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "plan": "/plan/",
    "hub search": "/hub/?q=burnout",
    "campaign explorer": "/campaign/commitments/",
}
STATIC = "/static/core/site.css"
RENDERED = "bench-rendered=1"  # a parameter no page reads: never kept, so always rendered


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per page")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    return parser.parse_args()


def server_env(var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY_FILE")}
    env.update(
        DJANGO_SETTINGS_MODULE="wellbeing.settings",
        DEBUG="0",
        SECRET_KEY="load-bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=var_dir,
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "wellbeing", *args], env=env, cwd=ROOT, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: argparse.Namespace, env: dict[str, str], port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "wellbeing.wsgi", f"--bind=127.0.0.1:{port}"]
    command += ["--worker-class=gthread", f"--workers={args.workers}", f"--threads={args.threads}"]
    command += ["--keep-alive=30", "--log-level=warning", "--no-control-socket"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 120 s")


@dataclass(frozen=True)
class Run:
    """One timed loop on one address."""

    rps: float
    p99: float  # ms
    bad: int  # answers other than 200
    cpu_ms: float  # gunicorn CPU (master and workers) per request


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int) -> float:
    """CPU seconds gunicorn's master and workers spent so far (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0.0
    for process in [pid, *map(int, children)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    return total


def hammer(server: subprocess.Popen, port: int, path: str, seconds: float, clients: int) -> Run:
    """Keep-alive GETs of ``path`` from ``clients`` threads for ``seconds``, after warm-ups."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    deadline = [float("inf")]

    def client() -> None:
        mine, bad = [], 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _warm_up in range(3):  # each worker builds its per-process caches and page cache
            connection.request("GET", path)
            connection.getresponse().read()
        ready.wait()
        while time.monotonic() < deadline[0]:
            started = time.monotonic()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            mine.append((time.monotonic() - started) * 1000)
            bad += response.status != 200
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()  # every client has warmed up: the timed loop starts now
    began, cpu = time.monotonic(), server_cpu(server.pid)
    deadline[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed, cpu = time.monotonic() - began, server_cpu(server.pid) - cpu
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else float("nan")
    n = max(len(latencies), 1)
    return Run(len(latencies) / elapsed, p99, failures[0], 1000 * cpu / n)


def report(server: subprocess.Popen, port: int, name: str, path: str, args) -> None:
    """The static baseline, then the page kept and rendered, each with its ratio to that baseline."""
    base = hammer(server, port, STATIC, args.seconds, args.clients)
    print(
        f"{name:18} {'static file':11} {base.rps:6.0f} req/s  p99 {base.p99:6.1f} ms  "
        f"cpu {base.cpu_ms:5.2f} ms/req  (baseline)"
    )
    rendered = path + ("&" if "?" in path else "?") + RENDERED
    for kind, address in (("kept", path), ("rendered", rendered)):
        run = hammer(server, port, address, args.seconds, args.clients)
        note = f"  {run.bad} not 200" if run.bad else ""
        print(
            f"{'':18} {kind:11} {run.rps:6.0f} req/s  p99 {run.p99:6.1f} ms  "
            f"cpu {run.cpu_ms:5.2f} ms/req  ratio to static {run.rps / base.rps:.3f} "
            f"(cpu {base.cpu_ms / run.cpu_ms:.3f}){note}"
        )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="wellbeing-load-") as var_dir:
        env = server_env(var_dir)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_hub", "-v", "0")
        port = free_port()
        server = start(args, env, port)
        try:
            for name, path in PAGES.items():
                report(server, port, name, path, args)
            print(
                "kept: the page cache was warmed by each client's 3 warm-up requests before the "
                "timed run; rendered: the same page with a parameter it does not read, never kept."
                " Each page's static baseline is measured right before it, so load from other "
                "work on the machine weighs on both alike; cpu is gunicorn's own CPU per request, "
                "which that load changes least."
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
