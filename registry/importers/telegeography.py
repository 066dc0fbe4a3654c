"""Import TeleGeography's Submarine Cable Map data: cables, landing stations, owners and
suppliers, each release (vintage) a cited, dated observation.

Two schemas are read (see shared/data/telegeography/README.md):

- v2 (the public API until 2021): `cable/<id>.json` with `owners`, `length`, `rfs` and
  landing points carrying `latlon`; `landing-point/<id>.json` with `latitude`/`longitude`
  and a name ending in the country ("Abu Talat, Egypt").
- v3 (2022): cables add `suppliers`, `is_planned` and `rfs_year`; landing points carry a
  `country`; coordinates are only in `landing-point/landing-point-geo.json`.

The work is in two steps. `load_release(path)` reads and checks every file first (a
malformed one stops the import with one readable line naming it, before anything is
written). `TeleGeographyImport` then matches the release against the database, loaded
into memory up front, and writes with bulk operations that keep django-simple-history's
history, inside one transaction (`import_release`).

Provenance: the release is a `Source` (`telegeography-<date>`). Every value the import sets
is cited to it with a `FieldCitation`. A value that another source supplied (the brief's
cost of PEACE, a curator's name) is never overwritten: the disagreement is listed in the
report's notes instead. A value from an earlier TeleGeography release is updated, and the
record's history keeps the older value with its release as the change reason.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import orjson
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from registry.importers import ImportFailed, ImportReport, all_or_nothing
from registry.importers.organizations import OrganizationResolver
from registry.models import (
    CableLanding,
    CableParty,
    CablePartyRole,
    CableStatus,
    Country,
    DatePrecision,
    FieldCitation,
    LandingStation,
    Source,
    SourceKind,
    SubmarineCable,
    normalize_name,
)

SOURCE_SLUG_PREFIX = "telegeography-"
LICENCE = "CC BY-NC-SA 3.0"
MAP_URL = "https://www.submarinecablemap.com/"
BATCH = 500

# Files in cable/ and landing-point/ that index the others rather than describe one record.
INDEX_FILES = {"all.json", "search.json", "cable-geo.json", "landing-point-geo.json"}

MONTHS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}


# --------------------------------------------------------------------------------------
# Normalising names for matching
# --------------------------------------------------------------------------------------

# Letters that NFKD does not decompose into a base letter and an accent.
SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
     "ı": "i", "œ": "oe", "Œ": "OE", "’": "'", "‘": "'"}
)


def fold(text):
    """Lower case ASCII: accents and special letters folded ("Bodø" -> "bodo")."""
    text = unicodedata.normalize("NFKD", (text or "").translate(SPECIAL_LETTERS))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


CABLE_NOISE_WORDS = {"cable", "cables", "system", "systems", "network", "networks", "the", "a", "an"}


def cable_key(name):
    """A cable's name reduced to what identifies it: no parenthesised part, punctuation,
    articles, or the words cable, system and network.

    "Maldives Sri Lanka (MSC) Cable" and "Maldives Sri Lanka Cable (MSC)" are both
    "maldives sri lanka"; an unclosed parenthesis ("... System (MARS") is dropped too.
    """
    text = re.sub(r"\([^)]*(\)|$)", " ", fold(name))
    words = [word for word in re.findall(r"[a-z0-9]+", text) if word not in CABLE_NOISE_WORDS]
    return " ".join(words)


ABBREVIATION_IN_NAME = re.compile(r"\(\s*([A-Za-z0-9][A-Za-z0-9&.\-/+ ]{0,19}?)\s*(?:\)|$)")


def cable_abbreviations(name):
    """Abbreviations a cable name carries in parentheses: "Transworld (TW1)" -> ["TW1"].

    Only short, word-like groups count ("(Jakarta-Bangka-Batam-Singapore)" is a gloss, not
    an abbreviation), and only those with a capital or a digit."""
    found = []
    for group in ABBREVIATION_IN_NAME.findall(name or ""):
        if " " not in group and re.search(r"[A-Z0-9]", group):
            found.append(group)
    return found


# Word forms that mean the same in a place name.
STATION_WORD_FORMS = {"mt": "mount", "st": "saint", "ste": "sainte", "ft": "fort", "pto": "puerto"}
# Particles left out of the comparison ("Baie du Jacotet" and "Baie Jacotet").
STATION_PARTICLES = {"the", "of", "de", "du", "da", "di", "do", "del", "des", "la", "le", "les", "el"}


def station_key(name):
    """A place name reduced so that spelling variants meet.

    Accents are folded, "Mt."/"St."/"Ft." expanded, small particles dropped, spaces and
    punctuation removed ("Abu-Talat" = "Abu Talat"), c written as k except in "ch"
    ("Yeroscipos" = "Yeroskipos"), ph as f, and doubled letters single ("Zaafarana" =
    "Zafarana"). Only the part before the first comma counts ("Agat, GU" -> "agat"), and
    matches are only ever made within one country.
    """
    place = fold(name).split(",")[0]
    words = re.findall(r"[a-z0-9]+", place.replace("'", ""))
    words = [STATION_WORD_FORMS.get(word, word) for word in words]
    words = [word for word in words if word not in STATION_PARTICLES] or words
    text = "".join(words)
    text = text.replace("ph", "f")
    text = re.sub(r"c(?!h)", "k", text)
    text = re.sub(r"(.)\1+", r"\1", text)
    return text


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------

# TeleGeography's country names that are not an ISO 3166-1 name, common or official name.
# None: a grouping that is no longer an ISO entity; its places are resolved by region.
COUNTRY_ALIASES = {
    "Ascension and Tristan da Cunha": "SH",
    "Brunei": "BN",
    "Cape Verde": "CV",
    "Congo, Dem. Rep.": "CD",
    "Congo, Rep.": "CG",
    "Micronesia": "FM",
    "Netherlands Antilles": None,
    "Russia": "RU",
    "Saint Martin": "MF",
    "Sint Eustatius and Saba": "BQ",
    "Sint Maarten": "SX",
    "Turkey": "TR",
    "Virgin Islands (U.K.)": "VG",
    "Virgin Islands (U.S.)": "VI",
    "Macau": "MO",
    "Laos": "LA",
    "Syria": "SY",
    "South Korea": "KR",
    "North Korea": "KP",
    "Iran": "IR",
    "Vietnam": "VN",
    "Taiwan": "TW",
    "Tanzania": "TZ",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Moldova": "MD",
}

# A place that TeleGeography groups under a country but that is an ISO 3166-1 entity of
# its own ("Agat, GU, United States" is in Guam). Keyed by the region part of the name;
# the country part must be one of the listed ones (or any, for None).
REGION_ENTITIES = {
    "gu": ({"US"}, "GU"),
    "pr": ({"US"}, "PR"),
    "vi": ({"US"}, "VI"),
    "as": ({"US"}, "AS"),
    "mp": ({"US"}, "MP"),
    "bonaire": (None, "BQ"),
    "svalbard": ({"NO"}, "SJ"),
}


class CountryIndex:
    """TeleGeography's country names to `Country` ids, from one query."""

    def __init__(self):
        self.id_by_iso2 = {}
        self.iso2_by_name = {}
        for iso2, pk, *names in Country.objects.values_list("iso2", "id", "name", "common_name", "official_name"):
            self.id_by_iso2[iso2] = pk
            for name in names:
                if name:
                    self.iso2_by_name[normalize_name(name)] = iso2
        for name, iso2 in COUNTRY_ALIASES.items():
            self.iso2_by_name.setdefault(normalize_name(name), iso2)

    def knows(self, name):
        return normalize_name(name) in self.iso2_by_name

    def place_and_country(self, printed, country=None):
        """("Agat, GU, United States") -> ("Agat, GU", "GU"); (name, None) when the country
        cannot be told. `country` is v3's field; v2 names end in the country."""
        parts = [part.strip() for part in printed.split(",")]
        if country:
            country_parts = [part.strip() for part in country.split(",")]
            if parts[-len(country_parts):] == country_parts and len(parts) > len(country_parts):
                parts = parts[: -len(country_parts)]
        else:
            for size in (2, 1):
                if len(parts) > size and self.knows(", ".join(parts[-size:])):
                    country = ", ".join(parts[-size:])
                    parts = parts[:-size]
                    break
        place = ", ".join(parts)
        iso2 = self.iso2_by_name.get(normalize_name(country or ""))
        if len(parts) > 1:
            allowed, entity = REGION_ENTITIES.get(fold(parts[-1]), (set(), None))
            if entity and (allowed is None or iso2 in allowed):
                iso2 = entity
        return place, iso2


