"""Secrets from files (`NALISH_<NAME>_FILE`, docker/compose.yaml's secrets) and the
plain-http trial switch (`NALISH_INSECURE_HTTP_TRIAL`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from infra.settings import get_settings, reset_settings


@pytest.fixture(autouse=True)
def _fresh_settings():
    reset_settings()
    yield
    reset_settings()


def test_a_setting_is_read_from_the_file_its_FILE_variable_names(tmp_path, monkeypatch):
    secret = tmp_path / "secret_key"
    secret.write_text("a-real-secret-from-a-file-0123456789\n")
    monkeypatch.setenv("NALISH_SECRET_KEY", "the-environment-loses-to-the-file")
    monkeypatch.setenv("NALISH_SECRET_KEY_FILE", str(secret))
    assert get_settings().secret_key == "a-real-secret-from-a-file-0123456789"


def _login_cookies(monkeypatch, trial: str) -> list[str]:
    from nalish.app import create_app

    monkeypatch.setenv("NALISH_ENV", "production")
    monkeypatch.setenv("NALISH_SECRET_KEY", "production-secret-key-0123456789")
    monkeypatch.setenv("NALISH_INSECURE_HTTP_TRIAL", trial)
    monkeypatch.setenv("NALISH_METRICS_TOKEN", "metrics-token-0123456789")
    reset_settings()
    with TestClient(create_app()) as client:
        return client.get("/login").headers.get_list("set-cookie")


def test_production_cookies_are_secure_unless_an_insecure_trial_says_otherwise(
    db_url, monkeypatch
):
    secure = _login_cookies(monkeypatch, "false")
    trial = _login_cookies(monkeypatch, "true")
    assert secure and all("secure" in cookie.lower() for cookie in secure)
    assert trial and not any("secure" in cookie.lower() for cookie in trial)
