"""Secrets out of every log line: a `logging.Filter` for the handlers of every process.

uvicorn's access log prints each request line, `?token=` and `?secret=` included; httpx
logs each URL it calls (a Kannel sendsms URL carries `password=`); an exception's text
may quote either. The filter rewrites the value of every secret-named parameter
(`SECRET_NAMES`: token, secret, password, api_key, …) to *** in the message, its
arguments and its traceback, and hides a URL's password
(`https://user:***@host`). `nalish serve` and `nalish worker` install it (`install()`
on the root handlers; uvicorn's own handlers through its log config). The channel log
(`channels.channel_log`) redacts the URLs and forms it stores with the same names
(`redact_url`, `redact_form`).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote, unquote_plus

SECRET_NAMES = frozenset(
    {
        "token",
        "secret",
        "password",
        "pass",
        "passwd",
        "pwd",
        "apikey",
        "api_key",
        "key",
        "authtoken",
        "auth_token",
        "signature",
    }
)
REDACTED = "***"
_FORM_LIKE = re.compile(r"^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$")


def redact_url(url: str) -> str:
    """`url` with the value of every secret-named query parameter replaced by ***, also
    inside a URL carried as a parameter value (a gateway's dlr-url carries our secret)."""
    base, has_query, rest = url.partition("?")
    if not has_query:
        return url
    query, hash_mark, fragment = rest.partition("#")
    return base + "?" + _redact_pairs(query) + hash_mark + fragment


def redact_form(body: str) -> str:
    """A url-encoded form with secret-named fields replaced; other text unchanged."""
    if not _FORM_LIKE.match(body.strip()):
        return body
    return _redact_pairs(body.strip())


def _redact_pairs(query: str) -> str:
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        if unquote_plus(name).strip().lower() in SECRET_NAMES:
            value = REDACTED if equals else value
        elif "?" in unquote(value):
            value = quote(redact_url(unquote(value)), safe="")
        pairs.append(name + equals + value)
    return "&".join(pairs)


# name=value in a query or form, also percent-encoded inside another URL (%3D, %26).
_NAMES = "|".join(sorted(map(re.escape, SECRET_NAMES), key=len, reverse=True))
# After a separator, or after an escaped one (`%3F`, `%26`) inside a carried URL.
_PAIR = re.compile(
    rf"(?i)(?:(?<![A-Za-z0-9_%])|(?<=%3F)|(?<=%26))({_NAMES})(=|%3D)((?:(?!%26)[^&\s\"'#<>])+)"
)
_USERINFO = re.compile(r"(://[^/\s:@]+:)[^/\s@]+@")


def redact(text: str) -> str:
    """`text` with secret-named values and URL passwords replaced by ***."""
    text = _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _USERINFO.sub(rf"\g<1>{REDACTED}@", text)


class RewriteRecord(logging.Filter):
    """Rewrites a record's text in place with `rewrite` (so every handler after it
    prints the rewritten text): its message, its arguments and its traceback."""

    @staticmethod
    def rewrite(text: str) -> str:
        raise NotImplementedError

    def filter(self, record: logging.LogRecord) -> bool:
        rewrite = self.rewrite
        if isinstance(record.msg, str):
            record.msg = rewrite(record.msg)
        if isinstance(record.args, tuple):
            # Element by element: uvicorn's access formatter unpacks the tuple.
            record.args = tuple(rewrite(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: rewrite(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = rewrite(record.exc_text)
        return True


class RedactSecrets(RewriteRecord):
    """Secret-named values and URL passwords replaced by *** (`redact`)."""

    rewrite = staticmethod(redact)


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
