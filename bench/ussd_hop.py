"""How long a USSD hop takes, as a ratio of the cheapest request the app serves.

Absolute times on a shared machine mean little, so the baseline (`GET /healthz`
through the same ASGI stack) is measured in the same run and every figure is printed
as a multiple of it. Runs on a throw-away SQLite database (the embedded default).

    .venv/bin/python bench/ussd_hop.py [--conversations N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path


def _setup(tmp: Path) -> None:
    os.environ["NALISH_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ.pop("NALISH_REDIS_URL", None)
    os.environ["NALISH_ENV"] = "dev"
    from grievance_engine.db import session_scope
    from nalish import migrate
    from routing import seed

    migrate.upgrade()
    with session_scope() as session:
        seed.seed(session=session, country="BD")


def _timed(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from fastapi.testclient import TestClient

        from nalish.app import create_app

        with TestClient(create_app()) as client:
            baseline = _timed(lambda: client.get("/healthz"), 50)  # warm-up
            baseline = _timed(lambda: client.get("/healthz"), 500)
            menu_hops, typed_district_hops, confirm_hops = [], [], []
            for _ in range(args.conversations):
                session_id, texts = f"bench-{uuid.uuid4().hex}", []

                def hop(answer: str | None, sink: list[float], sid=session_id, texts=texts):
                    if answer is not None:
                        texts.append(answer)
                    form = {
                        "sessionId": sid,
                        "serviceCode": "*333#",
                        "phoneNumber": "+8801712345678",
                        "text": "*".join(texts),
                    }
                    start = time.perf_counter()
                    response = client.post("/channels/africastalking/ussd", data=form)
                    sink.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text

                hop(None, menu_hops)
                hop("1", menu_hops)
                hop("1", menu_hops)
                hop("Rongpur", typed_district_hops)
                hop("No water in ward 5 for three days", menu_hops)
                hop("1", confirm_hops)
            client.app.state.job_queue.join()

    base = statistics.median(baseline)
    print(f"baseline GET /healthz median {base * 1e3:.2f} ms (n={len(baseline)})")
    for name, samples in [
        ("menu hop (session read/write + screen)", menu_hops),
        ("typed district hop (fuzzy match)", typed_district_hops),
        ("confirm hop (route + ticket + event + SMS row, commit)", confirm_hops),
    ]:
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(
            f"{name:<58} median {median / base:5.1f}x  p95 {p95 / base:5.1f}x  (n={len(samples)})"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
