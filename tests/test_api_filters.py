"""Filters: natural values and ids, repeated values OR-ed, ranges, search, ordering, and
a 400 naming the parameter for anything that would otherwise filter nothing."""

import pytest

from tests.api_support import results, seed, slugs  # noqa: F401

pytestmark = pytest.mark.django_db

EXIM_LOANS = ["exim-mozambique", "exim-papua-new-guinea", "exim-philippines", "exim-samoa", "exim-sri-lanka"]


def get(client, path, **params):
    return client.get(path, params)


@pytest.mark.parametrize("value", ["exim", "EXIM", "export-import-bank-of-china", "China Exim", "china exim", "Exim Bank"])
def test_lender_matches_slug_short_name_and_alias(client, seed, value):
    response = get(client, "/api/loans", lender=value)
    assert slugs(response) == EXIM_LOANS
    amounts = {r["slug"]: r["amount_usd"] for r in results(response)}
    assert amounts["exim-philippines"] == "329500000.00" and amounts["exim-mozambique"] == "150000000.00"


def test_lender_by_id_and_repeated(client, seed):
    assert slugs(get(client, "/api/loans", lender_id=seed.exim.pk)) == EXIM_LOANS
    both = client.get("/api/loans?lender=exim&lender=china-development-bank")
    assert slugs(both) == sorted(EXIM_LOANS + ["cdb-pakistan"])
    assert slugs(client.get(f"/api/loans?lender_id={seed.exim.pk}&lender_id={seed.cdb.pk}")) == slugs(both)
    # A guarantor is a party, not a lender.
    assert "cdb-pakistan" in slugs(get(client, "/api/loans", party="exim"))


def test_loan_filters(client, seed):
    assert slugs(get(client, "/api/loans", borrower_country="PH")) == ["exim-philippines"]
    assert slugs(get(client, "/api/loans", borrower_country="PHL")) == ["exim-philippines"]
    assert slugs(get(client, "/api/loans", borrower_country="ph")) == ["exim-philippines"]
    assert slugs(client.get("/api/loans?borrower_country=PH&borrower_country=LKA")) == ["exim-philippines", "exim-sri-lanka"]
    assert slugs(get(client, "/api/loans", year__gte=2018, year__lte=2019)) == [
        "cdb-pakistan", "exim-papua-new-guinea", "exim-sri-lanka"
    ]
    assert slugs(get(client, "/api/loans", year=2017)) == ["exim-philippines"]
    assert slugs(get(client, "/api/loans", amount_usd__gte=100000000)) == [
        "exim-mozambique", "exim-philippines", "exim-sri-lanka"
    ]
    assert slugs(get(client, "/api/loans", amount_usd__lte="20000000")) == ["chinese-bank-mauritius", "exim-samoa"]
    assert slugs(get(client, "/api/loans", instrument="investment")) == ["exim-mozambique"]
    assert slugs(get(client, "/api/loans", project="ph-national-broadband")) == ["exim-philippines"]
    assert slugs(get(client, "/api/loans", project_id=seed.broadband.pk)) == ["exim-philippines"]
    assert len(results(get(client, "/api/loans", source="orf-issue-brief-683"))) == 7
    assert slugs(get(client, "/api/loans", lender="exim", year__gte=2018)) == ["exim-papua-new-guinea", "exim-sri-lanka"]


def test_cable_filters(client, seed):
    assert slugs(get(client, "/api/cables", owner="china-mobile")) == ["peace-cable"]
    assert slugs(get(client, "/api/cables", owner_id=seed.china_mobile.pk)) == ["peace-cable"]
    for supplier in ("hmn-technologies", "Huawei Marine Networks", "HMN Tech"):
        assert slugs(get(client, "/api/cables", supplier=supplier)) == ["kumul-domestic", "peace-cable"]
    assert slugs(get(client, "/api/cables", country="SG")) == ["peace-cable"]
    assert slugs(get(client, "/api/cables", country="PG")) == ["kumul-domestic"]  # listed and landing: once
    assert slugs(get(client, "/api/cables", landing_country="PG")) == ["kumul-domestic"]
    assert slugs(get(client, "/api/cables", landing_country="PNG")) == ["kumul-domestic"]
    assert slugs(get(client, "/api/cables", listed_country="PK")) == ["peace-cable"]
    assert slugs(get(client, "/api/cables", rfs_year__gte=2021)) == ["peace-cable"]
    assert slugs(get(client, "/api/cables", rfs_year__lte=2021)) == ["kumul-domestic"]
    assert slugs(get(client, "/api/cables", q="peace")) == ["peace-cable"]
    assert slugs(get(client, "/api/cables", q="KDSCS")) == ["kumul-domestic"]


