"""Request guards: size limits, a database that is down, login attempts.

- A request body larger than the limit is refused with 413 before it is read.
- A query parameter holding a NUL character is a 400 (no text column can hold one).
- A database that cannot be reached answers 503 with a JSON body and a Retry-After,
  instead of a 500 page; the next request tries again (conn_health_checks), so the app
  recovers by itself when the database is back.
- Failed logins are counted per username and per client address; past the limit the
  admin login answers 429 with a Retry-After until the window has passed.
"""

import logging
import math
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.urls import reverse

logger = logging.getLogger("registry.reliability")

DATABASE_ERRORS = (OperationalError, InterfaceError)
DB_RETRY_AFTER = 5


def wants_json(request):
    path = request.path_info or ""
    accept = request.META.get("HTTP_ACCEPT", "")
    return path.startswith("/api/") or path == "/health" or "application/json" in accept


def error_response(request, status, message, **headers):
    """A short error: JSON for API clients, plain text elsewhere. Never a stack trace."""
    if wants_json(request):
        response = JsonResponse({"detail": message, "status": status}, status=status)
    else:
        response = HttpResponse(f"{status}: {message}\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def database_unavailable(request):
    return error_response(
        request, 503, "The database is unavailable. Try again shortly.", Retry_After=str(DB_RETRY_AFTER)
    )


def too_large(request, limit):
    return error_response(
        request,
        413,
        f"Request body too large: the limit is {limit} bytes ({limit // (1024 * 1024)} MiB).",
    )


def body_limit(request):
    """Uploads (multipart) may be larger than other bodies."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        return settings.DSR_MAX_UPLOAD_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestGuardMiddleware:
    """Put first in MIDDLEWARE. Refuses oversized bodies; turns database outages into 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, 400, "Content-Length is not a number.")
        limit = body_limit(request)
        if limit is not None and length > limit:
            return too_large(request, limit)
        if any("\x00" in text for key, values in request.GET.lists() for text in (key, *values)):
            # PostgreSQL text cannot hold it: a filter on it would fail in the database.
            return error_response(request, 400, "A query parameter holds a NUL character (%00).")
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("database unavailable: %s", exception)
            return database_unavailable(request)
        if isinstance(exception, RequestDataTooBig):
            return too_large(request, body_limit(request))
        if isinstance(exception, RecursionError):
            return error_response(request, 400, "The request body is nested too deeply.")
        return None


# Login rate limiting. Counts live in the default cache (per process with the local
# memory cache; set CACHES to a shared cache to count across gunicorn workers).


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request, username):
    keys = [f"dsr:login-fail:ip:{client_ip(request)}"]
    if username:
        keys.append(f"dsr:login-fail:user:{username.strip().lower()[:150]}")
    return keys


def _limits():
    return {"ip": settings.DSR_LOGIN_MAX_FAILURES_PER_IP, "user": settings.DSR_LOGIN_MAX_FAILURES}


def login_blocked_for(request, username):
    """Seconds until a login for this username from this address may be tried again, or 0."""
    now = time.time()
    limits = _limits()
    wait = 0
    for key in _keys(request, username):
        entry = cache.get(key)
        if not entry:
            continue
        kind = key.split(":")[2]
        if entry["count"] >= limits[kind]:
            wait = max(wait, entry["until"] - now)
    return math.ceil(wait) if wait > 0 else 0


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    window = settings.DSR_LOGIN_WINDOW_SECONDS
    now = time.time()
    for key in _keys(request, credentials.get("username", "")):
        entry = cache.get(key)
        if not entry or entry["until"] <= now:
            entry = {"count": 0, "until": now + window}
        entry["count"] += 1
        cache.set(key, entry, timeout=math.ceil(entry["until"] - now) + 1)


@receiver(user_logged_in)
def forget_failed_logins(sender, request=None, user=None, **kwargs):
    if request is not None and user is not None:
        cache.delete(f"dsr:login-fail:user:{user.get_username().strip().lower()[:150]}")


class LoginRateLimitMiddleware:
    """Refuses login posts (admin and DRF's browsable login) once too many have failed."""

    LOGIN_URL_NAMES = ("admin:login", "rest_framework:login")

    def __init__(self, get_response):
        self.get_response = get_response
        self._login_paths = None

    def login_paths(self):
        if self._login_paths is None:
            paths = set()
            for name in self.LOGIN_URL_NAMES:
                try:
                    paths.add(reverse(name))
                except Exception:  # noqa: BLE001 - a login view that is not installed
                    pass
            self._login_paths = paths
        return self._login_paths

    def __call__(self, request):
        if request.method == "POST" and request.path_info in self.login_paths():
            username = request.POST.get("username", "")
            wait = login_blocked_for(request, username)
            if wait:
                logger.warning("login rate limit: %s from %s", username, client_ip(request))
                return error_response(
                    request,
                    429,
                    f"Too many failed login attempts. Try again in {wait} seconds.",
                    Retry_After=str(wait),
                )
        return self.get_response(request)
