"""Benchmark the real scheduler, probe and state against a loopback upstream in its own process.

Run ``make bench`` (that is ``.venv/bin/python bench/scheduler.py``), ``--quick`` for a smoke
run, ``--help`` for the knobs. Two scenarios, each wiring the real ``Scheduler``, ``run_probe``
(one shared client session), ``Monitor`` and ``HealthStore`` as the service does, and history
as below; alerts are left out:

- throughput: N integrations every ``--interval`` against an upstream that answers after
  ``--delay``; checks/s, CPU per check, schedule lag and the latency the monitor adds.
- in flight: ``--in-flight`` checks outstanding at once against an upstream that answers
  after ``--slow-delay``; the latency the monitor adds with that many in flight.

Added latency is the response time the monitor reports minus the upstream's fixed delay.
Figures are taken after a warm-up round, so connection set-up is left out.

History is kept as the service keeps it: every result becomes a history row and a state, every
event a stored event, all queued on the real ``HistoryWriter`` running in the same event loop
(it flushes every second, or sooner once a batch of 1,000 waits) on a database migrated first.
``--history`` picks the database, which both scenarios write into: by default a throwaway
``ih_bench_<random>`` created beside TEST_DATABASE_URL (else
postgresql://postgres@127.0.0.1:5432/test) and dropped at the end; any sqlite:///path or
postgresql:// URL, written into as it is; or ``none`` for no history at all. After the checks
stop, the writer makes its final flush and the rows the database gained are counted against
all the checks of the scenario, warm-up and drain included.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import gc
import importlib
import multiprocessing
import os
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.connection import Connection
from typing import Any
from uuid import uuid4

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from databases import admin
from integration_health.checks.base import ProbeSpec
from integration_health.checks.probe import Thresholds, new_session, run_probe
from integration_health.clock import utcnow
from integration_health.domain import Event, HealthCheckResult, HealthRecord
from integration_health.errors import DatabaseError
from integration_health.history import stored_event
from integration_health.monitor import Monitor
from integration_health.scheduler import Job, Scheduler
from integration_health.state import HealthStore
from integration_health.storage import (
    HistoryWriter,
    IntegrationHealthRepository,
    create_engine,
    redact,
    upgrade,
)
from integration_health.storage.tables import integration_events, integration_health
from integration_health.storage.urls import async_url, is_memory

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
UPSTREAM_LIFETIME = 600.0
"""The upstream stops by itself after this many seconds even if nobody tells it to."""
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
NO_HISTORY = "none"
FINAL_FLUSH_DEADLINE = 60.0
"""Seconds the writer's final flush may take before the bench stops it and counts what is left.

The service waits only 0.5 s; the bench waits longer to count a backlog rather than lose it.
"""


class _Responder(asyncio.Protocol):
    """A keep-alive HTTP/1.1 server connection that answers every request alike after a delay."""

    def __init__(self, delay: float) -> None:
        self._delay = delay
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to answer on."""
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        """Answer each complete request head (GETs carry no body)."""
        self._buffer += data
        requests = self._buffer.count(b"\r\n\r\n")
        if not requests:
            return
        self._buffer = self._buffer[self._buffer.rindex(b"\r\n\r\n") + 4 :]
        loop = asyncio.get_running_loop()
        for _ in range(requests):
            if self._delay:
                loop.call_later(self._delay, self._reply)
            else:
                self._reply()

    def _reply(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(RESPONSE)


def _serve(delay: float, control: Connection) -> None:
    """Run the upstream until told to stop; the entry point of its process."""
    asyncio.run(_upstream(delay, control))


async def _upstream(delay: float, control: Connection) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Responder(delay), "127.0.0.1", 0, backlog=4096, reuse_address=True
    )
    control.send(server.sockets[0].getsockname()[1])
    async with server:
        await asyncio.to_thread(_answer_control, control)


def _answer_control(control: Connection) -> None:
    """Reply to each request with this process's CPU seconds until "stop" or the lifetime ends."""
    deadline = time.monotonic() + UPSTREAM_LIFETIME
    while control.poll(max(deadline - time.monotonic(), 0.0)):
        if control.recv() == "stop":
            return
        control.send(time.process_time())


