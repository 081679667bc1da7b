"""What every webhook does around the provider-specific part: read the form safely,
check the shared secret, name the missing field; hand an inbound SMS or a delivery
report to the engine; read a voice callback's step and find the recorded prompts.

Rules (docs/architecture.md, "Contracts: HTTP"): a payload we can parse never gets a
5xx; a missing field is a 400 that names it; a wrong token is a 403 logged with the
reason, never the secret.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from channels import delivery
from channels.inbound import handle_sms
from grievance_engine.inbound_messages import InboundSms
from infra.cleaning import strip_controls
from infra.db import session_scope
from infra.locks import Locks
from infra.phones import InvalidPhoneNumber, to_e164
from infra.session_store import SessionStore
from infra.settings import Settings, get_settings
from menus import ivr

log = logging.getLogger("nalish.channels")

MAX_BODY_BYTES = 64 * 1024  # a USSD hop or an SMS is a few hundred bytes
# Where nalish.guard keeps the bytes as sent, before it removed control characters:
# a signature covers those, not the cleaned ones.
RAW_BODY = "nalish.raw_body"
RAW_QUERY = "nalish.raw_query_string"
PROMPTS_PATH = "/media/prompts"  # recorded voice prompts, mounted by nalish.app
SPEECH_PATH = "/media/speech"  # prompts espeak-ng rendered (menus.synthesis), likewise


async def read_form(request: Request, *, required: tuple[str, ...]) -> dict[str, str]:
    """The url-encoded form as plain strings, with every `required` field present."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"body larger than {MAX_BODY_BYTES} bytes")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(413, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()  # nalish.guard leaves multipart bodies alone
            fields = {
                strip_controls(key): strip_controls(value)
                for key, value in form.items()
                if isinstance(value, str)
            }
        else:
            # Every telco posts url-encoded forms; the standard library parses one in a
            # few microseconds, a tenth of the general form parser's cost.
            fields = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError, AssertionError) as exc:
        log.warning("unreadable form on %s: %s", request.url.path, exc)
        raise HTTPException(400, "body must be a UTF-8 url-encoded form") from exc
    refuse_missing(request, [name for name in required if name not in fields])
    return fields


def refuse_missing(request: Request, missing: list[str]) -> None:
    """A 400 naming the required fields a webhook lacks (nothing when none is missing)."""
    if missing:
        log.warning("webhook %s missing field(s) %s", request.url.path, ", ".join(missing))
        raise HTTPException(400, f"missing field: {', '.join(missing)}")


def signed_fields(request: Request, fields: dict[str, str]) -> dict[str, str]:
    """The form as the sender signed it (control characters and all), for a signature
    check; `fields` when the body was not cleaned (multipart, or no guard in front)."""
    raw = request.scope.get(RAW_BODY)
    if raw is None:
        return fields
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def signed_query(request: Request) -> str:
    """The query string as the sender sent it (see `signed_fields`)."""
    raw = request.scope.get(RAW_QUERY)
    return request.url.query if raw is None else raw.decode("latin-1")


def check_token(request: Request, expected: str | None) -> None:
    """Require `?token=<expected>` when a token is configured (Africa's Talking signs
    nothing). In production no token means no entry: the webhooks never run open."""
    if not expected:
        if get_settings().env == "production":
            log.error("refused %s: NALISH_AT_WEBHOOK_TOKEN is not set", request.url.path)
            raise HTTPException(403, "forbidden")
        return
    given = request.query_params.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        reason = "missing token" if not given else "wrong token"
        log.warning("refused %s from %s: %s", request.url.path, _client(request), reason)
        raise HTTPException(403, "forbidden")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_source(
    request: Request, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> None:
    """Refuse callers outside the allow-list, when one is configured."""
    if not networks:
        return
    host = _client(request)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not any(address in network for network in networks):
        log.warning("refused %s from %s: source address not allowed", request.url.path, host)
        raise HTTPException(403, "forbidden")


def phone_field(raw: str, field: str) -> str:
    """The E.164 form of a phone number a provider sent in `field`, or a 400 naming it."""
    try:
        return to_e164(raw)
    except InvalidPhoneNumber as exc:
        log.warning("refused %s %r: %s", field, raw[:32], exc)
        raise HTTPException(400, f"invalid {field}: {exc}") from exc


async def receive_sms(
    sms: InboundSms, *, store: SessionStore, locks: Locks, label: str, provider_log: logging.Logger
) -> None:
    """Record and act on an inbound SMS off the event loop (`channels.inbound`), and log
    what became of it under the provider's logger, `label` naming the provider."""
    outcome = await run_in_threadpool(handle_sms, sms, store=store, locks=locks)
    provider_log.info(
        "%s SMS %s from %s: %s%s",
        label,
        sms.provider_message_id,
        sms.from_phone,
        outcome.outcome,
        " (duplicate)" if outcome.duplicate else "",
    )


async def apply_delivery_report(report: delivery.Report) -> None:
    """Record a delivery report (and apply it when it moves the message forward)."""
    await run_in_threadpool(_apply_delivery_report, report)


def _apply_delivery_report(report: delivery.Report) -> None:
    with session_scope() as session:
        found = delivery.apply(session=session, report=report).notification_id is not None
    if not found:
        # The send may be saving this very id now; whichever of us commits second
        # applies the report (delivery.apply_waiting).
        with session_scope() as session:
            delivery.apply_waiting(
                session=session,
                provider=report.provider,
                provider_message_id=report.provider_message_id,
            )


def answered_step(request: Request) -> int | None:
    """The IVR step a voice callback answers, from the ``?step=`` of the URL we gave the
    provider: None when there is none (a call's first request), 0 when it is not ours."""
    raw = request.query_params.get("step")
    if raw is None:
        return None
    return int(raw) if raw.isdigit() and len(raw) < 6 else 0


@dataclass(frozen=True)
class AudioUrls:
    """Where telcos fetch what a call plays: recordings, and synthesized speech."""

    prompts: str
    speech: str

    def of(self, item: ivr.Play) -> str:
        base = self.speech if item.synthesized else self.prompts
        return f"{base}/{quote(item.path)}"


def audio_urls(request: Request, settings: Settings) -> AudioUrls:
    base = (settings.public_base_url or str(request.base_url)).rstrip("/")
    return AudioUrls(prompts=prompts_url(request, settings), speech=f"{base}{SPEECH_PATH}")


def prompts_url(request: Request, settings: Settings) -> str:
    """Where telcos fetch recorded prompts: the configured base, else this app."""
    if settings.prompts_base_url:
        return settings.prompts_base_url.rstrip("/")
    base = settings.public_base_url or str(request.base_url)
    return f"{base.rstrip('/')}{PROMPTS_PATH}"
