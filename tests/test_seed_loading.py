"""Loading the seed: everything, twice without duplicates, and a broken fixture fails cleanly."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import models
from tests.seed import SEED_FIXTURES, load_seed

pytestmark = pytest.mark.django_db

CURATED = [m for m in apps.get_app_config("registry").get_models() if not m.__name__.startswith("Historical")]
STAMP = "2025-01-01T00:00:00Z"


def counts():
    return {model.__name__: model._base_manager.count() for model in CURATED}


def test_fixture_names_sort_in_load_order():
    names = [path.rsplit("/", 1)[1] for path in SEED_FIXTURES]
    assert names == sorted(names)
    assert names[0] == "01_sources.json"


def test_loading_twice_creates_nothing_new():
    load_seed()
    first = counts()
    assert first["Loan"] == 14 and first["CameraCount"] == 102 and first["LandingStation"] == 91
    load_seed()
    assert counts() == first


def loan(**changes):
    fields = {
        "created": STAMP, "updated": STAMP, "slug": "broken-loan", "title": "A broken loan",
        "borrower_country": ["PH"], "instrument": ["loan"], "amount": "100.00", "currency": ["USD"],
        "source": ["orf-issue-brief-683"], "locator": "p. 1",
    }
    fields.update(changes)
    return {"model": "registry.loan", "fields": {k: v for k, v in fields.items() if v is not None}}


def camera(**changes):
    fields = {
        "created": STAMP, "updated": STAMP, "slug": "broken-count", "country": ["VN"], "count": 5,
        "source": ["top10vpn-hikvision-dahua-2021"],
    }
    fields.update(changes)
    return {"model": "registry.cameracount", "fields": {k: v for k, v in fields.items() if v is not None}}


GOOD_FIRST = {
    "model": "registry.organization",
    "fields": {"created": STAMP, "updated": STAMP, "slug": "written-then-undone", "name": "Undone",
               "source": ["orf-issue-brief-683"]},
}

BROKEN = [
    ("unknown-country", [GOOD_FIRST, camera(country=["XX"])], ["record 2", "broken-count", "country", "XX"]),
    ("unknown-country-nullable", [GOOD_FIRST, {**GOOD_FIRST, "fields": {**GOOD_FIRST["fields"], "slug": "org-xx",
                                                                        "country": ["XX"]}}],
     ["record 2", "org-xx", "country", "XX"]),
    ("negative-amount", [GOOD_FIRST, loan(amount="-5.00")], ["record 2", "broken-loan", "negative"]),
    ("negative-count", [GOOD_FIRST, camera(count=-1)], ["record 2", "broken-count", "negative"]),
    ("missing-source", [GOOD_FIRST, loan(source=None)], ["record 2", "broken-loan", "source"]),
    ("unknown-source", [GOOD_FIRST, loan(source=["no-such-source"])], ["record 2", "broken-loan", "no-such-source"]),
    ("bad-number", [GOOD_FIRST, loan(amount="lots")], ["record 2", "broken-loan", "lots"]),
    ("unknown-field", [GOOD_FIRST, loan(colour="red")], ["record 2", "broken-loan", "colour"]),
    ("missing-row-by-id", [GOOD_FIRST, loan(source=999999)], ["registry_loan", "999999"]),
]


@pytest.mark.parametrize("name, records, expected", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_fixture_fails_with_one_line_and_writes_nothing(tmp_path, name, records, expected):
    load_seed()
    before = counts()
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError) as raised:
        call_command("loaddata", str(path), verbosity=0)
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message, message
    for part in expected:
        assert part in message, message
    if name != "missing-row-by-id":  # Django checks ids only after every fixture, by table
        assert path.name in message, message
    assert counts() == before
    assert not models.Organization.objects.filter(slug="written-then-undone").exists()


def test_a_broken_fixture_among_good_ones_writes_nothing(tmp_path):
    path = tmp_path / "zz_broken.json"
    path.write_text(json.dumps([loan(amount="-1.00")]))
    before = counts()
    with pytest.raises(CommandError, match="zz_broken.json, record 1 .*broken-loan"):
        call_command("loaddata", *SEED_FIXTURES, str(path), verbosity=0)
    assert counts() == before


def test_invalid_json_is_one_line(tmp_path):
    path = tmp_path / "invalid.json"
    path.write_text("[{")
    with pytest.raises(CommandError, match=r"invalid\.json: not valid JSON"):
        call_command("loaddata", str(path), verbosity=0)
