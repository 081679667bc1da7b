"""The operator's housekeeping commands, run as the real CLI on a fresh SQLite file:
`nalish --version`, `nalish db current|history|downgrade`, `nalish audit heads --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest


@pytest.fixture
def nalish(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NALISH_")}
    env["NALISH_DATABASE_URL"] = f"sqlite:///{tmp_path / 'nalish.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "nalish", *args],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    return run


def test_version_prints_the_installed_version(nalish):
    assert nalish("--version").stdout.strip() == f"nalish {version('nalish')}"


def test_db_current_history_and_downgrade_walk_the_migrations(nalish):
    nalish("db", "upgrade")
    history = nalish("db", "history").stdout
    head = history.splitlines()[0].split(" -> ")[1].split(" ")[0]
    previous = history.splitlines()[0].split(" -> ")[0]
    assert nalish("db", "current").stdout.strip() == f"{head} (head)"
    nalish("db", "downgrade", previous)
    assert nalish("db", "current").stdout.strip() == previous
    nalish("db", "upgrade")
    assert nalish("db", "current").stdout.strip() == f"{head} (head)"


def test_audit_heads_json_names_the_chains_latest_hashes(nalish):
    nalish("db", "upgrade")
    nalish("seed", "--demo")
    heads = json.loads(nalish("audit", "heads", "--json").stdout)
    assert heads["tickets"] > 0 and heads["events"] >= heads["tickets"]
    assert len(heads["tickets_digest"]) == 64
    assert {"at", "admin_changes", "admin_head"} <= set(heads)
    again = json.loads(nalish("audit", "heads", "--json").stdout)
    assert again["tickets_digest"] == heads["tickets_digest"]
