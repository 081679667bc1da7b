"""The floor: plumbing every package stands on, knowing nothing of tickets.

Settings (`settings`), the database engine and sessions (`db`), the clock (`clock`),
the job-queue interface (`background_jobs`), short named locks (`locks`), the menu session
store (`session_store`), send rates and per-key counters (`ratelimit`), Prometheus
metrics (`prometheus_metrics`), phone numbers (`phones`), SMS text encoding
(`sms_encoding`), and clean text and log lines (`cleaning`, `log_redaction`).
Imports no domain package: `make lint` checks it (docs/architecture.md, "Layers").
"""
