"""Fill a migrated PostgreSQL database with realistic synthetic, cited data through COPY.

Sizes at BENCH_SCALE=1: 1,000,000 camera counts, 200,000 loans with one to three lenders
each, 50,000 organizations with aliases, 20,000 cables with 100,000 landings (and their
owners, suppliers and listed countries). Every row cites one of the synthetic sources. Deterministic (a fixed random seed), so two runs
measure the same rows. No history rows are written.

Run inside the project with DATABASE_URL set:  python bench/fill.py
"""

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models.fields import NOT_PROVIDED  # noqa: E402
from django.utils import timezone  # noqa: E402

from registry.models import (  # noqa: E402
    CableLanding,
    CableListedCountry,
    CableParty,
    CameraCount,
    Country,
    Instrument,
    LandingStation,
    Loan,
    LoanParty,
    Organization,
    OrganizationAlias,
    Source,
    SubmarineCable,
    normalize_name,
)

SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(n, minimum=10):
    return max(minimum, int(n * SCALE))


N_SOURCES = scaled(1_000, 20)
N_ORGS = scaled(50_000, 600)
N_CAMERAS = scaled(1_000_000, 1_000)
N_LOANS = scaled(200_000, 500)
N_CABLES = scaled(20_000, 100)
N_STATIONS = scaled(30_000, 150)
LANDINGS_PER_CABLE = 5  # on average: 100,000 landings for 20,000 cables
N_BANKS = 300  # organizations 1..N_BANKS lend
N_VENDORS = 500  # the next N_VENDORS make cameras

rng = random.Random(683)
NOW = timezone.now()

# Where cameras, loans and landings are: a skewed spread, as in the real data.
HEAVY = {
    "IN": 10, "CN": 9, "US": 8, "VN": 5, "BR": 4, "ID": 4, "PK": 3, "TH": 3, "MX": 3, "GB": 3,
    "DE": 2, "FR": 2, "IT": 2, "KE": 2, "NG": 2, "EG": 2, "TR": 2, "PH": 2, "MY": 2, "ZA": 2,
}
CITIES = {
    "IN": ["Delhi", "Mumbai", "Chennai", "Hyderabad", "Bengaluru", "Kolkata", "Pune", "Ahmedabad", "Surat", "Jaipur"],
    "CN": ["Shanghai", "Beijing", "Shenzhen", "Chongqing", "Wuhan", "Chengdu", "Tianjin", "Hangzhou"],
    "US": ["New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Atlanta", "Dallas"],
    "VN": ["Hanoi", "Ho Chi Minh City", "Da Nang", "Hai Phong", "Can Tho"],
    "ID": ["Jakarta", "Surabaya", "Bandung", "Medan", "Batam"],
}
FIRST = ["Golden", "Silk", "Pacific", "Eastern", "United", "Great", "Harbour", "Pearl", "Summit", "Dragon",
         "Atlas", "Delta", "Orient", "Horizon", "Crescent", "Meridian", "Northern", "Southern", "Jade", "Phoenix"]
SECOND = ["Telecom", "Networks", "Vision", "Systems", "Holdings", "Technologies", "Digital", "Cable", "Security",
          "Bank", "Capital", "Infrastructure", "Communications", "Electronics", "Data", "Optical"]
SUFFIX = ["Co., Ltd.", "Group", "Corporation", "Limited", "PLC", "S.A.", "Inc.", "JSC"]


class Copier:
    """COPY rows of a model: the given columns from each row, every other column at its
    default (an empty string for a blank text column, NULL for a nullable one)."""

    def __init__(self, model, fields):
        self.model = model
        self.table = model._meta.db_table
        self.given = list(fields)
        rest = []
        for field in model._meta.concrete_fields:
            if field.attname in self.given or field.name in self.given:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = NOW
            elif field.default is not NOT_PROVIDED:
                value = field.get_default()
            elif field.null:
                value = None
            elif field.get_internal_type() in ("CharField", "TextField", "SlugField", "URLField"):
                value = ""
            else:
                raise ValueError(f"{self.table}.{field.column} needs a value")
            rest.append((field.column, value))
        self.columns = [model._meta.get_field(name).column for name in self.given] + [c for c, _ in rest]
        self.constants = tuple(v for _, v in rest)

    def copy(self, rows):
        cols = ", ".join(f'"{c}"' for c in self.columns)
        n = 0
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # psycopg 3
            with cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                constants = self.constants
                for row in rows:
                    copy.write_row(row + constants)
                    n += 1
        return n


