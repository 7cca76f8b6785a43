"""The ``integration-health`` command: the composition root of serve, check and demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from integration_health import logs
from integration_health.checks.probe import bind, new_session
from integration_health.clock import utcnow
from integration_health.config import ConfigError, Settings, load_settings, resolve_path
from integration_health.domain import HealthCheckResult
from integration_health.errors import DatabaseError, NotFoundError

# Each command imports what only it needs when it runs: 'check' starts in half the time
# without the web framework, the database layer and the notification services.

USAGE_ERROR = 3
"""Nagios' UNKNOWN: configuration and usage errors, so monitoring never mistakes them for OK."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--log-format", choices=("text", "json"), default="text")
    config = _Parser(add_help=False)
    config.add_argument(
        "--config",
        metavar="FILE",
        help="YAML file (default: $INTEGRATION_HEALTH_CONFIG, else ./integration-health.yaml)",
    )
    parser = _Parser(prog="integration-health", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("serve", parents=[common, config], help="run the API and checks")
    run.add_argument("--host", help="listen address (default: server.host, 127.0.0.1)")
    run.add_argument("--port", type=int, help="listen port (default: server.port, 8080)")
    once = commands.add_parser("check", parents=[common, config], help="check everything once")
    once.add_argument("--json", action="store_true", help="print JSON instead of a table")
    database = commands.add_parser("db", help="manage the database")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    database_commands.add_parser(
        "upgrade", parents=[common, config], help="apply pending migrations"
    )
    alerts = commands.add_parser("alerts", help="alert channels")
    alert_commands = alerts.add_subparsers(dest="alerts_command", required=True)
    test = alert_commands.add_parser(
        "test", parents=[common, config], help="send a test notification to each channel"
    )
    test.add_argument("--channel", metavar="NAME", help="only this channel")
    demo = commands.add_parser("demo", parents=[common], help="run against simulated upstreams")
    demo.add_argument("--port", type=int, default=8080, help="listen port (default: 8080)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    logs.configure(args.log_format)
    try:
        if args.command == "serve":
            settings = load_settings(resolve_path(args.config))
            host = args.host or settings.server.host
            port = args.port or settings.server.port
            from integration_health.api import create_app
            from integration_health.server import serve
            from integration_health.service import Service

            asyncio.run(serve(create_app(Service(settings)), host, port))
            return 0
        if args.command == "check":
            settings = load_settings(resolve_path(args.config))
            return asyncio.run(check(settings, as_json=args.json))
        if args.command == "alerts":
            settings = load_settings(resolve_path(args.config))
            return asyncio.run(test_channels(settings, args.channel))
        if args.command == "db":
            settings = load_settings(resolve_path(args.config))
            return asyncio.run(upgrade_database(settings.database.url))
    except ConfigError as error:
        print(f"integration-health: configuration error: {error}", file=sys.stderr)
        return USAGE_ERROR
    from integration_health.demo import run_demo

    asyncio.run(run_demo(args.port))
    return 0


async def test_channels(settings: Settings, only: str | None) -> int:
    """Send a test notification to channel ``only`` or to every one; 0 only if all accepted."""
    from integration_health.alerts.channels import build_channels, send_test

    channels = build_channels(settings.alerts)
    if not channels:
        raise ConfigError("no alert channel to test: add one under alerts.channels")
    try:
        results = await send_test(channels, only, now=utcnow())
    except NotFoundError as error:
        raise ConfigError(str(error)) from None
    for name, delivery in results:
        print(f"{name}: {'delivered' if delivery.ok else f'failed ({delivery.reason})'}")
    return 0 if all(delivery.ok for _, delivery in results) else 1


async def upgrade_database(url: str) -> int:
    """Apply pending migrations to the database at ``url``; return the exit status."""
    from integration_health.storage import redact, upgrade

    try:
        await upgrade(url)
    except DatabaseError as error:
        detail = f" ({error.detail})" if error.detail else ""
        print(f"integration-health: database {redact(url)}: {error}{detail}", file=sys.stderr)
        return 1
    print(f"database {redact(url)} is up to date")
    return 0


async def check(settings: Settings, *, as_json: bool) -> int:
    """Check every probed integration once, print the results, return the Nagios status."""
    probed = [(item, spec) for item in settings.integrations if (spec := item.probe()) is not None]
    if not probed:
        raise ConfigError("no integration to check: add a probed one under integrations")
    async with new_session(settings.monitor.concurrency) as session:
        checks = [
            bind(session, item.name, spec, settings.policy(item).thresholds, utcnow)
            for item, spec in probed
        ]
        results = await asyncio.gather(*(check() for check in checks))
    print(render_json(results) if as_json else render_table(results))
    return max(result.status.rank for result in results)


def render_table(results: Sequence[HealthCheckResult]) -> str:
    """Return the results as an aligned text table."""
    rows = [("INTEGRATION", "STATUS", "TIME", "DETAIL")]
    for result in sorted(results, key=lambda result: result.integration):
        time = "-" if result.response_time_ms is None else f"{result.response_time_ms}ms"
        rows.append((result.integration, result.status, time, result.error_message or ""))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def render_json(results: Sequence[HealthCheckResult]) -> str:
    """Return the results and the worst status as JSON."""
    worst = max((result.status for result in results), key=lambda status: status.rank)
    return json.dumps(
        {
            "status": worst,
            "checkedAt": utcnow().isoformat().replace("+00:00", "Z"),
            "integrations": [
                {
                    "integration": result.integration,
                    "status": result.status,
                    "responseTimeMs": result.response_time_ms,
                    "errorMessage": result.error_message,
                    "checkedAt": result.checked_at.isoformat().replace("+00:00", "Z"),
                }
                for result in sorted(results, key=lambda result: result.integration)
            ],
        },
        indent=2,
    )
