"""How every process logs: `NALISH_LOG_LEVEL`, `NALISH_LOG_FORMAT` (`text` or `json`),
a request id on each line written while a request is handled, no secrets, no phones.

- `configure(level, fmt)` sets the root handler (stderr); `uvicorn_config(fmt)` gives
  uvicorn's handlers the same format and filters.
- `REQUEST_ID` holds the id of the request being handled; `nalish.guard.RequestId`
  sets it from a sane `X-Request-ID` or a new one, and echoes it in the answer, so an
  operator can find every line of one citizen's failed hop.
- Every handler gets `infra.log_redaction.RedactSecrets` (tokens, passwords) and
  `MaskPhones`: a citizen's number is personal data; `+8801712345678` is logged as
  `+8801*******78`, enough to tell two callers apart in one incident, not to call them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from infra import log_redaction

REQUEST_ID: ContextVar[str | None] = ContextVar("nalish_request_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# +, or its percent-encoding in a logged URL or form, then 10 to 15 digits (E.164).
_PHONE = re.compile(r"(\+|%2B)(\d{4})(\d{4,9})(\d{2})(?!\d)", re.IGNORECASE)


def mask_phones(text: str) -> str:
    return _PHONE.sub(lambda m: f"{m[1]}{m[2]}{'*' * len(m[3])}{m[4]}", text)


class MaskPhones(log_redaction.RewriteRecord):
    """Phone numbers in a record's message, arguments and traceback masked."""

    rewrite = staticmethod(mask_phones)


class AddRequestId(logging.Filter):
    """Puts the current request's id (or `-`) on the record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: at, level, logger, message, request_id, and the
    exception's text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        if record.exc_text or record.exc_info:  # already rewritten by the filters
            line["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def filters() -> list[logging.Filter]:
    return [log_redaction.RedactSecrets(), MaskPhones(), AddRequestId()]


def configure(level: int | str, fmt: str = "text") -> None:
    """The root logger: one stderr handler at `level`, in `fmt`, with every filter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    for each in filters():
        handler.addFilter(each)
    logging.basicConfig(level=level, handlers=[handler], force=True)


def uvicorn_config(fmt: str) -> dict:
    """uvicorn's default logging config with our format and filters on its handlers."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "redact_secrets": {"()": log_redaction.RedactSecrets},
        "mask_phones": {"()": MaskPhones},
        "request_id": {"()": AddRequestId},
    }
    if fmt == "json":
        config["formatters"] = {"json": {"()": JsonFormatter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_secrets", "mask_phones", "request_id"]
        if fmt == "json":
            handler["formatter"] = "json"
    return config
