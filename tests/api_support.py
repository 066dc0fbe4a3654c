"""Shared by the API tests: data shaped like the seed, built with the factories, and a
query-count assertion that prints the queries when the count is off (Zulip style)."""

import datetime
import json
import os
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import models as m
from tests import factories as f

QUERY_COUNTS_FILE = Path(__file__).with_name("query_counts.json")


def results(response):
    assert response.status_code == 200, response.content[:2000]
    return response.json()["results"]


def slugs(response, key="slug"):
    return sorted(record[key] for record in results(response))


@contextmanager
def assert_num_queries(expected, label=""):
    """Fail with every query listed when the count differs from `expected`."""
    with CaptureQueriesContext(connection) as context:
        yield context
    count = len(context.captured_queries)
    if count != expected:
        listing = "\n".join(f"{n}. {query['sql']}" for n, query in enumerate(context.captured_queries, 1))
        pytest.fail(f"{label}: {count} queries, expected {expected}:\n{listing}")


def pinned_query_counts():
    return json.loads(QUERY_COUNTS_FILE.read_text())


def pin_query_count(name, count):
    """With UPDATE_QUERY_COUNTS=1, record a new count in the checked-in file."""
    if os.environ.get("UPDATE_QUERY_COUNTS") != "1":
        return False
    counts = pinned_query_counts() if QUERY_COUNTS_FILE.exists() else {}
    counts[name] = count
    QUERY_COUNTS_FILE.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")
    return True


def country(code):
    return m.Country.objects.get(iso2=code)


def cite(record, field_name, source, locator="", value=""):
    return m.FieldCitation.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        field_name=field_name,
        source=source,
        locator=locator,
        value=value,
    )