def test_camera_count_filters(client, seed):
    assert slugs(get(client, "/api/camera-counts", vendor="hikvision", country="IN")) == ["in-hikvision"]
    assert slugs(get(client, "/api/camera-counts", vendor="Hikvision")) == ["in-hikvision", "vn-hikvision"]
    assert slugs(get(client, "/api/camera-counts", city="mumbai")) == ["in-mumbai"]
    assert slugs(get(client, "/api/camera-counts", count__gte=5000)) == ["in-mumbai", "vn-hikvision", "vn-total"]
    assert slugs(get(client, "/api/camera-counts", count__lte=1000)) == ["in-dahua", "in-hikvision"]
    assert slugs(get(client, "/api/camera-counts", total="true")) == ["in-mumbai", "vn-total"]
    assert slugs(get(client, "/api/camera-counts", source="top10vpn-2021", country="VNM")) == ["vn-hikvision", "vn-total"]


def test_other_endpoint_filters(client, seed):
    assert slugs(get(client, "/api/finance-estimates", country="ID")) == ["dsr-finance-indonesia"]
    assert slugs(get(client, "/api/finance-estimates", amount_usd__lte=500000000)) == ["dsr-finance-philippines"]
    assert slugs(get(client, "/api/agreements", country="KH", signed_year__gte=2017)) == ["kh-digital-mou-2017"]
    assert slugs(get(client, "/api/agreements", country="KHM")) == ["kh-digital-mou-2015", "kh-digital-mou-2017"]
    assert slugs(get(client, "/api/agreements", signed_year__lte=2016)) == ["kh-digital-mou-2015"]
    assert slugs(get(client, "/api/agreements", party="ministry-of-posts-cambodia")) == ["kh-digital-mou-2017"]
    assert slugs(get(client, "/api/agreements", kind="mou", country="PH")) == ["ph-digital-mou-2019"]
    assert slugs(get(client, "/api/landing-stations", country="PG", cable="kumul-domestic")) == ["madang"]
    assert slugs(get(client, "/api/landing-stations", cable="peace-cable")) == ["karachi", "tuas"]
    assert slugs(get(client, "/api/landing-stations", cable_id=seed.kumul.pk)) == ["madang"]
    assert slugs(get(client, "/api/projects", country="PH")) == ["ph-national-broadband"]
    assert slugs(get(client, "/api/sources", q="almanac")) == ["submarine-cable-almanac-2023"]
    assert [c["iso2"] for c in results(get(client, "/api/countries", iso="PHL"))] == ["PH"]
    assert "Philippines" in [c["name"] for c in results(get(client, "/api/countries", q="philipp"))]


def test_organization_filters(client, seed):
    assert slugs(get(client, "/api/organizations", role="lender")) == ["china-development-bank", "export-import-bank-of-china"]
    assert slugs(get(client, "/api/organizations", role="owner")) == ["china-mobile"]
    assert slugs(get(client, "/api/organizations", role="supplier")) == ["hmn-technologies"]
    assert slugs(get(client, "/api/organizations", role="vendor")) == ["dahua", "hikvision"]
    assert slugs(client.get("/api/organizations?role=owner&role=supplier")) == ["china-mobile", "hmn-technologies"]
    assert slugs(get(client, "/api/organizations", kind="policy_bank")) == ["china-development-bank", "export-import-bank-of-china"]
    assert slugs(get(client, "/api/organizations", country="KH")) == ["ministry-of-posts-cambodia"]
    # q searches names, short names and aliases, each organization once.
    assert slugs(get(client, "/api/organizations", q="huawei marine")) == ["hmn-technologies"]
    assert slugs(get(client, "/api/organizations", q="exim")) == ["export-import-bank-of-china"]


