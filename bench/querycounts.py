"""Queries per request at two page sizes, in process against the bench database.

Prints one JSON object: {path: [queries at limit=5, queries at limit=50, status]}.
A list whose count grows with the page size has an N+1.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PATHS = [
    "/api/camera-counts?country=IN&vendor=hikvision",
    "/api/loans?lender=exim&year__gte=2017",
    "/api/cables?landing_country=ID",
    "/api/landing-stations",
    "/api/organizations",
    "/admin/registry/cameracount/",
]


def main():
    from django.contrib.auth import get_user_model

    client = Client(SERVER_NAME="127.0.0.1")
    user = get_user_model().objects.filter(is_superuser=True).first()
    if user:
        client.force_login(user)
    out = {}
    for path in PATHS:
        counts = []
        status = None
        client.get(path)  # warm: content types and sessions are cached after one request
        for limit in (5, 50):
            sep = "&" if "?" in path else "?"
            url = path + (f"{sep}limit={limit}" if path.startswith("/api/") else "")
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            status = response.status_code
            counts.append(len(ctx.captured_queries))
        out[path] = counts + [status]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
