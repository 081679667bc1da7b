"""Settings: one class, read from `NALISH_*` environment variables, that fails loudly.

Every setting is documented in the README's configuration table; keep them in step.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from decimal import Decimal
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that people paste from examples; refusing them outside dev stops a
# deployment from signing sessions with a key that is on the internet.
PLACEHOLDER_SECRETS = {
    "",
    "changeme",
    "change-me",
    "secret",
    "dev",
    "development",
    "please-change-me",
    "replace-me",
    "xxx",
}
# Where Twilio and Africa's Talking serve recordings and media (a host and its
# subdomains): what production fetches from when NALISH_ATTACHMENT_HOSTS is unset.
PROVIDER_MEDIA_HOSTS = ("api.twilio.com", "twiliocdn.com", "africastalking.com")


class Settings(BaseSettings):
    """The deployment's configuration, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="NALISH_", extra="ignore")

    env: Literal["dev", "test", "production"] = "dev"
    # A trial over plain http (no TLS in front): session and CSRF cookies lose their
    # Secure flag so a browser keeps them. Insecure, and said so in the log at start-up.
    insecure_http_trial: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object a line, with request ids
    database_url: str = "sqlite:///./nalish.db"
    redis_url: str | None = None
    redis_prefix: str = "nalish"
    country: Literal["BD", "KE"] = "BD"
    timezone: str = "Asia/Dhaka"
    default_language: Literal["bn", "en", "sw"] = "en"

    sms_transport: Literal["console", "africastalking", "twilio", "http"] = "console"
    sms_rate_per_second: float = Field(default=20.0, gt=0)
    sms_price_per_part: Decimal | None = Field(default=None, ge=0)
    sms_currency: str = Field(default="BDT", min_length=3, max_length=3)
    at_username: str = "sandbox"
    at_api_key: str | None = None
    at_sender_id: str | None = None
    at_webhook_token: str | None = None
    at_api_base_url: str | None = None
    at_allowed_networks: str | None = None  # comma-separated IPs/CIDRs allowed to call AT webhooks
    http_gateway_send_url: str | None = None
    http_gateway_method: Literal["GET", "POST"] = "GET"
    http_gateway_secret: str | None = None
    http_gateway_sender: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    public_base_url: str | None = None
    # The call-centre number an IVR call goes to after two misses (E.164); unset = the
    # call ends politely. And where callers' telcos fetch recorded prompts (a CDN);
    # unset = this app, under /media/prompts/.
    voice_agent_number: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    prompts_base_url: str | None = None

    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32))

    ussd_session_ttl_seconds: int = Field(default=300, ge=30)
    ussd_resume_minutes: int = Field(default=10, ge=0)  # 0: never offer to continue
    menus_dir: str | None = None  # campaign definitions (*.yaml) added by operators
    ticket_description_max_chars: int = Field(default=500, ge=20)
    outbox_retry_minutes: tuple[int, ...] = (5, 10)
    outbox_stale_sending_minutes: int = Field(default=10, ge=1)
    inbound_dedupe_window_seconds: int = Field(default=120, ge=0)
    # Per phone (0 = no limit): SMS replies in an hour, complaints filed by SMS, USSD or
    # voice in a day; beyond them one notice, and the rest is kept for an agent. A real
    # SMS complaint takes three or four exchanges (the complaint, its district, "1", a
    # STATUS later), so 10 an hour is two or three complaints with corrections; a family
    # or a union digital centre sharing one phone rarely files more than five a day.
    sms_reply_limit_per_hour: int = Field(default=10, ge=0)
    filing_limit_per_day: int = Field(default=5, ge=0)
    channel_log_retention_days: int = Field(default=30, ge=1)
    http_timeout_seconds: float = Field(default=10.0, gt=0)
    # The largest request body accepted (413 beyond it, counted while it streams);
    # webhooks never take more than 64 KiB whatever this says. nalish.guard.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Bearer token for GET /metrics; in production /metrics is refused without one.
    metrics_token: str | None = None

    # Public interfaces (the `public` package). Open311's jurisdiction_id: a request
    # naming another is 404; unset, the country code in lower case ("bd").
    open311_jurisdiction_id: str | None = None
    # /track look-ups per client address per minute (429 beyond): enough for a person,
    # too few to walk the reference space.
    track_limit_per_minute: int = Field(default=20, ge=0)
    # Open data: a cell counting fewer people than this is suppressed (docs: README).
    open_data_k: int = Field(default=5, ge=1)
    open_data_dir: str = "./open-data"
    # Personal data of closed tickets older than this many days is erased; unset: kept.
    retention_days: int | None = Field(default=None, ge=1)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)

    sla_reminder_share: float = Field(default=0.75, ge=0, lt=1)  # 0: no reminders
    rating_wait_days: int = Field(default=7, ge=1)
    reopen_rating_at_or_below: int = Field(default=2, ge=0, le=5)
    quiet_hours: str = "21:00-08:00"  # citizens' local time; "" for none

    duplicate_window_hours: int = Field(default=72, ge=1)
    duplicate_min_similarity: int = Field(default=80, ge=1, le=100)
    mass_event_window_hours: int = Field(default=6, ge=1)
    mass_event_min_tickets: int = Field(default=5, ge=2)

    media_dir: str = "./media"
    attachment_max_bytes: int = Field(default=20_000_000, ge=1)
    attachment_retry_minutes: tuple[int, ...] = (1, 5, 30)
    # comma-separated hosts media may come from; unset: any public host in dev, the
    # providers' media hosts in production (set it empty there for any public host)
    attachment_hosts: str | None = None
    # comma-separated CIDRs fetched from although not public (a media server on site)
    attachment_networks: str | None = None

    @property
    def jurisdiction_id(self) -> str:
        return self.open311_jurisdiction_id or self.country.lower()

    @property
    def attachment_hosts_list(self) -> tuple[str, ...]:
        if self.attachment_hosts is None and self.env == "production":
            return PROVIDER_MEDIA_HOSTS
        parts = (self.attachment_hosts or "").split(",")
        return tuple(p.strip().lower().strip(".") for p in parts if p.strip())

    @property
    def attachment_networks_list(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        parts = (self.attachment_networks or "").split(",")
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in parts if p.strip())

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if value.strip() and not re.fullmatch(r"\d{2}:\d{2}-\d{2}:\d{2}", value.strip()):
            raise ValueError("NALISH_QUIET_HOURS must look like 21:00-08:00 (or be empty)")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("NALISH_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
        return value

    @field_validator("at_allowed_networks", "attachment_networks")
    @classmethod
    def _valid_networks(cls, value: str | None) -> str | None:
        for part in (value or "").split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError as exc:
                    raise ValueError(
                        f"not an IP address or CIDR network: {part.strip()!r}"
                    ) from exc
        return value

    @property
    def at_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        parts = (self.at_allowed_networks or "").split(",")
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in parts if p.strip())

    @model_validator(mode="after")
    def _no_placeholder_secret_outside_dev(self) -> Settings:
        if self.env != "dev" and (
            self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 16
        ):
            raise ValueError(
                "NALISH_SECRET_KEY must be set to a real secret (16+ characters, not a "
                f"placeholder) when NALISH_ENV={self.env}"
            )
        if self.sms_transport == "africastalking" and not self.at_api_key:
            raise ValueError("NALISH_SMS_TRANSPORT=africastalking needs NALISH_AT_API_KEY")
        if self.sms_transport == "twilio" and not (
            self.twilio_account_sid and self.twilio_auth_token and self.twilio_from
        ):
            raise ValueError(
                "NALISH_SMS_TRANSPORT=twilio needs NALISH_TWILIO_ACCOUNT_SID, "
                "NALISH_TWILIO_AUTH_TOKEN and NALISH_TWILIO_FROM"
            )
        if self.sms_transport == "http" and not self.http_gateway_send_url:
            raise ValueError("NALISH_SMS_TRANSPORT=http needs NALISH_HTTP_GATEWAY_SEND_URL")
        missing = self.missing_webhook_verification()
        if self.env == "production" and missing:
            raise ValueError(
                f"NALISH_ENV=production refuses to run with open webhooks: set {missing[0]}"
            )
        return self

    def missing_webhook_verification(self) -> list[str]:
        """The verification variables an enabled provider lacks (a provider is enabled
        when it is the SMS transport or its credentials are set). In production the
        webhooks of a provider without verification refuse everything (403) anyway;
        this makes the mistake an error at start-up instead of a silent outage."""
        missing = []
        at_enabled = self.sms_transport == "africastalking" or bool(self.at_api_key)
        if at_enabled and not self.at_webhook_token:
            missing.append("NALISH_AT_WEBHOOK_TOKEN")
        twilio_enabled = self.sms_transport == "twilio" or bool(self.twilio_account_sid)
        if twilio_enabled and not self.twilio_auth_token:
            missing.append("NALISH_TWILIO_AUTH_TOKEN")
        http_enabled = self.sms_transport == "http" or bool(self.http_gateway_send_url)
        if http_enabled and not self.http_gateway_secret:
            missing.append("NALISH_HTTP_GATEWAY_SECRET")
        return missing

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: one process runs web, jobs and schedules."""
        return not self.redis_url

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; `reset_settings()` makes the next call re-read the env."""
    return Settings(**settings_from_files())


def settings_from_files() -> dict[str, str]:
    """`NALISH_<NAME>_FILE=/run/secrets/x`: the setting NAME read from that file (its
    trailing newline dropped), so a secret need not sit in the environment, where
    `docker inspect` and child processes see it. A file wins over the plain variable."""
    found = {}
    for name in Settings.model_fields:
        path = os.environ.get(f"NALISH_{name.upper()}_FILE")
        if path:
            with open(path, encoding="utf-8") as file:
                found[name] = file.read().rstrip("\r\n")
    return found


def reset_settings() -> None:
    get_settings.cache_clear()
