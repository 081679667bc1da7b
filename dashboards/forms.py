"""The dashboard's forms. Each is a Pydantic model that a route reads with
`form: Annotated[SomeForm, Form()]`: FastAPI answers 422 for a field over its limit
before the route runs, and `form.model_dump()` is what a page shows again after a
mistake.

The fields several forms share are typed here once, so one kind of input has one limit
wherever it is typed. A limit bounds what is read, with room for what people type
around a value (spaces, a country prefix); the domain checks the value itself.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

# An office's code, as `Office.code` (the office form, routing rules, people).
OfficeCode = Annotated[str, Field(max_length=40)]
# A district's or upazila's name as a person types it (routing rules, people, offices).
AreaName = Annotated[str, Field(max_length=100)]
# A rung of the ladder, upazila to national (offices, SLA policies).
Level = Annotated[str, Field(max_length=16)]
# A phone number as typed, before it becomes E.164 (offices, people).
Phone = Annotated[str, Field(max_length=30)]
# A sign-in email, at most RFC 5321's 254 characters (people, the sign-in form).
Email = Annotated[str, Field(max_length=254)]
# Text as typed, without the spaces around it (the ticket page's transfer, status and
# reply forms: what is checked and stored is the stripped text).
Stripped = Annotated[str, StringConstraints(strip_whitespace=True)]