@dataclass
class Upstream:
    """The upstream process as the monitor sees it."""

    port: int
    control: Connection

    async def cpu(self) -> float:
        """Return the CPU seconds the upstream has used so far."""

        def ask() -> float:
            self.control.send("cpu")
            seconds: float = self.control.recv()
            return seconds

        return await asyncio.to_thread(ask)


@contextmanager
def upstream(delay: float) -> Iterator[Upstream]:
    """Start an upstream answering after ``delay`` seconds in its own process; stop it after."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(delay, theirs), daemon=True)
    process.start()
    try:
        while not ours.poll(0.1):
            if not process.is_alive():
                raise RuntimeError("the upstream process died before it listened; see above")
        yield Upstream(ours.recv(), ours)
    finally:
        with suppress(OSError):
            ours.send("stop")
        process.join(5)
        if process.is_alive():
            process.terminate()
            process.join(5)


@dataclass(frozen=True)
class Scenario:
    """One run: how many integrations, how often, how slow the upstream, how many at once."""

    title: str
    integrations: int
    interval: float
    delay: float
    concurrency: int
    warmup: float
    duration: float


@dataclass
class Tally:
    """What the monitor produced during the measured window."""

    delay_ms: float
    checks: int = 0
    failures: int = 0
    added_ms: list[float] = field(default_factory=list)
    results: int = 0
    """Every result since the start, warm-up and drain included: ``reset()`` keeps it."""

    def __call__(self, result: HealthCheckResult) -> None:
        """Count one result; a result sink."""
        self.results += 1
        self.checks += 1
        if result.response_time_ms is None:
            self.failures += 1
        else:
            self.added_ms.append(result.response_time_ms - self.delay_ms)

    def reset(self) -> None:
        """Forget what came before the window."""
        self.checks = self.failures = 0
        self.added_ms.clear()


@dataclass
class GcPauses:
    """How long the cyclic garbage collector stopped the process, per collection."""

    pauses_ms: list[float] = field(default_factory=list)
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        """Time one collection; a ``gc.callbacks`` entry."""
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses_ms.append((time.perf_counter() - self._started) * 1000)


@dataclass(frozen=True)
class Stored:
    """How many history rows and events a database holds, or gained."""

    records: int
    events: int

    def __sub__(self, other: Stored) -> Stored:
        return Stored(self.records - other.records, self.events - other.events)


async def stored(engine: AsyncEngine) -> Stored:
    """Return how many history rows and events the database of ``engine`` holds."""
    count = func.count()
    async with engine.connect() as connection:
        records = await connection.scalar(select(count).select_from(integration_health))
        events = await connection.scalar(select(count).select_from(integration_events))
    return Stored(records or 0, events or 0)


@dataclass(frozen=True)
class Kept:
    """What history keeping did over a whole scenario, warm-up and drain included."""

    checks: int
    """Results the monitor handled, each of which should be one history row."""
    stored: Stored
    """What the database gained, after the writer's final flush."""
    unwritten: int
    """Rows, events and states still in the writer when the bench stopped waiting for it."""


class History:
    """History kept as ``Service`` keeps it: results, events and states queued on a writer."""

    def __init__(self, url: URL, store: HealthStore) -> None:
        self._engine = create_engine(url)
        self._store = store
        self.writer = HistoryWriter(IntegrationHealthRepository(self._engine, clock=utcnow))
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._before = Stored(0, 0)

    def subscribe(self, monitor: Monitor) -> None:
        """Keep every result and event ``monitor`` publishes."""
        monitor.on_result(self._keep_result)
        monitor.on_event(self._keep_event)

    async def start(self) -> None:
        """Note what the database holds already, then start the writer."""
        self._before = await stored(self._engine)
        self._task = asyncio.create_task(self.writer.run(self._stop), name="writer")

    async def finish(self, checks: int) -> Kept:
        """Stop the writer after its final flush; return what it stored of ``checks`` results."""
        self._stop.set()
        try:
            if self._task is not None:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._task, FINAL_FLUSH_DEADLINE)
            gained = await stored(self._engine) - self._before
        finally:
            await self._engine.dispose()
        return Kept(checks=checks, stored=gained, unwritten=self.writer.pending)

    # The three below are Service._keep_result, _keep_event and _keep_state.

    def _keep_result(self, result: HealthCheckResult) -> None:
        self.writer.add_record(HealthRecord.from_result(result))
        self._keep_state(result.integration)

    def _keep_event(self, event: Event) -> None:
        self.writer.add_event(stored_event(event))
        self._keep_state(event.integration)

    def _keep_state(self, integration: str) -> None:
        state = self._store.get(integration)
        if state is not None:
            self.writer.add_state(state)


