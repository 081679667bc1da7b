"""`nalish serve` (the web app under uvicorn) and `nalish worker` (an rq worker)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from nalish.cli.common import log_to_stderr, safe_url, settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool,
        typer.Option(
            help="A line per request on stderr (uvicorn's access log, secrets redacted). "
            "Off saves work on the event loop at every USSD hop; the channel log keeps "
            "every webhook exchange either way."
        ),
    ] = True,
) -> None:
    """Run the web app (embedded mode when NALISH_REDIS_URL is unset)."""
    import uvicorn

    current = settings()
    log_to_stderr(logging.INFO)  # the console SMS transport prints through this
    mode = "embedded (SQLite file, in-process jobs)" if current.embedded else "with Redis"
    typer.echo(f"Nalish on http://{host}:{port} — {mode}; database {safe_url(current)}")
    uvicorn.run(
        "nalish.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        log_level="info",
        access_log=access_log,
        log_config=_uvicorn_log_config(),
    )


def _uvicorn_log_config() -> dict:
    """uvicorn's default logging, with secrets redacted from each of its handlers (its
    access log prints the query string: `?token=`, `?secret=`)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    from infra import log_redaction

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": log_redaction.RedactSecrets}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config


def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Send what is pending, then exit.")
    ] = False,
) -> None:
    """Run an rq worker: outbound SMS and the periodic sweeps (needs NALISH_REDIS_URL)."""
    from nalish import worker as worker_module

    log_to_stderr(logging.INFO)
    worker_module.run(settings(), burst=burst)