class SeedLike:
    """A small registry shaped like the seed: the ORF brief's banks, loans, cables,
    cameras and agreements (names and codes as the seed has them; amounts made up where
    the tests only need a number)."""

    def __init__(self):
        self.brief = f.SourceFactory(
            slug="orf-issue-brief-683", title="ORF Issue Brief No. 683", url="https://www.orfonline.org/ib683"
        )
        self.top10vpn = f.SourceFactory(slug="top10vpn-2021", title="Top10VPN surveillance camera data")
        self.almanac = f.SourceFactory(slug="submarine-cable-almanac-2023", title="Submarine Cable Almanac 2023")
        self.telegeography = f.SourceFactory(slug="telegeography", title="TeleGeography Submarine Cable Map")
        cited = {"source": self.brief, "locator": "Table 1"}

        org = f.OrganizationFactory
        self.exim = org(
            slug="export-import-bank-of-china",
            name="Export-Import Bank of China",
            short_name="China Exim",
            kind=m.OrganizationKind.POLICY_BANK,
            **cited,
        )
        for alias in ("EXIM", "Exim Bank"):
            f.OrganizationAliasFactory(organization=self.exim, name=alias, **cited)
        self.cdb = org(
            slug="china-development-bank", name="China Development Bank", short_name="CDB", kind="policy_bank", **cited
        )
        self.hmn = org(slug="hmn-technologies", name="HMN Technologies", short_name="HMN Tech", **cited)
        f.OrganizationAliasFactory(
            organization=self.hmn, name="Huawei Marine Networks", kind=m.AliasKind.FORMER_NAME, until_year=2020, **cited
        )
        self.china_mobile = org(
            slug="china-mobile", name="China Mobile", kind=m.OrganizationKind.TELECOM_OPERATOR, **cited
        )
        self.hikvision = org(slug="hikvision", name="Hangzhou Hikvision Digital Technology", short_name="Hikvision", **cited)
        self.dahua = org(slug="dahua", name="Zhejiang Dahua Technology", short_name="Dahua", **cited)
        self.ministry = org(
            slug="ministry-of-posts-cambodia", name="Ministry of Posts and Telecommunications", country=country("KH"),
            kind=m.OrganizationKind.MINISTRY, **cited,
        )

        self.loan_instrument = f.InstrumentRef(slug="loan", name="Loan")
        self.investment = f.InstrumentRef(slug="investment", name="Investment", is_debt=False)
        self.broadband = f.ProjectFactory(slug="ph-national-broadband", name="National Broadband Plan", country=country("PH"), **cited)

        def loan(slug, code, amount, year, lenders, instrument=None, project=None):
            record = f.LoanFactory(
                slug=slug,
                title=f"Loan {slug}",
                borrower_country=country(code),
                instrument=instrument or self.loan_instrument,
                amount=Decimal(amount),
                amount_usd=Decimal(amount),
                committed=datetime.date(year, 1, 1),
                committed_precision=m.DatePrecision.YEAR,
                project=project,
                source=self.brief,
                locator="p. 5",
            )
            for lender in lenders:
                if isinstance(lender, str):
                    f.LoanPartyFactory(loan=record, organization=None, description=lender, source=self.brief)
                else:
                    f.LoanPartyFactory(loan=record, organization=lender, source=self.brief)
            return record

        self.loan_ph = loan("exim-philippines", "PH", "329500000.00", 2017, [self.exim], project=self.broadband)
        self.loan_pg = loan("exim-papua-new-guinea", "PG", "53000000.00", 2018, [self.exim])
        self.loan_ws = loan("exim-samoa", "WS", "20000000.00", 2016, [self.exim])
        self.loan_lk = loan("exim-sri-lanka", "LK", "100000000.00", 2019, [self.exim])
        self.investment_mz = loan("exim-mozambique", "MZ", "150000000.00", 2015, [self.exim], instrument=self.investment)
        self.loan_cdb = loan("cdb-pakistan", "PK", "44000000.00", 2018, [self.cdb])
        self.loan_unknown = loan("chinese-bank-mauritius", "MU", "7300000.00", 2020, ["a Chinese bank"])
        f.LoanPartyFactory(
            loan=self.loan_cdb, organization=self.exim, role=m.PartyRole.GUARANTOR, source=self.brief
        )  # not a lender: lender=exim must leave it out

        self.estimate_id = f.FinanceEstimateFactory(slug="dsr-finance-indonesia", country=country("ID"), **cited)
        self.estimate_ph = f.FinanceEstimateFactory(
            slug="dsr-finance-philippines", country=country("PH"), amount_usd=Decimal("400000000"), **cited
        )

        self.mou_kh_2017 = f.AgreementFactory(
            slug="kh-digital-mou-2017", country=country("KH"), signed=datetime.date(2017, 5, 1), **cited
        )
        self.mou_kh_2015 = f.AgreementFactory(
            slug="kh-digital-mou-2015", country=country("KH"), signed=datetime.date(2015, 1, 1), **cited
        )
        self.mou_ph = f.AgreementFactory(
            slug="ph-digital-mou-2019", country=country("PH"), signed=datetime.date(2019, 1, 1), **cited
        )
        f.AgreementPartyFactory(agreement=self.mou_kh_2017, organization=self.ministry, source=self.brief)

        table3 = {"source": self.almanac, "via_source": self.brief, "locator": "Table 3"}
        self.peace = f.SubmarineCableFactory(
            slug="peace-cable", name="PEACE Cable", abbreviation="PEACE", rfs_year=2022,
            cost_usd=Decimal("425000000"), **table3,
        )
        self.kumul = f.SubmarineCableFactory(
            slug="kumul-domestic", name="Kumul Domestic Submarine Cable", abbreviation="KDSCS", rfs_year=2020, **table3
        )
        cite(self.peace, "length_km", self.telegeography, "cable/peace-cable.json", "15,000 km")
        f.CablePartyFactory(cable=self.peace, organization=self.china_mobile, role="owner", **table3)
        f.CablePartyFactory(cable=self.peace, organization=self.hmn, role="supplier", **table3)
        f.CablePartyFactory(cable=self.kumul, organization=self.hmn, role="supplier", **table3)
        for position, code in enumerate(["SG", "PK", "SG"], 1):
            f.CableListedCountryFactory(cable=self.peace, position=position, country=country(code), **table3)
        f.CableListedCountryFactory(cable=self.kumul, position=1, country=country("PG"), **table3)
        self.madang = f.LandingStationFactory(
            slug="madang", name="Madang", country=country("PG"), latitude=Decimal("-5.2"), longitude=Decimal("145.8"),
            **table3,
        )
        self.tuas = f.LandingStationFactory(
            slug="tuas", name="Tuas", country=country("SG"), latitude=None, longitude=None, **table3
        )
        self.karachi = f.LandingStationFactory(
            slug="karachi", name="Karachi", country=country("PK"), latitude=None, longitude=None, **table3
        )
        f.CableLandingFactory(cable=self.kumul, station=self.madang, **table3)
        f.CableLandingFactory(cable=self.peace, station=self.tuas, **table3)
        f.CableLandingFactory(cable=self.peace, station=self.karachi, **table3)

        table4 = {"source": self.top10vpn, "via_source": self.brief, "locator": "Table 4"}
        self.cams_in_hik = f.CameraCountFactory(
            slug="in-hikvision", country=country("IN"), vendor=self.hikvision, count=1000, **table4
        )
        self.cams_in_dahua = f.CameraCountFactory(
            slug="in-dahua", country=country("IN"), vendor=self.dahua, count=800, **table4
        )
        self.cams_mumbai = f.CameraCountFactory(
            slug="in-mumbai", country=country("IN"), city="Mumbai", vendor=None, count=5000, source=self.brief,
            locator="p. 9",
        )
        self.cams_vn_total = f.CameraCountFactory(slug="vn-total", country=country("VN"), vendor=None, count=822324, **table4)
        self.cams_vn_hik = f.CameraCountFactory(
            slug="vn-hikvision", country=country("VN"), vendor=self.hikvision, count=151483, **table4
        )


@pytest.fixture
def seed(db):
    return SeedLike()
