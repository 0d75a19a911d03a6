"""What an authenticated API request costs, against a bare Flask JSON endpoint.

Starts gunicorn servers with the same configuration (2 sync workers on a free 127.0.0.1 port): the
bare app of ``wsgi_bare.py``, the service (``legalaid:create_app()``) on a fresh database, and the
service again keeping no answers (``LEGALAID_ANSWER_CACHE_ENTRIES=0``). Signs in once to get a session
cookie and a bearer token, then loads, one after the other:

* ``GET /ok`` on the bare app,
* ``GET /api/v1/session`` with the session cookie,
* ``GET /api/v1/session`` with ``Authorization: Bearer …``,
* ``GET /api/v1/me/assignments`` for a lawyer with 50 assignments made by the real services, on the
  service (the list as it is served between state changes) and on the one keeping no answers (the
  list built on every request, as the first request after each change is),

from a separate process (wrk, else a multi-process Python client), and prints requests/second and
the ratio to the bare endpoint. Targets: ≥ 0.5× the bare endpoint for an authenticated request,
≥ 0.4× for the provider's list (issue 3).

    python bench/bench_session.py [--duration 10] [--connections 8] [--rounds 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import benchdb

BENCH_DIR = Path(__file__).resolve().parent
USERNAME = "bench"
PASSWORD = "bench-password"  # the service wants at least 8 characters
TARGET_RATIO = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn master we started; stopped by its own pid."""

    def __init__(
        self, name: str, app: str, env: dict[str, str], workers: int, log_dir: Path, cwd: Path = benchdb.REPO
    ):
        self.name = name
        self.port = free_port()
        self.log = (log_dir / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--pythonpath",
                str(BENCH_DIR),
                "--log-level",
                "warning",
                app,
            ],
            env=env,
            cwd=cwd,  # gunicorn puts its working directory first on sys.path
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited; see {self.log.name}")
            try:
                request("GET", self.port, path)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} server not answering after {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def request(method: str, port: int, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body) if body is not None else None
        all_headers = {"Content-Type": "application/json"} if body is not None else {}
        all_headers.update(headers or {})
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def sign_in(port: int, username: str = USERNAME) -> tuple[str, str]:
    """The session cookie (``name=value``) and a bearer token for a bench user."""
    status, headers, body = request(
        "POST", port, "/api/v1/session", {"username": username, "password": PASSWORD}
    )
    if status != 200:
        raise SystemExit(f"sign-in failed: {status} {body[:200]!r}")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, _, body = request("POST", port, "/api/v1/tokens", {}, {"Cookie": cookie})
    if status != 201:
        raise SystemExit(f"token request failed: {status} {body[:200]!r}")
    return cookie, json.loads(body)["token"]


@dataclass
class Target:
    name: str
    port: int
    path: str
    headers: dict[str, str]

    def check(self, expect: str) -> None:
        status, _, body = request("GET", self.port, self.path, headers=self.headers)
        if status != 200 or expect.encode() not in body:
            raise SystemExit(f"{self.name}: expected 200 with {expect!r}, got {status} {body[:200]!r}")


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int  # non-2xx answers and socket errors

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# -- load generators: both run outside this process, bounded in time ------------------------------


def load_with_wrk(target: Target, seconds: float, connections: int, threads: int) -> Result:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s"]
    for key, value in target.headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(f"http://127.0.0.1:{target.port}{target.path}")
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if done is None:
        raise SystemExit(f"cannot read wrk output:\n{out}")
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return Result(int(done.group(1)), elapsed, errors)


MAX_REQUESTS_PER_CLIENT = 200_000


def _python_client(args: tuple[int, str, dict, float]) -> tuple[int, int]:
    port, path, headers, deadline = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # keep-alive; reopens when closed
    ok = errors = 0
    while time.monotonic() < deadline and ok + errors < MAX_REQUESTS_PER_CLIENT:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
    conn.close()
    return ok, errors


def load_with_python(target: Target, seconds: float, connections: int, threads: int) -> Result:
    with multiprocessing.get_context("spawn").Pool(connections) as pool:
        start = time.monotonic()
        deadline = start + seconds
        counts = pool.map(
            _python_client, [(target.port, target.path, target.headers, deadline)] * connections
        )
        elapsed = time.monotonic() - start
    return Result(sum(ok for ok, _ in counts), elapsed, sum(err for _, err in counts))


PROVIDER_USERNAME = "bench_lawyer"
ME_TARGET_RATIO = 0.4  # issue 3: GET /api/v1/me/assignments (50 items) at least 0.4× bare


def seed_provider_with_assignments(url: str, count: int = 50) -> None:
    """A lawyer with ``count`` assignments made through the real services (pool, intake, rotation)."""
    import datetime as dt

    from assignment.intake import decide_application, register_case
    from assignment.panel import create_organization, create_provider
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import accept_assignment, assign_by_rotation
    from legalaid import clock, create_app
    from legalaid.config import database_url
    from legalaid.db import db
    from legalaid.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url, ""), "SECRET_KEY": "bench-seed"})
    with app.app_context():
        s = db.session
        org = create_organization(s, "Bench law firm", "law_firm", None)
        s.flush()
        provider = create_provider(
            s,
            {
                "name": "Bench Lawyer",
                "kind": "lawyer",
                "organization_id": org.id,
                "practice_since": dt.date(2010, 1, 1),
                "max_open_cases": 1000,
            },
            None,
        )
        pool = create_pool(s, "Bench civil", ["civil"], ["lawyer"], None)
        set_pool_member(s, pool, provider, None)
        coordinator = create_user(s, None, "bench_coord", PASSWORD, ["coordinator"])
        create_user(s, None, PROVIDER_USERNAME, PASSWORD, ["provider"], provider_id=provider.id)
        s.commit()
        for n in range(count):
            case = register_case(
                s,
                {
                    "case_type": "civil",
                    "cause": "wage_arrears",
                    "received_on": clock.today(),
                    "applicant": {
                        "name": f"Applicant {n}",
                        "id_number": f"1101011990030{n:05d}",
                        "categories": ["migrant_worker"],
                    },
                },
                coordinator,
            )
            decide_application(s, case, coordinator, approved=True, means_test="waived")
            assignment = assign_by_rotation(s, case, coordinator)
            if n % 2:
                accept_assignment(s, assignment, None)
            s.commit()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else a fresh local bench_session")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per target per round")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load per target before")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (both servers)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds over the three targets; median shown")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--app-path",
        help="import the service from this source tree instead (to measure a candidate change on a copy)",
    )
    args = parser.parse_args()
    if not 0 < args.duration <= 120 or not 0 <= args.warmup <= 60 or not 1 <= args.rounds <= 10:
        parser.error("keep runs bounded: duration ≤ 120 s, warm-up ≤ 60 s, rounds ≤ 10")

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    load = load_with_wrk if client == "wrk" else load_with_python

    url = benchdb.database_url(args.database_url, "bench_session")
    env = benchdb.app_environment(url)
    print(f"database: {url}  ({'recreated' if benchdb.is_bench_owned(url) else 'used as is'})")
    benchdb.prepare(url, env)
    benchdb.create_user(env, USERNAME, PASSWORD)
    seed_provider_with_assignments(url)

    log_dir = Path(tempfile.mkdtemp(prefix="bench_session_"))
    servers: list[Server] = []
    try:
        bare = Server("bare", "wsgi_bare:app", env, args.workers, log_dir)
        servers.append(bare)
        service = Server(
            "service",
            "legalaid:create_app()",
            env,
            args.workers,
            log_dir,
            cwd=Path(args.app_path).resolve() if args.app_path else benchdb.REPO,
        )
        servers.append(service)
        # The same service keeping no answers: what each request costs when the list must be built
        # (the first request after every state change), reported beside the target.
        uncached = Server(
            "uncached",
            "legalaid:create_app()",
            {**env, "LEGALAID_ANSWER_CACHE_ENTRIES": "0"},
            args.workers,
            log_dir,
            cwd=Path(args.app_path).resolve() if args.app_path else benchdb.REPO,
        )
        servers.append(uncached)
        bare.wait_ready("/ok")
        service.wait_ready("/api/v1/openapi.json")
        uncached.wait_ready("/api/v1/openapi.json")
        cookie, token = sign_in(service.port)
        lawyer_cookie, _lawyer_token = sign_in(service.port, PROVIDER_USERNAME)
        uncached_cookie, _token = sign_in(uncached.port, PROVIDER_USERNAME)

        targets = [
            Target("bare Flask /ok", bare.port, "/ok", {}),
            Target("session cookie", service.port, "/api/v1/session", {"Cookie": cookie}),
            Target("bearer token", service.port, "/api/v1/session", {"Authorization": f"Bearer {token}"}),
            Target("me/assignments 50", service.port, "/api/v1/me/assignments", {"Cookie": lawyer_cookie}),
            Target("  built each time", uncached.port, "/api/v1/me/assignments", {"Cookie": uncached_cookie}),
        ]
        targets[0].check('"ok"')
        for target in targets[1:3]:
            target.check(f'"username":"{USERNAME}"')
        for target in targets[3:]:
            target.check('"total":50')

        print(
            f"client: {client}, {args.connections} connections, {args.duration:g} s per target, "
            f"{args.rounds} round(s); servers: gunicorn {args.workers} sync workers each; logs in {log_dir}"
        )
        if args.app_path:
            print(f"service imported from {args.app_path}")
        if args.warmup:
            for target in targets:
                load(target, args.warmup, args.connections, args.threads)

        results: dict[str, list[Result]] = {t.name: [] for t in targets}
        for _ in range(args.rounds):
            for target in targets:  # interleaved, so a burst of other load on the machine hits all
                results[target.name].append(load(target, args.duration, args.connections, args.threads))
    finally:
        for server in servers:
            server.stop()

    rates = {name: statistics.median(r.rate for r in runs) for name, runs in results.items()}
    baseline = rates[targets[0].name]
    print(f"\n{'target':<18} {'req/s':>9} {'× bare':>7} {'errors':>7}")
    for name, runs in results.items():
        errors = sum(r.errors for r in runs)
        print(f"{name:<18} {rates[name]:>9.0f} {rates[name] / baseline:>7.2f} {errors:>7}")
    worst = min(rates[t.name] for t in targets[1:3]) / baseline
    verdict = "meets" if worst >= TARGET_RATIO else "BELOW"
    print(f"\nslowest authenticated request: {worst:.2f}× bare — {verdict} the {TARGET_RATIO}× target")
    me = rates[targets[3].name] / baseline
    verdict = "meets" if me >= ME_TARGET_RATIO else "BELOW"
    print(f"GET /api/v1/me/assignments (50 items): {me:.2f}× bare — {verdict} the {ME_TARGET_RATIO}× target")
    built = rates[targets[4].name] / baseline
    print(f"  (the same list built on every request, as after each state change: {built:.2f}× bare)")
    if any(r.errors for runs in results.values() for r in runs):
        print("WARNING: some requests failed; see the server logs", file=sys.stderr)


if __name__ == "__main__":
    main()
