"""SLA policies, business calendars, the escalation ladder and its periodic sweeps.

Empty until the escalation issue lands; it sits between `menus` and `routing` in the
import layers.
"""
