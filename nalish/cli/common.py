"""What every `nalish` command shares: the settings (exit 2 naming a bad variable), the
`--json` flag and printing, refusals (exit 2 on stderr), and the look-ups and admin
records that many commands make. Imports of the lower layers stay inside the functions
that use them, as in the commands: a command loads only what it needs.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sqlmodel import Session

    from grievance_engine.models import Ticket, User
    from infra.settings import Settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Ref = Annotated[str, typer.Argument(help="Ticket reference, e.g. ABCD-1234.")]
Actor = Annotated[str, typer.Option(help="Who is acting, recorded in the event.")]


def settings() -> Settings:
    """The validated settings, or exit 2 with pydantic's message (it names the variable
    and the problem)."""
    from infra.settings import get_settings

    try:
        return get_settings()
    except Exception as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say why on stderr; the caller raises the returned exit (2: refused input)."""
    typer.echo(message, err=True)
    return typer.Exit(code)


def refuse_unknown(what: str, value: str | None, allowed: Iterable[str]) -> None:
    """Exit 2 unless `value` (None: not given) is one of `allowed`, listing them."""
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise fail(f"Unknown {what} {value!r}; one of: {', '.join(allowed)}")


def print_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def show_rows(
    rows: Sequence[Any],
    *,
    as_json: bool,
    line: Callable[[Any], str],
    counted: str | None = None,
    as_data: Callable[[Any], object] | None = None,
) -> None:
    """A listing: JSON (each row through `as_data`), or one `line` per row and, when
    `counted` names the rows, their count on stderr (stdout stays the rows alone)."""
    if as_json:
        print_json([as_data(row) for row in rows] if as_data else list(rows))
        return
    for row in rows:
        typer.echo(line(row))
    if counted:
        typer.echo(f"{len(rows)} {counted}", err=True)


def add_list_by_status(
    app: typer.Typer,
    module: str,
    statuses: Sequence[str],
    *,
    help: str,
    line: Callable[[Any], str],
    counted: str,
) -> None:
    """Add `list` to `app`: the rows of `module`'s `list_public(session=, status=)`
    (imported when the command runs), filtered by `--status` (one of `statuses`, the
    first by default, exit 2 otherwise; the last, `all`: no filter), as `show_rows`
    prints them."""
    status_help = f"{', '.join(statuses[:-1])} or {statuses[-1]}."

    # the option as a default, not in `Annotated`: these annotations are strings that
    # cannot name this function's locals
    def list_by_status(
        as_json: JsonFlag = False,
        status: str = typer.Option(statuses[0], help=status_help),
    ) -> None:
        from infra.db import session_scope

        settings()
        refuse_unknown("status", status, statuses)
        list_public = importlib.import_module(module).list_public
        with session_scope() as session:
            rows = list_public(session=session, status=None if status == "all" else status)
        show_rows(rows, as_json=as_json, line=line, counted=counted)

    app.command("list", help=help)(list_by_status)


def no_ticket(ref: str) -> typer.Exit:
    """Exit 1 for an unknown reference, with the nearest real ones as a hint."""
    from grievance_engine import service
    from infra.db import session_scope

    with session_scope() as session:
        close = service.did_you_mean(session=session, text=ref)
    hint = f"did you mean {' or '.join(close)}?" if close else "8 characters, e.g. ABCD-1234"
    return fail(f"No ticket {ref!r} (check the reference; {hint}).", 1)


def ticket(session: Session, ref: str) -> Ticket:
    """The ticket with this reference, or exit 1 with a hint."""
    from grievance_engine import service

    found = service.get_by_ref(session=session, ref=ref)
    if found is None:
        raise no_ticket(ref)
    return found


def user(session: Session, email: str) -> User:
    """The person with this login email, or exit 2."""
    from grievance_engine import users

    found = users.by_email(session=session, email=email)
    if found is None:
        raise fail(f"No user {email!r} (see `nalish users create`).")
    return found


def e164(number: str, option: str) -> str:
    """The number in E.164, or exit 2 naming the option it came from."""
    from infra.phones import InvalidPhoneNumber, to_e164

    try:
        return to_e164(number)
    except InvalidPhoneNumber as exc:
        raise fail(f"{option}: {exc}") from exc


def record_admin(session: Session, action: str, subject: str, **data: Any) -> None:
    """An admin change made at this terminal, in the session's transaction."""
    from grievance_engine import admin_log

    admin_log.record(
        session=session, actor=admin_log.cli_actor(), action=action, subject=subject, **data
    )


def split(text: str | None) -> list[str]:
    """`a, b,,c` → `["a", "b", "c"]`: the comma-separated options."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def safe_url(settings: Settings) -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def log_to_stderr(level: int | str) -> None:
    """Log to stderr at `level` in NALISH_LOG_FORMAT, with no secret, no phone number
    and the request id in any line we print (infra.logs)."""
    from infra import logs
    from infra.settings import get_settings

    try:
        fmt = get_settings().log_format
    except Exception:  # a bad setting is reported by the command itself
        fmt = "text"
    logs.configure(level, fmt)
