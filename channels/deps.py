"""Typed FastAPI dependencies shared by the channel routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from infra.locks import Locks
from infra.session_store import SessionStore
from infra.settings import Settings, get_settings


def _session_store(request: Request) -> SessionStore:
    return request.app.state.session_store


def _locks(request: Request) -> Locks:
    return request.app.state.locks


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionStoreDep = Annotated[SessionStore, Depends(_session_store)]
LocksDep = Annotated[Locks, Depends(_locks)]
