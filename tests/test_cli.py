"""The command line, run as a real process against the simulated upstreams."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path

import pytest

from integration_health.simulator import Mode, Simulator

SECRETS = ("jira-token", "postman-key", "testmo-key")


def write_config(tmp_path: Path, simulator: Simulator, extra: str = "") -> Path:
    path = tmp_path / "integration-health.yaml"
    path.write_text(
        f"""
database:
  url: "sqlite:///{tmp_path / "history.db"}"
monitor:
  timeout: 1s
  degraded_after: 200ms
{extra}
integrations:
  - {{name: jira, type: jira, base_url: "{simulator.url}/jira", token: "${{JIRA_TOKEN}}"}}
  - {{name: postman, type: postman, base_url: "{simulator.url}/postman", api_key: "postman-key"}}
  - {{name: testmo, type: testmo, base_url: "{simulator.url}/testmo", api_key: "testmo-key"}}
"""
    )
    return path


async def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "integration_health",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"JIRA_TOKEN": "jira-token", "PATH": "/usr/bin:/bin", **(env or {})},
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        ({}, 0),
        ({"postman": Mode.SLOW}, 1),
        ({"postman": Mode.SLOW, "testmo": Mode.DOWN}, 2),
        ({"jira": Mode.UNAUTHORIZED}, 2),
    ],
)
async def test_check_exits_with_the_nagios_status_of_the_worst(
    tmp_path: Path, simulator: Simulator, modes: dict[str, Mode], expected: int
) -> None:
    for upstream, mode in modes.items():
        simulator.set_mode(upstream, mode)

    code, _, _ = await run("check", "--config", str(write_config(tmp_path, simulator)))

    assert expected == code


async def test_check_prints_a_table_with_each_detail(tmp_path: Path, simulator: Simulator) -> None:
    simulator.set_mode("jira", Mode.UNAUTHORIZED)

    _, stdout, _ = await run("check", "--config", str(write_config(tmp_path, simulator)))

    lines = stdout.splitlines()
    assert ["INTEGRATION", "STATUS", "TIME", "DETAIL"] == lines[0].split()
    assert lines[1].split()[:2] == ["jira", "offline"]
    assert lines[1].endswith("Authentication expired - re-authentication required")


async def test_check_json_lists_every_result(tmp_path: Path, simulator: Simulator) -> None:
    simulator.set_mode("testmo", Mode.DOWN)

    _, stdout, _ = await run("check", "--json", "--config", str(write_config(tmp_path, simulator)))

    body = json.loads(stdout)
    assert ("offline", ["jira", "postman", "testmo"], "HTTP 503") == (
        body["status"],
        [item["integration"] for item in body["integrations"]],
        body["integrations"][2]["errorMessage"],
    )


async def test_a_configuration_error_exits_3_with_one_message(
    tmp_path: Path, simulator: Simulator
) -> None:
    config = write_config(tmp_path, simulator, extra="  intervall: 5s")

    code, stdout, stderr = await run("check", "--config", str(config))

    assert (3, "") == (code, stdout)
    assert [
        f"integration-health: configuration error: {config}: monitor.intervall: unknown key"
    ] == (stderr.splitlines())


async def test_an_unset_variable_is_a_configuration_error(
    tmp_path: Path, simulator: Simulator
) -> None:
    config = write_config(tmp_path, simulator)
    env = {"PATH": "/usr/bin:/bin"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "integration_health",
        "check",
        "--config",
        str(config),
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    _, stderr = await process.communicate()

    assert 3 == process.returncode
    assert "integrations[0].token: environment variable JIRA_TOKEN is not set" in stderr.decode()


async def test_the_config_path_comes_from_the_environment(
    tmp_path: Path, simulator: Simulator
) -> None:
    config = write_config(tmp_path, simulator)

    code, _, _ = await run("check", env={"INTEGRATION_HEALTH_CONFIG": str(config)})

    assert 0 == code


async def test_a_usage_error_exits_3() -> None:
    code, _, stderr = await run("check", "--colour")

    assert (3, True) == (code, "unrecognized arguments: --colour" in stderr)


async def test_serve_stops_on_sigterm_within_the_deadline_and_exits_0(
    tmp_path: Path, simulator: Simulator, unused_tcp_port: int
) -> None:
    simulator.set_mode("jira", Mode.HANG)
    config = write_config(tmp_path, simulator)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "integration_health",
        "serve",
        "--config",
        str(config),
        "--port",
        str(unused_tcp_port),
        "--log-format",
        "json",
        stderr=asyncio.subprocess.PIPE,
        env={"JIRA_TOKEN": "jira-token", "PATH": "/usr/bin:/bin"},
    )
    assert process.stderr is not None
    lines: list[str] = []
    while not any("running on" in line for line in lines):
        lines.append((await asyncio.wait_for(process.stderr.readline(), 10)).decode())
    await asyncio.sleep(0.3)

    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(process.communicate(), 5)
    elapsed = time.monotonic() - sent

    assert (0, True) == (process.returncode, elapsed < 2.0)
    log = "".join(lines) + rest.decode()
    records = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert all({"timestamp", "level", "message"} <= record.keys() for record in records)
    assert [] == [secret for secret in SECRETS if secret in log]
