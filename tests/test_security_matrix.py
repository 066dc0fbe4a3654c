"""Every endpoint x method x role: anonymous never writes, a user without permission
neither, a Curator adds and changes but does not delete, an Editor does all three; a
revoked token fails everywhere. Nothing a refused request sends is written."""

import pytest
from django.contrib.auth.models import Group

from registry.api.views import ENDPOINTS
from registry.models import ApiToken
from tests.api_support import seed  # noqa: F401 - the fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

METHODS = ["GET list", "GET detail", "POST", "PUT", "PATCH", "DELETE"]
ROLES = ["anonymous", "no-permission", "curator", "editor", "revoked-token"]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def user_in(group, name):
    user = UserFactory(username=name, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def footprint(model):
    """Rows and history rows of the endpoint's model: unchanged after a refused write."""
    history = getattr(model, "history", None)
    return model._base_manager.count(), history.count() if history is not None else 0


@pytest.fixture
def as_role(client):
    def login(role):
        headers = {}
        if role == "no-permission":
            client.force_login(user_in(None, "nobody"))
        elif role == "curator":
            client.force_login(user_in("Curators", "matrix-curator"))
        elif role == "editor":
            client.force_login(user_in("Editors", "matrix-editor"))
        elif role == "revoked-token":
            token, raw = ApiToken.issue(user_in("Editors", "revoked-editor"), "matrix")
            token.revoke()
            headers["HTTP_AUTHORIZATION"] = f"Token {raw}"
        return headers

    return login


def call(client, method, prefix, record, headers):
    detail = f"/api/{prefix}/{record.pk}"
    if method == "GET list":
        return client.get(f"/api/{prefix}", **headers)
    if method == "GET detail":
        return client.get(detail, **headers)
    if method == "POST":
        return client.post(f"/api/{prefix}", {}, content_type="application/json", **headers)
    if method == "DELETE":
        return client.delete(detail, **headers)
    return client.generic(method, detail, "{}", content_type="application/json", **headers)


def expected(role, method, read_only):
    """The statuses allowed for this role and method."""
    if role == "revoked-token":
        return {401}
    if method.startswith("GET"):
        return {200}
    if role == "anonymous":
        return {401, 403}
    if role == "no-permission":
        return {403, 405} if read_only else {403}
    if read_only:
        return {403, 405}  # refused either way: no write permission, or no write method
    if role == "curator" and method == "DELETE":
        return {403}
    if method == "POST":
        return {400}  # allowed to add; the empty record is invalid
    if method == "DELETE":
        return {204, 409}  # 409 when other records still refer to it
    return {200, 400}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("prefix,viewset", ENDPOINTS, ids=[prefix for prefix, _ in ENDPOINTS])
def test_permission_matrix(client, seed, as_role, role, prefix, viewset):
    model = viewset.queryset.model
    read_only = "create" not in dir(viewset)
    headers = as_role(role)
    failures = []
    for method in METHODS:
        record = model._base_manager.order_by("pk").first()
        assert record is not None, f"the seed has no {model.__name__}"
        before = footprint(model)
        response = call(client, method, prefix, record, headers)
        allowed = expected(role, method, read_only)
        if response.status_code not in allowed:
            failures.append(f"{method} /api/{prefix}: {response.status_code}, expected {sorted(allowed)}")
        if response.status_code >= 400 and method in WRITES and footprint(model) != before:
            failures.append(f"{method} /api/{prefix}: refused with {response.status_code} but something was written")
    assert not failures, "\n".join(failures)


def test_anonymous_reads_are_throttled_with_429_and_retry_after(client, seed, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "5/minute"}}
    statuses = [client.get("/api/loans").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    limited = client.get("/api/loans")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "detail" in limited.json()


def test_a_token_works_until_it_is_revoked(client, seed):
    token, raw = ApiToken.issue(user_in("Editors", "soon-revoked"), "matrix")
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    assert client.patch("/api/camera-counts/" + str(seed_record_pk()), {}, content_type="application/json", **auth).status_code == 200
    token.revoke()
    refused = client.patch("/api/camera-counts/" + str(seed_record_pk()), {}, content_type="application/json", **auth)
    assert refused.status_code == 401
    assert client.get("/api/loans", **auth).status_code == 401


def seed_record_pk():
    from registry.models import CameraCount

    return CameraCount.objects.order_by("pk").values_list("pk", flat=True).first()
