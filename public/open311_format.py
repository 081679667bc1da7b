"""Open311 GeoReport v2's two formats: the same answers as XML (which the spec
requires) and JSON, and its error body.

Spec: https://wiki.open311.org/GeoReport_v2 . An XML answer is a root element of
repeated children (`<services><service>…`); JSON is a list of the same objects. An
error is `<errors><error><code>400</code><description>…</description></error></errors>`
(JSON `[{"code": 400, "description": …}]`) with the same HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from xml.etree import ElementTree as ET

from fastapi import Response

Format = Literal["json", "xml"]
FORMATS: tuple[str, ...] = ("json", "xml")
_MEDIA = {"json": "application/json", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    """An answer in the spec's error format, with its HTTP status."""

    def __init__(self, status_code: int, description: str) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.description = description


def render(fmt: str, root: str, child: str, items: Iterable[Mapping[str, Any]]) -> Response:
    """`items` as `<root><child>…</child>…</root>` or a JSON list."""
    items = list(items)
    if fmt == "json":
        return _json(items)
    element = ET.Element(root)
    for item in items:
        _fill(ET.SubElement(element, child), item)
    return _xml(element)


def render_one(fmt: str, root: str, item: Mapping[str, Any]) -> Response:
    """One object: `<root>…</root>` or a JSON object (discovery, a service definition)."""
    if fmt == "json":
        return _json(item)
    element = ET.Element(root)
    _fill(element, item)
    return _xml(element)


def error(fmt: str, status_code: int, description: str) -> Response:
    """The spec's error body; XML unless JSON was asked for."""
    body = [{"code": status_code, "description": description}]
    response = render("json" if fmt == "json" else "xml", "errors", "error", body)
    response.status_code = status_code
    return response


def _json(value: Any) -> Response:
    return Response(json.dumps(value, ensure_ascii=False), media_type=_MEDIA["json"])


def _xml(element: ET.Element) -> Response:
    body = ET.tostring(element, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>' + body, media_type=_MEDIA["xml"])


def _fill(element: ET.Element, item: Mapping[str, Any]) -> None:
    """Each key a child element. A list becomes repeated elements named by the spec's
    singular (`attributes` → `attribute`, `values` → `value`, `formats` → `format`)."""
    for key, value in item.items():
        if isinstance(value, list):
            holder = ET.SubElement(element, key)
            for entry in value:
                _add(holder, key[:-1], entry)
        else:
            _add(element, key, value)


def _add(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, Mapping):
        _fill(child, value)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)
