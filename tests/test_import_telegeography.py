"""The TeleGeography importer, on the shared data (the whole 2021 release, schema v2, and
44 cables of 2022, schema v3) and on seed-like records built with factories."""

import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.db.models import Q
from django.core.management import CommandError, call_command

from registry.citations import cite_field, value_sources
from registry.importers import ImportFailed
from registry.importers.telegeography import (
    CountryIndex,
    cable_abbreviations,
    cable_key,
    import_release,
    parse_length,
    parse_rfs,
    split_parties,
    station_key,
)
from registry.models import (
    CableLanding,
    CableParty,
    FieldCitation,
    LandingStation,
    Organization,
    OrganizationAlias,
    Source,
    SubmarineCable,
)
from tests.factories import (
    CablePartyFactory,
    CountryRef,
    LandingStationFactory,
    OrganizationFactory,
    SourceFactory,
    SubmarineCableFactory,
)

REPO = Path(__file__).resolve().parents[1]


def shared_data():
    for candidate in (REPO.parent / "shared" / "data" / "telegeography", Path("/work/shared/data/telegeography")):
        if (candidate / "v2-2021-06" / "config.json").exists():
            return candidate
    return None


DATA = shared_data()
needs_data = pytest.mark.skipif(DATA is None, reason="shared/data/telegeography is not beside the repository")
V2 = DATA / "v2-2021-06" if DATA else None
V3 = DATA / "v3-sample" if DATA else None
V2_SOURCE = "telegeography-2021-06-28"  # config.json: creation_time 2021-06-28T13:35:14-04:00
V3_SOURCE = "telegeography-2022-11-10"


# -- pure parsing -------------------------------------------------------------------------


def test_parse_length():
    assert parse_length("1,300 km", "x") == Decimal("1300")
    assert parse_length("21,500 km", "x") == Decimal("21500")
    assert parse_length("12.5 km", "x") == Decimal("12.5")
    assert parse_length("n.a.", "x") is None
    assert parse_length(None, "x") is None
    with pytest.raises(ImportFailed, match="cable/x.json: length 'about 9' is not"):
        parse_length("about 9", "cable/x.json")


def test_parse_rfs():
    assert parse_rfs("2017 March", "x") == (2017, None, 3)
    assert parse_rfs("2021 Q4", "x") == (2021, 4, None)
    assert parse_rfs("2021", "x") == (2021, None, None)
    assert parse_rfs("n.a.", "x") == (None, None, None)
    assert parse_rfs(None, "x", year=2022) == (2022, None, None)
    with pytest.raises(ImportFailed, match="ready-for-service"):
        parse_rfs("2017 Marhc", "x")


def test_split_parties_keeps_names_whole():
    # v2 separates names with a comma and two spaces; a name may be split by it upstream.
    assert split_parties("Ocean Specialists,  Inc (OSI)") == ["Ocean Specialists, Inc (OSI)"]
    assert split_parties("Moratelindo,  XL Axiata,  Indosat Ooredoo") == ["Moratelindo", "XL Axiata", "Indosat Ooredoo"]
    # v3 separates with ", ".
    assert split_parties("Dhiraagu, Dialog Axiata, Ooredoo Maldives") == ["Dhiraagu", "Dialog Axiata", "Ooredoo Maldives"]
    assert split_parties("Sri Lanka Telecom, PLC, Blackburn Technologies, LLC., Telstra") == [
        "Sri Lanka Telecom, PLC",
        "Blackburn Technologies, LLC.",
        "Telstra",
    ]
    assert split_parties("Pacific Islands Telecom (Guam, Saipan), Guyana Telephone and Telegraph (GT&T), Telesur") == [
        "Pacific Islands Telecom (Guam, Saipan)",
        "Guyana Telephone and Telegraph (GT&T)",
        "Telesur",
    ]
    assert split_parties("Telekom Malaysia Bhd, Sdn. Bhd") == ["Telekom Malaysia Bhd, Sdn. Bhd"]
    assert split_parties(None) == [] and split_parties("") == []