# --------------------------------------------------------------------------------------
# Reading a release
# --------------------------------------------------------------------------------------


@dataclass
class StationRow:
    tg_id: str
    printed_name: str
    country: str | None  # v3's country field; None in v2 (the name ends in it)
    latitude: Decimal | None
    longitude: Decimal | None
    is_tbd: bool
    locator: str


@dataclass
class CableRow:
    tg_id: str
    name: str
    locator: str
    length_km: Decimal | None = None
    length_raw: str = ""
    rfs: tuple = (None, None, None)  # year, quarter, month
    rfs_raw: str = ""
    status: str = CableStatus.UNKNOWN
    url: str = ""
    notes: str = ""
    owners: list = field(default_factory=list)
    suppliers: list = field(default_factory=list)
    landing_ids: list = field(default_factory=list)


@dataclass
class Release:
    path: Path
    version: str  # "v2" or "v3"
    created: datetime.datetime
    cables: list
    stations: dict  # TeleGeography id -> StationRow

    @property
    def published(self):
        """The release date: config.json's creation date, as TeleGeography wrote it."""
        return self.created.date()

    @property
    def slug(self):
        return f"{SOURCE_SLUG_PREFIX}{self.published.isoformat()}"

    @property
    def label(self):
        return f"TeleGeography {self.published.isoformat()}"

    @property
    def has_suppliers(self):
        return self.version == "v3"


