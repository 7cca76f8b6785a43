"""Settings from YAML and the environment, and every mistake said in one line without a secret."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from integration_health.checks.jira import JiraConfig
from integration_health.checks.postman import PostmanConfig
from integration_health.config import (
    ConfigError,
    MonitorSettings,
    Policy,
    ServerSettings,
    Settings,
    load_settings,
    parse_settings,
)

SOURCE = "cfg.yaml"
SECRET = "s3cr3t-token"
DURATION_HELP = (
    "use a number with ms, s, m, h or d (500ms, 10s, 2m, 1h, 1d) or a bare number of seconds"
)
JIRA = """
integrations:
  - name: jira
    type: jira
    base_url: https://example.atlassian.net
    token: ${JIRA_TOKEN}
"""


def test_an_empty_file_gives_the_default_monitor_settings() -> None:
    expected = MonitorSettings(
        interval=timedelta(seconds=60),
        timeout=timedelta(seconds=10),
        degraded_after=timedelta(seconds=2),
        alert_after=timedelta(minutes=2),
        concurrency=512,
    )
    assert expected == parse_settings("", SOURCE, {}).monitor


def test_an_empty_file_gives_the_default_server_settings() -> None:
    assert ServerSettings(host="127.0.0.1", port=8080) == parse_settings("", SOURCE, {}).server


def test_an_empty_file_has_no_integrations() -> None:
    assert () == parse_settings("", SOURCE, {}).integrations


def test_durations_are_read_as_people_write_them() -> None:
    text = "monitor:\n  interval: 30\n  timeout: 1.5\n  degraded_after: 500ms\n  alert_after: 1h\n"
    monitor = parse_settings(text, SOURCE, {}).monitor
    expected = (
        timedelta(seconds=30),
        timedelta(seconds=1.5),
        timedelta(milliseconds=500),
        timedelta(hours=1),
    )
    assert expected == (
        monitor.interval,
        monitor.timeout,
        monitor.degraded_after,
        monitor.alert_after,
    )


def test_an_integration_overrides_only_the_keys_it_sets() -> None:
    text = JIRA + "    timeout: 3s\nmonitor:\n  interval: 30s\n"
    settings = parse_settings(text, SOURCE, {"JIRA_TOKEN": SECRET})
    expected = Policy(
        interval=timedelta(seconds=30),
        timeout=timedelta(seconds=3),
        degraded_after=timedelta(seconds=2),
        alert_after=timedelta(minutes=2),
    )
    assert expected == settings.policy(settings.integrations[0])


def test_a_variable_is_taken_from_the_environment() -> None:
    settings = parse_settings(JIRA, SOURCE, {"JIRA_TOKEN": SECRET})
    jira = settings.integration("jira")
    assert isinstance(jira, JiraConfig)
    assert SECRET == jira.token.get_secret_value()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "https://fallback.example.com/health"),
        ({"HOST": "set.example.com"}, "https://set.example.com/health"),
    ],
    ids=["unset uses the default", "set wins over the default"],
)
def test_a_variable_may_have_a_default(environ: dict[str, str], expected: str) -> None:
    text = (
        "integrations:\n"
        "  - {name: site, type: http, url: 'https://${HOST:-fallback.example.com}/health'}\n"
    )
    assert expected == parse_settings(text, SOURCE, environ).integrations[0].model_dump()["url"]


def test_postman_talks_to_the_public_api_by_default() -> None:
    text = "integrations:\n  - {name: postman, type: postman, api_key: key}\n"
    postman = parse_settings(text, SOURCE, {}).integrations[0]
    assert isinstance(postman, PostmanConfig)
    assert "https://api.getpostman.com" == postman.base_url


def test_load_settings_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "integration-health.yaml"
    path.write_text("server:\n  port: 9090\n", encoding="utf-8")
    assert Settings(server=ServerSettings(port=9090)) == load_settings(path, {})


def test_a_missing_file_says_how_to_name_one(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    expected = f"{path}: file not found; pass --config FILE or set INTEGRATION_HEALTH_CONFIG"
    with pytest.raises(ConfigError) as raised:
        load_settings(path, {})
    assert expected == str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "monitor:\n  intervall: 10s\n",
            "cfg.yaml: monitor.intervall: unknown key",
            id="unknown key",
        ),
        pytest.param(
            JIRA + "    colour: red\n",
            "cfg.yaml: integrations[0].colour: unknown key",
            id="unknown key in an integration",
        ),
        pytest.param(
            "monitor:\n  timeout: 10x\n",
            f"cfg.yaml: monitor.timeout: not a duration: {DURATION_HELP}",
            id="bad duration",
        ),
        pytest.param(
            JIRA + "    degraded_after: 0\n",
            f"cfg.yaml: integrations[0].degraded_after: a duration must be greater than zero: "
            f"{DURATION_HELP}",
            id="zero duration",
        ),
        pytest.param(
            "integrations:\n  - {name: jira, type: jira, token: t}\n",
            "cfg.yaml: integrations[0].base_url: missing required key",
            id="missing field",
        ),
        pytest.param(
            "integrations:\n  - {name: jira}\n",
            "cfg.yaml: integrations[0].type: missing; one of http, jira, pms, postman, testmo",
            id="missing type",
        ),
        pytest.param(
            "integrations:\n  - {name: jira, type: jria}\n",
            "cfg.yaml: integrations[0].type: unknown type; one of http, jira, pms, postman, testmo",
            id="unknown type",
        ),
        pytest.param(
            "integrations:\n"
            "  - {name: site, type: http, url: 'http://a.example.com'}\n"
            "  - {name: site, type: http, url: 'http://b.example.com'}\n",
            "cfg.yaml: integrations[1].name: duplicate name 'site'",
            id="duplicate name",
        ),
        pytest.param(
            JIRA.replace("JIRA_TOKEN", "JIRA_API_TOKEN"),
            "cfg.yaml: integrations[0].token: environment variable JIRA_API_TOKEN is not set",
            id="variable not set",
        ),
        pytest.param(
            "integrations:\n  - {name: Jira Prod, type: http, url: 'http://a.example.com'}\n",
            "cfg.yaml: integrations[0].name: a name is 1-64 characters of lowercase letters, "
            "digits, '.', '_' or '-'",
            id="bad name",
        ),
        pytest.param(
            "integrations:\n  - {name: site, type: http, url: 'ftp://a.example.com'}\n",
            "cfg.yaml: integrations[0].url: must be an http:// or https:// URL with a host",
            id="bad url",
        ),
        pytest.param(
            "monitor:\n  timeout: 10s\n interval: 5s\n",
            "cfg.yaml: not valid YAML at line 3",
            id="invalid YAML",
        ),
        pytest.param(
            "- monitor\n",
            "cfg.yaml: the top level must be a mapping of sections",
            id="top level not a mapping",
        ),
        pytest.param(
            "integrations:\n  jira: {type: jira}\n",
            "cfg.yaml: integrations: must be a list",
            id="integrations not a list",
        ),
        pytest.param(
            "integrations:\n  - {name: site, type: http, url: 'http://a.example.com', "
            "concurrency: 3}\n",
            "cfg.yaml: integrations[0].concurrency: is global; set it under monitor",
            id="concurrency per integration",
        ),
        pytest.param(
            "server:\n  port: 70000\n",
            "cfg.yaml: server.port: Input should be less than or equal to 65535",
            id="port out of range",
        ),
    ],
)
def test_a_mistake_names_the_file_the_key_and_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings(text, SOURCE, {"JIRA_TOKEN": SECRET})
    assert expected == str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(JIRA + "    colour: red\n", id="unknown key beside the token"),
        pytest.param(JIRA + "    timeout: 10x\n", id="bad duration beside the token"),
        pytest.param(JIRA.replace("https://example", "ftp://example"), id="bad url beside"),
        pytest.param(JIRA.replace("${JIRA_TOKEN}", "[${JIRA_TOKEN}]"), id="token in a list"),
        pytest.param(JIRA.replace("${JIRA_TOKEN}", "{v: ${JIRA_TOKEN}}"), id="token in a map"),
        pytest.param(JIRA + "    timeout: ${JIRA_TOKEN}\n", id="token as a duration"),
        pytest.param(JIRA.replace("type: jira", "type: ${JIRA_TOKEN}"), id="token as the type"),
        pytest.param(
            "integrations:\n"
            "  - name: site\n"
            "    type: http\n"
            "    url: https://example.com/health\n"
            "    headers: {Authorization: 'Bearer ${JIRA_TOKEN}'}\n"
            "    expect_status: [700]\n",
            id="secret header beside a bad status",
        ),
    ],
)
def test_no_mistake_quotes_a_secret(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings(text, SOURCE, {"JIRA_TOKEN": SECRET})
    assert SECRET not in str(raised.value)


def test_a_file_error_does_not_quote_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "integration-health.yaml"
    path.write_text(JIRA + "    timeout: ${JIRA_TOKEN}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path, {"JIRA_TOKEN": SECRET})
    assert f"{path}: integrations[0].timeout: not a duration: {DURATION_HELP}" == str(raised.value)


def test_a_pms_degraded_threshold_must_be_below_its_offline_threshold() -> None:
    text = """
