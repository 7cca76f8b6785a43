"""The shared HTTP timing helper: one GET under one hard deadline, turned into a result."""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from yarl import URL

from integration_health.checks.base import ProbeSpec
from integration_health.domain import HealthCheckResult
from integration_health.durations import format_duration

BODY_LIMIT = 1 << 20
"""Read at most this much of a response body: enough for any health endpoint."""

CONNECTION_FAILED = "Connection failed - check network"
TLS_FAILED = "TLS handshake failed - check the certificate"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The deadline of one check and the response time above which it is degraded."""

    timeout: timedelta
    degraded_after: timedelta


def new_session(concurrency: int) -> aiohttp.ClientSession:
    """Return the one client session every check shares, sized for ``concurrency`` checks."""
    connector = aiohttp.TCPConnector(limit=concurrency, ttl_dns_cache=300)
    # The deadline is ours (asyncio.timeout around the whole check), not aiohttp's.
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        headers={"User-Agent": "integration-health"},
        auto_decompress=False,
    )


async def run_probe(
    session: aiohttp.ClientSession,
    name: str,
    spec: ProbeSpec,
    limits: Thresholds,
    now: Callable[[], datetime],
) -> HealthCheckResult:
    """Return the result of probing ``spec``; never raises for anything the upstream does."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(limits.timeout.total_seconds()):
            status = await _get(session, spec)
    except TimeoutError:
        return HealthCheckResult.offline(
            name, f"Request timeout (>{format_duration(limits.timeout)})", now()
        )
    except (aiohttp.ClientSSLError, ssl.SSLError):
        return HealthCheckResult.offline(name, TLS_FAILED, now())
    except (aiohttp.ClientConnectorError, ConnectionRefusedError):
        return HealthCheckResult.offline(name, CONNECTION_FAILED, now())
    except aiohttp.ServerDisconnectedError:
        return HealthCheckResult.offline(name, "Server disconnected without a response", now())
    except (aiohttp.ClientError, OSError) as error:
        # The exception text can quote the URL, which may carry a credential: name the kind only.
        return HealthCheckResult.offline(name, f"Request failed - {type(error).__name__}", now())
    elapsed = time.perf_counter() - started
    return classify(name, spec, status, elapsed, limits=limits, at=now())


def bind(
    session: aiohttp.ClientSession,
    name: str,
    spec: ProbeSpec,
    limits: Thresholds,
    now: Callable[[], datetime],
) -> Callable[[], Awaitable[HealthCheckResult]]:
    """Return a function that probes ``spec`` once, as integration ``name``."""

    async def check() -> HealthCheckResult:
        return await run_probe(session, name, spec, limits, now)

    return check


def classify(
    name: str,
    spec: ProbeSpec,
    status: int,
    elapsed_seconds: float,
    *,
    limits: Thresholds,
    at: datetime,
) -> HealthCheckResult:
    """Return the result a response with ``status`` after ``elapsed_seconds`` stands for."""
    if spec.accepts(status):
        elapsed_ms = round(elapsed_seconds * 1000)
        if elapsed_seconds > limits.degraded_after.total_seconds():
            threshold = format_duration(limits.degraded_after)
            message = f"Response time exceeds {threshold} threshold"
            return HealthCheckResult.degraded(name, elapsed_ms, message, at)
        return HealthCheckResult.online(name, elapsed_ms, at)
    if status == 401:
        return HealthCheckResult.offline(name, spec.unauthorized_message, at)
    return HealthCheckResult.offline(name, f"HTTP {status}", at)


@functools.lru_cache(maxsize=1 << 16)
def _target(url: str) -> URL | str:
    """Return ``url`` parsed, or as it is for aiohttp to reject in its own words."""
    # aiohttp parses a str URL on every request and yarl's own cache holds only 128 of them:
    # with thousands of integrations that parse was ~5% of the CPU of a check.
    try:
        return URL(url)
    except ValueError:
        return url


async def _get(session: aiohttp.ClientSession, spec: ProbeSpec) -> int:
    target = _target(spec.url)
    async with session.get(target, headers=dict(spec.headers), max_redirects=5) as response:
        read = 0
        while read <= BODY_LIMIT:
            chunk = await response.content.readany()
            if not chunk:
                return response.status
            read += len(chunk)
        # A body this large is no health answer; drop the connection instead of reading on.
        response.close()
        return response.status