@pytest.mark.parametrize(
    "one, other",
    [
        ("Zaafarana", "Zafarana"),
        ("Yeroscipos", "Yeroskipos"),
        ("Abu-Talat", "Abu Talat"),
        ("Mount Lavinia", "Mt. Lavinia"),
        ("Cancun", "Cancún"),
        ("Bodø", "Bodo"),
        ("St. Croix", "Saint Croix"),
        ("Baie du Jacotet", "Baie Jacotet"),
        ("Cox's Bazar", "Cox’s Bazar"),
        ("Hulhumale", "Hulhumalé"),
    ],
)
def test_station_key_tolerates_spelling_variants(one, other):
    assert station_key(one) == station_key(other)


@pytest.mark.parametrize("one, other", [("Karachi", "Gwadar"), ("Victoria", "Vitoria Beach"), ("Luna", "Lunas")])
def test_station_key_keeps_different_places_apart(one, other):
    assert station_key(one) != station_key(other)


def test_cable_key_and_abbreviations():
    assert cable_key("Maldives Sri Lanka (MSC) Cable") == cable_key("Maldives Sri Lanka Cable (MSC)") == "maldives sri lanka"
    assert cable_key("Gulf2Africa (G2A) Cables") == cable_key("Gulf2Africa (G2A)")
    assert cable_key("Mauritius and Rodrigues Submarine Cable System (MARS") == cable_key(
        "Mauritius and Rodrigues Submarine Cable System (MARS)"
    )
    assert cable_key("PEACE Cable") == "peace"
    assert cable_abbreviations("Transworld (TW1)") == ["TW1"]
    assert cable_abbreviations("B2JS (Jakarta-Bangka-Batam-Singapore) Cable System") == []
    assert cable_abbreviations("Mauritius and Rodrigues Submarine Cable System (MARS") == ["MARS"]
    assert cable_abbreviations("Batam Sarawak Internet Cable System (BaSICS)") == ["BaSICS"]


@pytest.mark.django_db
def test_countries_and_places():
    countries = CountryIndex()
    assert countries.place_and_country("Abu Talat, Egypt") == ("Abu Talat", "EG")
    assert countries.place_and_country("Naples, FL, United States") == ("Naples, FL", "US")
    assert countries.place_and_country("Agat, GU, United States") == ("Agat, GU", "GU")  # ISO entity of its own
    assert countries.place_and_country("Muanda, Congo, Dem. Rep.") == ("Muanda", "CD")
    assert countries.place_and_country("North Salina, Bonaire, Netherlands Antilles") == ("North Salina, Bonaire", "BQ")
    assert countries.place_and_country("San Juan, PR, United States", "United States") == ("San Juan, PR", "PR")
    assert countries.place_and_country("Longyearbyen, Svalbard, Norway", "Norway") == ("Longyearbyen, Svalbard", "SJ")
    assert countries.place_and_country("Istanbul, Turkey") == ("Istanbul", "TR")


# -- the seed, as the brief gives it --------------------------------------------------------

# Table 3's cables as the seed fixtures name them, and the TeleGeography id each must match
# (None: not in the 2021 release).
SEED_CABLES = [
    ("The Pakistan and East Africa Connecting Europe Cable", "PEACE", "peace-cable"),
    ("Kumul Domestic Submarine Cable System", "", "kumul-domestic-submarine-cable-system"),
    ("SEA-H2X", "SEA-H2X", None),
    ("The Singapore Malaysia (SIGMAR) Cable", "SIGMAR", "singapore-myanmar-sigmar"),
    ("Mataram Kupang Cable System (MKCS)", "MKCS", "mataram-kupang-cable-system-mkcs"),
    ("B2JS (Jakarta-Bangka-Batam-Singapore) Cable System", "B2JS", "b2js-jakarta-bangka-batam-singapore-cable-system"),
    ("Batam Dumai Melaka (BDM) Cable System", "BDM", "batam-dumai-melaka-bdm-cable-system"),
    ("Malaysia-Cambodia-Thailand (MCT) Cable", "MCT", "malaysia-cambodia-thailand-mct-cable"),
    ("Transworld (TW1) Cable", "TW1", "transworld-tw1"),
    ("Gulf2Africa (G2A) Cables", "G2A", "gulf2africa-g2a"),
    ("Palapa Ring Middle", "", "palapa-ring-middle"),
    ("Converge Domestic Submarine Cable Network (CDSCN)", "CDSCN", "converge-domestic-submarine-cable-network-cdscn"),
    ("Maldives Sri Lanka (MSC) Cable", "MSC", "maldives-sri-lanka-cable-msc"),
    ("Mauritius and Rodrigues Submarine Cable System (MARS)", "MARS", "mauritius-and-rodrigues-submarine-cable-system-mars"),
]

