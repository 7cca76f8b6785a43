"""``integration-health demo``: the whole service against simulated upstreams on loopback."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from integration_health.api import create_app
from integration_health.config import Settings, parse_settings
from integration_health.server import serve
from integration_health.service import Service
from integration_health.simulator import DEFAULT_CREDENTIALS, DEMO_PLAN, Simulator

# Short intervals so a newcomer sees every status and an alert within two minutes; history
# goes to a throwaway SQLite file, so every demo starts afresh.
DEMO_CONFIG = """
database:
  url: "sqlite:///{database}"
monitor:
  interval: 5s
  timeout: 3s
  degraded_after: 1s
  alert_after: 20s
integrations:
  - {{name: jira, type: jira, base_url: "{url}/jira", token: "{jira}"}}
  - {{name: postman, type: postman, base_url: "{url}/postman", api_key: "{postman}"}}
  - {{name: testmo, type: testmo, base_url: "{url}/testmo", api_key: "{testmo}"}}
  - {{name: billing-api, type: http, url: "{url}/http/healthz"}}
"""


def demo_settings(upstream_url: str, database: Path) -> Settings:
    """Return the demo's configuration: upstreams at ``upstream_url``, history in ``database``."""
    text = DEMO_CONFIG.format(url=upstream_url, database=database, **DEFAULT_CREDENTIALS)
    return parse_settings(text, "(demo configuration)")


async def run_demo(port: int, host: str = "127.0.0.1") -> None:
    """Run the service against the simulator until interrupted."""
    with tempfile.TemporaryDirectory(prefix="integration-health-demo-") as folder:
        await _run(port, host, Path(folder) / "history.db")


async def _run(port: int, host: str, database: Path) -> None:
    async with Simulator(slow_delay=1.5) as simulator:
        service = Service(demo_settings(simulator.url, database))
        stop = asyncio.Event()
        cycling = asyncio.create_task(simulator.cycle(DEMO_PLAN, stop))
        base = f"http://{host}:{port}"
        print(
            f"integration-health demo: simulated Jira, Postman, Testmo and an HTTP API at "
            f"{simulator.url}\n"
            f"  health of every integration: {base}/api/v1/health/integrations\n"
            f"  history of one integration:  {base}/api/v1/health/integrations/jira/history\n"
            f"  API documentation:           {base}/docs\n"
            "Statuses change every 15-45 s; an integration offline for more than 20 s "
            "opens an alert in the log. Ctrl-C stops.",
            flush=True,
        )
        try:
            await serve(create_app(service), host, port)
        finally:
            stop.set()
            await cycling
