"""Log lines as text for people or as one JSON object per line for machines."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]

FIELDS = ("integration", "status", "downtime_seconds", "consecutive_failures", "error")
"""Extra attributes a log call may carry; both formats print them when present."""


# The message already names the integration, its status and its error.
_TEXT_FIELDS = ("downtime_seconds", "consecutive_failures")


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, message and the known extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        line: dict[str, object] = {
            "timestamp": _timestamp(record),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            "logger": record.name,
        }
        for key in FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """``timestamp LEVEL message key=value ...`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a text line."""
        parts = [_timestamp(record), f"{record.levelname:<7}", record.getMessage()]
        parts += [
            f"{key}={getattr(record, key)}"
            for key in FIELDS
            if getattr(record, key, None) is not None and key in _TEXT_FIELDS
        ]
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Send every log line, ours and the web server's, to stderr in ``log_format``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # One line per API request drowns the lines that matter at this scale.
    logging.getLogger("uvicorn.access").disabled = True
    # Apprise can log a URL or its token at any level; urllib3 logs request URLs at DEBUG.
    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    logging.getLogger("urllib3").setLevel(logging.WARNING)  # our own lines name the channel
    logging.getLogger("alembic").setLevel(logging.WARNING)