# Stations as the brief prints them, and the TeleGeography id each must match.
SEED_STATIONS = [
    ("Abu-Talat", "EG", "abu-talat-egypt"),
    ("Zaafarana", "EG", "zafarana-egypt"),
    ("Yeroscipos", "CY", "yeroskipos-cyprus"),
    ("Marseille", "FR", "marseille-france"),
    ("Mombasa", "KE", "mombasa-kenya"),
    ("Djibouti City", "DJ", "djibouti-city-djibouti"),
    ("Victoria", "SC", "victoria-seychelles"),
    ("Mogadishu", "SO", "mogadishu-somalia"),
    ("Berbera", "SO", "berbera-somalia"),
    ("Golden Bay", "MT", "golden-bay-malta"),
    ("Karachi", "PK", "karachi-pakistan"),
    ("Gwadar", "PK", "gwadar-pakistan"),
    ("Tuas", "SG", "tuas-singapore"),
    ("Mount Lavinia", "LK", "mt-lavinia-sri-lanka"),
    ("Hulhumale", "MV", "hulhumale-maldives"),
    ("Cherating", "MY", "cherating-malaysia"),
    ("Rayong", "TH", "rayong-thailand"),
    ("Sihanoukville", "KH", "sihanoukville-cambodia"),
]


@pytest.fixture
def seed(db):
    brief = SourceFactory(slug="orf-issue-brief-683", title="ORF Issue Brief No. 683")
    cables = {}
    for n, (name, abbreviation, _) in enumerate(SEED_CABLES):
        cables[name] = SubmarineCableFactory(
            slug=f"seed-cable-{n}", name=name, abbreviation=abbreviation, source=brief, locator="Table 3",
            length_km=None, rfs_year=None, cost_usd=Decimal("100000000.00"),
        )
    peace = cables["The Pakistan and East Africa Connecting Europe Cable"]
    peace.cost_usd = Decimal("425000000.00")
    peace.save()
    stations = {}
    for n, (name, iso2, _) in enumerate(SEED_STATIONS):
        stations[name] = LandingStationFactory(
            slug=f"seed-station-{n}", name=name, country=CountryRef(iso2=iso2), source=brief,
            locator="Table 3", latitude=None, longitude=None,
        )
    hmn = OrganizationFactory(slug="hmn-technologies", name="HMN Technologies", source=brief)
    ccb = OrganizationFactory(slug="china-construction-bank", name="China Construction Bank", source=brief)
    CablePartyFactory(cable=peace, organization=ccb, source=brief)
    return {"brief": brief, "cables": cables, "stations": stations, "hmn": hmn, "peace": peace}


def history_rows():
    """Rows in every history table that an import writes to."""
    models = [SubmarineCable, LandingStation, CableLanding, CableParty, Organization, OrganizationAlias, FieldCitation, Source]
    return {model.__name__: model.history.count() for model in models}


def table_rows():
    models = [SubmarineCable, LandingStation, CableLanding, CableParty, Organization, OrganizationAlias, FieldCitation, Source]
    return {model.__name__: model.objects.count() for model in models}


# -- the 2021 release into the seed ----------------------------------------------------------


