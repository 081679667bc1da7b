"""`nalish simulate ussd|sms|voice`: a phone in the terminal, against the app in-process
or a running one (`--url`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from nalish.cli.common import e164, fail, settings

simulate_app = typer.Typer(
    help="Try the menus from a terminal, as a phone would.", no_args_is_help=True
)

UrlOption = Annotated[
    str | None,
    typer.Option(
        help="A running app's base URL (e.g. http://127.0.0.1:8000); default: in-process."
    ),
]


def _talk(
    url: str | None,
    converse: Callable[[Any], None],
    *,
    hang_ups: tuple[type[BaseException], ...] = (EOFError, KeyboardInterrupt),
    goodbye: str = "\n[hung up]",
) -> None:
    """Run one conversation with the app (in-process, or at `url`): a hang-up (Ctrl-D,
    Ctrl-C) prints `goodbye`; an app that cannot be reached exits 1."""
    import httpx

    from nalish.simulate import client_for

    with client_for(url) as client:
        try:
            converse(client)
        except hang_ups:
            typer.echo(goodbye)
        except httpx.TransportError as exc:
            raise fail(f"Could not reach {url or 'the app'}: {exc}", 1) from exc


def _webhook_token() -> dict[str, str]:
    """The `?token=` every Africa's Talking webhook needs, when one is set."""
    token = settings().at_webhook_token
    return {"token": token} if token else {}


def _at_webhook(
    path: str, token: dict[str, str], conversation: Callable[..., None], **details: Any
) -> Callable[[Any], None]:
    """What `_talk` runs for a phone at this terminal talking to one Africa's Talking
    webhook: each form posted to `path`, the questions asked on stdin, the screens and
    replies shown on stdout."""
    return lambda client: conversation(
        lambda form: client.post(path, data=form, params=token),
        ask=input,
        show=typer.echo,
        **details,
    )


@simulate_app.command("ussd")
def simulate_ussd(
    phone: Annotated[str, typer.Option(help="The caller's phone number.")],
    url: UrlOption = None,
    service_code: Annotated[str, typer.Option(help="The dialled code.")] = "*333#",
) -> None:
    """Dial the USSD menu from the terminal and answer each screen."""
    from nalish.simulate import ussd_session

    token = _webhook_token()
    e164(phone, "--phone")
    _talk(
        url,
        _at_webhook(
            "/channels/africastalking/ussd",
            token,
            ussd_session,
            phone=phone,
            service_code=service_code,
        ),
    )


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
    from nalish.simulate import outbox_replies, sms_conversation

    token = _webhook_token()
    number = e164(phone, "--phone")
    if url:
        typer.echo(
            f"Replies go to {url}'s outbox; see them there with: nalish outbox list --to {number}"
        )
    _talk(
        url,
        _at_webhook(
            "/channels/africastalking/sms",
            token,
            sms_conversation,
            phone=number,
            shortcode=shortcode,
            replies=None if url else outbox_replies(number),
        ),
        hang_ups=(KeyboardInterrupt,),  # Ctrl-D ends the conversation as an empty line does
        goodbye="",
    )


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
    from nalish.simulate import voice_call

    current = settings()
    e164(phone, "--phone")
    if provider not in ("twilio", "africastalking"):
        raise fail(f"--provider: {provider!r} is not twilio or africastalking")
    _talk(
        None,
        lambda client: voice_call(
            client, current, phone=phone, provider=provider, ask=input, show=typer.echo
        ),
    )
