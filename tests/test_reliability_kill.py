"""A loaddata killed with SIGKILL halfway leaves the database exactly as it was."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from django.core import serializers
from django.db import connection

from registry import models
from reliability.harness import ROOT, database_url
from tests import factories

# The loader is another process: it must see committed rows, and we must see its.
from tests.reliability_support import reference_data  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

ROWS = 400


def table_digests(url):
    """Every table's rows, as a digest per table, read straight from the database."""
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url[len("sqlite:///"):])
        try:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {t: hashlib.sha256(repr(db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()).encode()).hexdigest() for t in tables}
        finally:
            db.close()
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def target_url(tmp_path):
    """A DATABASE_URL another process can use: the test database itself, or for SQLite
    (whose test database lives in memory) a file copy of it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    return database_url(connection.settings_dict)


def write_fixture(path):
    from django.utils import timezone

    now = timezone.now()
    source = factories.SourceFactory(slug="kill-test-source")
    country = factories.CountryRef(iso2="VN")
    rows = [
        models.CameraCount(
            slug=f"kill-test-{n}", country=country, source=source, locator=f"row {n}", count=n,
            measure=models.CameraMeasure.CAMERAS, created=now, updated=now,
        )
        for n in range(ROWS)
    ]
    path.write_text(serializers.serialize("json", rows, use_natural_foreign_keys=True))


def run_loaddata(url, fixture, stop_after):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dsr_project.test_settings"}
    return subprocess.Popen(
        [sys.executable, "-m", "reliability.pause_midway", "registry.CameraCount", str(stop_after), "--", "loaddata", str(fixture)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def kill_at_midway(process):
    """SIGKILL a child process once it says it is halfway through its transaction."""
    try:
        line = process.stdout.readline()
        assert line.strip() == "MIDWAY", process.stderr.read()
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL


def test_loaddata_killed_halfway_changes_nothing(tmp_path):
    fixture = tmp_path / "cameras.json"
    write_fixture(fixture)
    target = target_url(tmp_path)
    connection.close()
    before = table_digests(target)

    process = run_loaddata(target, fixture, stop_after=ROWS // 2)
    kill_at_midway(process)
    assert table_digests(target) == before

    # The same load, left to finish, does write: the test above did kill it midway.
    finished = run_loaddata(target, fixture, stop_after=ROWS + 1)
    out, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err
    after = table_digests(target)
    assert after != before
    changed = {table for table in after if after[table] != before[table]}
    assert "registry_cameracount" in changed