@needs_data
def test_2021_release_matches_the_seed_and_duplicates_nothing(seed):
    report = import_release(V2)

    for name, _, tg_id in SEED_CABLES:
        cable = SubmarineCable.objects.get(pk=seed["cables"][name].pk)
        assert cable.telegeography_id == tg_id, name
        assert cable.name == name  # the seed's name stays
    # 484 cables in the release, 13 of them the seed's; SEA-H2X is not in it.
    assert SubmarineCable.objects.count() == 484 + 1
    assert SubmarineCable.objects.filter(name__icontains="PEACE").count() == 0
    assert SubmarineCable.objects.filter(name__icontains="Kumul").count() == 1
    assert SubmarineCable.objects.filter(name__icontains="Malaysia-Cambodia-Thailand").count() == 1
    assert report.counts[("cable", "matched")] == 13
    assert report.counts[("cable", "created")] == 484 - 13
    assert report.ambiguous == []

    for name, iso2, tg_id in SEED_STATIONS:
        station = LandingStation.objects.get(pk=seed["stations"][name].pk)
        assert station.telegeography_id == tg_id, name
        assert station.name == name and station.country.iso2 == iso2
        assert station.latitude is not None and station.longitude is not None
    assert LandingStation.objects.filter(telegeography_id__isnull=False).count() == 1298

    peace = SubmarineCable.objects.get(pk=seed["peace"].pk)
    assert peace.length_km == Decimal("15000")
    assert (peace.rfs_year, peace.rfs_quarter, peace.rfs_month) == (2021, 4, None)
    assert peace.cost_usd == Decimal("425000000.00")  # the brief's, untouched
    cited = value_sources(peace)
    assert cited["length_km"].source.slug == V2_SOURCE
    assert cited["length_km"].value == "15,000 km"
    assert cited["length_km"].locator == "cable/peace-cable.json"
    assert "cost_usd" not in cited and "name" not in cited
    assert peace.source.slug == "orf-issue-brief-683"
    assert {s.telegeography_id for s in peace.landing_stations.all()} >= {"karachi-pakistan", "zafarana-egypt"}
    assert peace.landing_stations.count() == 13
    owners = set(peace.parties.values_list("organization__name", "source__slug"))
    assert owners == {
        ("China Construction Bank", "orf-issue-brief-683"),
        ("Peace Cable International Network Co. Ltd.", V2_SOURCE),
    }

    source = Source.objects.get(slug=V2_SOURCE)
    assert source.licence == "CC BY-NC-SA 3.0"
    assert source.published.isoformat() == "2021-06-28"
    assert "TeleGeography" in source.title


@needs_data
def test_every_imported_value_is_cited(seed):
    import_release(V2)
    cable = SubmarineCable.objects.get(telegeography_id="malaysia-cambodia-thailand-mct-cable")
    cited = value_sources(cable)
    assert {"telegeography_id", "length_km", "rfs_year", "rfs_month"} <= set(cited)
    assert "status" not in cited  # the seed gave the same status first: its citation stands
    assert all(c.source.slug == V2_SOURCE for c in cited.values())
    new = SubmarineCable.objects.get(telegeography_id="2africa")
    assert new.source.slug == V2_SOURCE and new.locator == "cable/2africa.json"
    assert {"name", "telegeography_id", "length_km", "rfs_year", "status", "url"} <= set(value_sources(new))
    station = LandingStation.objects.get(telegeography_id="bod-norway")
    assert station.name == "Bodø" and station.country.iso2 == "NO"
    assert {"name", "latitude", "longitude", "country", "telegeography_id"} <= set(value_sources(station))


@needs_data
def test_a_second_run_of_the_same_release_changes_nothing(seed):
    import_release(V2)
    tables, history = table_rows(), history_rows()
    report = import_release(V2)
    assert table_rows() == tables
    assert history_rows() == history
    for kind in ("cable", "landing station", "cable landing", "cable party"):
        assert report.counts[(kind, "created")] == 0, kind
        assert report.counts[(kind, "changed")] == 0, kind
    assert report.counts[("cable", "unchanged")] == 484


