"""import_aiddata on the shared Malaysian sample of AidData's GCDF 3.0 (176 records)."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from registry import models
from registry.importers.aiddata import DATASET
from registry.importers.organizations import OrganizationResolver, parse_name
from tests import factories

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[1]


def data_dir():
    for candidate in (REPO.parent / "shared" / "data" / "aiddata", Path("/work/shared/data/aiddata")):
        if (candidate / "gcdf3-malaysia.csv").exists():
            return candidate
    pytest.skip("the shared AidData sample (../shared/data/aiddata) is not here")


@pytest.fixture
def sample():
    return data_dir() / "gcdf3-malaysia.csv"


@pytest.fixture
def rows(sample):
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def banks():
    """The three lenders as the seed fixtures name them, without AidData's forms as aliases."""
    return {
        "exim": factories.OrganizationFactory(
            slug="export-import-bank-of-china", name="Export-Import Bank of China", kind="policy_bank"
        ),
        "cdb": factories.OrganizationFactory(slug="china-development-bank", name="China Development Bank"),
        "icbc": factories.OrganizationFactory(
            slug="industrial-and-commercial-bank-of-china", name="Industrial and Commercial Bank of China"
        ),
    }


def run(path, *args):
    out = io.StringIO()
    call_command("import_aiddata", str(path), *args, stdout=out)
    return out.getvalue()


def write_csv(path, rows, drop=()):
    columns = [c for c in rows[0] if c not in drop]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def history_counts():
    return {
        model.__name__: model.history.count()
        for model in (models.Loan, models.LoanParty, models.LoanSource, models.Source, models.Organization,
                      models.OrganizationAlias)
    }


def test_import_creates_176_records_and_a_rerun_changes_nothing(sample, banks):
    out = run(sample)
    assert "records: 176 created, 0 updated, 0 unchanged" in out
    assert models.Loan.objects.count() == 176
    assert models.Loan.objects.filter(source__slug=DATASET["slug"]).count() == 176
    counts = {m: m.objects.count() for m in (models.Loan, models.LoanParty, models.LoanSource, models.Source,
                                             models.Organization, models.OrganizationAlias, models.Instrument)}
    history = history_counts()

    out = run(sample)
    assert "records: 0 created, 0 updated, 176 unchanged" in out
    assert "organizations: " in out and " 0 created, 0 ambiguous" in out
    assert {m: m.objects.count() for m in counts} == counts
    assert history_counts() == history


def test_the_seed_banks_stay_one_record_each(sample, banks):
    run(sample)
    for key, name in [
        ("exim", "Export-Import Bank of China"),
        ("cdb", "China Development Bank"),
        ("icbc", "Industrial and Commercial Bank of China"),
    ]:
        assert list(models.Organization.objects.filter(name=name)) == [banks[key]]
    assert models.Organization.objects.filter(name__icontains="Export-Import Bank of China").count() == 1
    assert models.Organization.objects.filter(Q(name__icontains="Eximbank") | Q(short_name="CDB")).count() == 0
    assert models.LoanParty.objects.filter(organization=banks["cdb"]).exists()
    assert models.LoanParty.objects.filter(organization=banks["icbc"]).exists()


def test_exim_lends_in_19_malaysian_records(sample, banks):
    run(sample)
    exim = banks["exim"]
    malaysian = models.Loan.objects.filter(borrower_country__iso2="MY")
    lends = malaysian.filter(parties__organization=exim, parties__role__in=["lender", "co_lender"]).distinct()
    as_lender = malaysian.filter(parties__organization=exim, parties__role="lender").distinct()
    assert lends.count() == 19
    assert as_lender.count() == 18
    assert lends.exclude(pk__in=as_lender).count() == 1


def test_a_syndicated_loan_lists_every_co_lender_unsplit(sample, rows):
    run(sample)
    row = next(r for r in rows if "Oversea-Chinese Banking Corporation, Limited (OCBC Bank)" in r["Co-financing Agencies"])
    loan = models.Loan.objects.get(aiddata_record_id=int(row["AidData Record ID"]))
    assert loan.is_syndicated
    names = {n.strip() for n in row["Co-financing Agencies"].split("|")}
    co_lenders = loan.parties.filter(role="co_lender")
    assert co_lenders.count() == len(names) > 5
    assert co_lenders.filter(organization__isnull=True).count() == 0
    ocbc = models.Organization.objects.get(name="Oversea-Chinese Banking Corporation, Limited")
    assert (ocbc.short_name, ocbc.kind) == ("OCBC Bank", "bank")
    assert co_lenders.filter(organization=ocbc).exists()
    assert not models.Organization.objects.filter(Q(name="Limited") | Q(name__startswith="Limited ")).exists()
    assert models.Loan.objects.filter(is_syndicated=True).count() == 34


