"""Storage benchmark: ingest rate, latest-health and 24-hour-window latency, event writes.

Loads ``--rows`` history rows over ``--integrations`` integrations (one check a minute each)
into a throwaway PostgreSQL database and a throwaway SQLite file, then prints figures.

    .venv/bin/python bench/storage.py [--rows 1000000] [--integrations 1000]

PostgreSQL comes from TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test);
the benchmark creates ``ih_bench_<random>`` beside it and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from databases import admin
from integration_health.domain import EventSeverity, HealthRecord, HealthStatus, IntegrationEvent
from integration_health.storage import IntegrationHealthRepository, create_engine, redact, upgrade
from integration_health.storage.rows import health_row
from integration_health.storage.tables import integration_health
from integration_health.storage.urls import async_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 1_000
CHECK_EVERY = timedelta(minutes=1)
STATUSES = [HealthStatus.ONLINE] * 18 + [HealthStatus.DEGRADED, HealthStatus.OFFLINE]


def history(rows: int, integrations: int, end: datetime) -> Iterator[list[HealthRecord]]:
    """Yield 1,000-row batches in arrival order: every integration's check, minute by minute."""
    minutes = -(-rows // integrations)
    start = end - (minutes - 1) * CHECK_EVERY
    batch: list[HealthRecord] = []
    for n in range(rows):
        minute, integration = divmod(n, integrations)
        status = random.choice(STATUSES)
        batch.append(
            HealthRecord(
                integration_id=f"integration-{integration:05d}",
                status=status,
                last_checked=start + minute * CHECK_EVERY,
                response_time_ms=None
                if status is HealthStatus.OFFLINE
                else random.randint(20, 900),
                error_message="HTTP 503" if status is HealthStatus.OFFLINE else None,
                error_rate=Decimal(random.randint(0, 500)) / 10_000,
            )
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def timed(call: Callable[[], Awaitable[Any]], times: int) -> list[float]:
    """Return the duration of each of ``times`` calls, in milliseconds."""
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        durations.append((time.perf_counter() - started) * 1_000)
    return durations


def percentiles(durations: list[float]) -> str:
    """Return 'p50 x ms, p99 y ms' of ``durations``."""
    cuts = statistics.quantiles(durations, n=100, method="inclusive")
    return f"p50 {cuts[49]:.3f} ms, p99 {cuts[98]:.3f} ms"


async def ingest(repo: IntegrationHealthRepository, batches: Iterator[list[HealthRecord]]) -> str:
    """Store every batch through ``store_health_statuses``; return the rate."""
    rows, spent = 0, 0.0
    for batch in batches:
        started = time.perf_counter()
        rows += await repo.store_health_statuses(batch)
        spent += time.perf_counter() - started
    return f"{rows:,} rows in {spent:.1f} s = {rows / spent:,.0f} rows/s"


async def ingest_by_copy(engine: AsyncEngine, batches: Iterator[list[HealthRecord]]) -> str:
    """Store every batch by COPY into a temporary table and INSERT ... ON CONFLICT from it."""
    columns = [c.name for c in integration_health.c]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[2:] if c != "created_at")
    merge = (
        f"INSERT INTO integration_health ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(columns)} FROM staged_health "
        f"ON CONFLICT (integration_id, last_checked) DO UPDATE SET {updates}"
    )
    rows, spent = 0, 0.0
    async with engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute(
            "CREATE TEMP TABLE staged_health (LIKE integration_health) ON COMMIT DELETE ROWS"
        )
        for batch in batches:
            started = time.perf_counter()
            now = datetime.now(UTC)
            records = [tuple(health_row(r, now).values()) for r in batch]
            async with raw.transaction():
                await raw.copy_records_to_table("staged_health", records=records, columns=columns)
                await raw.execute(merge)
            spent += time.perf_counter() - started
            rows += len(batch)
    return f"{rows:,} rows in {spent:.1f} s = {rows / spent:,.0f} rows/s"


async def measure(name: str, url: URL, rows: int, integrations: int, samples: int) -> None:
    """Load the history into the database at ``url`` and print every figure."""
    await upgrade(url)
    engine = create_engine(url)
    repo = IntegrationHealthRepository(engine)
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    names = [f"integration-{i:05d}" for i in range(integrations)]
    try:
        print(f"\n== {name}: {rows:,} rows over {integrations:,} integrations")
        print(f"ingest (store_health_statuses, {BATCH:,}-row batches): ", end="", flush=True)
        print(await ingest(repo, history(rows, integrations, end)))
        extra = min(rows // 10, 100_000)
        later = end + 10 * timedelta(days=365)
        if name == "postgresql":
            print(f"ingest, {extra:,} more rows, unnest (kept): ", end="", flush=True)
            print(await ingest(repo, history(extra, integrations, later)))
            print(f"ingest, {extra:,} more rows, COPY + INSERT SELECT: ", end="", flush=True)
            print(await ingest_by_copy(engine, history(extra, integrations, later + CHECK_EVERY)))
            await admin(url, "VACUUM ANALYZE")
        pick = lambda: random.choice(names)  # noqa: E731
        window = (end - timedelta(hours=24), end)
        sizes = [len(await repo.get_health_history(pick(), *window)) for _ in range(20)]
        await timed(lambda: repo.get_latest_health(pick()), 200)
        for label in ("", ", after gc.freeze()"):
            if label:
                # What a service does once started: its long-lived objects leave the
                # collector's view, so a full collection no longer walks them.
                gc.collect()
                gc.freeze()
            latest = await timed(lambda: repo.get_latest_health(pick()), samples)
            print(f"get_latest_health{label}: {percentiles(latest)}")
            windows = await timed(lambda: repo.get_health_history(pick(), *window), samples // 10)
            rows_per_window = f"{statistics.mean(sizes):,.0f} rows"
            print(f"get_health_history 24 h ({rows_per_window}){label}: {percentiles(windows)}")
        gc.unfreeze()
        limited = await timed(
            lambda: repo.get_health_history(pick(), *window, limit=100), samples // 10
        )
        print(f"get_health_history 24 h, limit 100: {percentiles(limited)}")
        events = await timed(
            lambda: repo.store_event(
                IntegrationEvent(pick(), "status_changed", EventSeverity.WARNING, "down", end)
            ),
            samples,
        )
        print(f"store_event: {percentiles(events)}")
        oldest = end - (-(-rows // integrations) - 1) * CHECK_EVERY
        started = time.perf_counter()
        pruned = await repo.prune(oldest + timedelta(hours=1))
        print(f"prune of the oldest hour: {pruned:,} rows in {time.perf_counter() - started:.2f} s")
    finally:
        await engine.dispose()


async def main(arguments: argparse.Namespace) -> None:
    """Run the benchmark on each backend asked for."""
    if "postgresql" in arguments.backends:
        server = async_url(arguments.postgres)
        database = server.set(database=f"ih_bench_{uuid4().hex[:12]}")
        print(f"PostgreSQL: {redact(database)}")
        await admin(server, f'CREATE DATABASE "{database.database}"')
        try:
            await measure(
                "postgresql", database, arguments.rows, arguments.integrations, arguments.samples
            )
        finally:
            await admin(server, f'DROP DATABASE "{database.database}" WITH (FORCE)')
    if "sqlite" in arguments.backends:
        with tempfile.TemporaryDirectory() as directory:
            url = async_url(f"sqlite:///{Path(directory) / 'bench.db'}")
            await measure("sqlite", url, arguments.rows, arguments.integrations, arguments.samples)


def parse() -> argparse.Namespace:
    """Return the command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--integrations", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument(
        "--backends", default="postgresql,sqlite", help="comma-separated: postgresql,sqlite"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