def weighted_countries(countries):
    iso = list(countries)
    weights = [HEAVY.get(code, 0.15) for code in iso]
    return iso, weights


def org_name(i):
    return f"{FIRST[i % 20]} {SECOND[(i // 20) % 16]} {i} {SUFFIX[(i // 320) % 8]}"


def partial_date(start_year, end_year):
    year = rng.randint(start_year, end_year)
    precision = rng.choices(("year", "month", "day"), (3, 2, 5))[0]
    if precision == "year":
        return dt.date(year, 1, 1), "year"
    if precision == "month":
        return dt.date(year, rng.randint(1, 12), 1), "month"
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), "day"


TABLES = (Source, Organization, OrganizationAlias, CameraCount, Loan, LoanParty, SubmarineCable, LandingStation,
          CableLanding, CableParty, CableListedCountry)


def drop_plain_indexes():
    """Drop the indexes that back no constraint (rebuilt after the COPY, which is far
    faster than keeping them up to date row by row); return their definitions."""
    tables = [model._meta.db_table for model in TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
               JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes]


def fill():
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        # No foreign-key triggers row by row: the generator keeps the keys consistent.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '512MB'")
    indexes = drop_plain_indexes()
    countries = dict(Country.objects.values_list("iso2", "id"))
    iso_list, iso_weights = weighted_countries(countries)
    usd = "USD"
    instruments = list(Instrument.objects.values_list("id", flat=True))
    loan_instrument = Instrument.objects.get(slug="loan").id
    conf = ("reported", "estimated", "disputed", "verified")
    conf_w = (70, 15, 5, 10)
    review = ("draft", "needs_review", "verified")
    review_w = (50, 30, 20)
    counts = {}

    def prov(i):
        """source, locator, via_source, confidence, review_status, updated"""
        source = 1 + (i * 7919) % N_SOURCES
        via = 1 if i % 5 == 0 else None
        return (
            source,
            f"Row {i}",
            via,
            rng.choices(conf, conf_w)[0],
            rng.choices(review, review_w)[0],
            NOW - dt.timedelta(seconds=i),
        )

    prov_fields = ["source_id", "locator", "via_source_id", "confidence", "review_status", "updated"]

    # Sources.
    rows = (
        (i, f"synthetic-source-{i}", f"Synthetic source {i}: {FIRST[i % 20]} report on digital infrastructure",
         f"{FIRST[i % 20]} Institute", f"https://example.org/sources/{i}", "dataset" if i % 3 else "report")
        for i in range(1, N_SOURCES + 1)
    )
    counts["sources"] = Copier(Source, ["id", "slug", "title", "publisher", "url", "kind"]).copy(rows)

    # Organizations: 1 Exim, 2 CDB, 3 Hikvision, 4 Dahua, then banks, vendors, the rest.
    named = {
        1: ("export-import-bank-of-china", "Export-Import Bank of China", "China Exim", "policy_bank", "CN"),
        2: ("china-development-bank", "China Development Bank", "CDB", "policy_bank", "CN"),
        3: ("hikvision", "Hangzhou Hikvision Digital Technology Co., Ltd.", "Hikvision", "company", "CN"),
        4: ("dahua", "Zhejiang Dahua Technology Co., Ltd.", "Dahua", "company", "CN"),
        5: ("huawei", "Huawei Technologies Co., Ltd.", "Huawei", "company", "CN"),
        6: ("hmn-technologies", "HMN Technologies Co., Ltd.", "HMN Tech", "company", "CN"),
    }

    def org_rows():
        for i in range(1, N_ORGS + 1):
            if i in named:
                slug, name, short, kind, iso = named[i]
            else:
                name = org_name(i)
                slug = f"org-{i}"
                short = f"O{i}" if i % 4 == 0 else ""
                kind = "bank" if i <= N_BANKS else ("company" if i % 3 else "telecom_operator")
                iso = rng.choices(iso_list, iso_weights)[0]
            yield (i, slug, name, short, kind, countries[iso], "state_owned" if i <= N_BANKS else "unknown") + prov(i)

    counts["organizations"] = Copier(
        Organization, ["id", "slug", "name", "short_name", "kind", "country_id", "state_ownership", *prov_fields]
    ).copy(org_rows())

    named_aliases = {
        1: ["Exim", "China Exim", "CHEXIM", "China Eximbank"],
        2: ["China Development Bank Corporation"],
        3: ["Hikvision", "HIKVISION"],
        4: ["Dahua Technology"],
        5: ["Huawei"],
        6: ["Huawei Marine Networks"],
    }

    def alias_rows():
        n = 0
        for i in range(1, N_ORGS + 1):
            names = named_aliases.get(i) or ([f"{org_name(i)} (alias)"] + ([f"ORG{i}"] if i % 2 else []))
            for name in names:
                n += 1
                yield (n, i, name, normalize_name(name), "alias") + prov(n)

    counts["organization aliases"] = Copier(
        OrganizationAlias, ["id", "organization_id", "name", "normalized", "kind", *prov_fields]
    ).copy(alias_rows())

    # Camera counts.
    vendor_ids = list(range(N_BANKS + 1, N_BANKS + N_VENDORS + 1))
    measures = ("cameras", "exposed_devices", "installed_cameras")

    def camera_rows():
        for i in range(1, N_CAMERAS + 1):
            iso = rng.choices(iso_list, iso_weights)[0]
            cities = CITIES.get(iso)
            r = rng.random()
            city = rng.choice(cities) if cities and r < 0.8 else ("" if r < 0.9 else f"{iso} city {rng.randint(1, 60)}")
            v = rng.random()
            vendor = 3 if v < 0.35 else 4 if v < 0.6 else None if v < 0.68 else rng.choice(vendor_ids)
            observed, precision = partial_date(2015, 2024) if rng.random() < 0.9 else (None, "")
            yield (
                i, f"cc-{i}", countries[iso], city, vendor, int(rng.lognormvariate(6, 2)),
                rng.choices(measures, (6, 3, 1))[0], "Shodan scan" if i % 2 else "Survey", observed, precision,
            ) + prov(i)

    counts["camera counts"] = Copier(
        CameraCount,
        ["id", "slug", "country_id", "city", "vendor_id", "count", "measure", "method", "observed",
         "observed_precision", *prov_fields],
    ).copy(camera_rows())

    # Loans and their lenders (Exim lends a quarter, CDB a sixth, the other banks the rest).
    lender_rows = []

    def loan_rows():
        for i in range(1, N_LOANS + 1):
            iso = rng.choices(iso_list, iso_weights)[0]
            committed, precision = partial_date(2000, 2023)
            amount = Decimal(rng.randint(1, 5000) * 100_000)
            instrument = loan_instrument if rng.random() < 0.6 else rng.choice(instruments)
            yield (
                i, f"loan-{i}", f"Loan {i}: {SECOND[i % 16].lower()} project in {iso}", countries[iso], instrument,
                amount, usd, amount, committed, precision, "ICT",
            ) + prov(i)
            first = rng.random()
            lenders = [1 if first < 0.25 else 2 if first < 0.42 else rng.randint(7, N_BANKS)]
            for _ in range(rng.choice((0, 0, 1, 2))):
                other = rng.randint(1, N_BANKS)
                if other not in lenders:
                    lenders.append(other)
            lender_rows.append((i, lenders))

    counts["loans"] = Copier(
        Loan,
        ["id", "slug", "title", "borrower_country_id", "instrument_id", "amount", "currency_id", "amount_usd",
         "committed", "committed_precision", "sector", *prov_fields],
    ).copy(loan_rows())

    def party_rows():
        n = 0
        for loan, lenders in lender_rows:
            for org in lenders:
                n += 1
                yield (n, loan, org, "lender") + prov(n)

    counts["loan lenders"] = Copier(LoanParty, ["id", "loan_id", "organization_id", "role", *prov_fields]).copy(
        party_rows()
    )

    # Cables, stations and landings.
    statuses = ("in_service", "in_service", "planned", "under_construction", "retired")

    def cable_rows():
        for i in range(1, N_CABLES + 1):
            yield (
                i, f"cable-{i}", f"{FIRST[i % 20]} {FIRST[(i // 20) % 20]} Cable {i}", f"C{i}",
                Decimal(rng.randint(10, 2000) * 1_000_000), Decimal(rng.randint(50, 40000)),
                rng.randint(1990, 2026), rng.choice(statuses),
            ) + prov(i)

    counts["cables"] = Copier(
        SubmarineCable,
        ["id", "slug", "name", "abbreviation", "cost_usd", "length_km", "rfs_year", "status", *prov_fields],
    ).copy(cable_rows())

    station_country = {}

    def station_rows():
        for i in range(1, N_STATIONS + 1):
            iso = rng.choices(iso_list, iso_weights)[0]
            station_country[i] = iso
            has = rng.random() < 0.9
            lat = Decimal(f"{rng.uniform(-60, 70):.6f}") if has else None
            lon = Decimal(f"{rng.uniform(-180, 180):.6f}") if has else None
            yield (i, f"station-{i}", f"Landing {i} ({iso})", countries[iso], lat, lon) + prov(i)

    counts["landing stations"] = Copier(
        LandingStation, ["id", "slug", "name", "country_id", "latitude", "longitude", *prov_fields]
    ).copy(station_rows())

    cable_stations = {}

    def landing_rows():
        n = 0
        for cable in range(1, N_CABLES + 1):
            k = rng.randint(2, 8)
            cable_stations[cable] = rng.sample(range(1, N_STATIONS + 1), k)
            for station in cable_stations[cable]:
                n += 1
                yield (n, cable, station) + prov(n)

    counts["cable landings"] = Copier(CableLanding, ["id", "cable_id", "station_id", *prov_fields]).copy(
        landing_rows()
    )

    def cable_party_rows():
        """An owner or two and a supplier for each cable, as TeleGeography lists them."""
        n = 0
        for cable in range(1, N_CABLES + 1):
            owners = rng.sample(range(N_BANKS + N_VENDORS + 1, N_ORGS + 1), rng.randint(1, 2))
            for org, role in [(org, "owner") for org in owners] + [(1 + N_BANKS + cable % N_VENDORS, "supplier")]:
                n += 1
                yield (n, cable, org, role) + prov(n)

    counts["cable parties"] = Copier(CableParty, ["id", "cable_id", "organization_id", "role", *prov_fields]).copy(
        cable_party_rows()
    )

    def listed_country_rows():
        """The countries a source lists for each cable: those of its landings, in order."""
        n = 0
        for cable in range(1, N_CABLES + 1):
            listed = dict.fromkeys(station_country[station] for station in cable_stations[cable])
            for position, iso in enumerate(listed, 1):
                n += 1
                yield (n, cable, position, countries[iso]) + prov(n)

    counts["cable listed countries"] = Copier(
        CableListedCountry, ["id", "cable_id", "position", "country_id", *prov_fields]
    ).copy(listed_country_rows())

    with connection.cursor() as cursor:
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET session_replication_role = origin")
        for model in TABLES:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    fill_s = time.monotonic() - t0
    connection.close()
    # VACUUM cannot run in a transaction: autocommit connection.
    t1 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return counts, fill_s, time.monotonic() - t1


if __name__ == "__main__":
    if connection.vendor != "postgresql":
        sys.exit("bench/fill.py fills PostgreSQL only (set DATABASE_URL)")
    counts, fill_s, vacuum_s = fill()
    for name, n in counts.items():
        print(f"  {name:20} {n:>10,}")
    print(f"fill: {fill_s:.1f} s (COPY), VACUUM ANALYZE {vacuum_s:.1f} s")
