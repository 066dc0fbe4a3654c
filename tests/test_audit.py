"""The data-quality audit on the seed: what it must find, typed from the brief."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import models
from registry.audit import Finding, find_issues
from tests import factories
from tests.seed import seeded_module_fixture

pytestmark = pytest.mark.django_db

seeded = seeded_module_fixture()

# Table 4 countries whose Total is not Dahua + Hikvision: (reported total, Dahua + Hikvision)
TABLE_4_MISMATCHES = {
    "VN": (822324, 151483 + 671828),
    "KR": (222012, 42479 + 179566),
    "IN": (214455, 33786 + 180883),
    "TH": (177901, 37489 + 140502),
    "MY": (135513, 35865 + 99861),
    "TW": (133604, 56999 + 76671),
    "AU": (60046, 18786 + 41276),
    "ID": (30614, 8459 + 22157),
    "JP": (29968, 4571 + 25403),
    "PK": (25642, 8642 + 17026),
    "KH": (25609, 4568 + 21067),
    "SG": (25375, 7784 + 17613),
    "LK": (7847, 914 + 6967),
    "NZ": (7581, 2287 + 5295),
}


@pytest.fixture
def seed(seeded, db):
    """The seed, loaded once for this module."""


def by_kind(findings, kind):
    return [f for f in findings if f.kind == kind]


def test_total_mismatches(seed):
    findings = by_kind(find_issues(), "total_mismatch")
    assert len(findings) == 1 + 14
    table_3 = [f for f in findings if f.model == "registry.ReportedTotal"]
    assert [(f.reported, f.computed) for f in table_3] == [(1_030_000_000, 1_308_900_000)]
    cameras = {f.record.country.iso2: (f.reported, f.computed) for f in findings if f.model == "registry.CameraCount"}
    assert cameras == TABLE_4_MISMATCHES
    vietnam = next(f for f in findings if f.key == models.CameraCount.objects.get(
        country__iso2="VN", vendor=None, locator="Table 4, Vietnam").slug)
    assert vietnam.as_dict()["reported"] == 822324 and vietnam.as_dict()["computed"] == 823311


def test_cable_country_findings(seed):
    findings = find_issues()
    not_listed = {(f.key, f.message.split("(")[1][:2]) for f in by_kind(findings, "landing_country_not_listed")}
    assert not_listed == {("sea-h2x", "HK"), ("sigmar", "MM")}
    without = {(f.key, f.message.rsplit("(", 1)[1][:2]) for f in by_kind(findings, "listed_country_without_landing")}
    assert without == {
        ("peace", "PK"), ("peace", "SG"), ("peace", "MV"), ("peace", "SA"), ("peace", "TN"), ("peace", "ZA"),
        ("sigmar", "MY"),
        ("b2js", "SG"),
    }
    duplicates = by_kind(findings, "duplicate_in_list")
    assert [(f.key, "Malaysia" in f.message) for f in duplicates] == [("sea-h2x", True)]


def test_no_missing_sources_and_unverified_counts(seed):
    findings = find_issues()
    assert by_kind(findings, "missing_source") == []
    unverified = {f.model: f.computed for f in by_kind(findings, "unverified")}
    assert unverified["registry.CameraCount"] == 97 + 4 + 1
    assert unverified["registry.Loan"] == 14
    assert all(f.key is None for f in by_kind(findings, "unverified"))


def test_verified_records_are_not_reported(seed):
    models.Loan.objects.update(review_status=models.ReviewStatus.VERIFIED)
    unverified = {f.model for f in by_kind(find_issues(), "unverified")}
    assert "registry.Loan" not in unverified


def test_the_audit_costs_a_constant_number_of_queries(seed):
    with CaptureQueriesContext(connection) as before:
        find_issues()
    hikvision = models.Organization.objects.get(slug="hikvision")
    source = models.Source.objects.get(slug="top10vpn-hikvision-dahua-2021")
    for n in range(40):
        city = f"City {n}"
        factories.CameraCountFactory(country=factories.CountryRef(iso2="IN"), city=city, vendor=None, count=10,
                                     source=source)
        factories.CameraCountFactory(country=factories.CountryRef(iso2="IN"), city=city, vendor=hikvision, count=9,
                                     source=source)
    factories.ReportedTotalFactory(row_filter={"city__startswith": "City "}, value=40 * 10 + 40 * 9)
    with CaptureQueriesContext(connection) as after:
        findings = find_issues()
    assert len(after) == len(before), "\n".join(q["sql"] for q in after.captured_queries)
    assert len(by_kind(findings, "total_mismatch")) == 15 + 40  # each city's total of 10 against 9


def test_audit_data_command(seed, capsys):
    call_command("audit_data", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert {tuple(sorted(row)) for row in rows} == {("computed", "key", "kind", "message", "model", "reported")}
    mismatches = [row for row in rows if row["kind"] == "total_mismatch"]
    assert len(mismatches) == 15
    assert {"reported": 1030000000, "computed": 1308900000} .items() <= next(
        row for row in mismatches if row["model"] == "registry.ReportedTotal").items()

    call_command("audit_data")
    text = capsys.readouterr().out
    assert "[duplicate_in_list] registry.SubmarineCable sea-h2x" in text
    assert "822,324" in text and "823,311" in text


def test_audit_data_exits_zero(seed):
    # call_command raises on a non-zero exit (SystemExit or CommandError); reaching the end is exit 0.
    call_command("audit_data", "--format", "text")


def test_finding_as_dict_gives_whole_numbers():
    from decimal import Decimal

    finding = Finding("total_mismatch", "registry.ReportedTotal", "x", "m", Decimal("1030000000.00"), Decimal("2.50"))
    assert finding.as_dict() == {
        "kind": "total_mismatch", "model": "registry.ReportedTotal", "key": "x", "message": "m",
        "reported": 1030000000, "computed": 2.5,
    }