@needs_data
def test_2022_after_2021_updates_values_and_keeps_the_old_in_history(seed):
    import_release(V2)
    report = import_release(V3)
    peace = SubmarineCable.objects.get(pk=seed["peace"].pk)
    assert peace.length_km == Decimal("21500")
    assert (peace.rfs_year, peace.rfs_month) == (2022, 3)
    assert peace.status == "in_service"
    assert peace.cost_usd == Decimal("425000000.00")
    assert peace.landing_stations.count() == 18

    citation = value_sources(peace)["length_km"]
    assert citation.source.slug == V3_SOURCE and citation.value == "21,500 km"
    # The 2021 value and its release stay visible: in the record's history and the citation's.
    old = peace.history.filter(length_km=Decimal("15000")).get()
    assert old.history_change_reason == "TeleGeography 2021-06-28"
    assert peace.history.first().history_change_reason == "TeleGeography 2022-11-10"
    assert citation.history.filter(source__slug=V2_SOURCE, value="15,000 km").exists()

    # 2022 names suppliers: PEACE's "HMN Tech" is the registry's HMN Technologies.
    suppliers = peace.parties.filter(role="supplier")
    assert [p.organization_id for p in suppliers] == [seed["hmn"].pk]
    assert suppliers.get().source.slug == V3_SOURCE
    assert report.counts[("cable", "matched")] == 40
    assert report.counts[("cable", "created")] == 4
    assert report.ambiguous == []


@needs_data
def test_stations_with_coordinates_are_all_mapped(seed):
    import_release(V2)
    import_release(V3)
    imported = LandingStation.objects.filter(telegeography_id__isnull=False)
    assert imported.count() > 1300
    assert not imported.filter(latitude__isnull=True).exists()
    tuas = LandingStation.objects.get(telegeography_id="tuas-singapore")
    assert tuas.pk == seed["stations"]["Tuas"].pk
    assert value_sources(tuas)["latitude"].source.slug == V3_SOURCE


@needs_data
def test_owners_with_commas_in_their_names_stay_whole(seed):
    import_release(V2)
    osi = Organization.objects.get(name="Ocean Specialists, Inc")
    assert osi.short_name == "OSI"
    assert not Organization.objects.filter(name__in=["Inc", "Inc (OSI)", "Ocean Specialists"]).exists()
    poseidon = SubmarineCable.objects.get(telegeography_id="poseidon")
    assert list(poseidon.parties.values_list("organization__name", flat=True)) == ["Ocean Specialists, Inc"]
    assert Organization.objects.filter(name="Virgin Islands Next Generation Networks, Inc.").exists()


@needs_data
def test_owner_lists_with_commas_and_parentheses_in_a_v3_release(db, tmp_path):
    release = tmp_path / "release"
    shutil.copytree(V3, release)
    path = release / "cable" / "yellow.json"
    path.chmod(0o644)
    data = json.loads(path.read_text())
    data["owners"] = "Sri Lanka Telecom, PLC, Pacific Islands Telecom (Guam, Saipan), Telstra"
    path.write_text(json.dumps(data))
    import_release(release)
    cable = SubmarineCable.objects.get(telegeography_id="yellow")
    owners = Organization.objects.filter(cable_roles__cable=cable, cable_roles__role="owner")
    assert owners.count() == 3
    assert set(owners.values_list("name", flat=True)) == {"Sri Lanka Telecom, PLC", "Pacific Islands Telecom", "Telstra"}
    # The parenthesised part stays with its name (the resolver keeps the printed form as an alias).
    pacific = owners.get(name="Pacific Islands Telecom")
    assert pacific.aliases.filter(name="Pacific Islands Telecom (Guam, Saipan)").exists()
    assert not Organization.objects.filter(name__in=["PLC", "Saipan)", "Pacific Islands Telecom (Guam"]).exists()


# -- dry runs, failures, ambiguity -------------------------------------------------------------


@needs_data
def test_dry_run_writes_nothing(seed):
    tables, history = table_rows(), history_rows()
    out = StringIO()
    call_command("import_telegeography", str(V2), "--dry-run", stdout=out)
    assert table_rows() == tables
    assert history_rows() == history
    text = out.getvalue()
    assert "Dry run: nothing was written." in text
    assert "cable " in text and "484" not in text.split("cable ")[0]
    assert SubmarineCable.objects.filter(telegeography_id__isnull=False).count() == 0


