"""Error pages: JSON under /api/, a plain page elsewhere; never a stack trace or a setting.

dsr_project/urls.py names these as handler400, handler403, handler404 and handler500.
"""

import sys

from django.core.exceptions import RequestDataTooBig

from registry.middleware import DATABASE_ERRORS, body_limit, database_unavailable, error_response, too_large


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, body_limit(request))
    return error_response(request, 400, "Bad request.")


def permission_denied(request, exception=None):
    return error_response(request, 403, "You do not have permission to do this.")


def not_found(request, exception=None):
    return error_response(request, 404, "Not found.")


def server_error(request):
    # Called while the exception is being handled: a database outage that escaped the
    # middleware (in another middleware, say) is still a 503, not a 500.
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request)
    return error_response(request, 500, "Server error. The error has been logged.")
