"""The seed fixtures hold the ORF brief's figures exactly as printed.

Every expected value here is typed from the brief (../shared/seed/orf-issue-brief-683.txt),
not read back from the fixtures."""

from datetime import date
from decimal import Decimal

import pytest

from registry import models
from tests.seed import seeded_module_fixture

pytestmark = pytest.mark.django_db

BRIEF = "orf-issue-brief-683"
ALMANAC = "submarine-cable-almanac-2023"
TOP10VPN = "top10vpn-hikvision-dahua-2021"
M = 1_000_000

# Table 1: country -> (ISO code, agreement signed (year, month) or None, US$ million or None for N/A, asterisk)
TABLE_1 = {
    "Bangladesh": ("BD", (2015, None), Decimal("1130"), True),
    "Brunei": ("BN", (2017, None), Decimal("200"), False),
    "Cambodia": ("KH", (2017, None), Decimal("500"), False),
    "Djibouti": ("DJ", (2017, None), Decimal("250"), False),
    "Fiji": ("FJ", (2020, None), None, False),
    "Indonesia": ("ID", (2017, None), Decimal("7200"), False),
    "Kenya": ("KE", (2017, None), Decimal("200"), False),
    "Laos": ("LA", None, Decimal("50"), False),
    "Malaysia": ("MY", (2017, None), Decimal("1130"), False),
    "Maldives": ("MV", (2012, None), Decimal("184"), True),
    "Mauritius": ("MU", None, Decimal("127"), False),
    "Mozambique": ("MZ", (2017, None), Decimal("600"), False),
    "Myanmar": ("MM", (2018, 9), Decimal("339"), False),
    "Pakistan": ("PK", (2017, None), Decimal("2730"), False),
    "Papua New Guinea": ("PG", (2017, None), Decimal("200"), False),
    "Philippines": ("PH", (2017, None), Decimal("1300"), False),
    "Samoa": ("WS", (2017, None), Decimal("155"), False),
    "Seychelles": ("SC", None, None, False),
    "Singapore": ("SG", (2017, None), Decimal("2500"), False),
    "Solomon Islands": ("SB", (2017, None), Decimal("450"), False),
    "South Korea": ("KR", (2017, None), Decimal("1230"), False),
    "Sri Lanka": ("LK", (2011, None), Decimal("300"), True),
    "Thailand": ("TH", (2017, None), Decimal("1900"), False),
    "Vietnam": ("VN", (2017, None), Decimal("400"), False),
}

# The sums of money Table 1's text names: (country, lender slug or None, US$ million, instrument, year,
# borrowing body slug or None, a word of the project's name)
LOANS = [
    ("KH", None, "200", "loan", None, None, "broadband"),
    ("DJ", "china-development-bank", "18.3", "loan", None, None, "Djibouti Telecommunication Network"),
    ("ID", "industrial-and-commercial-bank-of-china", "177", "loan", None, None, "Palapa Ring Middle"),
    ("KE", None, "168", "loan", 2019, None, "Konza"),
    ("LA", None, "20", "loan", 2018, None, "Lao National Internet Center"),
    ("MU", None, "20", "investment", None, None, "ICT infrastructure"),
    ("MU", None, "7.3", "interest-free-loan", None, None, "Mauritius Broadcasting Corporation"),
    ("MZ", "export-import-bank-of-china", "300", "investment", None, None, "broadcast"),
    ("PG", "export-import-bank-of-china", "229", "loan", None, "papua-new-guinea-ministry-of-treasury", None),
    ("PH", "export-import-bank-of-china", "329.5", "preferential-buyers-credit", 2017, None, "broadband"),
    ("WS", "export-import-bank-of-china", "19", "concessional-loan", None, None, "broadband"),
    ("SC", None, "20", "grant", None, None, "Radio and Broadcasting House"),
    ("SB", None, "66", "loan", 2022, None, "161 mobile communication towers"),
    ("LK", "export-import-bank-of-china", "88.6", "loan", None,
     "telecommunications-regulatory-commission-of-sri-lanka", "Lotus Tower"),
]

