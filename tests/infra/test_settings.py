"""Settings fail loudly: a bad value stops the process with a message naming it."""

import pytest
from pydantic import ValidationError

from infra.settings import Settings


def test_the_defaults_are_the_embedded_bangladesh_deployment(monkeypatch):
    for name in ("NALISH_ENV", "NALISH_DATABASE_URL", "NALISH_REDIS_URL", "NALISH_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.embedded and settings.country == "BD"
    assert settings.database_url == "sqlite:///./nalish.db"
    assert settings.timezone == "Asia/Dhaka" and settings.sms_transport == "console"
    assert len(settings.secret_key) >= 32


@pytest.mark.parametrize("secret", ["changeme", "secret", "", "short"])
def test_a_placeholder_secret_is_refused_outside_dev(monkeypatch, secret):
    monkeypatch.setenv("NALISH_ENV", "production")
    monkeypatch.setenv("NALISH_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="NALISH_SECRET_KEY"):
        Settings()


def test_a_placeholder_secret_is_fine_in_dev(monkeypatch):
    monkeypatch.setenv("NALISH_ENV", "dev")
    monkeypatch.setenv("NALISH_SECRET_KEY", "changeme")
    assert Settings().secret_key == "changeme"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NALISH_TIMEZONE", "Asia/Dacca_Nowhere", "time zone"),
        ("NALISH_COUNTRY", "FR", "BD"),
        ("NALISH_DATABASE_URL", "mysql://x", "NALISH_DATABASE_URL"),
        ("NALISH_SMS_TRANSPORT", "pigeon", "console"),
        ("NALISH_USSD_SESSION_TTL_SECONDS", "five", "integer"),
    ],
)
def test_a_bad_value_names_the_problem(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_a_real_transport_needs_its_credentials(monkeypatch):
    monkeypatch.setenv("NALISH_SMS_TRANSPORT", "africastalking")
    monkeypatch.delenv("NALISH_AT_API_KEY", raising=False)
    with pytest.raises(ValidationError, match="NALISH_AT_API_KEY"):
        Settings()


def test_retry_back_off_is_read_as_a_json_list(monkeypatch):
    monkeypatch.setenv("NALISH_OUTBOX_RETRY_MINUTES", "[5, 10]")
    assert Settings().outbox_retry_minutes == (5, 10)