def test_grants_are_grants_and_flags_choose_the_instrument(sample, rows):
    run(sample)
    grants = {int(r["AidData Record ID"]) for r in rows if r["Flow Type"] == "Grant"}
    assert len(grants) == 99
    assert set(models.Loan.objects.filter(instrument__slug="grant").values_list("aiddata_record_id", flat=True)) == grants
    assert not models.Instrument.objects.get(slug="grant").is_debt
    ebc = {int(r["AidData Record ID"]) for r in rows if r["Export Buyer's Credit"] == "Yes"}
    assert set(
        models.Loan.objects.filter(instrument__slug="export-buyers-credit").values_list("aiddata_record_id", flat=True)
    ) == ebc
    # A flow type with no instrument yet gets one rather than being dropped.
    scholarships = models.Instrument.objects.get(name="Scholarships/training in the donor country")
    assert scholarships.loans.count() == 7 and not scholarships.is_debt


def test_every_source_url_is_a_source_cited_by_its_record(sample, rows):
    run(sample)
    dataset = models.Source.objects.get(slug="aiddata-gcdf-3")
    assert dataset.licence.startswith("ODC-By 1.0") and dataset.kind == "dataset"
    urls = {u.strip() for r in rows for u in r["Source URLs"].split("|") if u.strip()}
    assert len(urls) > 700
    assert set(models.Source.objects.filter(url__in=urls).values_list("url", flat=True)) == urls
    for row in rows:
        loan = models.Loan.objects.get(aiddata_record_id=int(row["AidData Record ID"]))
        cited = {u.strip() for u in row["Source URLs"].split("|") if u.strip()}
        assert set(loan.documents.values_list("url", flat=True)) == cited
    link = models.LoanSource.objects.filter(resource_type="Media Report").select_related("source").first()
    assert link.via_source == dataset and link.source.kind == "news"
    # Per-record scores are kept.
    first = rows[0]
    loan = models.Loan.objects.get(aiddata_record_id=int(first["AidData Record ID"]))
    assert loan.source_quality_score == Decimal(first["Source Quality Score"])
    assert loan.data_completeness_score == Decimal(first["Data Completeness Score"])


def test_amounts_keep_their_currency_with_usd_beside(sample, rows):
    run(sample)
    seen = set()
    for row in rows:
        if row["Original Currency"] in ("MYR", "CNY", "HKD", "EUR"):
            loan = models.Loan.objects.get(aiddata_record_id=int(row["AidData Record ID"]))
            assert loan.currency_id == row["Original Currency"]
            assert loan.amount == Decimal(row["Amount (Original Currency)"]).quantize(Decimal("0.01"))
            assert loan.amount_usd is not None and loan.amount_constant_usd is not None
            assert loan.constant_usd_year == 2021
            seen.add(loan.currency_id)
    assert seen == {"MYR", "CNY", "HKD", "EUR"}
    hkd = models.Loan.objects.get(aiddata_record_id=66205)
    assert (hkd.amount, hkd.currency_id, hkd.amount_usd) == (Decimal("300000000.00"), "HKD", Decimal("38269737.15"))


def test_descriptors_terms_and_dates(sample, rows):
    run(sample)
    assert models.Loan.objects.filter(recommended_for_aggregates=False).count() == 14
    assert models.Loan.objects.filter(is_umbrella=True).count() == 2
    with_terms = next(r for r in rows if r["Grace Period"] and r["Interest Rate"] and r["Maturity"])
    loan = models.Loan.objects.get(aiddata_record_id=int(with_terms["AidData Record ID"]))
    assert loan.maturity_years == Decimal(with_terms["Maturity"])
    assert loan.interest_rate == Decimal(with_terms["Interest Rate"])
    assert loan.grace_period_years == Decimal(with_terms["Grace Period"])
    assert loan.flow_class == with_terms["Flow Class"] and loan.sector == with_terms["Sector Name"]
    for row in rows[:40]:
        loan = models.Loan.objects.get(aiddata_record_id=int(row["AidData Record ID"]))
        assert loan.committed.isoformat() == row["Commitment Date (MM/DD/YYYY)"]
        estimated = row["Commitment Date Estimated"] == "Yes"
        assert loan.committed_estimated == estimated
        assert loan.committed_precision == ("year" if estimated else "day")
    multi_parent = models.Loan.objects.get(aiddata_record_id=38613)
    assert multi_parent.aiddata_parent_id == 669