# Table 3: abbreviation or name -> (US$ million, number of landings, landing countries, listed countries in order)
TABLE_3 = {
    "PEACE": ("425", 10, {"EG", "SO", "DJ", "MT", "FR", "KE", "SC", "CY"},
              ["EG", "FR", "PK", "KE", "SC", "SG", "MV", "SO", "SA", "TN", "MT", "DJ", "CY", "ZA"]),
    "Kumul Domestic Submarine Cable System": ("136.4", 16, {"PG", "ID"}, ["ID", "PG"]),
    "SEA-H2X": ("125", 6, {"MY", "PH", "CN", "HK", "TH", "SG"}, ["CN", "MY", "SG", "TH", "MY", "PH"]),
    "SIGMAR": ("120", 2, {"MM", "SG"}, ["SG", "MY"]),
    "MKCS": ("94", 7, {"ID"}, ["ID"]),
    "B2JS": ("76", 2, {"ID"}, ["ID", "SG"]),
    "BDM": ("76", 3, {"ID", "MY"}, ["ID", "MY"]),
    "MCT": ("70", 3, {"MY", "TH", "KH"}, ["KH", "MY", "TH"]),
    "TW1": ("40", 3, {"OM", "AE", "PK"}, ["OM", "PK", "AE"]),
    "G2A": ("37.5", 3, {"SO", "OM"}, ["OM", "SO"]),
    "Palapa Ring Middle": ("37", 16, {"ID"}, ["ID"]),
    "CDSCN": ("32.5", 19, {"PH"}, ["PH"]),
    "MSC": ("22", 2, {"MV", "LK"}, ["MV", "LK"]),
    "MARS": ("17.5", 2, {"MU"}, ["MU"]),
}
TABLE_3_OWNERS = {
    "PEACE": {"china-construction-bank", "china-asean-information-harbor", "tropic-science"},
    "SEA-H2X": {"china-mobile", "china-unicom", "converge-ict-solutions", "pp-telecommunication"},
    "MCT": {"dtac", "ezecom", "symphony", "telekom-malaysia"},
    "CDSCN": {"converge-ict-solutions"},
    "MSC": {"ooredoo-maldives", "dhiraagu", "dialog-axiata"},
}

# Table 4: country -> (ISO code, Dahua, Hikvision, Total); None is a blank cell
TABLE_4 = {
    "Vietnam": ("VN", 151483, 671828, 822324),
    "South Korea": ("KR", 42479, 179566, 222012),
    "India": ("IN", 33786, 180883, 214455),
    "Thailand": ("TH", 37489, 140502, 177901),
    "Malaysia": ("MY", 35865, 99861, 135513),
    "Taiwan": ("TW", 56999, 76671, 133604),
    "Australia": ("AU", 18786, 41276, 60046),
    "Indonesia": ("ID", 8459, 22157, 30614),
    "Japan": ("JP", 4571, 25403, 29968),
    "Pakistan": ("PK", 8642, 17026, 25642),
    "Cambodia": ("KH", 4568, 21067, 25609),
    "Singapore": ("SG", 7784, 17613, 25375),
    "Bangladesh": ("BD", 11482, 3322, 14804),
    "Sri Lanka": ("LK", 914, 6967, 7847),
    "New Zealand": ("NZ", 2287, 5295, 7581),
    "Mongolia": ("MN", 66, 1110, 1176),
    "Maldives": ("MV", 713, 148, 861),
    "Nepal": ("NP", 135, 439, 574),
    "Brunei": ("BN", 72, 374, 446),
    "Laos": ("LA", 99, 245, 344),
    "Papua New Guinea": ("PG", 38, 266, 304),
    "Fiji": ("FJ", 64, 94, 158),
    "Bhutan": ("BT", 7, 131, 138),
    "Micronesia": ("FM", 5, 75, 80),
    "Myanmar": ("MM", 13, 40, 53),
    "Samoa": ("WS", 2, 38, 40),
    "Cook Islands": ("CK", None, 21, 21),
    "Vanuatu": ("VU", 7, 13, 20),
    "Solomon Islands": ("SB", 2, 4, 6),
    "Tonga": ("TO", 2, 4, 6),
    "Kiribati": ("KI", 3, None, 3),
    "Timor-Leste": ("TL", None, 3, 3),
    "Marshall Islands": ("MH", 1, None, 1),
    "Palau": ("PW", None, 1, 1),
}
CITIES = {"Mumbai": 32563, "Chennai": 9795, "Bengaluru": 8616, "Delhi": 7006}


