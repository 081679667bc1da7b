"""`nalish backup` under load, the database dropped, `nalish restore`: the audit chains
verify and the counts are the backup's (nalish.backup), on SQLite and on PostgreSQL.

The real CLI runs in a subprocess while a thread of this process keeps filing
complaints into the same database, as a helpline would at any hour.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from infra import db
from tests import services
from tests.nalish.test_audit_cli import _file, _sql


class Filing(threading.Thread):
    """Files complaints one after another until stopped; counts them."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.filed = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                _file(f"Tubewell broken, complaint {self.filed} filed during the backup")
                self.filed += 1
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error


def _drop(backend) -> None:
    db.dispose_engines()
    url = backend.env["NALISH_DATABASE_URL"]
    if backend.kind == "embedded":
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        services.drop_database(url)


def test_a_backup_taken_under_load_restores_and_verifies(backend, tmp_path, monkeypatch):
    media = tmp_path / "media"
    monkeypatch.setenv("NALISH_MEDIA_DIR", str(media))
    (media / "ab").mkdir(parents=True)
    (media / "ab" / "abcdef.amr").write_bytes(b"#!AMR\n recording of a complaint")
    for number in range(5):
        _file(f"Complaint {number} before the backup")
    load = Filing()
    load.start()
    try:
        taken = backend.nalish("backup", str(tmp_path / "backup"))
    finally:
        load.stop.set()
        load.join(timeout=60)
    assert load.error is None, load.error
    assert load.filed > 0  # complaints were being filed while the backup ran
    assert "Backed up to" in taken.stdout
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    kept_heads = json.loads((tmp_path / "backup" / "audit-heads.json").read_text())
    assert kept_heads == manifest["heads"]
    assert manifest["heads"]["tickets"] >= 5

    _drop(backend)
    (media / "ab" / "abcdef.amr").unlink()

    restored = backend.nalish("restore", str(tmp_path / "backup"))
    assert "heads match" in restored.stdout
    verified = json.loads(backend.nalish("audit", "verify", "--json").stdout)
    assert verified["intact"] is True
    assert verified["tickets"] == manifest["heads"]["tickets"]
    assert verified["events"] == manifest["heads"]["events"]
    assert _sql(backend, "SELECT count(*) FROM ticket")[0][0] == manifest["counts"]["ticket"]
    heads = json.loads(backend.nalish("audit", "heads", "--json").stdout)
    assert heads["tickets_digest"] == manifest["heads"]["tickets_digest"]
    assert (media / "ab" / "abcdef.amr").read_bytes() == b"#!AMR\n recording of a complaint"
    db.dispose_engines()


def test_a_restore_whose_heads_differ_from_the_backup_exits_1(backend, tmp_path, monkeypatch):
    monkeypatch.setenv("NALISH_MEDIA_DIR", str(tmp_path / "media"))
    _file("A complaint so the chains have a head")
    backend.nalish("backup", str(tmp_path / "backup"))
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["heads"]["tickets_digest"] = "0" * 64  # as if the database were swapped
    manifest_path.write_text(json.dumps(manifest))
    refused = backend.nalish("restore", str(tmp_path / "backup"), check=False)
    assert refused.returncode == 1
    assert "does not match the backup: tickets_digest" in refused.stderr


def test_a_backup_refuses_a_directory_that_is_not_empty(backend, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    refused = backend.nalish("backup", str(tmp_path / "old"), check=False)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    db.dispose_engines()
