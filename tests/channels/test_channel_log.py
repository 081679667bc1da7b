"""The channel log on PostgreSQL: one bad row never costs the rest of its batch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from channels.channel_log import ChannelLog
from grievance_engine.models import ChannelExchange
from infra import db
from infra.db import session_scope
from infra.settings import reset_settings
from nalish import migrate
from tests import services


@pytest.fixture
def postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    services.require_services()
    url = services.create_database()
    monkeypatch.setenv("NALISH_DATABASE_URL", url)
    reset_settings()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        db.dispose_engines()
        reset_settings()
        services.drop_database(url)


def _record(log: ChannelLog, number: int, **overrides: object) -> None:
    exchange = {
        "provider": "africastalking",
        "direction": "in",
        "method": "POST",
        "url": f"/channels/africastalking/sms?token=secret&n={number}",
        "status_code": 200,
        "duration_ms": 1.5,
        "request_body": f"from=%2B8801712345678&text=hello+{number}",
        "response_body": "OK",
    }
    log.record(**{**exchange, **overrides})


def test_a_bad_row_is_dropped_alone_and_a_nul_is_cleaned_not_fatal(postgres: str) -> None:
    log = ChannelLog()
    log.start()
    for number in range(40):
        _record(log, number)
    _record(log, 40, request_body=b"text=a\x00b", response_body="\x00", url="/x?\x00=1")
    _record(log, 41, provider="africas\x00talking", method="PO\x01ST")
    _record(log, 42, status_code=2**40)  # beyond PostgreSQL's integer: this row cannot be
    for number in range(43, 60):
        _record(log, number)
    log.stop()
    with session_scope() as session:
        rows = session.exec(select(ChannelExchange)).all()
        count = session.exec(select(func.count()).select_from(ChannelExchange)).one()
    assert count == 59  # 60 recorded, the impossible one dropped
    bodies = {row.request_body for row in rows}
    assert "text=ab" in bodies
    assert "africastalking" in {row.provider for row in rows}
    assert all("secret" not in row.url for row in rows)
