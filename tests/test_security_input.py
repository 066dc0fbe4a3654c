"""Bad input at the edge: oversized bodies get a 413 with a message, a database outage a 503."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_(settings):
    settings.ROOT_URLCONF = "tests.urls_faults"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_an_oversized_json_body_is_refused_with_413_before_it_is_read(client_, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_.post("/api/echo", data=b'{"a": "' + b"x" * 5000 + b'"}', content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert "1000 bytes" in response.json()["detail"]


def test_a_body_within_the_limit_is_read(client_, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_.post("/api/echo", data=b'{"a": 1}', content_type="application/json")
    assert response.status_code == 200


def test_an_oversized_upload_is_refused_with_413(client_, settings):
    settings.DSR_MAX_UPLOAD_SIZE = 10_000
    upload = SimpleUploadedFile("bomb.csv", b"a,b,c\n" * 10_000, content_type="text/csv")
    response = client_.post("/echo", {"file": upload})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "too large" in response.content.decode()


def test_an_upload_under_the_upload_limit_may_exceed_the_form_limit(client_, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DSR_MAX_UPLOAD_SIZE = 100_000
    upload = SimpleUploadedFile("rows.csv", b"a,b,c\n" * 1000, content_type="text/csv")
    assert client_.post("/echo", {"file": upload}).status_code == 200


def test_form_fields_over_the_memory_limit_are_413_not_400(client_, settings):
    # Django raises RequestDataTooBig (a 400 by default) when form fields exceed the limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DSR_MAX_UPLOAD_SIZE = 100_000
    upload = SimpleUploadedFile("a.csv", b"a\n", content_type="text/csv")
    response = client_.post("/echo", {"file": upload, "note": "x" * 5000})
    assert response.status_code == 413


def test_form_fields_over_the_limit_on_a_csrf_protected_login_are_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DSR_MAX_UPLOAD_SIZE = 100_000
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    upload = SimpleUploadedFile("a.csv", b"a\n", content_type="text/csv")
    response = client.post("/admin/login/", {"file": upload, "username": "x" * 5000})
    assert response.status_code == 413


def test_a_malformed_content_length_is_a_400(client_):
    response = client_.generic("POST", "/api/echo", b"{}", content_type="application/json", CONTENT_LENGTH="abc")
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/db-down", "/db-down"])
def test_a_database_outage_is_a_503_with_retry_after(client_, path):
    response = client_.get(path)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "SECRET-INTERNAL-DETAIL" not in response.content.decode()
    if path.startswith("/api/"):
        assert response.json()["detail"].startswith("The database is unavailable")


def test_invalid_utf8_in_the_query_string_is_not_a_5xx(client_):
    response = client_.get("/api/echo", QUERY_STRING="q=%ff%fe%80")
    assert response.status_code < 500
