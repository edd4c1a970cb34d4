"""Public pages under concurrent load: requests/s and p99 per page, against a static file.

Migrates a fresh SQLite database in a temporary VAR_DIR (the Plan comes with the
migrations; ``load_hub`` adds the hub's seed), starts ``gunicorn wellbeing.wsgi``
with ``DEBUG=0`` on loopback, then for each page runs a bounded loop: ``--clients``
threads, each with one keep-alive ``http.client`` connection, GET the page for
``--seconds``. The baseline is a static file served by the same server (WhiteNoise),
so the ratio is what the page's Django work costs against serving bytes.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "plan": "/plan/",
    "hub search": "/hub/?q=burnout",
    "campaign explorer": "/campaign/commitments/",
}
STATIC = "/static/core/site.css"


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


def hammer(port: int, path: str, seconds: float, clients: int) -> tuple[float, float, int]:
    """Requests/s, p99 latency (ms) and the number of non-200 answers."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = float("inf")

    def client() -> None:
        mine, bad = [], 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _warm_up in range(3):  # each worker builds its per-process caches once
            connection.request("GET", path)
            connection.getresponse().read()
        while time.monotonic() < deadline:
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
    began = time.monotonic() + 0.5
    deadline = began + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else float("nan")
    return len(latencies) / elapsed, p99, failures[0]


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="wellbeing-load-") as var_dir:
        env = server_env(var_dir)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_hub", "-v", "0")
        port = free_port()
        server = start(args, env, port)
        try:
            base_rps, base_p99, _ = hammer(port, STATIC, args.seconds, args.clients)
            print(f"{'static file':18} {base_rps:8.0f} req/s  p99 {base_p99:7.1f} ms  (baseline)")
            for name, path in PAGES.items():
                rps, p99, bad = hammer(port, path, args.seconds, args.clients)
                note = f"  {bad} not 200" if bad else ""
                print(
                    f"{name:18} {rps:8.0f} req/s  p99 {p99:7.1f} ms  "
                    f"ratio to static {rps / base_rps:.3f}{note}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
