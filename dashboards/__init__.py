"""Web pages for call-centre agents, district officers and supervisors.

`dashboards.routes.router` (included by `nalish.app`) serves `/login`, `/logout` and
`/dashboard/…`: server-rendered jinja2 pages (`templates/*.html.j2`) in English,
Bangla or Kiswahili (`i18n`), usable without JavaScript. The parts every page builds on:

- `sessions`: the signed `nalish_session` cookie and the session data in the store;
- `auth`: signing in (argon2, lockout) and out;
- `pages`: the page registry (path, roles, nav label key): who may open which page;
- `deps`: the typed dependencies (`Visit`, `SessionDep`, `CurrentUser`), the route
  class that gives every route its page's guard and every unsafe route the CSRF
  check, and `get_ticket_for_user` (`visit.ticket`) and `phone_for`, which apply the
  one access rule for tickets (`routing.access`).

Pages read and change tickets only through `grievance_engine` services.

The phone simulator's page, `templates/simulator.html.j2`, is served by
`nalish.simulator` at `/simulator`: it runs a USSD hop through `channels`, a sibling
layer this package may not import, so the route lives in `nalish`, the composition
root. Templates end in `.j2` so the wheel ships them (pyproject's package data).
"""
