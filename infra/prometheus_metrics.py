"""Prometheus metrics shared by every layer (served at `/metrics` by the web app).

With several uvicorn workers per host, set PROMETHEUS_MULTIPROC_DIR so the workers'
counters are added up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CHANNEL_REQUESTS = Counter(
    "nalish_channel_requests_total",
    "Webhook requests from telecom providers, by provider, endpoint and HTTP status.",
    ["provider", "endpoint", "status"],
)
CHANNEL_LATENCY = Histogram(
    "nalish_channel_request_seconds",
    "Time to answer a provider's webhook (a USSD hop must stay in milliseconds).",
    ["provider", "endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOUND_SMS = Counter(
    "nalish_outbound_sms_total",
    "Outbound SMS delivery attempts, by provider and outcome (sent, retry, failed, skipped).",
    ["provider", "outcome"],
)
