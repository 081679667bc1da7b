"""`nalish`: the operator's command line (docs/architecture.md, "Contracts: CLI", lists
the contract)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from escalation import deadlines
from infra import log_redaction
from infra.settings import Settings, get_settings
from nalish.api.cli import tokens_app

app = typer.Typer(
    help="Nalish helpline: serve the web app, run workers, migrate, seed and inspect tickets.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
tickets_app = typer.Typer(help="Look at tickets.", no_args_is_help=True)
outbox_app = typer.Typer(help="Look at outbound SMS.", no_args_is_help=True)
simulate_app = typer.Typer(
    help="Try the menus from a terminal, as a phone would.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(tickets_app, name="tickets")
app.add_typer(outbox_app, name="outbox")
app.add_typer(simulate_app, name="simulate")
users_app = typer.Typer(help="Manage the people who work tickets.", no_args_is_help=True)
app.add_typer(users_app, name="users")
channels_app = typer.Typer(help="Look at exchanges with telecom providers.", no_args_is_help=True)
app.add_typer(channels_app, name="channels")
audit_app = typer.Typer(help="Check the tamper-evident ticket audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
routing_app = typer.Typer(help="See and explain the routing rules.", no_args_is_help=True)
app.add_typer(routing_app, name="routing")
gazetteer_app = typer.Typer(help="Manage the admin areas and their aliases.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(tokens_app, name="tokens")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's message names the variable and the problem
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _no_ticket(ref: str) -> typer.Exit:
    from grievance_engine import service
    from infra.db import session_scope

    with session_scope() as session:
        close = service.did_you_mean(session=session, text=ref)
    hint = f"did you mean {' or '.join(close)}?" if close else "8 characters, e.g. ABCD-1234"
    typer.echo(f"No ticket {ref!r} (check the reference; {hint}).", err=True)
    return typer.Exit(1)


def _print_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the web app (embedded mode when NALISH_REDIS_URL is unset)."""
    import uvicorn

    settings = _settings()
    _log_to_stderr(logging.INFO)  # the console SMS transport prints through this
    mode = "embedded (SQLite file, in-process jobs)" if settings.embedded else "with Redis"
    typer.echo(f"Nalish on http://{host}:{port} — {mode}; database {_safe_url(settings)}")
    uvicorn.run(
        "nalish.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        log_level="info",
        log_config=_uvicorn_log_config(),
    )


