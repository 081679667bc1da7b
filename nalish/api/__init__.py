"""The JSON API (`/api/v1`) for integrators: file, find, list and work tickets.

Callers authenticate with a bearer token made by `nalish tokens create`; the token's
role decides what it may do and which tickets it sees (`routing.access`, the
dashboards' rule too, applied by `deps.get_ticket_for_token`). Routes call the same
services as the dashboards and the CLI (`routing.intake`, `grievance_engine.actions`,
`routing.assignment`), so a ticket is worked the same way whoever works it.

- `deps.py`: the session, the current token, the access rules, the error type
- `schemas.py`: request and response bodies, as `/openapi.json` shows them
- `routes.py`: the endpoints
- `idempotency.py`: `Idempotency-Key`, every retry answered as the first request was
- `cli.py`: `nalish tokens create | list | revoke`
"""
