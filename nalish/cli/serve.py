"""`nalish serve` (the web app under uvicorn) and `nalish worker` (an rq worker)."""

from __future__ import annotations

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

    from infra import logs

    current = settings()
    log_to_stderr(current.log_level)  # the console SMS transport prints through this
    mode = "embedded (SQLite file, in-process jobs)" if current.embedded else "with Redis"
    typer.echo(f"Nalish on http://{host}:{port} — {mode}; database {safe_url(current)}")
    uvicorn.run(
        "nalish.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        log_level=current.log_level.lower(),
        access_log=access_log,
        log_config=logs.uvicorn_config(current.log_format),
    )


def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Send what is pending, then exit.")
    ] = False,
) -> None:
    """Run an rq worker: outbound SMS and the periodic sweeps (needs NALISH_REDIS_URL)."""
    from nalish import worker as worker_module

    current = settings()
    log_to_stderr(current.log_level)
    worker_module.run(current, burst=burst)