@needs_data
def test_the_command_prints_the_report(db):
    out = StringIO()
    call_command("import_telegeography", str(V3), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:5] == ["matched", "created", "changed", "unchanged", "ambiguous"]
    cable_line = next(line for line in lines if line.startswith("cable "))
    assert cable_line.split()[1:6] == ["0", "44", "0", "0", "0"]


@needs_data
@pytest.mark.parametrize("damaged", ["cable/peace-cable.json", "landing-point/tuas-singapore.json", "config.json"])
def test_a_truncated_file_fails_cleanly_and_writes_nothing(db, tmp_path, damaged):
    release = tmp_path / "release"
    shutil.copytree(V3, release)
    path = release / damaged
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-40])
    tables = table_rows()
    with pytest.raises(CommandError) as error:
        call_command("import_telegeography", str(release))
    message = str(error.value)
    assert damaged in message and "not valid JSON" in message
    assert "\n" not in message
    assert table_rows() == tables


@needs_data
def test_a_bad_value_fails_cleanly(db, tmp_path):
    release = tmp_path / "release"
    shutil.copytree(V3, release)
    path = release / "cable" / "dunant.json"
    path.chmod(0o644)
    path.write_text(path.read_text().replace('"6,400 km"', '"very long"'))
    with pytest.raises(CommandError, match=r"cable/dunant.json: length 'very long'"):
        call_command("import_telegeography", str(release))
    assert SubmarineCable.objects.count() == 0


