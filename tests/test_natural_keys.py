"""dumpdata --natural-foreign --natural-primary, then loaddata into an empty database,
gives the same rows."""

import json
from datetime import datetime

import pytest
from django.apps import apps
from django.core.management import call_command

from registry import models
from tests import factories

pytestmark = pytest.mark.django_db

CURATED = [m for m in apps.get_app_config("registry").get_models() if not m.__name__.startswith("Historical")]
# Reference tables are loaded by migrations, and API tokens are secrets, not data.
DUMPED = [m for m in CURATED if m not in (models.Country, models.Currency, models.Instrument, models.ApiToken)]
LABELS = [m._meta.label for m in DUMPED]
TIMESTAMPS = {"created", "updated", "verified_at"}


def populate():
    exim = factories.OrganizationFactory(slug="export-import-bank-of-china", name="Export-Import Bank of China")
    factories.OrganizationAliasFactory(organization=exim, name="China Exim")
    hengtong = factories.OrganizationFactory(slug="hengtong")
    hmn = factories.OrganizationFactory(slug="hmn-technologies")
    factories.OwnershipStakeFactory(owner=hengtong, owned=hmn)
    factories.OrganizationActivityFactory(organization=hmn)
    agreement = factories.AgreementFactory()
    factories.AgreementPartyFactory(agreement=agreement)
    loan = factories.LoanFactory()
    factories.LoanPartyFactory(loan=loan, organization=exim)
    factories.LoanPartyFactory(loan=loan, organization=None, description="a Chinese bank", role="co_lender")
    factories.ProjectPartyFactory(project=loan.project)
    factories.FinanceEstimateFactory()
    cable = factories.SubmarineCableFactory()
    factories.CableLandingFactory(cable=cable)
    factories.CableListedCountryFactory(cable=cable, position=1)
    factories.CableListedCountryFactory(cable=cable, position=2)
    factories.CablePartyFactory(cable=cable, organization=hmn, role="supplier")
    factories.CameraCountFactory(vendor=factories.OrganizationFactory(slug="hikvision"))
    factories.CameraCountFactory(vendor=None, city="Mumbai")
    factories.ReportedTotalFactory(row_filter={"vendor__slug": "hikvision"})
    compiled = factories.SourceFactory(slug="compiled")
    compiled.compiled_from.add(factories.SourceFactory(slug="underlying"))


def snapshot(path):
    """Each model's rows by natural key, pks left out, in a stable order."""
    call_command("dumpdata", *LABELS, natural_foreign=True, natural_primary=True, indent=1, output=str(path))
    rows = json.loads(path.read_text())
    for row in rows:
        row.pop("pk", None)
        row["fields"].pop("object_id", None)  # a citation's record id is local to a database
        for name, value in row["fields"].items():
            if isinstance(value, list) and value and isinstance(value[0], list):
                row["fields"][name] = sorted(value)  # many-to-many keys, in no promised order
            elif name in TIMESTAMPS and value:
                # The serializer keeps milliseconds: "…42.000Z" before a round trip is "…42Z" after.
                row["fields"][name] = datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


def test_natural_key_round_trip(tmp_path):
    populate()
    dump = tmp_path / "dump.json"
    before = snapshot(dump)
    assert len(before) > 25

    for model in [*reversed(models.FACT_MODELS), models.FieldCitation, models.Source]:
        model._base_manager.all().delete()
    assert not models.Loan.objects.exists()

    call_command("loaddata", str(dump), verbosity=0)
    after = snapshot(tmp_path / "again.json")
    lost = [row for row in before if row not in after]
    gained = [row for row in after if row not in before]
    assert (lost, gained) == ([], []), f"rows lost: {lost}\nrows gained: {gained}"
    assert after == before

    # Loading the same dump again creates nothing new.
    counts = {m: m.objects.count() for m in DUMPED}
    call_command("loaddata", str(dump), verbosity=0)
    assert {m: m.objects.count() for m in DUMPED} == counts


def test_every_referenced_model_has_a_natural_key():
    for model in CURATED:
        if model in (models.FieldCitation, models.ApiToken):
            continue
        assert hasattr(model, "natural_key"), model
        assert hasattr(model._default_manager, "get_by_natural_key"), model