@dataclass(frozen=True)
class Figures:
    """The measured figures of one scenario."""

    scenario: Scenario
    seconds: float
    checks: int
    failures: int
    cpu_seconds: float
    upstream_cpu_seconds: float
    lag_ms: list[float]
    added_ms: list[float]
    in_flight: list[int]
    gc_pauses_ms: list[float]
    backlog: list[int]
    """What waited in the history writer, sampled like ``in_flight``; empty without history."""
    history: Kept | None = None


def jobs(scenario: Scenario, session: aiohttp.ClientSession, port: int) -> list[Job]:
    """Return one probing job per integration of ``scenario``, all on one upstream port."""
    limits = Thresholds(
        timeout=timedelta(seconds=scenario.delay + 10),
        degraded_after=timedelta(seconds=scenario.delay + 5),
    )
    made = []
    for index in range(scenario.integrations):
        name = f"i{index:06d}"
        spec = ProbeSpec(url=f"http://127.0.0.1:{port}/i/{index}")
        made.append(
            Job(name, scenario.interval, functools.partial(probe, session, name, spec, limits))
        )
    return made


async def probe(
    session: aiohttp.ClientSession, name: str, spec: ProbeSpec, limits: Thresholds
) -> HealthCheckResult:
    """Return the result of one real probe, stamped by the wall clock."""
    return await run_probe(session, name, spec, limits, utcnow)


async def measure(
    scenario: Scenario, source: Upstream, history_url: URL | None, *, gc_freeze: bool
) -> Figures:
    """Run ``scenario`` through the real scheduler, probe, state and history; return figures.

    Without ``history_url`` no history is kept.
    """
    tally = Tally(delay_ms=scenario.delay * 1000)
    store = HealthStore(alert_after=lambda _: timedelta(minutes=2))
    monitor = Monitor(store, utcnow)
    history = None if history_url is None else History(history_url, store)
    if history is not None:
        # Subscribed first, as the service does.
        history.subscribe(monitor)
        await history.start()
    monitor.on_result(tally)
    session = new_session(scenario.concurrency)
    loop = asyncio.get_running_loop()
    scheduler = Scheduler(
        jobs(scenario, session, source.port),
        monitor.handle,
        concurrency=scenario.concurrency,
        start=loop.time(),
    )
    scheduler.record_lag = True
    if gc_freeze:
        gc.collect()
        gc.freeze()
    task = loop.create_task(scheduler.run(), name="scheduler")
    try:
        figures = await _window(scheduler, scenario, source, tally, history)
    finally:
        scheduler.stop()
        await task
        await session.close()
        gc.unfreeze()
        kept = None if history is None else await history.finish(tally.results)
    return dataclasses.replace(figures, history=kept)


