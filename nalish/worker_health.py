"""`python -m nalish.worker_health`: exit 0 when an rq worker of this host (container)
is registered in Redis with a recent heartbeat, else 1 saying why.

The worker serves no HTTP; this is its container healthcheck (docker/compose.yaml).
A worker stuck without Redis, or whose loop died, stops beating and turns unhealthy.
"""

from __future__ import annotations

import socket
import sys
from datetime import UTC, timedelta

from rq import Worker

from infra import clock
from infra.settings import get_settings
from nalish import wiring

# rq beats at least every worker_ttl (420 s by default) and on every job and idle
# dequeue timeout; a worker silent for longer than this is not working.
STALE_AFTER = timedelta(minutes=8)


def problem() -> str | None:
    settings = get_settings()
    if settings.embedded:
        return "no NALISH_REDIS_URL: the embedded mode runs no separate worker"
    connection = wiring.redis_client(settings)
    here = socket.gethostname()
    beats = [
        worker.last_heartbeat
        for worker in Worker.all(connection=connection)
        if worker.hostname == here and worker.last_heartbeat is not None
    ]
    if not beats:
        return f"no rq worker of host {here} is registered"
    latest = max(beat if beat.tzinfo else beat.replace(tzinfo=UTC) for beat in beats)
    if clock.now() - latest > STALE_AFTER:
        return f"the worker of {here} last beat at {latest.isoformat()}"
    return None


if __name__ == "__main__":
    why = problem()
    if why:
        print(why, file=sys.stderr)
    sys.exit(1 if why else 0)
