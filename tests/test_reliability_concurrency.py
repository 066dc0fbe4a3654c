"""Two clients at the same moment: the API's If-Match and the admin's edit guard let
one change through and refuse the other; the first change stands.

Threads with their own database connections need a real concurrent database: these run
on PostgreSQL (the sequential versions are in test_api_writes and test_admin_history)."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from registry.models import CameraCount
from tests import factories
from tests.reliability_support import reference_data  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def both_at_once(*actions):
    """Run the actions in threads released together; their results, in order."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait(10)
            results[i] = action()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def editor(name):
    user = factories.UserFactory(username=name, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL here (SQLite's test database is in memory)")


@pytest.mark.parametrize("attempt", range(3))
def test_same_etag_at_once_one_200_one_412_first_change_stands(postgres_only, attempt):
    record = factories.CameraCountFactory(count=100)
    first, second = editor(f"api-a-{attempt}"), editor(f"api-b-{attempt}")
    url = f"/api/camera-counts/{record.pk}"
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag

    def patch(client, count):
        return lambda: client.patch(url, {"count": count}, content_type="application/json", HTTP_IF_MATCH=etag)

    a, b = both_at_once(patch(first, 111), patch(second, 222))
    statuses = sorted([a.status_code, b.status_code])
    assert statuses == [200, 412], (a.content, b.content)
    winner = 111 if a.status_code == 200 else 222
    record.refresh_from_db()
    assert record.count == winner
    assert [h.count for h in record.history.order_by("history_id")] == [100, winner]


def test_two_admin_saves_at_once_the_second_is_refused(postgres_only):
    from tests.admin_forms import change_form_data

    record = factories.CameraCountFactory(count=100, city="Hanoi")
    first, second = editor("admin-a"), editor("admin-b")
    url = f"/admin/registry/cameracount/{record.pk}/change/"
    data_a = change_form_data(first, url, count="111")
    data_b = change_form_data(second, url, count="222")

    a, b = both_at_once(lambda: first.post(url, data_a), lambda: second.post(url, data_b))
    statuses = sorted([a.status_code, b.status_code])
    assert statuses == [200, 302], statuses  # one saved and redirected, one form shown again
    refused = a if a.status_code == 200 else b
    assert "after you opened it" in refused.content.decode() or "changed" in refused.content.decode()
    winner = 111 if a.status_code == 302 else 222
    record.refresh_from_db()
    assert record.count == winner
    assert CameraCount.history.filter(id=record.pk).count() == 2
