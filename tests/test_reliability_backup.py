"""Backups: a round trip through backup_db and restore_db gives back the same rows and history."""

import hashlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from registry import models
from tests import factories

# The backup tools are other processes (pg_dump) or other transactions: rows must be committed.
from tests.reliability_support import reference_data  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def snapshot():
    """Every row of every table (history tables included): counts and a digest by model."""
    counts, digests = {}, {}
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._default_manager.order_by("pk").values_list())
        counts[model._meta.label] = len(rows)
        digests[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return counts, digests


def make_data():
    curator = factories.UserFactory(username="backup-curator")
    loan = factories.LoanFactory()
    factories.LoanPartyFactory(loan=loan)
    camera = factories.CameraCountFactory(count=1000)
    camera.count = 1234
    camera._change_reason = "corrected from the table"
    camera._history_user = curator
    camera.save()
    cable = factories.SubmarineCableFactory()
    factories.CableLandingFactory(cable=cable)
    return loan, camera


def test_backup_and_restore_round_trip_keeps_rows_and_history(tmp_path):
    loan, camera = make_data()
    before_counts, before = snapshot()
    assert camera.history.count() == 2
    assert before_counts["registry.HistoricalCameraCount"] >= 2

    suffix = "dump" if connection.vendor == "postgresql" else "json"
    backup = tmp_path / f"backup.{suffix}"
    call_command("backup_db", str(backup), verbosity=0)
    assert backup.stat().st_size > 0

    # Lose work after the backup: a delete, an edit, a new record.
    models.CameraCount.objects.filter(pk=camera.pk).delete()
    models.Loan.objects.filter(pk=loan.pk).update(amount=1)
    factories.CameraCountFactory(count=5)
    assert snapshot()[1] != before

    call_command("restore_db", str(backup), verbosity=0)
    after_counts, after = snapshot()
    assert after_counts == before_counts
    assert after == before
    restored = models.CameraCount.objects.get(pk=camera.pk)
    assert restored.count == 1234
    assert [h.count for h in restored.history.order_by("history_id")] == [1000, 1234]
    assert restored.history.latest().history_user.username == "backup-curator"


def test_a_backup_of_the_wrong_kind_is_refused(tmp_path):
    from django.core.management.base import CommandError

    wrong = tmp_path / "wrong.bin"
    if connection.vendor == "postgresql":
        wrong.write_text("[]")
    else:
        wrong.write_bytes(b"PGDMP\x01\x0e")
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("restore_db", str(wrong), verbosity=0)
    assert snapshot() == before
