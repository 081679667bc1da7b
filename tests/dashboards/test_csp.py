"""Every page works under its Content-Security-Policy (dashboards.security): each inline
<script> and <style> carries the response's nonce, and nothing inline runs without one
(no style="" attributes, no onclick= handlers, no javascript: links). The browser test
(test_browser.py) drives the pages in Chromium with the header in force."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "dashboards" / "templates").glob("*.j2"))
NONCE = 'nonce="{{ csp_nonce }}"'


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_inline_block_carries_the_nonce_and_nothing_else_is_inline(template: Path) -> None:
    text = template.read_text()
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
        assert NONCE in tag, f"{template.name}: {tag} would be blocked by the CSP"
    assert not re.search(r"\sstyle=\"", text), f"{template.name}: an inline style attribute"
    assert not re.search(r"\son[a-z]+=", text), f"{template.name}: an inline event handler"
    assert "javascript:" not in text