def test_spelling_variants_become_one_organization(sample):
    run(sample)
    assert models.Organization.objects.filter(name__startswith="China State Construction Engineering (M)").count() == 1
    cacib = models.Organization.objects.get(name="Crédit Agricole Corporate and Investment Bank")
    assert models.LoanParty.objects.filter(organization=cacib).exists()
    assert set(cacib.aliases.filter(kind="former_name").values_list("name", flat=True)) >= {"Calyon"}
    assert not models.Organization.objects.filter(name="Unspecified Chinese Government Institution").exists()
    assert models.LoanParty.objects.filter(description="Unspecified Chinese Government Institution").exists()
    exim_kind = models.Organization.objects.get(name="Export-Import Bank of China")
    assert (exim_kind.kind, exim_kind.country.iso2, exim_kind.state_ownership) == ("policy_bank", "CN", "state_owned")


def test_an_ambiguous_name_is_listed_not_guessed(sample):
    one = factories.OrganizationFactory(name="Nanyang Commercial Bank Hong Kong")
    two = factories.OrganizationFactory(name="Nanyang Commercial Bank Macau")
    factories.OrganizationAliasFactory(organization=one, name="Nanyang Commercial Bank")
    factories.OrganizationAliasFactory(organization=two, name="Nanyang Commercial Bank")
    out = run(sample)
    assert "'Nanyang Commercial Bank (NCB)' matches" in out
    assert models.LoanParty.objects.filter(description="Nanyang Commercial Bank (NCB)", organization=None).exists()
    assert not models.Organization.objects.filter(name="Nanyang Commercial Bank").exists()


def test_a_missing_column_fails_in_one_line_and_writes_nothing(tmp_path, rows):
    broken = write_csv(tmp_path / "broken.csv", rows, drop=("Funding Agencies", "Source URLs"))
    before = (models.Source.objects.count(), models.Organization.objects.count())
    with pytest.raises(CommandError) as error:
        run(broken)
    message = str(error.value)
    assert message == "broken.csv: missing required column(s): Funding Agencies, Source URLs"
    assert models.Loan.objects.count() == 0
    assert (models.Source.objects.count(), models.Organization.objects.count()) == before


def test_a_bad_value_rolls_the_whole_run_back(tmp_path, rows):
    rows = [dict(r) for r in rows]
    rows[150]["Interest Rate"] = "three percent"
    with pytest.raises(CommandError, match=r"row 152 .*Interest Rate 'three percent' is not a number"):
        run(write_csv(tmp_path / "bad.csv", rows))
    assert models.Loan.objects.count() == 0 and models.Organization.objects.count() == 0


def test_dry_run_reports_and_writes_nothing(sample):
    out = run(sample, "--dry-run")
    assert "records: 176 created" in out and "dry run: nothing was written" in out
    assert models.Loan.objects.count() == 0
    assert models.Organization.objects.count() == 0
    assert not models.Source.objects.filter(slug="aiddata-gcdf-3").exists()


def test_recipient_and_sector_filters(sample):
    run(sample, "--recipient", "AGO")
    assert models.Loan.objects.count() == 0
    run(sample, "--sector", "health", "--sector", "ENERGY")
    assert set(models.Loan.objects.values_list("sector", flat=True)) == {"HEALTH", "ENERGY"}
    assert models.Loan.objects.count() == 80
    assert "records: 96 created, 0 updated, 80 unchanged" in run(sample, "--recipient", "MY", "--dry-run")
    out = run(sample, "--recipient", "mys")
    assert "records: 96 created, 0 updated, 80 unchanged" in out


def test_a_newer_file_updates_changed_values_with_history(tmp_path, sample, rows):
    run(sample)
    rows = [dict(r) for r in rows]
    row = next(r for r in rows if r["Co-financing Agencies"].count("|") >= 3)
    record_id = int(row["AidData Record ID"])
    loan = models.Loan.objects.get(aiddata_record_id=record_id)
    versions = loan.history.count()
    dropped = row["Co-financing Agencies"].split("|")[-1].strip()
    row["Co-financing Agencies"] = "|".join(row["Co-financing Agencies"].split("|")[:-1])
    row["Co-financing Agencies Type"] = "|".join(row["Co-financing Agencies Type"].split("|")[:-1])
    row["Amount (Nominal USD)"] = "123456789.0"
    row["Title"] = row["Title"] + " (revised)"

    out = run(write_csv(tmp_path / "newer.csv", rows))
    assert "records: 0 created, 1 updated, 175 unchanged" in out
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("123456789.00") and loan.title.endswith("(revised)")
    assert loan.history.count() == versions + 1
    previous = loan.history.all()[1]
    assert previous.amount_usd != loan.amount_usd
    assert not loan.parties.filter(role="co_lender", organization__name=parse_name(dropped).name).exists()
    assert models.LoanParty.history.filter(loan_id=loan.pk, history_type="-").count() == 1