def read_json(path, root):
    """A file's JSON; ImportFailed naming the file when it is missing or malformed."""
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{name}: file not found") from None
    except OSError as error:
        raise ImportFailed(f"{name}: cannot be read ({error.strerror})") from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ImportFailed(f"{name}: not valid JSON ({error}); is the file truncated?") from None


def record_files(folder):
    return sorted(path for path in folder.glob("*.json") if path.name not in INDEX_FILES)


def parse_length(value, where):
    """ "1,300 km" -> Decimal("1300"); "n.a." or nothing -> None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in {"n.a.", "n/a", "na", "tbd", "t.b.d."}:
        return None
    match = re.fullmatch(r"([\d,]+(?:\.\d+)?)\s*km", text, re.IGNORECASE)
    if not match:
        raise ImportFailed(f"{where}: length {text!r} is not a distance in km")
    try:
        length = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        raise ImportFailed(f"{where}: length {text!r} is not a number") from None
    return length.quantize(Decimal("0.1"))


def parse_rfs(value, where, year=None):
    """ "2017 March" -> (2017, None, 3); "2021 Q4" -> (2021, 4, None); "2021" -> (2021, None, None)."""
    text = " ".join(str(value or "").split())
    if not text or text.lower() in {"n.a.", "n/a", "na", "tbd", "t.b.d."}:
        return (int(year), None, None) if year else (None, None, None)
    match = re.fullmatch(r"(\d{4})(?:\s+(?:Q([1-4])|([A-Za-z]+)))?", text)
    if not match or (match.group(3) and match.group(3).lower() not in MONTHS):
        raise ImportFailed(f"{where}: ready-for-service {text!r} is not a year, 'YYYY Month' or 'YYYY Qn'")
    month = MONTHS[match.group(3).lower()] if match.group(3) else None
    quarter = int(match.group(2)) if match.group(2) else None
    return int(match.group(1)), quarter, month


CORPORATE_SUFFIX = re.compile(
    r"^(inc|incorporated|ltd|limited|llc|llp|plc|co|corp|corporation|pty\.? ltd|s\.?a|s\.?a\.?s|s\.?p\.?a|"
    r"s\.?a\.? de c\.?v|s\.?l|ag|a\.?g|gmbh|b\.?v|n\.?v|l\.?p|a/s|as|ab|oy|oyj|kk|bhd|sdn\.? bhd|tbk)\.?"
    r"(\s*\(.*\))?$",
    re.IGNORECASE,
)


def split_parties(text):
    """A comma list of organization names, without splitting any name in two.

    TeleGeography separates names with ", " (v3) or ",  " (v2). A comma inside
    parentheses is part of the name, and a piece that is only a corporate suffix belongs
    to the name before it: "Ocean Specialists,  Inc (OSI)" is one organization.
    """
    text = (text or "").strip()
    if not text:
        return []
    pieces, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == "," and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    names = []
    for piece in (" ".join(p.split()) for p in pieces):
        if not piece:
            continue
        if names and CORPORATE_SUFFIX.match(piece):
            names[-1] = f"{names[-1]}, {piece}"
        else:
            names.append(piece)
    # The same name twice in one list is one party.
    return list(dict.fromkeys(names))


def _text(value):
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _url(value):
    url = _text(value)
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        url = f"http://{url}"
    return url[:500]


def _coordinate(value, where, low, high):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise ImportFailed(f"{where}: coordinate {value!r} is not a number") from None
    if not low <= number <= high:
        raise ImportFailed(f"{where}: coordinate {value} is out of range")
    return number


def _is_true(value):
    return value is True or str(value).strip().lower() == "true"


def _require(data, keys, where):
    if not isinstance(data, dict):
        raise ImportFailed(f"{where}: expected a JSON object")
    missing = [key for key in keys if key not in data]
    if missing:
        raise ImportFailed(f"{where}: missing {', '.join(missing)}")


def v2_status(rfs, created):
    """v2 has no is_planned: a cable is planned when its ready-for-service date is after
    the release, in service when before; a year-only date in the release's year is unknown."""
    year, quarter, month = rfs
    if year is None:
        return CableStatus.UNKNOWN
    if year != created.year:
        return CableStatus.PLANNED if year > created.year else CableStatus.IN_SERVICE
    first_month = month or ((quarter - 1) * 3 + 1 if quarter else None)
    if first_month is None:
        return CableStatus.UNKNOWN
    return CableStatus.PLANNED if first_month > created.month else CableStatus.IN_SERVICE