seeded = seeded_module_fixture()


@pytest.fixture
def seed(seeded, db):
    """The seed, loaded once for this module."""


def test_table_1_agreements(seed):
    agreements = {a.country.iso2: a for a in models.Agreement.objects.select_related("country", "source")}
    expected = {iso2: signed for iso2, signed, _amount, _star in TABLE_1.values() if signed}
    assert set(agreements) == set(expected)
    assert len(agreements) == 21
    for country, (iso2, signed, _amount, _star) in TABLE_1.items():
        if signed is None:
            assert iso2 not in agreements, f"{country} has no agreement in Table 1"
            continue
        agreement = agreements[iso2]
        year, month = signed
        assert agreement.signed.year == year, country
        assert agreement.signed_precision == ("month" if month else "year"), country
        if month:
            assert agreement.signed == date(year, month, 1)
        assert agreement.source.slug == BRIEF
        assert agreement.locator == f"Table 1, {country}"
    assert agreements["MM"].kind == "economic_corridor"
    assert "China-Myanmar Economic Corridor" in agreements["MM"].name
    maldives_parties = {p.organization.slug for p in agreements["MV"].parties.all()}
    assert maldives_parties == {"huawei-sri-lanka", "maldives-national-centre-of-information-technology"}
    assert models.Organization.objects.get(slug="maldives-national-centre-of-information-technology").name == (
        "National Centre of Information Technology"
    )


def test_table_1_finance_estimates(seed):
    estimates = {e.country.iso2: e for e in models.FinanceEstimate.objects.select_related("country", "currency")}
    assert len(estimates) == 24
    for country, (iso2, _signed, amount, star) in TABLE_1.items():
        estimate = estimates[iso2]
        assert (estimate.period_start, estimate.period_end) == (2017, 2022), country
        assert estimate.includes_pre_bri is star, country
        assert estimate.locator == f"Table 1, {country}"
        assert estimate.source.slug == BRIEF
        if amount is None:
            assert estimate.amount is None and estimate.amount_usd is None, f"{country}: N/A is no figure, not 0"
        else:
            assert estimate.amount == amount * M, country
            assert estimate.amount_usd == amount * M, country
            assert estimate.currency.code == "USD"
    assert estimates["ID"].amount == Decimal("7200000000")


def test_table_1_sources_are_recorded_with_the_brief(seed):
    brief = models.Source.objects.get(slug=BRIEF)
    assert set(brief.compiled_from.values_list("slug", flat=True)) >= {
        "china-global-investment-tracker",
        "bu-gdp-chinas-overseas-development-finance",
        "aiddata-gcdf",
        "belt-and-road-portal-news",
        ALMANAC,
    }


