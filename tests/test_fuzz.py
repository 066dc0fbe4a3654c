"""schemathesis against /api/schema/: every operation, anonymous and with an Editor's token.

No response may be a 5xx, and every documented response must match the schema. The run
is bounded (DSR_FUZZ_EXAMPLES examples per operation and client, 20 by default) so that
it fits in the suite; `make fuzz` runs a long one.
"""

import os

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from schemathesis.checks import not_a_server_error

from registry.models import ApiToken
from tests.api_support import seed  # noqa: F401 - the fixture
from tests.factories import UserFactory

EXAMPLES = int(os.environ.get("DSR_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def load_schema():
    from django.core.wsgi import get_wsgi_application

    document = SchemaGenerator().get_schema(request=None, public=True)
    # Round-trip through JSON so that the schema holds plain types only.
    import json

    from rest_framework.utils.encoders import JSONEncoder

    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))
    schema.app = get_wsgi_application()
    return schema


schema = load_schema()


@pytest.fixture
def wsgi_calls_keep_the_test_connection():
    """schemathesis calls the WSGI app itself, not Django's test client, so a request's end
    would close the database connection that holds the test's transaction (PostgreSQL).
    Stop that for the test, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_env(db, settings, seed, wsgi_calls_keep_the_test_connection):
    # One client address for every example: the anonymous throttle would answer 429 to most.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
    # schemathesis calls the app as http://localhost: without this every answer would be
    # a 400 for the host, and the schema would never be checked against a record.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    editor = UserFactory(username="fuzz-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    _, raw = ApiToken.issue(editor, "fuzz")
    return {"anonymous": {}, "token": {"Authorization": f"Token {raw}"}}


@pytest.mark.parametrize("who", ["anonymous", "token"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("DSR_FUZZ_RANDOM") != "1",
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
)
def test_api_never_fails_and_matches_its_schema(case, who, fuzz_env):
    case.call_and_validate(headers=fuzz_env[who], checks=CHECKS)
