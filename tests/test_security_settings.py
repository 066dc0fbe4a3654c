"""Production settings: check --deploy is clean, errors never show internals, headers are set."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dsr.example.org",
    "DJANGO_SETTINGS_MODULE": "dsr_project.settings",
}


# Settings the test run sets for itself; production leaves them at their defaults.
TEST_ONLY = {"SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args, env_overrides=None):
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_the_app_refuses_to_start_without_a_secret_key_in_production():
    result = run_manage("check", env_overrides={"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_harden_cookies_and_headers():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY,"
        " s.SESSION_COOKIE_HTTPONLY)"
    )
    result = run_manage("shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000", "True", "DENY", "True", "same-origin", "True"]


def test_secrets_come_only_from_the_environment():
    settings_text = (ROOT / "dsr_project" / "settings.py").read_text()
    # The only literal key is the development one, used when DEBUG is on.
    assert settings_text.count("SECRET_KEY = ") == 2
    assert 'SECRET_KEY = os.environ.get("SECRET_KEY", "")' in settings_text
    assert "django-insecure-development-only" in settings_text


@pytest.fixture
def faulty_urls(settings):
    settings.ROOT_URLCONF = "tests.urls_faults"
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/boom", "/api/boom"])
def test_an_error_shows_no_stack_trace_or_settings(faulty_urls, path):
    client = Client(raise_request_exception=False)
    response = client.get(path)
    assert response.status_code == 500
    body = response.content.decode()
    for leak in ("SECRET-INTERNAL-DETAIL", "Traceback", "SECRET_KEY", "DATABASES", "Boom", "settings"):
        assert leak not in body
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/json"
        assert response.json()["status"] == 500
    else:
        assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_not_found_is_json_under_the_api_and_plain_elsewhere(faulty_urls):
    client = Client()
    api = client.get("/api/no-such-endpoint-at-all/")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not found.", "status": 404}
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_security_headers_are_sent(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/health", secure=True)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_admin_pages_cannot_be_framed(client):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "DENY"
