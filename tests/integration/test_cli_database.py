"""`labshare serve`, `migrate` and `demo` on a database that cannot be used: exit 2 with one line
that names the database (never its password) and what to do — no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults import free_port


def _run(url: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *command], capture_output=True, text=True, timeout=60,
        env={**os.environ, "LABSHARE_DATABASE_URL": url},
    )


@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("migrate",), ("demo",)])
def test_unreachable_postgresql(command: tuple[str, ...]) -> None:
    url = f"postgresql://labshare:s3cr3t-pw@127.0.0.1:{free_port()}/labshare"
    done = _run(url, *command)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "postgresql://labshare@127.0.0.1" in lines[0] and "s3cr3t-pw" not in done.stderr
    assert "start the database" in lines[0]
    assert "Traceback" not in done.stdout + done.stderr


def test_missing_postgresql_database() -> None:
    admin = os.environ.get("LABSHARE_TEST_POSTGRES",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
    done = _run(admin.rsplit("/", 1)[0] + "/labshare_no_such_database", "migrate")
    if "cannot reach" in done.stderr and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not running here")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "does not exist" in done.stderr and "labshare_no_such_database" in done.stderr


def test_sqlite_path_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    done = _run(f"sqlite:///{blocker}/labshare.sqlite3", "serve", "--port", "0")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(blocker) in lines[0], done.stderr
    assert "directory" in lines[0] and "Traceback" not in done.stderr
