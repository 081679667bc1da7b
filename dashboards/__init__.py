"""Web pages for call-centre agents, district officers and supervisors.

The dashboards themselves land with the dashboards issue; they read and change tickets
only through `grievance_engine` services. For now this package holds the phone
simulator's page, `templates/simulator.html.j2`, which `nalish.simulator` serves at
`/simulator`: it runs a USSD hop through `channels`, a sibling layer this package may
not import, so the route lives in `nalish`, the composition root. Templates end in
`.j2` so the wheel ships them (pyproject's package data).
"""
