"""Writes: who may (anonymous, a user without permission, a curator, an editor), with a
session or a token; validation as a 400 naming each field; the history with the user;
ETags and If-Match; throttling of anonymous clients; issuing tokens."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from registry import models as m
from registry.api.serializers import RecordSerializer
from registry.models.accounts import hash_token
from tests.api_support import seed  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def new_loan(**changes):
    data = {
        "slug": "new-loan",
        "title": "A new loan",
        "borrower_country": "PHL",
        "instrument": "loan",
        "amount": "1000000.00",
        "currency": "USD",
        "amount_usd": "1000000.00",
        "committed": "2021-01-01",
        "committed_precision": "year",
        "provenance": {"source": "orf-issue-brief-683", "locator": "p. 3"},
    }
    data.update(changes)
    return data


@pytest.fixture
def token_for():
    def issue(user):
        return m.ApiToken.issue(user, "tests")[1]

    return issue


def test_anonymous_reads_but_cannot_write(client, seed):
    assert client.get("/api/loans").status_code == 200
    response = client.post("/api/loans", new_loan(), content_type=JSON)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert client.patch(f"/api/loans/{seed.loan_ph.pk}", {"title": "x"}, content_type=JSON).status_code == 401
    assert client.delete(f"/api/loans/{seed.loan_ph.pk}").status_code == 401
    assert not m.Loan.objects.filter(slug="new-loan").exists()


def test_user_without_permission_is_refused(client, seed):
    client.force_login(UserFactory(username="reader"))
    assert client.get("/api/loans").status_code == 200
    assert client.post("/api/loans", new_loan(), content_type=JSON).status_code == 403
    assert client.patch(f"/api/loans/{seed.loan_ph.pk}", {"title": "x"}, content_type=JSON).status_code == 403
    assert client.delete(f"/api/loans/{seed.loan_ph.pk}").status_code == 403


def test_curator_creates_and_changes_with_history(client, seed, curator):
    client.force_login(curator)
    response = client.post("/api/loans", new_loan(), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["borrower_country"]["iso2"] == "PH" and body["provenance"]["source"]["slug"] == "orf-issue-brief-683"
    assert response["Location"] == body["url"] and type(response["Location"]) is str and response["ETag"]
    loan = m.Loan.objects.get(slug="new-loan")
    assert loan.history.first().history_user == curator

    response = client.patch(f"/api/loans/{loan.pk}", {"amount_usd": "2000000.00"}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["amount_usd"] == "2000000.00"
    latest = loan.history.first()
    assert latest.history_type == "~" and latest.history_user == curator and latest.amount_usd == 2000000

    # Curators add and change; deleting is an Editor's permission.
    assert client.delete(f"/api/loans/{loan.pk}").status_code == 403


def test_editor_deletes_with_history(client, seed, editor):
    client.force_login(editor)
    assert client.delete(f"/api/camera-counts/{seed.cams_in_dahua.pk}").status_code == 204
    deleted = m.CameraCount.history.filter(id=seed.cams_in_dahua.pk).first()
    assert deleted.history_type == "-" and deleted.history_user == editor


def test_protected_delete_is_a_409(client, seed, editor):
    client.force_login(editor)
    response = client.delete(f"/api/organizations/{seed.exim.pk}")
    assert response.status_code == 409
    assert m.Organization.objects.filter(pk=seed.exim.pk).exists()


def test_token_auth(client, seed, curator, token_for):
    raw = token_for(curator)
    assert m.ApiToken.objects.filter(key_hash=hash_token(raw)).exists()
    assert not m.ApiToken.objects.filter(key_hash=raw).exists()
    response = client.post("/api/loans", new_loan(), content_type=JSON, HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 201, response.content
    assert m.Loan.objects.get(slug="new-loan").history.first().history_user == curator
    assert m.ApiToken.objects.get(key_hash=hash_token(raw)).last_used is not None


def test_bad_and_revoked_tokens_fail(client, seed, curator, token_for):
    raw = token_for(curator)
    bad = client.post("/api/loans", new_loan(), content_type=JSON, HTTP_AUTHORIZATION="Token dsr_not-a-token")
    assert bad.status_code == 401
    m.ApiToken.objects.get(key_hash=hash_token(raw)).revoke()
    revoked = client.post("/api/loans", new_loan(), content_type=JSON, HTTP_AUTHORIZATION=f"Token {raw}")
    assert revoked.status_code == 401
    # A revoked token does not even read (it is an error, not anonymity).
    assert client.get("/api/loans", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert not m.Loan.objects.filter(slug="new-loan").exists()


def test_issue_token_command(client, seed, curator):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", "curator", "--name", "nightly import", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = m.ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.name == "nightly import" and token.user == curator and raw not in err.getvalue()
    response = client.post("/api/loans", new_loan(), content_type=JSON, HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": "-5"}, "amount"),
        ({"borrower_country": "XX"}, "borrower_country"),
        ({"instrument": "no-such-instrument"}, "instrument"),
        ({"currency": "ZZZ"}, "currency"),
        ({"slug": "exim-philippines"}, "slug"),
        ({"slug": "not a slug!"}, "slug"),
        ({"committed": "last year"}, "committed"),
        ({"committed_precision": ""}, "non_field_errors"),
        ({"currency": None}, "non_field_errors"),
        ({"provenance": {"source": "no-such-source"}}, "provenance"),
        ({"provenance": {"source": "orf-issue-brief-683", "confidence": "certain"}}, "provenance"),
        ({"provenance": None}, "provenance"),
    ],
)
def test_invalid_writes_are_a_400_naming_the_field(client, seed, curator, changes, field):
    client.force_login(curator)
    response = client.post("/api/loans", new_loan(**changes), content_type=JSON)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not m.Loan.objects.filter(title="A new loan").exists()


def test_several_bad_fields_are_all_named(client, seed, curator):
    client.force_login(curator)
    body = client.post("/api/loans", new_loan(amount="-1", borrower_country="XX"), content_type=JSON).json()
    assert {"amount", "borrower_country"} <= set(body)


def test_database_refusal_is_a_400_not_a_500(client, seed, curator, monkeypatch):
    # Should a constraint slip past validation, the database's refusal is still a 400.
    monkeypatch.setattr(RecordSerializer, "validate", lambda self, attrs: attrs)
    client.force_login(curator)
    response = client.post("/api/loans", new_loan(currency=None), content_type=JSON)
    assert response.status_code == 400 and "non_field_errors" in response.json()
    with pytest.raises(IntegrityError), transaction.atomic():  # the same write outside the API
        m.Loan.objects.create(
            slug="raw", title="raw", borrower_country=seed.loan_ph.borrower_country, instrument=seed.loan_instrument,
            amount=1, source=seed.brief,
        )


def test_only_an_editor_verifies(client, seed, curator, editor):
    path = f"/api/agreements/{seed.mou_ph.pk}"
    client.force_login(curator)
    refused = client.patch(path, {"provenance": {"review_status": "verified"}}, content_type=JSON)
    assert refused.status_code == 400 and "review_status" in refused.json()["provenance"]
    client.force_login(editor)
    verified = client.patch(path, {"provenance": {"review_status": "verified"}}, content_type=JSON)
    assert verified.status_code == 200, verified.content
    assert verified.json()["provenance"]["verified_by"] == "editor"


def test_etag_flow(client, seed, curator):
    path = f"/api/loans/{seed.loan_pg.pk}"
    first = client.get(path)
    etag = first["ETag"]
    assert etag.startswith('"') and client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200

    client.force_login(curator)
    changed = client.patch(path, {"title": "First edit"}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    new_etag = changed["ETag"]
    assert new_etag != etag and client.get(path)["ETag"] == new_etag

    # A second client still holding the first ETag cannot overwrite the edit unseen.
    stale = client.patch(path, {"title": "Second edit"}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    stale_put = client.put(path, {**first.json(), "title": "Third"}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert stale_put.status_code == 412
    seed.loan_pg.refresh_from_db()
    assert seed.loan_pg.title == "First edit"
    assert seed.loan_pg.history.count() == 2


def test_stale_delete_is_a_412(client, seed, editor):
    path = f"/api/camera-counts/{seed.cams_vn_hik.pk}"
    etag = client.get(path)["ETag"]
    client.force_login(editor)
    assert client.patch(path, {"count": 151484}, content_type=JSON).status_code == 200
    assert client.delete(path, HTTP_IF_MATCH=etag).status_code == 412
    assert m.CameraCount.objects.filter(pk=seed.cams_vn_hik.pk).exists()
    assert client.delete(path, HTTP_IF_MATCH=client.get(path)["ETag"]).status_code == 204


def test_put_round_trips_what_get_returns(client, seed, curator):
    client.force_login(curator)
    path = f"/api/cables/{seed.peace.pk}"
    record = client.get(path).json()
    response = client.put(path, {**record, "length_km": "15800.0"}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["length_km"] == "15800.0"


def test_countries_are_read_only(client, superuser):
    client.force_login(superuser)
    assert client.post("/api/countries", {"iso2": "XK"}, content_type=JSON).status_code == 405


def test_anonymous_clients_are_throttled(client, settings, curator):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    assert [client.get("/api/countries").status_code for _ in range(3)] == [200, 200, 200]
    throttled = client.get("/api/countries")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    client.force_login(curator)
    assert client.get("/api/countries").status_code == 200


def test_no_self_verification(client, seed, editor, settings):
    settings.DSR_FORBID_SELF_VERIFY = True
    client.force_login(editor)
    path = f"/api/agreements/{seed.mou_kh_2015.pk}"
    assert client.patch(path, {"name": "Edited"}, content_type=JSON).status_code == 200
    refused = client.patch(path, {"provenance": {"review_status": "verified"}}, content_type=JSON)
    assert refused.status_code == 400 and "review_status" in refused.json()["provenance"]


def test_browsable_api_renders(client, seed, superuser):
    for path in ("/api/", "/api/loans", f"/api/loans/{seed.loan_ph.pk}", f"/api/cables/{seed.peace.pk}"):
        assert client.get(path, HTTP_ACCEPT="text/html").status_code == 200, path
    client.force_login(superuser)
    for path in ("/api/loans", f"/api/loans/{seed.loan_ph.pk}", f"/api/camera-counts/{seed.cams_vn_total.pk}"):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