def load_release(path):
    """Read and check a release folder. Raises ImportFailed with one readable line."""
    root = Path(path)
    if not root.is_dir():
        raise ImportFailed(f"{path}: not a folder")
    config = read_json(root / "config.json", root)
    try:
        created = datetime.datetime.fromisoformat(str(config["creation_time"]))
    except (KeyError, TypeError, ValueError):
        raise ImportFailed("config.json: no creation_time date (the release date)") from None
    cable_files = record_files(root / "cable")
    if not cable_files:
        raise ImportFailed(f"{root / 'cable'}: no cable files")
    cable_data = [(p, read_json(p, root)) for p in cable_files]
    version = detect_version(cable_data, root)
    station_files = record_files(root / "landing-point")
    station_data = [(p, read_json(p, root)) for p in station_files]
    geo_path = root / "landing-point" / "landing-point-geo.json"
    geo = read_json(geo_path, root) if version == "v3" else None

    stations = {}
    if version == "v2":
        for p, data in station_data:
            where = p.relative_to(root).as_posix()
            _require(data, ["id", "name"], where)
            stations[data["id"]] = StationRow(
                tg_id=data["id"],
                printed_name=_text(data["name"]),
                country=None,
                latitude=_coordinate(data.get("latitude"), where, -90, 90),
                longitude=_coordinate(data.get("longitude"), where, -180, 180),
                is_tbd=_is_true(data.get("is_tbd")),
                locator=where,
            )
    else:
        coordinates = {}
        try:
            for feature in geo["features"]:
                lon, lat = feature["geometry"]["coordinates"][:2]
                coordinates[feature["properties"]["id"]] = (lat, lon)
        except (KeyError, TypeError, ValueError):
            raise ImportFailed("landing-point/landing-point-geo.json: not a GeoJSON collection of points") from None
        for p, data in station_data:
            where = p.relative_to(root).as_posix()
            _require(data, ["id", "name", "country"], where)
            lat, lon = coordinates.get(data["id"], (None, None))
            stations[data["id"]] = StationRow(
                tg_id=data["id"],
                printed_name=_text(data["name"]),
                country=_text(data["country"]) or None,
                latitude=_coordinate(lat, where, -90, 90),
                longitude=_coordinate(lon, where, -180, 180),
                is_tbd=_is_true(data.get("is_tbd")),
                locator=where,
            )

    cables = []
    for p, data in cable_data:
        where = p.relative_to(root).as_posix()
        if version == "v2":
            _require(data, ["id", "name", "landing_points", "length", "rfs", "owners"], where)
            rfs = parse_rfs(data.get("rfs"), where)
            status = v2_status(rfs, created)
        else:
            _require(data, ["id", "name", "landing_points", "length", "rfs", "owners", "is_planned"], where)
            rfs = parse_rfs(data.get("rfs"), where, year=data.get("rfs_year"))
            if data.get("is_planned") is None:
                status = CableStatus.UNKNOWN
            else:
                status = CableStatus.PLANNED if _is_true(data["is_planned"]) else CableStatus.IN_SERVICE
        row = CableRow(
            tg_id=data["id"],
            name=_text(data["name"]),
            locator=where,
            length_km=parse_length(data.get("length"), where),
            length_raw=_text(data.get("length")),
            rfs=rfs,
            rfs_raw=_text(data.get("rfs")) or _text(data.get("rfs_year")),
            status=status,
            url=_url(data.get("url")),
            notes=_text(data.get("notes")),
            owners=split_parties(data.get("owners")),
            suppliers=split_parties(data.get("suppliers")),
        )
        if not isinstance(data["landing_points"], list):
            raise ImportFailed(f"{where}: landing_points is not a list")
        for point in data["landing_points"]:
            _require(point, ["id", "name"], f"{where}, landing point")
            row.landing_ids.append(point["id"])
            if point["id"] not in stations:
                # A landing point without a file of its own: what the cable says of it.
                lat, lon = (str(point.get("latlon") or ",").split(",") + [None])[:2]
                stations[point["id"]] = StationRow(
                    tg_id=point["id"],
                    printed_name=_text(point["name"]),
                    country=_text(point.get("country")) or None,
                    latitude=_coordinate(lat, where, -90, 90),
                    longitude=_coordinate(lon, where, -180, 180),
                    is_tbd=_is_true(point.get("is_tbd")),
                    locator=where,
                )
        cables.append(row)
    return Release(path=root, version=version, created=created, cables=cables, stations=stations)


def detect_version(cable_data, root):
    for path, data in cable_data:
        if not isinstance(data, dict):
            raise ImportFailed(f"{path.relative_to(root).as_posix()}: expected a JSON object")
        if "is_planned" in data or "suppliers" in data:
            return "v3"
        points = data.get("landing_points") or []
        if "cable_id" in data or any(isinstance(p, dict) and "latlon" in p for p in points):
            return "v2"
    raise ImportFailed(f"{root / 'cable'}: neither TeleGeography schema v2 nor v3")


# --------------------------------------------------------------------------------------
# Writing a release
# --------------------------------------------------------------------------------------


