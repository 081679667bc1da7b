"""Every time the staff are shown a citizen's phone in full on a ticket's page, it is
logged, and `nalish audit views --ref` lists who and when; an officer, who sees the
phone masked, leaves no such row."""

from __future__ import annotations

import json

from grievance_engine.models import Role
from tests.dashboards.test_dashboards import _email, _take_call, _user, browser

CALLER = "+8801712340077"


def test_an_agent_seeing_the_phone_is_listed_by_audit_views(app, backend):
    agent, officer = _email("agent"), _email("officer")
    _user(agent, Role.AGENT, office="national-triage")
    _user(officer, Role.OFFICER, "Rangpur")
    ref = _take_call(CALLER, "Rangpur")
    assert CALLER in browser(app, agent).get(f"/dashboard/tickets/{ref}").text
    assert CALLER not in browser(app, officer).get(f"/dashboard/tickets/{ref}").text
    listed = backend.nalish("audit", "views", "--ref", ref, "--json")
    views = json.loads(listed.stdout)
    assert [(v["user"], v["role"], v["what"]) for v in views] == [(agent, "agent", "phone")]
    assert views[0]["at"]
    text = backend.nalish("audit", "views", "--ref", ref).stdout
    assert agent in text and "phone" in text