def _uvicorn_log_config() -> dict:
    """uvicorn's default logging, with secrets redacted from each of its handlers (its
    access log prints the query string: `?token=`, `?secret=`)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": log_redaction.RedactSecrets}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config


@app.command()
def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Send what is pending, then exit.")
    ] = False,
) -> None:
    """Run an rq worker: outbound SMS and the periodic sweeps (needs NALISH_REDIS_URL)."""
    from nalish import worker as worker_module

    _log_to_stderr(logging.INFO)
    worker_module.run(_settings(), burst=burst)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (Alembic) up to the latest."""
    from nalish import migrate

    settings = _settings()
    migrate.upgrade()
    typer.echo(f"Database {_safe_url(settings)} is at the latest schema.")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Also add demo users and tickets.")] = False,
    reset_names: Annotated[
        bool,
        typer.Option(
            "--reset-names",
            help="Give seeded areas, categories and offices their seeded names again "
            "(undoes admins' renames; each one recorded as an admin change).",
        ),
    ] = False,
) -> None:
    """Add what is missing of the gazetteer, categories, offices and routing rules for
    NALISH_COUNTRY; what exists (an admin's renames included) is left as it is."""
    from grievance_engine import admin_log
    from infra.db import session_scope
    from routing import seed as seeding

    settings = _settings()
    from escalation import catalogue

    with session_scope() as session:
        counts = seeding.seed(session=session, country=settings.country)
        counts |= catalogue.seed(session, settings.country)
    typer.echo(f"Seeded {settings.country}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if reset_names:
        with session_scope() as session:
            restored = seeding.reset_names(
                session=session, country=settings.country, actor=admin_log.cli_actor()
            )
        typer.echo(f"Restored the seeded name of {restored} rows (recorded as admin changes).")
    if demo:
        with session_scope() as session:
            logins = seeding.seed_demo(session=session, country=settings.country)
        typer.echo("Demo logins:")
        for login in logins:
            password = login.get("password") or "(unchanged; set earlier)"
            typer.echo(f"  {login['role']:<10} {login['email']:<32} {password}")


@tickets_app.command("show")
def tickets_show(
    ref: Annotated[str, typer.Argument(help="Ticket reference, e.g. ABCD-1234.")],
    as_json: JsonFlag = False,
) -> None:
    """Show one ticket with its events."""
    from grievance_engine import service
    from infra.db import session_scope

    _settings()
    with session_scope() as session:
        ticket = service.show(session=session, ref=ref)
    if ticket is None:
        raise _no_ticket(ref)
    if as_json:
        _print_json(ticket)
        return
    for key in (
        "ref",
        "status",
        "category",
        "district",
        "office",
        "channel",
        "phone",
        "language",
        "escalation_level",
        "created_at",
        "description",
    ):
        typer.echo(f"{key:>17}: {ticket[key]}")
    for event in ticket["events"]:
        typer.echo(f"{'event':>17}: {event['at']} {event['type']} by {event['actor']}")


@tickets_app.command("list")
def tickets_list(
    as_json: JsonFlag = False,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. new.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district, e.g. Rangpur.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 1000,
) -> None:
    """List tickets, newest first."""
    from grievance_engine import service
    from grievance_engine.models import TicketStatus
    from infra.db import session_scope

    _settings()
    if status and status not in TicketStatus.__members__.values():
        valid = ", ".join(s.value for s in TicketStatus)
        typer.echo(f"Unknown status {status!r}; one of: {valid}", err=True)
        raise typer.Exit(2)
    with session_scope() as session:
        rows = service.list_public(session=session, status=status, district=district, limit=limit)
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['ref']}  {row['status']:<12} {row['category']:<18} "
            f"{row['district']:<16} {row['created_at']}"
        )
    typer.echo(f"{len(rows)} ticket(s)", err=True)