def import_release(path, dry_run=False, report=None):
    """Import one release folder; all or nothing. Returns the ImportReport."""
    release = load_release(path)
    report = report or ImportReport()
    with all_or_nothing(dry_run):
        TeleGeographyImport(release, report).run()
    return report


class CitationBook:
    """The FieldCitations of cables and stations, loaded once and written in bulk."""

    def __init__(self, source, reason, models):
        self.source = source
        self.reason = reason
        self.content_types = {model: ContentType.objects.get_for_model(model) for model in models}
        ct_ids = [ct.pk for ct in self.content_types.values()]
        self.existing = {
            (c.content_type_id, c.object_id, c.field_name): c
            for c in FieldCitation.objects.filter(content_type_id__in=ct_ids).order_by()
        }
        self.pending = []  # (record, field, value, locator): records may not have a pk yet

    def source_id_of(self, record, field_name):
        """Which source supplied the record's current value of a field."""
        if record.pk is None:
            return record.source_id
        citation = self.existing.get((self.content_types[type(record)].pk, record.pk, field_name))
        return citation.source_id if citation else record.source_id

    def cited(self, record, field_name):
        if record.pk is None:
            return False
        return (self.content_types[type(record)].pk, record.pk, field_name) in self.existing

    def cite(self, record, field_name, value, locator):
        self.pending.append((record, field_name, "" if value is None else str(value), locator))

    def flush(self):
        to_create, to_update, now = [], [], timezone.now()
        for record, field_name, value, locator in self.pending:
            ct = self.content_types[type(record)]
            key = (ct.pk, record.pk, field_name)
            citation = self.existing.get(key)
            if citation is None:
                citation = FieldCitation(
                    content_type=ct, object_id=record.pk, field_name=field_name,
                    source=self.source, locator=locator, value=value,
                )
                self.existing[key] = citation
                to_create.append(citation)
            elif (citation.source_id, citation.locator, citation.value) != (self.source.pk, locator, value):
                citation.source, citation.locator, citation.value, citation.updated = self.source, locator, value, now
                to_update.append(citation)
        self.pending = []
        if to_create:
            bulk_create_with_history(to_create, FieldCitation, batch_size=BATCH, default_change_reason=self.reason)
        if to_update:
            bulk_update_with_history(
                to_update, FieldCitation, ["source", "locator", "value", "updated"],
                batch_size=BATCH, default_change_reason=self.reason,
            )


def _empty(value):
    return value is None or value == ""