integrations:
  - name: hostaway
    type: pms
    thresholds: {error_rate: {degraded: 0.2, offline: 0.1}}
"""
    with pytest.raises(ConfigError) as raised:
        parse_settings(text, "cfg.yaml")

    expected = (
        "cfg.yaml: integrations[0].thresholds.error_rate: "
        "the degraded threshold must be below the offline threshold"
    )
    assert expected == str(raised.value)


def test_a_pms_threshold_is_a_fraction() -> None:
    thresholds = "{error_rate: {degraded: 2, offline: 3}}"
    text = f"integrations: [{{name: h, type: pms, thresholds: {thresholds}}}]"
    with pytest.raises(ConfigError) as raised:
        parse_settings(text, "cfg.yaml")

    assert "integrations[0].thresholds.error_rate.degraded:" in str(raised.value)


def test_alert_channels_must_name_configured_channels() -> None:
    text = """
alerts:
  channels: [{name: ops-hook, type: webhook, url: "https://hooks.example.com/x"}]
integrations:
  - {name: h, type: pms, alert_channels: [team-chat]}
"""
    with pytest.raises(ConfigError) as raised:
        parse_settings(text, "cfg.yaml")

    expected = (
        "cfg.yaml: integrations[0].alert_channels: unknown alert channel 'team-chat'; "
        "known channels: ops-hook"
    )
    assert expected == str(raised.value)