@tickets_app.command("transition")
def tickets_transition(
    ref: Annotated[str, typer.Argument(help="Ticket reference, e.g. ABCD-1234.")],
    to: Annotated[str, typer.Option("--to", help="The new status, e.g. in_progress.")],
    reason: Annotated[
        str | None, typer.Option(help="Why; required for rejected and duplicate.")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who is acting, recorded in the event.")] = "cli",
    original: Annotated[
        str | None, typer.Option(help="For duplicate: the reference of the original ticket.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Move a ticket to another status, as the lifecycle allows; recorded as an event.

    Resolving sends the citizen the --reason as what was done; rejecting tells them
    the --reason; duplicate merges the ticket into --original.
    """
    from grievance_engine import actions, lifecycle, refs, service
    from grievance_engine.models import TicketStatus
    from infra.db import session_scope

    _settings()
    if to not in TicketStatus.__members__.values():
        valid = ", ".join(s.value for s in TicketStatus)
        typer.echo(f"Unknown status {to!r}; one of: {valid}", err=True)
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            ticket = service.get_by_ref(session=session, ref=ref)
            if ticket is None:
                raise _no_ticket(ref)
            original_ticket = None
            if original:
                original_ticket = service.get_by_ref(session=session, ref=original)
                if original_ticket is None:
                    raise _no_ticket(original)
            event = actions.change_status(
                session=session,
                ticket=ticket,
                to=TicketStatus(to),
                actor=actor,
                reason=reason,
                original=original_ticket,
            )
            shown = refs.display(ticket.ref)
    except lifecycle.TransitionError as exc:
        typer.echo(f"Cannot change {ref}: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        _print_json({"ref": shown, **event.data, "seq": event.seq, "hash": event.hash})
        return
    typer.echo(f"{shown}: {event.data['from']} → {event.data['to']}")


@outbox_app.command("list")
def outbox_list(
    as_json: JsonFlag = False,
    to: Annotated[str | None, typer.Option("--to", help="Only messages to this phone.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 1000,
) -> None:
    """List outbound SMS, newest first."""
    from grievance_engine import service
    from infra.db import session_scope
    from infra.phones import InvalidPhoneNumber, to_e164

    _settings()
    if to:
        try:
            to = to_e164(to)
        except InvalidPhoneNumber as exc:
            typer.echo(f"--to: {exc}", err=True)
            raise typer.Exit(2) from exc
    with session_scope() as session:
        rows = service.list_outbox(session=session, to_phone=to, limit=limit)
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        typer.echo(f"#{row['id']:<6} {row['status']:<10} {row['to']:<15} {row['body']}")
    typer.echo(f"{len(rows)} message(s)", err=True)


UrlOption = Annotated[
    str | None,
    typer.Option(
        help="A running app's base URL (e.g. http://127.0.0.1:8000); default: in-process."
    ),
]


def _caller(phone: str) -> str:
    """The caller's number in E.164, or exit 2 naming the option."""
    from infra.phones import InvalidPhoneNumber, to_e164

    try:
        return to_e164(phone)
    except InvalidPhoneNumber as exc:
        typer.echo(f"--phone: {exc}", err=True)
        raise typer.Exit(2) from exc


def _unreachable(url: str | None, exc: Exception) -> typer.Exit:
    typer.echo(f"Could not reach {url or 'the app'}: {exc}", err=True)
    return typer.Exit(1)


@simulate_app.command("ussd")
def simulate_ussd(
    phone: Annotated[str, typer.Option(help="The caller's phone number.")],
    url: UrlOption = None,
    service_code: Annotated[str, typer.Option(help="The dialled code.")] = "*333#",
) -> None:
    """Dial the USSD menu from the terminal and answer each screen."""
    import httpx

    from nalish.simulate import client_for, ussd_session

    settings = _settings()
    _caller(phone)
    token = {"token": settings.at_webhook_token} if settings.at_webhook_token else {}
    with client_for(url) as client:
        try:
            ussd_session(
                lambda form: client.post("/channels/africastalking/ussd", data=form, params=token),
                phone=phone,
                service_code=service_code,
                ask=input,
                show=typer.echo,
            )
        except (EOFError, KeyboardInterrupt):
            typer.echo("\n[hung up]")
        except httpx.TransportError as exc:
            raise _unreachable(url, exc) from exc


@simulate_app.command("sms")
def simulate_sms(
    phone: Annotated[str, typer.Option(help="The sender's phone number.")],
    url: UrlOption = None,
    shortcode: Annotated[str, typer.Option("--to", help="The helpline's shortcode.")] = "333",
) -> None:
    """Text the helpline from the terminal: each line you type is one SMS.

    Each line is posted as an Africa's Talking incoming SMS; the helpline's replies to
    this phone are printed after it (in-process only: with --url, they are in that
    app's outbox). An empty line or Ctrl-D ends the conversation.
    """
    import httpx

    from nalish.simulate import client_for, outbox_replies, sms_conversation

    settings = _settings()
    number = _caller(phone)
    token = {"token": settings.at_webhook_token} if settings.at_webhook_token else {}
    if url:
        typer.echo(
            f"Replies go to {url}'s outbox; see them there with: nalish outbox list --to {number}"
        )
    with client_for(url) as client:
        try:
            sms_conversation(
                lambda form: client.post("/channels/africastalking/sms", data=form, params=token),
                phone=number,
                shortcode=shortcode,
                ask=input,
                show=typer.echo,
                replies=None if url else outbox_replies(number),
            )
        except KeyboardInterrupt:
            typer.echo("")
        except httpx.TransportError as exc:
            raise _unreachable(url, exc) from exc


@simulate_app.command("voice")
def simulate_voice(
    phone: Annotated[str, typer.Option(help="The caller's phone number.")],
    provider: Annotated[
        str, typer.Option(help="Whose webhooks to call: twilio or africastalking.")
    ] = "twilio",
) -> None:
    """Call the voice menu (IVR) from the terminal, against the app in-process.

    Prints what the caller would hear; type the keys you would press (Enter alone: you
    pressed nothing), and when asked to speak, a recording URL (Enter: a made-up one).
    """
    from nalish.simulate import client_for, voice_call

    settings = _settings()
    _caller(phone)
    if provider not in ("twilio", "africastalking"):
        typer.echo(f"--provider: {provider!r} is not twilio or africastalking", err=True)
        raise typer.Exit(2)
    with client_for(None) as client:
        try:
            voice_call(client, settings, phone=phone, provider=provider, ask=input, show=typer.echo)
        except (EOFError, KeyboardInterrupt):
            typer.echo("\n[hung up]")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    role: Annotated[str, typer.Option(help="agent, officer, supervisor or admin.")],
    district: Annotated[
        str | None, typer.Option(help="The officer's district (English name, e.g. Rangpur).")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="At least 10 characters; default: a random one, printed.")
    ] = None,
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    office: Annotated[
        str | None,
        typer.Option(help="Office code, e.g. national-triage (an officer: their district's)."),
    ] = None,
    language: Annotated[str, typer.Option(help="Language of their screens: bn, en or sw.")] = "en",
    languages: Annotated[
        str | None,
        typer.Option(help="Comma-separated languages they can work tickets in, e.g. bn,en."),
    ] = None,
    queues: Annotated[
        str | None, typer.Option(help="Comma-separated queues of their office; default all.")
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(help="Their mobile (e.g. +8801712345678): ACK/RESOLVE/NOTE by SMS from it."),
    ] = None,
) -> None:
    """Create a user; prints the password once when it was generated."""
    from grievance_engine import admin_log, users
    from grievance_engine.models import Role
    from infra.db import session_scope

    settings = _settings()
    if role not in Role.__members__.values():
        typer.echo(f"Unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            office_id = users.office_id_by_code(session=session, code=office) if office else None
            user, clear = users.create(
                session=session,
                country=settings.country,
                user_in=users.UserCreate(
                    email=email,
                    role=Role(role),
                    full_name=name,
                    district=district,
                    password=password,
                    office_id=office_id,
                    language=language,
                    languages=_split(languages),
                    queues=_split(queues),
                    phone=phone,
                ),
            )
            admin_log.record(
                session=session,
                actor=admin_log.cli_actor(),
                action="user_created",
                subject=f"user:{user.id}",
                email=user.email,
                role=user.role,
            )
    except users.UserError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if password is None:
        typer.echo(f"Password (shown once): {clear}")


@channels_app.command("log")
def channels_log(
    as_json: JsonFlag = False,
    provider: Annotated[
        str | None, typer.Option(help="Only this provider: africastalking, twilio, http.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """Show the channel log: every HTTP exchange with a provider, secrets redacted."""
    from channels import channel_log

    _settings()
    rows = channel_log.recent(provider=provider, limit=limit)
    if as_json:
        _print_json([row.model_dump(mode="json") for row in rows])
        return
    for row in rows:
        typer.echo(
            f"{row.at.isoformat()} {row.provider:<15} {row.direction:<3} {row.method:<6} "
            f"{row.status_code or '-':<4} {row.duration_ms or 0:8.1f} ms  {row.url}"
        )
    typer.echo(f"{len(rows)} exchange(s)", err=True)


@audit_app.command("verify")
def audit_verify(
    ref: Annotated[str | None, typer.Option(help="Check only this ticket.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check every ticket's event chain, and the chain of admin changes; exit 1 naming
    each altered or removed event."""
    from grievance_engine import admin_log, audit
    from infra.db import session_scope

    _settings()
    tickets = events = 0
    problems: list[audit.Problem] = []
    admin_problems: list[admin_log.Problem] = []
    with session_scope() as session:
        for check in audit.scan(session=session, ref=ref):
            tickets += 1
            events += check.events
            problems.extend(check.problems)
            if tickets % 10_000 == 0:
                typer.echo(f"… {tickets} tickets, {events} events checked", err=True)
        if ref is None:
            admin_problems = list(admin_log.verify(session=session))
            changes = admin_log.count(session=session)
            head = admin_log.recent(session=session, limit=1)
            head_hash = head[0].hash if head else None
    if ref is not None and tickets == 0:
        raise _no_ticket(ref)
    admin = (
        {
            "admin_changes": changes,
            "admin_intact": not admin_problems,
            "admin_head": head_hash,
            "admin_problems": [{"seq": p.seq, "problem": p.problem} for p in admin_problems],
        }
        if ref is None
        else {}
    )
    broken = sorted({p.ref for p in problems})
    if as_json:
        _print_json(
            {
                "tickets": tickets,
                "events": events,
                "intact": not problems,
                "broken_tickets": broken,
                "problems": [{"ref": p.ref, "seq": p.seq, "problem": p.problem} for p in problems],
                **admin,
            }
        )
    else:
        # The admin chain first: the last line stays the tickets' verdict.
        if admin:
            for p in admin_problems:
                typer.echo(f"admin change {p.seq}: {p.problem}")
            state = "chain BROKEN" if admin_problems else "chain intact"
            head_note = f" (head {head_hash})" if head_hash else ""
            typer.echo(f"{admin['admin_changes']} admin changes{head_note}: {state}")
        for p in problems:
            typer.echo(f"{p.ref}  seq {p.seq if p.seq is not None else '-'}: {p.problem}")
        verdict = f"{len(broken)} ticket(s) with a broken chain" if problems else "chain intact"
        typer.echo(f"{tickets} tickets, {events} events: {verdict}")
    if problems or admin_problems:
        raise typer.Exit(1)


@audit_app.command("changes")
def audit_changes(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    subject: Annotated[
        str | None, typer.Option(help="Only this subject, e.g. office:dc-rangpur or user:12.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List admin changes (users, offices, routing, SLA, holidays, categories, tokens),
    from the dashboard and this CLI, newest first."""
    from grievance_engine import admin_log
    from infra.db import session_scope

    _settings()
    with session_scope() as session:
        rows = admin_log.recent(session=session, limit=limit, subject=subject)
        shown = [row.model_dump(mode="json", exclude={"id"}) for row in rows]
    if as_json:
        _print_json(shown)
        return
    for row in shown:
        details = json.dumps(row["data"], ensure_ascii=False, sort_keys=True)
        typer.echo(
            f"#{row['seq']:<5} {row['at']}  {row['actor']:<16} {row['action']:<22} "
            f"{row['subject']:<28} {details}"
        )
    typer.echo(f"{len(shown)} change(s)", err=True)


@routing_app.command("list")
def routing_list(
    as_json: JsonFlag = False,
    district: Annotated[
        str | None,
        typer.Option(help="Only rules for this district and its upazilas, e.g. Rangpur."),
    ] = None,
) -> None:
    """List the routing rules: area, category, office, queue and whether active."""
    from infra.db import session_scope
    from routing import service as routing_service

    settings = _settings()
    try:
        with session_scope() as session:
            rows = routing_service.list_rules(
                session=session, country=settings.country, district=district
            )
    except routing_service.RoutingInputError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        where = row["area"] if row["level"] == "national" else f"{row['area']} ({row['level']})"
        typer.echo(
            f"#{row['id']:<5} {where:<32} {row['category']:<18} {row['office']:<48} "
            f"{row['queue']:<10} {'active' if row['active'] else 'inactive'}"
        )
    typer.echo(f"{len(rows)} rule(s)", err=True)


@routing_app.command("explain")
def routing_explain(
    district: Annotated[str, typer.Option(help="District name as a person would type it.")],
    category: Annotated[
        str | None, typer.Option(help="Category code, e.g. water; default: any category.")
    ] = None,
    upazila: Annotated[str | None, typer.Option(help="Upazila name within the district.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show where a grievance would go, and every rule weighed on the way."""
    import dataclasses

    from infra.db import session_scope
    from routing import service as routing_service

    settings = _settings()
    try:
        with session_scope() as session:
            explanation = routing_service.explain(
                session=session,
                district=district,
                category=category,
                upazila=upazila,
                country=settings.country,
            )
    except routing_service.RoutingInputError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if as_json:
        _print_json(dataclasses.asdict(explanation))
        return
    where = explanation.district + (f", {explanation.upazila}" if explanation.upazila else "")
    typer.echo(f"{where} — {explanation.category or 'any category'}")
    for step in explanation.steps:
        typer.echo(f"  {step.text}")
    decision = explanation.decision
    typer.echo(f"→ {explanation.office or 'not routed'} (queue {decision.queue})")
    typer.echo(f"  {decision.reason}")


@gazetteer_app.command("import")
def gazetteer_import(
    file: Annotated[
        typer.FileText,
        typer.Argument(help="CSV with header code,level,name,name_local,parent_code,aliases."),
    ],
    country: Annotated[
        str | None, typer.Option(help="Country of the areas; default: NALISH_COUNTRY.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and count; write nothing.")
    ] = False,
) -> None:
    """Add or update admin areas (by code) and their aliases from a CSV file."""
    from grievance_engine import admin_log
    from infra.db import session_scope
    from routing import gazetteer_import as importing

    settings = _settings()
    country = (country or settings.country).upper()
    if country not in ("BD", "KE"):
        typer.echo(f"--country: unknown country {country!r}; one of: BD, KE", err=True)
        raise typer.Exit(2)

    def progress(done: int, total: int) -> None:
        typer.echo(f"… {done}/{total} rows", err=True)

    try:
        rows = importing.read_rows(file)
        with session_scope() as session:
            counts = importing.import_areas(
                session=session,
                rows=rows,
                country=country,
                dry_run=dry_run,
                progress=progress if len(rows) > 1000 else None,
            )
            if not dry_run:
                admin_log.record(
                    session=session,
                    actor=admin_log.cli_actor(),
                    action="gazetteer_imported",
                    subject=f"gazetteer:{country}",
                    file=Path(file.name).name,
                    rows=counts.rows,
                    added=counts.added,
                    updated=counts.updated,
                    aliases=counts.aliases,
                )
    except importing.GazetteerImportError as exc:
        for problem in exc.problems:
            typer.echo(f"{file.name}: {problem}", err=True)
        typer.echo("Nothing was written.", err=True)
        raise typer.Exit(2) from exc
    verb = "Would import" if dry_run else "Imported"
    typer.echo(
        f"{verb} {counts.rows} row(s) for {country}: added {counts.added}, "
        f"updated {counts.updated}, aliases {counts.aliases}"
        + (" (dry run: nothing written)" if dry_run else "")
    )


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def _log_to_stderr(level: int) -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        force=True,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log_redaction.install()  # no token, secret or password in any line we print


def main() -> None:
    _log_to_stderr(logging.WARNING)
    app()


# Tickets changed by any command keep their SLA clock (escalation.deadlines).
deadlines.install()


# Commands kept in their own modules register themselves on the apps above.
from nalish import cli_menus, cli_sla, cli_work  # noqa: E402, F401