def test_a_missing_folder_fails_cleanly(db, tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("import_telegeography", str(tmp_path / "nowhere"))


@needs_data
def test_ambiguous_matches_are_reported_and_left_alone(seed):
    # A second Karachi in Pakistan: which one TeleGeography means cannot be told.
    other = LandingStationFactory(slug="karachi-2", name="Karachi", country=CountryRef(iso2="PK"), latitude=None, longitude=None)
    # Two records that both look like the MSC cable.
    twin = SubmarineCableFactory(slug="msc-twin", name="Maldives Sri Lanka Network (MSC)", abbreviation="MSC", length_km=None)
    report = import_release(V2)

    assert any("karachi-pakistan" in case and "karachi-2" in case for case in report.ambiguous)
    assert any("maldives-sri-lanka-cable-msc" in case and "msc-twin" in case for case in report.ambiguous)
    for station in (other, seed["stations"]["Karachi"]):
        station.refresh_from_db()
        assert station.telegeography_id is None and station.latitude is None
    for cable in (twin, seed["cables"]["Maldives Sri Lanka (MSC) Cable"]):
        cable.refresh_from_db()
        assert cable.telegeography_id is None and cable.length_km is None
    # Nothing was created in their place either.
    assert not SubmarineCable.objects.filter(telegeography_id="maldives-sri-lanka-cable-msc").exists()
    assert not LandingStation.objects.filter(telegeography_id="karachi-pakistan").exists()
    assert report.counts[("cable", "ambiguous")] == 1


@needs_data
def test_a_value_from_another_source_is_not_overwritten(seed):
    peace = seed["peace"]
    peace.length_km = Decimal("25000")
    peace.save()
    cite_field(peace, "length_km", seed["brief"], "Table 3", "25,000 km")
    report = import_release(V2)
    peace.refresh_from_db()
    assert peace.length_km == Decimal("25000")
    assert value_sources(peace)["length_km"].source == seed["brief"]
    assert any("length_km" in note and "15,000 km" in note for note in report.notes)
    # The values nobody had given are filled in and cited.
    assert peace.telegeography_id == "peace-cable"
    assert value_sources(peace)["rfs_year"].source.slug == V2_SOURCE


@needs_data
def test_links_a_later_release_no_longer_lists_are_removed_with_history(db):
    import_release(V2)
    no_uk = SubmarineCable.objects.get(telegeography_id="no-uk")
    assert no_uk.landing_stations.filter(telegeography_id="seaton-sluice-united-kingdom").exists()
    import_release(V3)
    assert not no_uk.landing_stations.filter(telegeography_id="seaton-sluice-united-kingdom").exists()
    removed = CableLanding.history.filter(cable_id=no_uk.pk, history_type="-").get()
    assert removed.history_change_reason == "TeleGeography 2022-11-10: no longer listed"


@needs_data
def test_an_older_release_imported_later_does_not_undo_a_newer_one(seed):
    import_release(V2)
    import_release(V3)
    report = import_release(V2)
    peace = SubmarineCable.objects.get(pk=seed["peace"].pk)
    assert peace.length_km == Decimal("21500")
    assert value_sources(peace)["length_km"].source.slug == V3_SOURCE
    assert peace.landing_stations.count() == 18  # 2022's landings are not removed by 2021's list
    assert report.counts[("cable", "changed")] == 0


@pytest.mark.django_db
def test_organization_resolver_resolve_all_creates_in_bulk_with_history_and_aliases():
    from registry.importers.organizations import OrganizationResolver

    source = SourceFactory()
    existing = OrganizationFactory(name="Telstra", slug="telstra")
    resolver = OrganizationResolver(source)
    found = resolver.resolve_all(
        ["Telstra", "Ocean Specialists, Inc (OSI)", "OSI", "Telia  Carrier", "telia carrier"],
        create=True, locators={"OSI": "cable/x.json"}, locator="cable/y.json", change_reason="test",
    )
    assert found["Telstra"] == existing
    osi = found["Ocean Specialists, Inc (OSI)"]
    assert osi.pk and found["OSI"] == osi  # the abbreviation of one created a moment before
    assert found["Telia  Carrier"] == found["telia carrier"]
    assert Organization.objects.count() == 3
    assert osi.aliases.get(name="OSI").normalized == "osi"
    assert osi.locator == "cable/y.json"
    assert osi.history.get().history_change_reason == "test"
    assert Organization.objects.matching("osi").get() == osi


@needs_data
def test_an_older_release_does_not_bring_back_links_a_newer_one_dropped(db):
    import_release(V2)
    import_release(V3)
    import_release(V2)
    no_uk = SubmarineCable.objects.get(telegeography_id="no-uk")
    assert not no_uk.landing_stations.filter(telegeography_id="seaton-sluice-united-kingdom").exists()
    bifrost = SubmarineCable.objects.get(telegeography_id="bifrost")
    assert not bifrost.parties.filter(organization__name="Facebook").exists()


@needs_data
def test_2021_release_into_the_real_seed_then_mapped_by_the_api(db, client):
    from tests.seed import load_seed

    load_seed()
    seed_cables = {cable.slug: cable.name for cable in SubmarineCable.objects.all()}
    assert len(seed_cables) == 14
    import_release(V2)
    # No seed cable is duplicated: each still answers to its one record, most now matched.
    for abbreviation in ("PEACE", "MCT", "SIGMAR", "MSC"):
        assert SubmarineCable.objects.filter(abbreviation__iexact=abbreviation).count() == 1, abbreviation
    assert SubmarineCable.objects.filter(Q(name__icontains="Kumul")).count() == 1
    matched = SubmarineCable.objects.filter(slug__in=seed_cables, telegeography_id__isnull=False).count()
    assert matched == 13  # SEA-H2X is not in the 2021 release
    peace = SubmarineCable.objects.get(abbreviation="PEACE")
    assert peace.cost_usd == Decimal("425000000")  # the brief's value, not overwritten

    response = client.get("/api/landing-stations", {"format": "geojson"})
    collection = json.loads(b"".join(response.streaming_content))
    with_coordinates = LandingStation.objects.filter(latitude__isnull=False).count()
    assert with_coordinates > 1000
    assert len(collection["features"]) == with_coordinates
    assert collection["excluded_without_coordinates"] == LandingStation.objects.filter(latitude__isnull=True).count()
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert len(feature["geometry"]["coordinates"]) == 2
