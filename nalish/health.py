"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from infra.db import get_engine
from infra.settings import get_settings
from nalish.wiring import redis_client

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up. Checks nothing else, so a slow database never restarts web pods."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready to take traffic: the database answers, and Redis too when configured."""
    checks = await run_in_threadpool(_checks)
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


def _checks() -> dict[str, str]:
    settings = get_settings()
    checks = {"database": "ok", "redis": "not configured"}
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.redis_url:
        try:
            redis_client(settings).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    return checks
