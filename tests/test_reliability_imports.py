"""Imports under faults: two runs of the same file at once make no duplicates, and a run
killed with SIGKILL halfway leaves the database exactly as it was."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from reliability.harness import ROOT
from tests.test_import_aiddata import data_dir
from tests.test_reliability_kill import kill_at_midway, table_digests, target_url

from tests.reliability_support import reference_data  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def sample():
    return data_dir() / "gcdf3-malaysia.csv"


def command_env(url):
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dsr_project.test_settings"}


def start(url, *args):
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=command_env(url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def loan_rows(url):
    """(all loans, distinct AidData record ids) straight from the database."""
    if url.startswith("sqlite:///"):
        import sqlite3

        db = sqlite3.connect(url[len("sqlite:///"):])
        try:
            return db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT aiddata_record_id) FROM registry_loan WHERE aiddata_record_id IS NOT NULL"
            ).fetchone()
        finally:
            db.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT aiddata_record_id) FROM registry_loan WHERE aiddata_record_id IS NOT NULL"
        )
        return cursor.fetchone()


def test_two_imports_of_the_same_file_at_once_make_no_duplicates(sample, tmp_path):
    url = target_url(tmp_path)
    connection.close()
    first = start(url, "manage.py", "import_aiddata", str(sample))
    second = start(url, "manage.py", "import_aiddata", str(sample))
    results = [process.communicate(timeout=300) for process in (first, second)]
    codes = [first.returncode, second.returncode]
    # Both succeed (the second finds the first's records), or one is refused whole: never
    # half of each.
    assert 0 in codes, results
    for code, (out, err) in zip(codes, results):
        if code != 0:
            assert "Traceback" not in err, err
    total, distinct = loan_rows(url)
    assert total == distinct > 0

    # A third run changes nothing: the two left one complete import between them.
    before = table_digests(url)
    third = start(url, "manage.py", "import_aiddata", str(sample))
    out, err = third.communicate(timeout=300)
    assert third.returncode == 0, err
    after = table_digests(url)
    assert sorted(t for t in after if after[t] != before[t]) == []


def test_an_import_killed_halfway_changes_nothing(sample, tmp_path):
    url = target_url(tmp_path)
    connection.close()
    before = table_digests(url)
    process = start(url, "-m", "reliability.pause_midway", "sql:registry_loan", "1", "--", "import_aiddata", str(sample))
    kill_at_midway(process)
    time.sleep(0.5)
    assert table_digests(url) == before