def test_every_loan_named_in_table_1(seed):
    loans = list(models.Loan.objects.select_related("borrower_country", "instrument", "project", "currency"))
    assert len(loans) == 14
    unmatched = list(loans)
    for iso2, lender, amount, instrument, year, borrower, project_word in LOANS:
        matches = [
            loan
            for loan in unmatched
            if loan.borrower_country.iso2 == iso2 and loan.amount_usd == Decimal(amount) * M
        ]
        assert len(matches) == 1, f"{iso2} US${amount} million"
        loan = matches[0]
        unmatched.remove(loan)
        assert loan.amount == Decimal(amount) * M and loan.currency.code == "USD"
        assert loan.instrument.slug == instrument, loan.slug
        assert loan.year == year, loan.slug
        if year:
            assert loan.committed_precision == "year"
        lenders = [p for p in loan.parties.all() if p.role == "lender"]
        assert len(lenders) == 1, loan.slug
        if lender:
            assert lenders[0].organization.slug == lender, loan.slug
        else:
            assert lenders[0].organization is None and lenders[0].description, loan.slug
        borrowers = [p.organization.slug for p in loan.parties.all() if p.role == "borrower"]
        assert borrowers == ([borrower] if borrower else []), loan.slug
        if project_word:
            assert project_word.lower() in loan.project.name.lower(), loan.slug
        assert loan.source.slug == BRIEF and loan.locator.startswith("Table 1, ")
    assert not unmatched
    cambodia = models.Loan.objects.get(borrower_country__iso2="KH")
    assert "consortium of Chinese state-owned banks" in cambodia.parties.get().description
    palapa = models.Loan.objects.get(borrower_country__iso2="ID")
    assert palapa.project.cable.slug == "palapa-ring-middle"


def test_lender_aliases(seed):
    exim = models.Organization.objects.get(slug="export-import-bank-of-china")
    for name in ("exim", "China Exim", "Exim Bank of China", "china eximbank", "EXIM"):
        assert list(models.Organization.objects.matching(name)) == [exim], name
    icbc = models.Organization.objects.get(slug="industrial-and-commercial-bank-of-china")
    assert icbc.aliases.filter(name="Industrial and Commerce Bank of China", kind="printed_form").exists()
    assert models.Organization.objects.get(slug="china-development-bank").short_name == "CDB"


def test_table_2_and_the_companies(seed):
    activities = {(a.activity, a.organization.slug) for a in models.OrganizationActivity.objects.all()}
    assert activities == {
        ("Undersea cables", "hengtong"),
        ("Undersea cables", "hmn-technologies"),
        ("CCTV cameras", "hikvision"),
        ("CCTV cameras", "dahua"),
        ("4G/5G mobile network", "china-unicom"),
        ("4G/5G mobile network", "china-mobile"),
        ("4G/5G mobile network", "huawei"),
        ("Digital payments", "alipay"),
    }
    ownership = dict(models.Organization.objects.values_list("slug", "state_ownership"))
    assert ownership["dahua"] == "partly_state_owned"
    for slug in ("china-telecom", "china-mobile", "hikvision", "china-unicom"):
        assert ownership[slug] == "state_owned", slug
    for slug in ("huawei", "baidu", "hengtong", "alibaba", "tencent"):
        assert ownership[slug] == "private", slug
    for slug in ("zte", "alipay"):
        assert slug in ownership

    stake = models.OwnershipStake.objects.get(owned__slug="hmn-technologies")
    assert (stake.owner.slug, stake.share, stake.since_year) == ("hengtong", Decimal("81"), 2020)
    former = models.OrganizationAlias.objects.get(organization__slug="hmn-technologies", kind="former_name")
    assert (former.name, former.until_year) == ("Huawei Marine Networks", 2020)
    assert list(models.Organization.objects.matching("HMN Tech").values_list("slug", flat=True)) == ["hmn-technologies"]