def test_ordering(client, seed):
    ordered = results(get(client, "/api/loans", ordering="-amount_usd"))
    assert [r["slug"] for r in ordered[:2]] == ["exim-philippines", "exim-mozambique"]
    by_year = [r["year"] for r in results(get(client, "/api/loans", ordering="year"))]
    assert by_year == sorted(by_year)
    names = [r["name"] for r in results(get(client, "/api/organizations", ordering="-name"))]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize(
    "path, params, parameter",
    [
        ("/api/loans", {"year": "abc"}, "year"),
        ("/api/loans", {"year__gte": "20x7"}, "year__gte"),
        ("/api/loans", {"borrower_country": "XX"}, "borrower_country"),
        ("/api/loans", {"borrower_country": "PHILIPPINES"}, "borrower_country"),
        ("/api/loans", {"lender": "no-such-bank"}, "lender"),
        ("/api/loans", {"lender_id": "abc"}, "lender_id"),
        ("/api/loans", {"lender_id": "999999"}, "lender_id"),
        ("/api/loans", {"lendr": "exim"}, "lendr"),
        ("/api/loans", {"amount_usd__gte": "lots"}, "amount_usd__gte"),
        ("/api/loans", {"instrument": "bond"}, "instrument"),
        ("/api/loans", {"ordering": "nonsense"}, "ordering"),
        ("/api/loans", {"limit": "-1"}, "limit"),
        ("/api/cables", {"rfs_year__gte": "soon"}, "rfs_year__gte"),
        ("/api/cables", {"owner": "nobody"}, "owner"),
        ("/api/camera-counts", {"vendor": "acme"}, "vendor"),
        ("/api/camera-counts", {"count__gte": "many"}, "count__gte"),
        ("/api/agreements", {"kind": "treaty"}, "kind"),
        ("/api/organizations", {"role": "borrower"}, "role"),
        ("/api/landing-stations", {"cable": "no-such-cable"}, "cable"),
        ("/api/loans", {"format": "csv", "lendr": "exim"}, "lendr"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, seed, path, params, parameter):
    response = client.get(path, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert parameter in body, body
    assert body[parameter] and all(isinstance(message, str) for message in body[parameter])


def test_unknown_values_are_listed_in_the_message(client, seed):
    body = client.get("/api/loans?lender=exim&lender=no-such-bank&lender=nor-this").json()
    assert "'no-such-bank'" in body["lender"][0] and "'nor-this'" in body["lender"][0]
    assert "exim'" not in body["lender"][0]


def column_is_indexed(model, path):
    *relations, last = path.split("__")
    for part in relations:
        model = model._meta.get_field(part).related_model
    field = model._meta.get_field(last)
    if field.is_relation and not field.concrete:
        return True  # a reverse relation: the foreign key on the other side is indexed
    leading = {index.fields[0] for index in model._meta.indexes if index.fields}  # not expression indexes
    leading |= {c.fields[0] for c in model._meta.constraints if getattr(c, "fields", None)}
    return field.primary_key or field.unique or field.db_index or field.name in leading


def test_every_filtered_column_is_indexed():
    from registry.api.filtersets import ValuesFilter
    from registry.api.views import ENDPOINTS

    unindexed = []
    for _prefix, viewset in ENDPOINTS:
        filterset = viewset.filterset_class
        model = filterset._meta.model
        for name, flt in filterset.base_filters.items():
            if flt.method or name == "ordering":
                continue  # q (free text), organization roles (Exists over foreign keys)
            paths = flt.paths if isinstance(flt, ValuesFilter) else (flt.field_name,)
            unindexed += [f"{model.__name__}.{name} ({path})" for path in paths if not column_is_indexed(model, path)]
    assert unindexed == []
