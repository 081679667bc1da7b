"""Telecom adapters: one folder per provider, the same shape in each.

Each provider folder (`africastalking/`, `twilio/`, `httpgateway/`) holds `routes.py` (webhooks:
verify, parse, normalise, hand to `menus`), `parsing.py` and `transport.py` (outbound
SMS raising `TransportError(permanent=…)`), with the provider's docs linked in its
module docstring. `console/` is the development transport. Shared by every provider:
the inbound SMS pipeline (`inbound`), delivery reports (`delivery`) and the channel log
(`channel_log`). Knows nothing of ticket rules.
"""
