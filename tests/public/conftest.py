"""The public interfaces as outsiders reach them: the real app under uvicorn (`nalish
serve`) on a fresh SQLite file, migrated and seeded, tokens made with the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.private_servers import free_port, nalish_serving

EXAMPLE_CAMPAIGNS = Path(__file__).resolve().parents[2] / "menus" / "definitions" / "examples"


@dataclass
class Server:
    """The real app under uvicorn, and the CLI against the same database."""

    url: str
    env: dict[str, str]
    home: Path

    def nalish(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        answer = subprocess.run(
            [sys.executable, "-m", "nalish", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check:
            assert answer.returncode == 0, f"`nalish {' '.join(args)}` failed:\n{answer.stderr}"
        return answer

    def token(self, role: str = "agent") -> str:
        made = self.nalish(
            "tokens", "create", "--name", f"open311-{role}", "--role", role, "--json"
        )
        return json.loads(made.stdout)["token"]

    def ticket(self, ref: str) -> dict:
        return json.loads(self.nalish("tickets", "show", ref, "--json").stdout)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("public")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"NALISH_REDIS_URL", "NALISH_REDIS_PREFIX", "NALISH_ENV"}
    }
    env.update(
        NALISH_DATABASE_URL=f"sqlite:///{home / 'nalish.db'}",
        NALISH_COUNTRY="BD",
        NALISH_SMS_TRANSPORT="console",
        NALISH_SECRET_KEY="public-test-secret-key-0123456789",
        NALISH_OPEN_DATA_DIR=str(home / "open-data"),
        NALISH_TRACK_LIMIT_PER_MINUTE="1000",
        NALISH_MENUS_DIR=str(EXAMPLE_CAMPAIGNS),  # food relief: a service with attributes
    )
    port = free_port()
    found = Server(url=f"http://127.0.0.1:{port}", env=env, home=home)
    found.nalish("db", "upgrade")
    found.nalish("seed")
    found.nalish("menus", "sync")
    with nalish_serving(env, port, home / "serve.log"):
        yield found