class TeleGeographyImport:
    """Matches one release against the database and writes what it adds or changes."""

    # Organizations TeleGeography names by a short form; tried when the printed form
    # matches nothing, so that "HMN Tech" finds the registry's "HMN Technologies".
    ORGANIZATION_NAMES = {"HMN Tech": "HMN Technologies", "ASN": "Alcatel Submarine Networks"}

    def __init__(self, release, report):
        self.release = release
        self.report = report
        self.reason = release.label

    # -- the run ------------------------------------------------------------------------

    def run(self):
        self.source = self._source()
        # Every TeleGeography release in the database, with its date: a value from a
        # later release than this one is not replaced by this one's.
        self.tg_published = dict(
            Source.objects.filter(slug__startswith=SOURCE_SLUG_PREFIX).values_list("id", "published")
        )
        self.tg_published[self.source.pk] = self.release.published
        self.countries = CountryIndex()
        self.book = CitationBook(self.source, self.reason, [SubmarineCable, LandingStation])
        stations = self.import_stations()
        cables = self.import_cables()
        self.book.flush()
        self.import_landings(cables, stations)
        self.import_parties(cables)

    def _source(self):
        release = self.release
        source, created = Source.objects.get_or_create(
            slug=release.slug,
            defaults=dict(
                title=f"TeleGeography Submarine Cable Map, {release.published.isoformat()}",
                author="TeleGeography",
                publisher="TeleGeography",
                url=MAP_URL,
                kind=SourceKind.DATASET,
                published=release.published,
                published_precision=DatePrecision.DAY,
                accessed=release.published,
                licence=LICENCE,
                note=(
                    f"Submarine Cable Map data, schema {release.version}, created "
                    f"{release.created.isoformat()} (config.json). TeleGeography's coordinates are "
                    "stylised, not surveyed. Cite \"TeleGeography, Submarine Cable Map\"."
                ),
            ),
        )
        self.report.count("source", "created" if created else "unchanged")
        return source

    # -- setting cited values -----------------------------------------------------------

    def _set(self, record, kind, fields, values, raw, locator, changed):
        """Set a group of fields that one raw value gives (rfs: year, quarter, month).

        Sets them when they are empty or an earlier TeleGeography release supplied them,
        and cites them. Keeps a value from another source (and notes the disagreement),
        and a value from a later TeleGeography release than this one. A value
        TeleGeography does not give (None) leaves the field as it is; a value that has
        not changed keeps its citation (the release that first gave it)."""
        if isinstance(fields, str):
            fields, values = [fields], [values]
        if all(_empty(v) for v in values):
            return
        current = [getattr(record, f) for f in fields]
        owner = self.book.source_id_of(record, fields[0])
        from_telegeography = owner in self.tg_published
        if current == list(values):
            if from_telegeography and not self.book.cited(record, fields[0]):
                for f in fields:
                    self.book.cite(record, f, raw, locator)
            return
        if from_telegeography and self.tg_published[owner] > self.release.published:
            return
        if all(_empty(v) for v in current) or from_telegeography:
            for f, v in zip(fields, values):
                setattr(record, f, v)
            changed.update(fields)
            for f in fields:
                self.book.cite(record, f, raw, locator)
        elif fields[0] != "name":
            kept = current[0] if len(fields) == 1 else "/".join(str(v) for v in current)
            self.report.note(
                kind,
                f"{record.slug}: keeps {fields[0]} {kept} from another source; "
                f"{self.release.label} gives {raw!r}",
            )

    def _stale(self, link):
        """A link an earlier (or this) TeleGeography release gave, which it no longer lists."""
        published = self.tg_published.get(link.source_id)
        return link.pk is not None and published is not None and published <= self.release.published

    @staticmethod
    def _unique_slug(base, taken, limit):
        base = slugify(base)[: limit - 4] or "record"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug

    def _save(self, model, created, changed, changed_fields):
        reason = self.reason
        if created:
            bulk_create_with_history(created, model, batch_size=BATCH, default_change_reason=reason)
        if changed:
            now = timezone.now()
            for record in changed:
                record.updated = now
            bulk_update_with_history(
                changed, model, sorted(changed_fields | {"updated"}), batch_size=BATCH, default_change_reason=reason
            )

    @staticmethod
    def _claims(matches):
        """Existing records that more than one row of the release matched by name."""
        seen, twice = set(), set()
        for record, by_id in matches.values():
            if isinstance(record, (SubmarineCable, LandingStation)) and not by_id:
                (twice if record.pk in seen else seen).add(record.pk)
        return twice

    # -- landing stations ---------------------------------------------------------------

    def import_stations(self):
        """Returns {TeleGeography id: LandingStation} for the stations that cables may use."""
        kind = "landing station"
        existing = list(LandingStation.objects.order_by())
        by_tg = {s.telegeography_id: s for s in existing if s.telegeography_id}
        by_slug = {s.slug: s for s in existing}
        by_key = {}
        for s in existing:
            by_key.setdefault((s.country_id, station_key(s.name)), []).append(s)
        slugs = set(by_slug)

        rows, matches = [], {}
        for row in self.release.stations.values():
            if row.is_tbd:
                self.report.count(kind, "skipped")
                continue
            place, iso2 = self.countries.place_and_country(row.printed_name, row.country)
            country_id = self.countries.id_by_iso2.get(iso2)
            if country_id is None:
                self.report.flag(kind, f"{row.printed_name!r} ({row.locator}): country not recognised; not imported")
                continue
            rows.append((row, place, country_id))
            matches[row.tg_id] = self._match_station(row, country_id, place, by_tg, by_slug, by_key)
        claimed = self._claims(matches)

        result, created, changed, changed_fields = {}, [], [], set()
        for row, place, country_id in rows:
            record, by_id = matches[row.tg_id]
            if record == "ambiguous":
                continue
            if record is not None and record.pk in claimed:
                self.report.flag(kind, f"{row.printed_name!r} ({row.tg_id}) and another landing point both match {record.slug}; left alone")
                continue
            if record is None:
                record = LandingStation(
                    slug=self._unique_slug(row.tg_id, slugs, 160),
                    country_id=country_id,
                    source=self.source,
                    locator=row.locator,
                )
            fields = set()
            self._set(record, kind, "name", place[:200], place, row.locator, fields)
            self._set(record, kind, "telegeography_id", row.tg_id, row.tg_id, row.locator, fields)
            if row.latitude is not None and row.longitude is not None:
                self._set(
                    record, kind, ["latitude", "longitude"], [row.latitude, row.longitude],
                    f"{row.latitude},{row.longitude}", row.locator, fields,
                )
            if record.pk is None:
                self.book.cite(record, "country", row.country or row.printed_name.split(",")[-1].strip(), row.locator)
            if self._tally(kind, record, fields, created, changed):
                changed_fields |= fields
            result[row.tg_id] = record
        self._save(LandingStation, created, changed, changed_fields)
        return result

    def _match_station(self, row, country_id, place, by_tg, by_slug, by_key):
        """(record or None or "ambiguous", matched by TeleGeography id?)"""
        if row.tg_id in by_tg:
            return by_tg[row.tg_id], True
        slug_match = by_slug.get(row.tg_id)
        if slug_match and slug_match.country_id == country_id and not slug_match.telegeography_id:
            return slug_match, False
        found = [
            s for s in by_key.get((country_id, station_key(place)), [])
            if not s.telegeography_id or s.telegeography_id == row.tg_id
        ]
        if len(found) > 1:
            names = ", ".join(sorted(s.slug for s in found))
            self.report.flag("landing station", f"{row.printed_name!r} ({row.tg_id}) matches {names}; left alone")
            return "ambiguous", False
        return (found[0] if found else None), False

    # -- cables -------------------------------------------------------------------------

    def import_cables(self):
        """Returns {TeleGeography id: SubmarineCable} for the cables imported or matched."""
        kind = "cable"
        existing = list(SubmarineCable.objects.order_by())
        index = {"tg": {}, "slug": {}, "name": {}, "abbr": {}, "key": {}}
        for cable in existing:
            if cable.telegeography_id:
                index["tg"][cable.telegeography_id] = cable
            index["slug"][cable.slug] = cable
            index["name"].setdefault(normalize_name(cable.name), []).append(cable)
            index["key"].setdefault(cable_key(cable.name), []).append(cable)
            for abbr in {cable.abbreviation, *cable_abbreviations(cable.name)} - {""}:
                index["abbr"].setdefault(normalize_name(abbr), []).append(cable)
        slugs = set(index["slug"])

        matches = {row.tg_id: self._match_cable(row, index) for row in self.release.cables}
        claimed = self._claims(matches)

        result, created, changed, changed_fields = {}, [], [], set()
        for row in self.release.cables:
            record, by_id = matches[row.tg_id]
            if record == "ambiguous":
                continue
            if record is not None and record.pk in claimed:
                self.report.flag(kind, f"{row.name!r} ({row.tg_id}) and another cable of this release both match {record.slug}; left alone")
                continue
            if record is None:
                record = SubmarineCable(
                    slug=self._unique_slug(row.tg_id, slugs, 120),
                    source=self.source,
                    locator=row.locator,
                )
            fields = set()
            where = row.locator
            abbreviations = cable_abbreviations(row.name)
            self._set(record, kind, "name", row.name[:300], row.name, where, fields)
            if abbreviations:
                self._set(record, kind, "abbreviation", abbreviations[-1][:40], row.name, where, fields)
            self._set(record, kind, "telegeography_id", row.tg_id, row.tg_id, where, fields)
            self._set(record, kind, "length_km", row.length_km, row.length_raw, where, fields)
            self._set(record, kind, ["rfs_year", "rfs_quarter", "rfs_month"], list(row.rfs), row.rfs_raw, where, fields)
            if row.status != CableStatus.UNKNOWN:
                self._set(record, kind, "status", row.status, row.status, where, fields)
            self._set(record, kind, "url", row.url, row.url, where, fields)
            self._set(record, kind, "description", row.notes, row.notes, where, fields)
            if self._tally(kind, record, fields, created, changed):
                changed_fields |= fields
            result[row.tg_id] = record
        self._save(SubmarineCable, created, changed, changed_fields)
        return result

    def _tally(self, kind, record, fields, created, changed):
        """Count a record as created, changed or unchanged and queue it for saving;
        True when an existing record changed."""
        if record.pk is None:
            created.append(record)
            self.report.count(kind, "created")
            return False
        self.report.count(kind, "matched")
        self.report.count(kind, "changed" if fields else "unchanged")
        if fields:
            changed.append(record)
        return bool(fields)

    def _match_cable(self, row, index):
        """By TeleGeography id, then slug, then full name, then abbreviation or the name's
        core (cable_key). A record that already has another TeleGeography id is never a
        candidate. Returns (record or None or "ambiguous", matched by id?)."""
        if row.tg_id in index["tg"]:
            return index["tg"][row.tg_id], True

        def usable(cables):
            return {c.pk: c for c in cables if not c.telegeography_id or c.telegeography_id == row.tg_id}

        slug_match = usable([index["slug"][row.tg_id]] if row.tg_id in index["slug"] else [])
        if slug_match:
            return next(iter(slug_match.values())), False
        by_name = usable(index["name"].get(normalize_name(row.name), []))
        if len(by_name) == 1:
            return next(iter(by_name.values())), False
        if not by_name:
            key = cable_key(row.name)
            abbreviations = {normalize_name(a) for a in cable_abbreviations(row.name)}
            if key and " " not in key:
                abbreviations.add(key)  # "PEACE Cable": the name is the abbreviation
            by_abbr = usable([c for a in abbreviations for c in index["abbr"].get(a, [])])
            by_key = usable(index["key"].get(key, []) if key else [])
            found = {**by_abbr, **by_key}
            if len(found) > 1:
                both = set(by_abbr) & set(by_key)
                if len(both) == 1:
                    return found[both.pop()], False
            if len(found) == 1:
                return next(iter(found.values())), False
            by_name = found
            if not found:
                return None, False
        names = ", ".join(sorted(c.slug for c in by_name.values()))
        self.report.flag("cable", f"{row.name!r} ({row.tg_id}) matches {names}; left alone")
        return "ambiguous", False

    # -- links --------------------------------------------------------------------------

    def _delete(self, records):
        for record in records:
            record._change_reason = f"{self.reason}: no longer listed"
            record.delete()

    def _listed_by_newer_release(self, links):
        """Whether a later TeleGeography release than this one gave any of these links: its
        list stands, and this (older) release neither adds to it nor removes from it."""
        return any(self.tg_published.get(link.source_id, self.release.published) > self.release.published for link in links)

    def import_landings(self, cables, stations):
        kind = "cable landing"
        # All of them, unordered: the models' default orderings join three tables, and a
        # long IN list is slower than the few thousand rows there are.
        existing = {}  # cable id -> {station id: landing}
        for landing in CableLanding.objects.order_by():
            existing.setdefault(landing.cable_id, {})[landing.station_id] = landing
        to_create, stale = [], []
        for row in self.release.cables:
            cable = cables.get(row.tg_id)
            if cable is None:
                continue
            current = existing.get(cable.pk, {})
            if self._listed_by_newer_release(current.values()):
                self.report.count(kind, "unchanged", len(current))
                continue
            listed, complete = set(), True
            for point_id in row.landing_ids:
                station = stations.get(point_id)
                if station is None:
                    point = self.release.stations.get(point_id)
                    complete = complete and point is not None and point.is_tbd
                    continue
                if station.pk in listed:
                    continue
                listed.add(station.pk)
                if station.pk in current:
                    self.report.count(kind, "unchanged")
                else:
                    to_create.append(CableLanding(cable=cable, station=station, source=self.source, locator=row.locator))
                    self.report.count(kind, "created")
            if complete:
                stale += [
                    landing for station_id, landing in current.items() if station_id not in listed and self._stale(landing)
                ]
        if to_create:
            bulk_create_with_history(to_create, CableLanding, batch_size=BATCH, default_change_reason=self.reason)
        self._delete(stale)
        if stale:
            self.report.count(kind, "removed", len(stale))

    def import_parties(self, cables):
        kind = "cable party"
        roles = [(CablePartyRole.OWNER, "owners")]
        if self.release.has_suppliers:
            roles.append((CablePartyRole.SUPPLIER, "suppliers"))
        first_seen = {}
        for row in self.release.cables:
            if row.tg_id in cables:
                for role, attribute in roles:
                    for name in getattr(row, attribute):
                        first_seen.setdefault(name, f"{row.locator}, {attribute}")
        organizations = self._organizations(first_seen)

        existing = {}  # (cable id, role) -> {organization id: party}
        for party in CableParty.objects.order_by():
            existing.setdefault((party.cable_id, party.role), {})[party.organization_id] = party
        to_create, stale = [], []
        for row in self.release.cables:
            cable = cables.get(row.tg_id)
            if cable is None:
                continue
            for role, attribute in roles:
                names = getattr(row, attribute)
                if not names:
                    continue  # not given: what is there stays
                current = existing.setdefault((cable.pk, role), {})
                if self._listed_by_newer_release(current.values()):
                    self.report.count(kind, "unchanged", len(current))
                    continue
                listed = {organizations[name].pk for name in names if organizations[name] is not None}
                for org_id in sorted(listed):
                    if org_id in current:
                        self.report.count(kind, "unchanged")
                        continue
                    current[org_id] = CableParty(
                        cable=cable, organization_id=org_id, role=role,
                        source=self.source, locator=f"{row.locator}, {attribute}",
                    )
                    to_create.append(current[org_id])
                    self.report.count(kind, "created")
                if all(organizations[name] is not None for name in names):
                    stale += [party for org_id, party in current.items() if org_id not in listed and self._stale(party)]
        if to_create:
            bulk_create_with_history(to_create, CableParty, batch_size=BATCH, default_change_reason=self.reason)
        self._delete(stale)
        if stale:
            self.report.count(kind, "removed", len(stale))

    def _organizations(self, locators):
        """{printed name: Organization or None (ambiguous, flagged)}: matched by slug, name
        or alias, else created (in bulk). TeleGeography's short forms in
        ORGANIZATION_NAMES are tried when the printed form matches nothing."""
        kind = "organization"
        resolver = OrganizationResolver(self.source)
        result, new = {}, []
        for name in locators:
            for candidate in filter(None, [name, self.ORGANIZATION_NAMES.get(name)]):
                found = resolver.candidates(candidate)
                if len(found) > 1:
                    names = ", ".join(sorted(org.slug for org in found))
                    self.report.flag(kind, f"{name!r} matches {names}; left alone")
                    result[name] = None
                    break
                if found:
                    result[name] = found[0]
                    self.report.count(kind, "matched")
                    break
            else:
                new.append(name)
        created = resolver.resolve_all(new, create=True, locators=locators, change_reason=self.reason)
        for name, organization in created.items():
            if organization is None:
                self.report.flag(kind, f"{name!r} matches more than one organization; left alone")
        self.report.count(kind, "created", len({org.pk for org in created.values() if org is not None}))
        result.update(created)
        return result
