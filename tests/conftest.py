"""Fixtures for the HTTP side: the simulated upstreams and the client session checks share."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from integration_health.checks.probe import new_session
from integration_health.simulator import Simulator

# Database fixtures (SQLite and PostgreSQL) for every suite that stores anything.
pytest_plugins = ["tests.databases"]


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    """Yield a started simulator with every upstream healthy and quick to be slow."""
    async with Simulator(slow_delay=0.3, drip_interval=0.05) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Yield the client session checks share, closed afterwards."""
    client = new_session(16)
    yield client
    await client.close()


@pytest.fixture
def closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
