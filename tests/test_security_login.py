"""Admin login attempts are rate-limited per username and per client address."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, ip="10.9.8.7"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_failed_logins_lock_the_username_out_with_429_and_retry_after(client, settings):
    settings.DSR_LOGIN_MAX_FAILURES = 3
    user = UserFactory(username="curator1", is_staff=True)
    user.set_password("right-password-123")
    user.save()
    for _ in range(3):
        assert login(client, "curator1", "wrong").status_code == 200  # the form again
    blocked = login(client, "curator1", "right-password-123")
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= settings.DSR_LOGIN_WINDOW_SECONDS
    assert "Too many failed login attempts" in blocked.content.decode()
    # Another account from another address is not affected.
    other = UserFactory(username="curator2", is_staff=True)
    other.set_password("other-password-456")
    other.save()
    assert login(client, "curator2", "other-password-456", ip="10.1.1.1").status_code == 302


def test_one_address_trying_many_usernames_is_blocked(client, settings):
    settings.DSR_LOGIN_MAX_FAILURES_PER_IP = 4
    for n in range(4):
        assert login(client, f"user{n}", "wrong").status_code == 200
    assert login(client, "someone-else", "wrong").status_code == 429
    assert login(client, "someone-else", "wrong", ip="10.2.2.2").status_code == 200


def test_a_successful_login_clears_the_username_count(client, settings):
    settings.DSR_LOGIN_MAX_FAILURES = 3
    user = UserFactory(username="curator3", is_staff=True)
    user.set_password("right-password-123")
    user.save()
    login(client, "curator3", "wrong")
    login(client, "curator3", "wrong")
    assert login(client, "curator3", "right-password-123").status_code == 302
    client.logout()
    login(client, "curator3", "wrong")
    login(client, "curator3", "wrong")
    assert login(client, "curator3", "right-password-123").status_code == 302


def test_the_lock_ends_when_the_window_has_passed(client, settings, monkeypatch):
    import time

    settings.DSR_LOGIN_MAX_FAILURES = 2
    settings.DSR_LOGIN_WINDOW_SECONDS = 60
    login(client, "x", "wrong")
    login(client, "x", "wrong")
    assert login(client, "x", "wrong").status_code == 429
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert login(client, "x", "wrong").status_code == 200