def test_the_xlsx_release_reads_like_the_csv(tmp_path, sample, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "GCDF_3.0"
    header = list(rows[0])
    sheet.append(header)
    for row in rows[:25]:
        values = []
        for column in header:
            value = row[column]
            if column in ("AidData Record ID", "Commitment Year") and value:
                value = int(value)
            elif column.startswith("Amount (") and value:
                value = float(value)
            values.append(value or None)
        sheet.append(values)
    path = tmp_path / "gcdf3.xlsx"
    workbook.save(path)

    assert "records: 25 created" in run(path)
    out = run(sample)
    assert "records: 151 created, 0 updated, 25 unchanged" in out


def test_parse_name_reads_aiddata_forms():
    parsed = parse_name(
        "Crédit Agricole Corporate and Investment Bank (CACIB) (Crédit Agricole CIB) (Formerly Calyon)"
        " (Formerly Crédit Agricole Indosuez (CAI))"
    )
    assert parsed.name == "Crédit Agricole Corporate and Investment Bank"
    assert parsed.abbreviations == ["CACIB", "Crédit Agricole CIB"]
    assert "Calyon" in parsed.former_names and "Crédit Agricole Indosuez" in parsed.former_names
    assert parse_name("Citibank (Malaysia)").name == "Citibank (Malaysia)"
    assert parse_name("Bank of China (Hong Kong) Limited (BOCHK)").name == "Bank of China (Hong Kong) Limited"
    assert parse_name("China Bank of Communications (BoCom or BoComm)").abbreviations == ["BoCom", "BoComm"]


def test_resolver_matches_variants_of_one_company():
    source = factories.SourceFactory()
    org = factories.OrganizationFactory(name="Jinko Solar Holding Co., Ltd.")
    resolver = OrganizationResolver(source)
    assert resolver.resolve("Jinko Solar Holding Co., Ltd (JKS)") == org
    assert resolver.resolve("Jinko Solar Holding Company Limited") == org
    assert resolver.resolve("Export-Import Bank of China (China Eximbank)") is None
    created = resolver.resolve("Export-Import Bank of China (China Eximbank)", create=True, kind="policy_bank")
    assert created.short_name == "China Eximbank"
    assert resolver.resolve("China Eximbank") == created
    assert resolver.resolve("Export-Import Bank of China") == created


def test_after_the_seed_the_api_finds_exims_19_malaysian_records(sample, client):
    from tests.seed import load_seed

    load_seed()
    run(sample)
    for name in ("Export-Import Bank of China", "China Development Bank", "Industrial and Commercial Bank of China"):
        assert models.Organization.objects.filter(name__iexact=name).count() == 1, name
    for alias in ("China Eximbank", "exim", "CDB", "ICBC"):
        assert models.Organization.objects.matching(alias).count() == 1, alias
    response = client.get("/api/loans", {"lender": "exim", "borrower_country": "MY", "limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 19
    assert {loan["borrower_country"]["iso2"] for loan in body["results"]} == {"MY"}
    # The API selects by AidData's record id, flow class, sector and recommended-for-aggregates.
    record = models.Loan.objects.filter(aiddata_record_id__isnull=False).order_by("aiddata_record_id").first()
    by_id = client.get("/api/loans", {"aiddata_record_id": record.aiddata_record_id}).json()
    assert [loan["id"] for loan in by_id["results"]] == [record.pk]
    by_class = client.get("/api/loans", {"flow_class": record.flow_class, "limit": 1000}).json()
    assert by_class["count"] == models.Loan.objects.filter(flow_class=record.flow_class).count() > 0
    by_sector = client.get("/api/loans", {"sector": record.sector, "limit": 1000}).json()
    assert by_sector["count"] == models.Loan.objects.filter(sector=record.sector).count() > 0
    excluded = client.get("/api/loans", {"recommended_for_aggregates": "false", "limit": 1000}).json()
    assert excluded["count"] == models.Loan.objects.filter(recommended_for_aggregates=False).count() == 14