async def _window(
    scheduler: Scheduler,
    scenario: Scenario,
    source: Upstream,
    tally: Tally,
    history: History | None,
) -> Figures:
    await asyncio.sleep(scenario.warmup)

    upstream_before = await source.cpu()
    scheduler.lag.clear()
    tally.reset()
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    in_flight: list[int] = []
    backlog: list[int] = []
    cpu_before, started = time.process_time(), time.perf_counter()
    deadline = started + scenario.duration
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
        in_flight.append(scheduler.in_flight)
        if history is not None:
            backlog.append(history.writer.pending)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    gc.callbacks.remove(pauses)
    return Figures(
        scenario=scenario,
        seconds=seconds,
        checks=tally.checks,
        failures=tally.failures,
        cpu_seconds=cpu,
        upstream_cpu_seconds=await source.cpu() - upstream_before,
        lag_ms=[lag * 1000 for lag in scheduler.lag],
        added_ms=list(tally.added_ms),
        in_flight=in_flight,
        gc_pauses_ms=pauses.pauses_ms,
        backlog=backlog,
    )


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` lie (nearest rank); NaN if none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def rows(figures: Figures) -> dict[str, str]:
    """Return the table rows of one scenario, label to formatted value."""
    scenario = figures.scenario
    checks = max(figures.checks, 1)
    pauses = figures.gc_pauses_ms
    return {
        "integrations": f"{scenario.integrations:,}",
        "interval": f"{scenario.interval:g} s",
        "upstream delay": f"{scenario.delay * 1000:g} ms",
        "concurrency": f"{scenario.concurrency:,}",
        "measured for": f"{figures.seconds:.1f} s",
        "checks/s offered": f"{scenario.integrations / scenario.interval:,.0f}",
        "checks/s done": f"{figures.checks / figures.seconds:,.0f}",
        "failed checks": f"{figures.failures:,}",
        "in flight mean / max": (
            f"{sum(figures.in_flight) / max(len(figures.in_flight), 1):,.0f}"
            f" / {max(figures.in_flight, default=0):,}"
        ),
        "CPU µs per check": f"{figures.cpu_seconds / checks * 1e6:,.0f}",
        "monitor CPU": f"{figures.cpu_seconds / figures.seconds:.0%}",
        "upstream CPU": f"{figures.upstream_cpu_seconds / figures.seconds:.0%}",
        "schedule lag p50": f"{percentile(figures.lag_ms, 0.50):,.1f} ms",
        "schedule lag p99": f"{percentile(figures.lag_ms, 0.99):,.1f} ms",
        "added latency p50": f"{percentile(figures.added_ms, 0.50):,.0f} ms",
        "added latency p99": f"{percentile(figures.added_ms, 0.99):,.0f} ms",
        "GC pauses, time, longest": (
            f"{len(pauses):,}, {sum(pauses) / 1000 / figures.seconds:.0%},"
            f" {max(pauses, default=0):.0f} ms"
        ),
        **history_rows(figures),
    }


def history_rows(figures: Figures) -> dict[str, str]:
    """Return the table rows about history: whether it was kept, and what was written."""
    kept = figures.history
    if kept is None:
        return {"history": "off"}
    backlog = figures.backlog
    return {
        "history": "on",
        "history rows / all checks": f"{kept.stored.records:,} / {kept.checks:,}",
        "events stored": f"{kept.stored.events:,}",
        "left unwritten": f"{kept.unwritten:,}",
        "writer backlog mean / max": (
            f"{sum(backlog) / max(len(backlog), 1):,.0f} / {max(backlog, default=0):,}"
        ),
    }


def table(all_figures: list[Figures]) -> str:
    """Return the figures as a table with one column per scenario."""
    columns = [rows(figures) for figures in all_figures]
    width = max(len(label) for label in columns[0])
    cells = max(max(len(value) for value in column.values()) for column in columns)
    cells = max(cells, *(len(figures.scenario.title) for figures in all_figures))
    lines = [" " * width + "".join(f"  {f.scenario.title:>{cells}}" for f in all_figures)]
    lines += [
        f"{label:<{width}}" + "".join(f"  {column[label]:>{cells}}" for column in columns)
        for label in columns[0]
    ]
    return "\n".join(lines)


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """Return the scenarios the arguments ask for."""
    chosen = []
    if args.scenario in ("throughput", "both"):
        chosen.append(
            Scenario(
                title="throughput",
                integrations=args.integrations,
                interval=args.interval,
                delay=args.delay,
                concurrency=args.concurrency,
                warmup=args.interval + args.delay + 0.5,
                duration=args.duration,
            )
        )
    if args.scenario in ("in-flight", "both"):
        # Twice the integrations at twice the delay as interval keeps the target in flight on
        # average, and more integrations than slots makes the scheduler spread them out.
        chosen.append(
            Scenario(
                title="in flight",
                integrations=2 * args.in_flight,
                interval=2 * args.slow_delay,
                delay=args.slow_delay,
                concurrency=args.in_flight * 5 // 4,
                warmup=3 * args.slow_delay + 0.5,
                duration=args.duration,
            )
        )
    return chosen


@contextmanager
def history_database(choice: str | None) -> Iterator[URL | None]:
    """Yield the migrated database that ``--history`` chose, or None for none.

    ``choice`` None is a throwaway PostgreSQL database, created here and dropped after.
    """
    if choice == NO_HISTORY:
        yield None
        return
    if choice is not None:
        url = async_url(choice)
        _prepare(upgrade(url), url)
        yield url
        return
    server = async_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    url = server.set(database=f"ih_bench_{uuid4().hex[:12]}")
    _prepare(admin(server, f'CREATE DATABASE "{url.database}"'), server)
    try:
        _prepare(upgrade(url), url)
        yield url
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))


def _prepare(work: Coroutine[Any, Any, None], url: URL) -> None:
    """Run ``work`` on the database at ``url``; exit with a hint if the database fails."""
    try:
        asyncio.run(work)
    except (OSError, SQLAlchemyError, DatabaseError) as error:
        reason = str(error)
        if isinstance(error, DatabaseError) and error.detail:
            reason += f" ({error.detail})"
        raise SystemExit(
            f"history database {redact(url)} failed: {reason}; start it, or pass"
            f" --history sqlite:///path or --history {NO_HISTORY}"
        ) from None


def history_choice(value: str) -> str:
    """Return ``value`` if ``--history`` can use it; an argparse type."""
    if value == NO_HISTORY:
        return value
    try:
        url = async_url(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if is_memory(url):
        # Each engine would get an empty database of its own, without the migrated tables.
        raise argparse.ArgumentTypeError("an in-memory SQLite database: give a file instead")
    return value


def event_loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """Return the factory of the event loop called ``name``: asyncio or uvloop."""
    if name == "uvloop":
        try:
            uvloop = importlib.import_module("uvloop")
        except ModuleNotFoundError:
            raise SystemExit("uvloop is not installed; run .venv/bin/pip install uvloop") from None
        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return factory
    return asyncio.new_event_loop


def parse_args() -> argparse.Namespace:
    """Return the command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--integrations", "-n", type=int, default=5_000, help="default 5000")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds, default 1")
    parser.add_argument(
        "--delay", type=float, default=0.05, help="upstream delay in seconds, default 0.05"
    )
    parser.add_argument("--concurrency", type=int, default=512, help="default 512 (the service's)")
    parser.add_argument("--in-flight", type=int, default=1_000, help="default 1000")
    parser.add_argument(
        "--slow-delay", type=float, default=1.0, help="in-flight upstream delay, default 1 s"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds, default 15")
    parser.add_argument("--scenario", choices=("throughput", "in-flight", "both"), default="both")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument(
        "--history",
        type=history_choice,
        metavar=f"URL|{NO_HISTORY}",
        help="database the history writer writes to, migrated first (default: a throwaway "
        "PostgreSQL database beside TEST_DATABASE_URL, else "
        f"{DEFAULT_POSTGRES}, dropped at the end); {NO_HISTORY}: keep no history",
    )
    # The defaults are what `serve` sets (integration_health.server.tune_gc).
    parser.add_argument(
        "--gc-threshold",
        type=int,
        default=50_000,
        help="collect generation 0 after this many allocations (default 50000, as serve does; "
        "700 is Python's own)",
    )
    parser.add_argument(
        "--gc-freeze",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="gc.freeze() what exists before the checks start (default: yes, as serve does)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run of about 10 s")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.slow_delay = 2.0, 0.5
    return args


def main() -> None:
    """Run the chosen scenarios one after the other and print their figures."""
    args = parse_args()
    if args.gc_threshold is not None:
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    results = []
    with history_database(args.history) as history_url:
        for scenario in scenarios(args):
            with (
                upstream(scenario.delay) as source,
                asyncio.Runner(loop_factory=event_loop_factory(args.loop)) as runner,
            ):
                results.append(
                    runner.run(measure(scenario, source, history_url, gc_freeze=args.gc_freeze))
                )
    if history_url is None:
        history = "no history"
    else:
        history = f"history in {redact(history_url)}"
        if args.history is None:
            history += " (throwaway, dropped)"
    print(
        f"scheduler bench: {args.loop} event loop, gc threshold {gc.get_threshold()[0]}"
        f"{' and freeze' if args.gc_freeze else ''},"
        f" {os.cpu_count()} CPUs, separate upstream, {history}"
    )
    print(table(results))


if __name__ == "__main__":
    main()
