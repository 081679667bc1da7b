"""SLA policies, business calendars, the escalation ladder and its periodic sweeps.

It sits between `menus` and `routing` in the import layers:

- `escalation.calendar`: `BusinessCalendar` (zone, weekend, working hours, holidays,
  24×7) and exact deadline arithmetic across weekends, holidays and DST, with the
  `bangladesh()`, `kenya()` and `twenty_four_seven()` presets.
- `escalation.holidays`: public holidays from CSV or iCalendar files, and the bundled
  lists in `escalation/data/holidays/`.
- `escalation.policies`: `SlaTarget`, `SlaPolicy`, `DEFAULT_POLICIES` (GRS's 30 and 20
  working days; 1 and 24 hours for child marriage and violence against women and
  children) and `deadline_for()`.
- `escalation.catalogue`: the deployment's calendar and policies, cached per process.
- `escalation.deadlines`: each ticket's clock (`sla_due_at`, `reminder_due_at`,
  `rating_due_at`), kept through `grievance_engine.hooks` (`install()`).
- `escalation.ladder`: upazila → district → division → national, one rung at a time.
- `escalation.sweep`: the periodic sweep that escalates, reminds and closes.
- `escalation.notify`: officers' digests and the citizen's SMS about an escalation.
- `escalation.ratings`: the citizen's 0–5 answer to the resolution SMS.
"""
