"""Reports benchmark: PMS reports accepted per second through the HTTP API into PostgreSQL.

Starts the real server (``python -m integration_health serve``) in a process of its own on a
throwaway PostgreSQL database, then ``--clients`` concurrent aiohttp clients POST reports to
``/api/v1/health/integrations/{name}/reports`` for ``--duration`` seconds after ``--warmup``.
Prints reports/s, latency percentiles, errors and CPU use, then waits for the history writer
and checks that PostgreSQL holds exactly one history row per 201.

    .venv/bin/python bench/reports.py [--duration 20] [--clients 100] [--integrations 100]

Each client sends its next report as soon as the last is answered; with ``--rate`` the clients
share a fixed schedule instead, and latency counts from when a report was due, so a server
that falls behind shows it. Back to back, mean latency is clients / rate (Little's law):
100 clients at 2,000 reports/s wait 50 ms on average, so a p99 within 50 ms at that rate is
only seen with ``--rate``, or with far more throughput. ``--loop uvloop`` runs this load
generator on uvloop, ``--server-loop uvloop`` the server (``serve`` itself runs on asyncio's).

PostgreSQL comes from ``--database-url`` (default: TEST_DATABASE_URL, else
postgresql://postgres@127.0.0.1:5432/test); the benchmark creates ``ih_bench_<random>`` beside
it and drops it at the end. Issue 4's target: >= 2,000 reports/s with p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from uuid import uuid4

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from databases import admin
from integration_health.storage import create_engine, redact

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TOKEN = f"bench-{uuid4().hex}"
TARGET_RATE = 2_000.0
TARGET_P99_MS = 50.0
TROUBLE = 0.01
"""Share of reports that say something is wrong; the rest are healthy, as most reports are."""
START_DEADLINE = 30.0
"""Seconds the server has to answer /api/v1/health before the benchmark gives up."""
FLUSH_DEADLINE = 30.0
"""Seconds the writer has to store every accepted report before the counts are compared."""
REQUEST_TIMEOUT = 10.0
SERVE_ON_UVLOOP = (
    "import asyncio, sys, uvloop; "
    "asyncio.set_event_loop_policy(uvloop.EventLoopPolicy()); "
    "from integration_health.cli import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass
class Tally:
    """What the clients saw: latencies inside the measured window, and every outcome."""

    window_start: float
    window_end: float
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    measured_errors: int = 0

    @property
    def created(self) -> int:
        """Return how many reports the server accepted, warm-up and stragglers included."""
        return self.outcomes["201"]

    def add(self, started: float, ended: float, outcome: str) -> None:
        """Count one request; time it if it ended inside the measured window."""
        self.outcomes[outcome] += 1
        if self.window_start <= ended < self.window_end:
            if outcome == "201":
                self.latencies_ms.append((ended - started) * 1_000)
            else:
                self.measured_errors += 1


class Reports:
    """Report bodies with a distinct ``lastChecked`` each, so each becomes a history row."""

    def __init__(self, integrations: int) -> None:
        self.names = [f"pms-{n:04d}" for n in range(integrations)]
        self._last = datetime.now(UTC)

    def next(self) -> tuple[str, bytes]:
        """Return an integration name and a JSON body for its next report."""
        # Checked now, as a sync job would say; a microsecond apart at least, as two reports
        # of one integration at the same moment would be one history row, not two.
        moment = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        self._last = moment
        healthy = random.random() >= TROUBLE
        body = {
            "pricingSyncStatus": "ok" if healthy else random.choice(["delayed", "failed"]),
            "feesSyncStatus": "ok",
            "errorRate": round(random.uniform(0, 0.015 if healthy else 0.2), 4),
            "bookingLossRate": round(random.uniform(0, 0.004), 4),
            "lastChecked": moment.isoformat().replace("+00:00", "Z"),
        }
        return random.choice(self.names), json.dumps(body).encode()


def free_port() -> int:
    """Return a loopback port nothing listens on (until someone does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def config_text(database: URL, integrations: list[str]) -> str:
    """Return the server's YAML configuration."""
    url = database.set(drivername="postgresql").render_as_string(hide_password=False)
    lines = [
        f"database: {{url: {json.dumps(url)}}}",
        f"api: {{tokens: [{json.dumps(TOKEN)}]}}",
        "integrations:",
        *(f"  - {{name: {name}, type: pms}}" for name in integrations),
    ]
    return "\n".join(lines) + "\n"


async def history_rows(url: URL) -> int:
    """Return how many history rows the database at ``url`` holds."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM integration_health"))
            return int(count or 0)
    finally:
        await engine.dispose()


@contextlib.contextmanager
def throwaway_database(server: URL) -> Iterator[URL]:
    """Create ``ih_bench_<random>`` beside ``server``'s database; drop it afterwards."""
    name = f"ih_bench_{uuid4().hex[:12]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name)
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def running_server(
    config: Path, port: int, log: IO[bytes], loop: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run the server on ``port`` in a process of its own; stop it (or kill it) afterwards."""
    arguments = ["serve", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)]
    if loop == "uvloop":
        command = [sys.executable, "-c", SERVE_ON_UVLOOP, *arguments]
    else:
        command = [sys.executable, "-m", "integration_health", *arguments]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """Return the CPU time every running PostgreSQL process has used so far."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            # A process may end between the listing and the read.
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
    return total


@dataclass
class Cpu:
    """Cores used during the measured window by the server, PostgreSQL and this process."""

    server: float = 0.0
    postgres: float = 0.0
    generator: float = 0.0

    @classmethod
    def now(cls, server_pid: int) -> Cpu:
        """Return the CPU seconds used so far."""
        return cls(cpu_seconds(server_pid), postgres_cpu_seconds(), time.process_time())

    def since(self, earlier: Cpu, seconds: float) -> Cpu:
        """Return the cores used since ``earlier``, ``seconds`` ago."""
        return Cpu(
            (self.server - earlier.server) / seconds,
            (self.postgres - earlier.postgres) / seconds,
            (self.generator - earlier.generator) / seconds,
        )


async def wait_until_up(
    session: aiohttp.ClientSession, base: str, server: subprocess.Popen[bytes]
) -> None:
    """Return once the server answers /api/v1/health; raise if it died or took too long."""
    for _ in range(int(START_DEADLINE / 0.1)):
        if server.poll() is not None:
            raise RuntimeError(f"the server exited during start-up (status {server.returncode})")
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with session.get(f"{base}/api/v1/health") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {START_DEADLINE:.0f} s")


async def client(
    session: aiohttp.ClientSession,
    base: str,
    reports: Reports,
    tally: Tally,
    *,
    first: float,
    every: float,
) -> None:
    """POST reports until the window closes: back to back, or one every ``every`` seconds."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    loop = asyncio.get_running_loop()
    due = first
    while due < tally.window_end:
        if every:
            await asyncio.sleep(due - loop.time())
        name, body = reports.next()
        url = f"{base}/api/v1/health/integrations/{name}/reports"
        # On a schedule, latency counts from when the report was due, not from when a busy
        # client got round to sending it: otherwise a slow server hides its own queue.
        started = due if every else loop.time()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                outcome = str(response.status)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            outcome = type(error).__name__
        tally.add(started, loop.time(), outcome)
        due = due + every if every else loop.time()


async def load(
    base: str, server: subprocess.Popen[bytes], args: argparse.Namespace
) -> tuple[Tally, Cpu]:
    """Run the clients; return what they saw and the cores used in the measured window."""
    connector = aiohttp.TCPConnector(limit=args.clients, limit_per_host=args.clients)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await wait_until_up(session, base, server)
        loop = asyncio.get_running_loop()
        begin = loop.time()
        tally = Tally(
            window_start=begin + args.warmup, window_end=begin + args.warmup + args.duration
        )
        reports = Reports(args.integrations)
        every = args.clients / args.rate if args.rate else 0.0
        clients = [
            asyncio.create_task(
                client(
                    session,
                    base,
                    reports,
                    tally,
                    first=begin + n * every / args.clients,
                    every=every,
                )
            )
            for n in range(args.clients)
        ]
        await asyncio.sleep(args.warmup)
        before = Cpu.now(server.pid)
        await asyncio.sleep(args.duration)
        cpu = Cpu.now(server.pid).since(before, args.duration)
        await asyncio.gather(*clients)
    return tally, cpu


async def wait_for_rows(url: URL, expected: int) -> int:
    """Return the history row count once it reaches ``expected`` or stops growing."""
    count, unchanged = -1, 0
    for _ in range(int(FLUSH_DEADLINE / 0.5)):
        latest = await history_rows(url)
        if latest >= expected:
            return latest
        unchanged = unchanged + 1 if latest == count else 0
        if unchanged >= 6:  # 3 s without a new row: the writer has nothing left to give
            return latest
        count = latest
        await asyncio.sleep(0.5)
    return count


def report(tally: Tally, duration: float, cpu: Cpu) -> None:
    """Print the figures and whether they meet the target."""
    latencies = tally.latencies_ms
    rate = len(latencies) / duration
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
    p50, p95, p99 = (cuts[49], cuts[94], cuts[98]) if cuts else (float("nan"),) * 3
    slowest = max(latencies, default=float("nan"))
    errors = {outcome: n for outcome, n in tally.outcomes.items() if outcome != "201"}
    per_report = cpu.server / rate * 1e6 if rate else float("nan")
    print(f"accepted      {rate:,.0f} reports/s ({len(latencies):,} 201s in {duration:.0f} s)")
    print(
        f"latency       p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {slowest:.1f} ms"
    )
    print(f"errors        {tally.measured_errors} in the window; whole run: {errors or 'none'}")
    print(
        f"cpu (cores)   server {cpu.server:.2f} ({per_report:,.0f} us a report), "
        f"postgres {cpu.postgres:.2f} (all databases), load generator {cpu.generator:.2f}"
    )
    met = rate >= TARGET_RATE and p99 <= TARGET_P99_MS
    verdict = "met" if met else "NOT met"
    print(
        f"target        >= {TARGET_RATE:,.0f} reports/s, p99 <= {TARGET_P99_MS:.0f} ms: {verdict}"
    )


def main() -> int:
    """Run the benchmark; return 0 if every accepted report became a history row."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n", 1)[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds not measured")
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients")
    parser.add_argument("--integrations", type=int, default=100, help="PMS integrations")
    parser.add_argument("--rate", type=float, default=0.0, help="reports/s to offer; 0: no cap")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES),
        help="the PostgreSQL database to create the throwaway one beside",
    )
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="load generator's loop"
    )
    parser.add_argument(
        "--server-loop", choices=("asyncio", "uvloop"), default="asyncio", help="server's loop"
    )
    args = parser.parse_args()
    if min(args.duration, args.clients, args.integrations) <= 0 or min(args.warmup, args.rate) < 0:
        parser.error("--duration, --clients and --integrations must be positive; none negative")
    for loop in {args.loop, args.server_loop} - {"asyncio"}:
        if importlib.util.find_spec(loop) is None:
            parser.error(f"{loop} is not installed here: pip install it, or leave it out")
    if args.loop == "uvloop":
        import uvloop  # noqa: PLC0415 - optional, only for this measurement

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    server_url = make_url(args.database_url)
    try:
        asyncio.run(admin(server_url, "SELECT 1"))
    except (OSError, SQLAlchemyError) as error:
        print(
            f"cannot reach PostgreSQL at {redact(server_url)} ({type(error).__name__}): "
            "start it or pass --database-url",
            file=sys.stderr,
        )
        return 1
    parser_name = "httptools" if importlib.util.find_spec("httptools") else "h11"
    offered = f"{args.rate:,.0f} reports/s offered" if args.rate else "back to back"
    print(
        f"machine       {os.cpu_count()} CPUs shared by the server, PostgreSQL and this load "
        f"generator (load average {os.getloadavg()[0]:.2f} at the start)"
    )
    print(
        f"setup         server on {args.server_loop} + {parser_name}, load generator on "
        f"{args.loop}; {args.clients} clients {offered}, {args.integrations} PMS integrations, "
        f"{args.duration:.0f} s after a {args.warmup:.0f} s warm-up; {redact(server_url)}"
    )
    with (
        throwaway_database(server_url) as database,
        tempfile.TemporaryDirectory(prefix="ih-bench-") as folder,
    ):
        config = Path(folder) / "integration-health.yaml"
        config.write_text(config_text(database, Reports(args.integrations).names), "utf-8")
        log_path = Path(folder) / "server.log"
        port = free_port()
        with log_path.open("wb") as log:
            try:
                with running_server(config, port, log, args.server_loop) as server:
                    tally, cpu = asyncio.run(load(f"http://127.0.0.1:{port}", server, args))
                    stored = asyncio.run(wait_for_rows(database, tally.created))
            except RuntimeError as error:
                print(f"failed: {error}; the server's last words:", file=sys.stderr)
                print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
                return 1
        report(tally, args.duration, cpu)
        same = stored == tally.created
        print(
            f"history rows  {stored:,} in PostgreSQL for {tally.created:,} 201s "
            + ("(equal)" if same else "(NOT equal)")
        )
        if not same:
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
