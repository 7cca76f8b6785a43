"""Typed settings read from YAML, with ``${VAR}`` taken from the environment.

Every mistake becomes one ``ConfigError`` naming the file, the key path and what is wrong,
and never quoting a value (it may be a secret).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from integration_health.alerts.config import AlertSettings, MaintenanceWindow
from integration_health.checks.base import IntegrationConfig
from integration_health.checks.probe import Thresholds
from integration_health.checks.registry import TYPES
from integration_health.durations import Duration

DEFAULT_PATH = "integration-health.yaml"
CONFIG_ENV = "INTEGRATION_HEALTH_CONFIG"
DATABASE_ENV = "INTEGRATION_HEALTH_DATABASE_URL"
TOKENS_ENV = "INTEGRATION_HEALTH_API_TOKENS"

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MonitorSettings(_Strict):
    """How integrations are checked, unless one overrides a key."""

    interval: Duration = timedelta(seconds=60)
    timeout: Duration = timedelta(seconds=10)
    degraded_after: Duration = timedelta(seconds=2)
    alert_after: Duration = timedelta(minutes=2)
    concurrency: Annotated[int, Field(ge=1, le=100_000)] = 512


class ServerSettings(_Strict):
    """Where the API listens."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080


class DatabaseSettings(_Strict):
    """Where history and events are kept, and for how long."""

    url: str = "sqlite:///./integration-health.db"
    auto_migrate: bool = True
    retention: Duration = timedelta(days=90)

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        # The URL may carry a password: the message names the schemes, never the value.
        if not value.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value


class ApiSettings(_Strict):
    """Who may write through the API, and whether reading needs a token too."""

    tokens: tuple[SecretStr, ...] = ()
    read_requires_token: bool = False

    @field_validator("tokens")
    @classmethod
    def _no_blank_tokens(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        # An unset ${VAR:-} leaves an empty token, which must never match an empty header.
        return tuple(token for token in value if token.get_secret_value().strip())


class Policy(_Strict):
    """The effective monitor settings of one integration."""

    interval: timedelta
    timeout: timedelta
    degraded_after: timedelta
    alert_after: timedelta

    @property
    def thresholds(self) -> Thresholds:
        """Return what a single check needs to judge its response."""
        return Thresholds(timeout=self.timeout, degraded_after=self.degraded_after)


class Settings(_Strict):
    """The whole configuration."""

    monitor: MonitorSettings = MonitorSettings()
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    api: ApiSettings = ApiSettings()
    alerts: AlertSettings = AlertSettings()
    maintenance: tuple[MaintenanceWindow, ...] = ()
    integrations: tuple[IntegrationConfig, ...] = ()

    def policy(self, integration: IntegrationConfig) -> Policy:
        """Return the monitor settings in force for ``integration``."""
        return Policy(
            interval=integration.interval or self.monitor.interval,
            timeout=integration.timeout or self.monitor.timeout,
            degraded_after=integration.degraded_after or self.monitor.degraded_after,
            alert_after=integration.alert_after or self.monitor.alert_after,
        )

    def integration(self, name: str) -> IntegrationConfig | None:
        """Return the integration called ``name``, if there is one."""
        return next((item for item in self.integrations if item.name == name), None)


def resolve_path(explicit: str | None, environ: Mapping[str, str] = os.environ) -> Path:
    """Return the configuration file to read: ``--config``, then the environment, then default."""
    return Path(explicit or environ.get(CONFIG_ENV) or DEFAULT_PATH)


def load_settings(path: Path, environ: Mapping[str, str] = os.environ) -> Settings:
    """Return the settings in ``path``; raise ConfigError for anything wrong with them."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found; pass --config FILE or set {CONFIG_ENV}"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None
    return parse_settings(text, str(path), environ)


def parse_settings(text: str, source: str, environ: Mapping[str, str] = os.environ) -> Settings:
    """Return the settings in YAML ``text``; ``source`` names it in error messages."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}: not valid YAML{where}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections")
    raw = _substitute(raw, "", source, environ)
    if environ.get(TOKENS_ENV):
        api = raw.get("api")
        api = dict(api) if isinstance(api, dict) else {}
        listed = api.get("tokens")
        tokens: list[Any] = list(listed) if isinstance(listed, list) else []
        raw["api"] = {**api, "tokens": tokens + environ[TOKENS_ENV].split(",")}
    if environ.get(DATABASE_ENV):
        database = raw.get("database")
        raw["database"] = {
            **(database if isinstance(database, dict) else {}),
            "url": environ[DATABASE_ENV],
        }
    integrations = raw.pop("integrations", None) or []
    if not isinstance(integrations, list):
        raise ConfigError(f"{source}: integrations: must be a list")
    try:
        base = Settings.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe(source, "", error)) from None
    parsed = tuple(_integration(item, index, source) for index, item in enumerate(integrations))
    _check_unique(parsed, source)
    for index, item in enumerate(parsed):
        try:
            base.alerts.select(item.alert_channels)
        except ValueError as error:
            raise ConfigError(f"{source}: integrations[{index}].alert_channels: {error}") from None
    return base.model_copy(update={"integrations": parsed})


def _integration(item: object, index: int, source: str) -> IntegrationConfig:
    where = f"integrations[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{source}: {where}: must be a mapping with name and type")
    kind = item.get("type")
    if kind is None:
        raise ConfigError(f"{source}: {where}.type: missing; one of {', '.join(sorted(TYPES))}")
    model = TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(sorted(TYPES))
        raise ConfigError(f"{source}: {where}.type: unknown type; one of {known}")
    if "concurrency" in item:
        raise ConfigError(f"{source}: {where}.concurrency: is global; set it under monitor")
    try:
        return model.model_validate(item)
    except ValidationError as error:
        raise ConfigError(_describe(source, where, error)) from None


def _check_unique(integrations: tuple[IntegrationConfig, ...], source: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(integrations):
        if item.name in seen:
            raise ConfigError(f"{source}: integrations[{index}].name: duplicate name '{item.name}'")
        seen.add(item.name)


def _describe(source: str, prefix: str, error: ValidationError) -> str:
    """Return the first problem as ``file: key.path: reason``, never quoting the input."""
    first = error.errors(include_input=False, include_url=False)[0]
    path = prefix
    for part in first["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    reasons = {
        "extra_forbidden": "unknown key",
        "missing": "missing required key",
        "literal_error": "unexpected value",
    }
    reason = reasons.get(first["type"], first["msg"].removeprefix("Value error, "))
    return f"{source}: {path or '(top level)'}: {reason}"


def _substitute(value: Any, path: str, source: str, environ: Mapping[str, str]) -> Any:
    """Return ``value`` with every ``${VAR}`` (or ``${VAR:-default}``) replaced."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in environ:
                return environ[name]
            if default is not None:
                return default
            raise ConfigError(f"{source}: {path}: environment variable {name} is not set")

        return _VARIABLE.sub(replace, value)
    if isinstance(value, dict):
        return {
            key: _substitute(item, f"{path}.{key}" if path else str(key), source, environ)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _substitute(item, f"{path}[{index}]", source, environ)
            for index, item in enumerate(value)
        ]
    return value
