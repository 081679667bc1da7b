"""SLA policies, business calendars, the escalation ladder and its periodic sweeps.

It sits between `menus` and `routing` in the import layers. So far it holds the pure,
database-free core:

- `escalation.calendar`: `BusinessCalendar` (zone, weekend, working hours, holidays,
  24×7) and exact deadline arithmetic across weekends, holidays and DST, with the
  `bangladesh()`, `kenya()` and `twenty_four_seven()` presets.
- `escalation.holidays`: public holidays from CSV or iCalendar files, and the bundled
  lists in `escalation/data/holidays/`.
- `escalation.policies`: `SlaTarget`, `SlaPolicy`, `DEFAULT_POLICIES` (GRS's 30 and 20
  working days; 1 and 24 hours for child marriage and violence against women and
  children) and `deadline_for()`.
"""
