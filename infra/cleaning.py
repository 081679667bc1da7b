"""Clean text: what may be stored from a stranger's bytes.

PostgreSQL refuses a NUL in a text column (the whole statement fails), and the other C0
control characters are never part of a grievance, a phone number or an id: a telco, an
integrator or a browser that sends them is broken or hostile. They are removed where
text enters (`nalish.guard` cleans every query string and form or JSON body) and again
where strangers' text is written in bulk (`channels.channel_log`). Tab, line
feed and carriage return are kept: a citizen's SMS may have lines.

Lone UTF-16 surrogates (a JSON body may carry ``"\\ud800"``) cannot be encoded as UTF-8
for the database either; they become U+FFFD.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """`text` without C0 control characters (tab, LF and CR kept) or lone surrogates."""
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)
