"""What the public routes need: a database session, and who is asking (the client
address, for rate limits; never stored)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from infra.db import get_engine


def _session() -> Iterator[Session]:
    # Routes commit what they change; anything uncommitted is rolled back on close.
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]


def client_address(request: Request) -> str:
    """The address the request came from (the proxy's, behind one: rate limits then
    count the proxy, which errs on the side of the citizen being served)."""
    return request.client.host if request.client else "unknown"