def test_table_3_cables(seed):
    cables = {c.abbreviation or c.name: c for c in models.SubmarineCable.objects.all()}
    assert set(cables) == set(TABLE_3)
    for key, (cost, landings, landing_countries, listed) in TABLE_3.items():
        cable = cables[key]
        assert cable.cost_usd == Decimal(cost) * M, key
        assert cable.landings.count() == landings, key
        assert {l.station.country.iso2 for l in cable.landings.select_related("station__country")} == (
            landing_countries
        ), key
        assert [c.country.iso2 for c in cable.listed_countries.order_by("position")] == listed, key
        assert cable.parties.filter(role="supplier", organization__slug="hmn-technologies").exists(), key
        assert cable.source.slug == ALMANAC and cable.via_source.slug == BRIEF, key
        assert cable.locator.startswith("Table 3"), key
    for key, owners in TABLE_3_OWNERS.items():
        assert set(cables[key].parties.filter(role="owner").values_list("organization__slug", flat=True)) == owners
    assert models.CableLanding.objects.count() == 94
    assert models.LandingStation.objects.count() == 91
    for name, country, cable_count in (("Tuas", "SG", 2), ("Batam", "ID", 2), ("Berbera", "SO", 2)):
        station = models.LandingStation.objects.get(name=name)
        assert station.country.iso2 == country and station.cables.count() == cable_count, name
    assert models.LandingStation.objects.get(name="Tseung Kwan O").country.iso2 == "HK"
    assert models.LandingStation.objects.get(name="Thanlyin").cables.get().abbreviation == "SIGMAR"
    assert models.LandingStation.objects.filter(name__in=["Naga", "Ormoc"], country__iso2="PH").count() == 2
    assert models.Organization.objects.get(slug="china-mobile").cable_roles.filter(role="owner").exists()

    total = models.ReportedTotal.objects.get(row_model__model="submarinecable")
    assert total.value == Decimal("1030") * M
    assert total.computed_value() == Decimal("1308.9") * M


def test_table_4_cameras(seed):
    rows = models.CameraCount.objects.filter(locator__startswith="Table 4,").select_related("country", "vendor")
    got = {(r.country.iso2, r.vendor.slug if r.vendor else None): r for r in rows}
    expected = {}
    for country, (iso2, dahua, hikvision, total) in TABLE_4.items():
        for vendor, count in (("dahua", dahua), ("hikvision", hikvision), (None, total)):
            if count is not None:
                expected[(iso2, vendor)] = (count, country)
    assert set(got) == set(expected), "a blank cell is no record"
    for key, (count, country) in expected.items():
        row = got[key]
        assert row.count == count, key
        assert row.locator == f"Table 4, {country}"
        assert row.source.slug == TOP10VPN and row.via_source.slug == BRIEF
        assert row.city == ""
    assert len({iso2 for iso2, _vendor in got}) == 34
    assert got[("VN", None)].count == 822324  # as reported, although 151,483 + 671,828 = 823,311

    totals = {t.label: t for t in models.ReportedTotal.objects.filter(row_model__model="cameracount")}
    values = sorted(int(t.value) for t in totals.values())
    assert values == [426823, 1512443, 1937530]
    for total in totals.values():
        assert int(total.computed_value()) == int(total.value), total.label


def test_indian_cities_and_the_million(seed):
    cities = models.CameraCount.objects.filter(country__iso2="IN").exclude(city="")
    assert {c.city: c.count for c in cities} == CITIES
    for city in cities:
        assert city.vendor is None and city.source.slug == TOP10VPN and city.via_source.slug == BRIEF
    million = models.CameraCount.objects.get(count=1_000_000)
    assert million.country.iso2 == "IN" and million.vendor is None and million.city == ""
    assert (million.observed, million.observed_precision) == (date(2021, 3, 1), "month")
    assert million.source.url.startswith("https://www.theweek.in/")
    assert million.via_source.slug == BRIEF


def test_every_fact_is_cited(seed):
    for model in models.FACT_MODELS:
        for record in model.objects.select_related("source", "via_source"):
            assert record.source_id, f"{model.__name__} {record.pk}"
            assert record.locator, f"{model.__name__} {record.pk} has no locator"
            if record.source.slug != BRIEF and model not in (models.Organization, models.OrganizationAlias):
                assert record.via_source and record.via_source.slug == BRIEF, f"{model.__name__} {record}"
