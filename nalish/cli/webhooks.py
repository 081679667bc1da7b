"""`nalish webhooks add|list|remove|dead`: signed outbound webhooks for ticket events
(grievance_engine.webhooks; README "Webhooks")."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nalish.cli.common import fail, print_json, record_admin, show_rows, split

webhooks_app = typer.Typer(
    help="Signed outbound webhooks: tell other systems of ticket events.", no_args_is_help=True
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="Where to POST, e.g. https://crm.example/hooks")],
    events: Annotated[
        str,
        typer.Option(
            help="Comma-separated: ticket.created, ticket.status_changed, "
            "ticket.escalated, ticket.resolved, ticket.rated"
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Subscribe URL and print its signing secret once (keep it with the subscriber)."""
    from grievance_engine import webhooks
    from infra.db import session_scope

    try:
        with session_scope() as session:
            made = webhooks.add(session=session, url=url, events=split(events))
            record_admin(session, "webhook_added", url, events=made.events)
            shown = {**_row(made), "secret": made.secret}
    except webhooks.WebhookError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(shown)
        return
    typer.echo(f"webhook {shown['id']}: {url} ({', '.join(shown['events'])})")
    typer.echo(f"signing secret (shown once): {shown['secret']}")


@webhooks_app.command("list")
def webhooks_list(as_json: JsonFlag = False) -> None:
    """Every subscriber (secrets are not shown)."""
    from grievance_engine import webhooks
    from infra.db import session_scope

    with session_scope() as session:
        rows = [_row(each) for each in webhooks.subscriptions(session=session)]
    show_rows(
        rows,
        as_json=as_json,
        line=lambda r: (
            f"{r['id']}\t{'active' if r['active'] else 'removed'}\t{r['url']}\t"
            + ",".join(r["events"])
        ),
    )


@webhooks_app.command("remove")
def webhooks_remove(subscription_id: Annotated[int, typer.Argument(help="Its id.")]) -> None:
    """Stop telling a subscriber; what was not yet sent to it is dropped."""
    from grievance_engine import webhooks
    from infra.db import session_scope

    try:
        with session_scope() as session:
            removed = webhooks.remove(session=session, subscription_id=subscription_id)
            record_admin(session, "webhook_removed", removed.url)
    except webhooks.WebhookError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"webhook {subscription_id} removed")


@webhooks_app.command("dead")
def webhooks_dead(as_json: JsonFlag = False) -> None:
    """The dead-letter list: deliveries given up on (a 4xx, or every retry failed)."""
    from grievance_engine import webhooks
    from infra.db import session_scope

    with session_scope() as session:
        rows = [
            {
                "id": d.id,
                "subscription": d.subscription_id,
                "event": d.event,
                "ref": d.payload.get("ticket", {}).get("ref"),
                "attempts": d.attempts,
                "last_status_code": d.last_status_code,
                "last_error": d.last_error,
                "created_at": d.created_at.isoformat(),
            }
            for d in webhooks.dead_letters(session=session)
        ]
    show_rows(
        rows,
        as_json=as_json,
        line=lambda r: f"{r['id']}\t{r['event']}\t{r['ref']}\t{r['attempts']}\t{r['last_error']}",
        counted="dead deliveries",
    )


def _row(subscription: Any) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "active": subscription.active,
        "created_at": subscription.created_at.isoformat(),
    }
