"""A real server against a PostgreSQL that is stopped and started again.

While the database is down every request that needs it answers 503 with a JSON body, at
once; when it is back the same server process answers 200 again, without a restart.
Runs under scripts/with-postgres.sh (which exports PG_DIR and PG_BIN); skipped elsewhere.
"""

import json
import time

import pytest
from django.db import connection

from reliability.harness import PostgresCluster, Server, database_url, get

cluster = PostgresCluster.current()
from tests.reliability_support import reference_data  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.skipif(cluster is None, reason="needs the cluster of scripts/with-postgres.sh"),
    # The server is another process: it sees committed rows only.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PATHS = ["/api/count-countries", "/health"]


@pytest.fixture
def server(transactional_db, tmp_path):
    url = database_url(connection.settings_dict)
    connection.close()
    env = {"DATABASE_URL": url, "DB_CONN_MAX_AGE": "60"}
    with Server(env=env, workers=2, settings_module="tests.settings_faults", log=tmp_path / "gunicorn.log") as srv:
        yield srv


def test_database_down_gives_a_fast_503_and_the_server_recovers_by_itself(server):
    # Warm up: both workers hold a persistent connection.
    for _ in range(6):
        for path in PATHS:
            status, body, _, _ = get(server.url + path)
            assert status == 200, body
    try:
        cluster.stop()
        for _ in range(6):
            for path in PATHS:
                status, body, headers, seconds = get(server.url + path, timeout=10)
                assert status == 503, body
                assert headers["Content-Type"] == "application/json"
                assert "unavailable" in json.loads(body).get("detail", json.loads(body).get("status", ""))
                assert seconds < 2, f"{path} took {seconds:.2f}s with the database down"
    finally:
        if not cluster.is_running():
            cluster.start()
        connection.close()
    deadline = time.monotonic() + 15
    statuses = []
    while time.monotonic() < deadline:
        statuses = [get(server.url + path)[0] for path in PATHS for _ in range(4)]
        if all(status == 200 for status in statuses):
            break
        time.sleep(0.5)
    assert all(status == 200 for status in statuses), statuses
    status, body, _, _ = get(server.url + "/api/count-countries")
    assert json.loads(body)["countries"] >= 249
