"""The business gauges on /metrics, and docker/alerts.yml: every rule well formed, its
threshold explained, every metric it names served by /metrics, and (where Debian's
`prometheus` package is installed) `promtool check rules` content with it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.nalish.test_audit_cli import _file, _sql

ALERTS = Path(__file__).resolve().parents[2] / "docker" / "alerts.yml"
RULES = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def _scrape() -> str:
    from nalish.app import create_app

    with TestClient(create_app()) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    return answer.text


def _value(scraped: str, series: str) -> float:
    found = re.search(rf"^{re.escape(series)} (\S+)$", scraped, re.M)
    assert found, f"{series} not in /metrics"
    return float(found.group(1))


def test_the_business_gauges_count_open_overdue_and_urgent_unacknowledged(backend):
    before = _scrape()
    urgent = _file("A child marriage planned for Friday in ward 3")
    overdue = _file("No water for a week")
    urgent_ref = urgent.replace("-", "")
    _sql(backend, "UPDATE ticket SET priority = 'urgent' WHERE ref = :ref", ref=urgent_ref)
    _sql(
        backend,
        "UPDATE ticket SET sla_due_at = :past WHERE ref = :ref",
        past="2020-01-01 00:00:00+00:00",
        ref=overdue.replace("-", ""),
    )
    after = _scrape()
    for state, more in (("open", 2), ("overdue", 1), ("urgent_unacknowledged", 1)):
        series = f'nalish_tickets{{state="{state}"}}'
        assert _value(after, series) == _value(before, series) + more, state
    # Nothing sends in this process: the acknowledgements wait, and the oldest has an age.
    assert _value(after, 'nalish_outbox_messages{status="pending"}') >= 2
    assert _value(after, "nalish_outbox_oldest_pending_seconds") >= 0


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule["alert"])
def test_every_alert_rule_says_its_threshold_and_how_bad_it_is(rule):
    assert rule["alert"].startswith("Nalish")
    assert rule["labels"]["severity"] in {"page", "warn"}
    assert re.fullmatch(r"\d+[smh]", rule["for"])
    assert rule["annotations"]["summary"]
    assert "Threshold:" in rule["annotations"]["description"]


def test_every_metric_an_alert_names_is_served_by_metrics(backend):
    scraped = _scrape()
    served = set(re.findall(r"^# TYPE (\w+) ", scraped, re.M))
    named = {name for rule in RULES for name in re.findall(r"\bnalish_\w+", rule["expr"])}
    assert named and named <= served, named - served


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_promtool_accepts_the_rules():
    checked = subprocess.run(
        [shutil.which("promtool") or "promtool", "check", "rules", str(ALERTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
