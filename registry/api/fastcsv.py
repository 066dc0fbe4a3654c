"""Records from plain column values, for the lists whose serializer costs too much at
issue 7's sizes: the CSV of a million camera counts, the GeoJSON of every landing
station, and pages of cables with their stations, parties and citations.

The generic paths serialize every record with the endpoint's serializer, which is right
for every table but costs about a millisecond a record (model instances for each related
row, DRF's field machinery for each value). These read plain values (`values_list`; a
server-side cursor a chunk at a time for the streams; the related rows in one query
each) and write exactly what the serializer writes (tests compare the two). Each runs
only while its serializer's fields are the ones it knows; otherwise the generic path does.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils import timezone

from registry import models as m

from .renderers import cell
from .serializers import children

CHUNK_SIZE = 2000
EMPTY4 = ("", "", "", "")

CAMERA_COLUMNS = [
    "id", "url", "slug", "country.id", "country.iso2", "country.iso3", "country.name", "city", "vendor.id",
    "vendor.slug", "vendor.name", "vendor.short_name", "count", "measure", "method", "observed",
    "observed_precision", "natural_key", "provenance.source.id", "provenance.source.slug", "provenance.source.title",
    "provenance.source.url", "provenance.locator", "provenance.via_source.id", "provenance.via_source.slug",
    "provenance.via_source.title", "provenance.via_source.url", "provenance.confidence",
    "provenance.review_status", "provenance.verified_by", "provenance.verified_at", "provenance.curator_note",
    "value_sources", "created", "updated",
]



def utc_text(text):
    """A UTC timestamp as the database writes it as text, written as DRF writes it:
    "2024-05-01 12:30:00.49+00" (PostgreSQL) or "2024-05-01 12:30:00.490000" (SQLite)
    becomes "2024-05-01T12:30:00.490000Z"; without microseconds, none are written."""
    if text is None:
        return ""
    moment, _, fraction = text.removesuffix("+00").partition(".")
    fraction = fraction.ljust(6, "0") if fraction.strip("0") else ""
    return moment.replace(" ", "T") + ("." + fraction if fraction else "") + "Z"


TIMESTAMPS = ("verified_at", "created", "updated")


def text_timestamps():
    """Whether timestamps are read as the database's text (see with_timestamp_text)."""
    return connection.timezone_name == "UTC" and timezone.get_current_timezone_name() == "UTC"


def with_timestamp_text(queryset, names=TIMESTAMPS):
    """`queryset` with each timestamp column in `names` also read as `<name>_text`, which
    timestamp_writer() writes. Parsing a timestamp into a datetime and writing it out
    again costs more than the rest of a landing station's row; the database's text says
    the same where both its session and the API write UTC. Elsewhere the columns are
    read as datetimes."""
    if text_timestamps():
        return queryset.annotate(**{f"{name}_text": Cast(name, CharField()) for name in names})
    return queryset.annotate(**{f"{name}_text": F(name) for name in names})


def timestamp_writer():
    return utc_text if text_timestamps() else stamper()


def chunked(rows, size=CHUNK_SIZE):
    """Lists of up to `size` rows from an iterator (a server-side cursor)."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


FORMULA = ("=", "+", "@", "\t", "\r")


def text(value):
    """cell() for a str or None: the common case, without cell()'s type dispatch."""
    if value is None:
        return ""
    return "'" + value if value[:1] in FORMULA else value


def stamper():
    """A timestamp as DRF's DateTimeField writes it (current time zone, UTC as Z)."""
    zone = timezone.get_current_timezone()

    def stamp(value):
        if value is None:
            return ""
        out = value.astimezone(zone).isoformat()
        return out[:-6] + "Z" if out.endswith("+00:00") else out

    return stamp


def value_sources(model, ids):
    """{record id: its `value_sources`, as ValueSourcesField writes them} for the records
    of `model` among `ids` (a list or a subquery of ids), in one query."""
    content_type = ContentType.objects.get_for_model(model)
    citations = defaultdict(dict)
    for c in (
        m.FieldCitation.objects.filter(content_type=content_type, object_id__in=ids)
        .order_by("object_id", "field_name", "id")
        .values("object_id", "field_name", "source_id", "source__slug", "source__title", "source__url",
                "via_source_id", "via_source__slug", "locator", "value")
    ):
        citations[c["object_id"]][c["field_name"]] = {
            "source": source_ref(c["source_id"], c["source__slug"], c["source__title"], c["source__url"]),
            "via_source": c["via_source__slug"] if c["via_source_id"] else None,
            "locator": c["locator"],
            "value": c["value"],
        }
    return citations


def source_ref(pk, slug, title, url):
    """A source as SourceRef writes it; None for no source."""
    return {"id": pk, "slug": slug, "title": title, "url": url} if pk is not None else None


PROVENANCE_VALUES = (
    "source_id", "source__slug", "source__title", "source__url", "locator", "via_source_id", "via_source__slug",
    "via_source__title", "via_source__url", "confidence", "review_status", "verified_by__username",
    "verified_at_text", "curator_note",
)


def provenance(values, stamp):
    """`provenance` as ProvenanceSerializer writes it, from the PROVENANCE_VALUES."""
    (source_id, source_slug, source_title, source_url, locator, via_id, via_slug, via_title, via_url, confidence,
     review_status, verified_by, verified_at, curator_note) = values
    return {
        "source": source_ref(source_id, source_slug, source_title, source_url),
        "locator": locator,
        "via_source": source_ref(via_id, via_slug, via_title, via_url),
        "confidence": confidence, "review_status": review_status, "verified_by": verified_by,
        "verified_at": stamp(verified_at) or None, "curator_note": curator_note,
    }


# ----- Camera counts for CSV -----

CAMERA_VALUES = (
    "id", "slug", "country_id", "country__iso2", "country__iso3", "country__common_name", "country__name", "city",
    "vendor_id", "vendor__slug", "vendor__name", "vendor__short_name", "count", "measure", "method", "observed",
    "observed_precision", *PROVENANCE_VALUES, "created_text", "updated_text",
)


def camera_count_rows(queryset, url_for):
    """CSV rows (lists of cells) for the camera counts of `queryset`, in its order."""
    stamp = timestamp_writer()
    rows = with_timestamp_text(queryset).values_list(*CAMERA_VALUES).iterator(chunk_size=CHUNK_SIZE)
    for chunk in chunked(rows):
        citations = value_sources(m.CameraCount, [row[0] for row in chunk])
        for (
            pk, slug, country_id, iso2, iso3, common_name, country_name, city, vendor_id, vendor_slug, vendor_name,
            vendor_short, count, measure, method, observed, observed_precision, source_id, source_slug, source_title,
            source_url, locator, via_id, via_slug, via_title, via_url, confidence, review_status, verified_by,
            verified_at, curator_note, created, updated,
        ) in chunk:
            yield [
                str(pk), url_for(pk), text(slug), str(country_id), text(iso2), text(iso3),
                text(common_name or country_name), text(city),
                *((str(vendor_id), text(vendor_slug), text(vendor_name), text(vendor_short)) if vendor_id else EMPTY4),
                str(count), text(measure), text(method), observed.isoformat() if observed else "",
                text(observed_precision), text(slug), str(source_id), text(source_slug), text(source_title),
                text(source_url), text(locator),
                *((str(via_id), text(via_slug), text(via_title), text(via_url)) if via_id else EMPTY4),
                text(confidence), text(review_status), text(verified_by), stamp(verified_at), text(curator_note),
                cell(citations.get(pk)), stamp(created), stamp(updated),
            ]


# ----- Landing stations for GeoJSON -----

STATION_FIELDS = [
    "id", "url", "slug", "name", "country", "latitude", "longitude", "cables", "telegeography_id", "natural_key",
    "provenance", "value_sources", "created", "updated",
]
STATION_VALUES = (
    "id", "slug", "name", "country_id", "country__iso2", "country__iso3", "country__common_name", "country__name",
    "latitude", "longitude", "telegeography_id", *PROVENANCE_VALUES, "created_text", "updated_text",
)


def decimal_text(field):
    """A DecimalField's value as DRF's serializer field writes it (a stored value already
    fits the field, so DRF's quantize comes down to fixed places)."""
    places = f".{field.decimal_places}f"
    return lambda value: None if value is None else format(value, places)


def landing_station_records(queryset, url_for, serializer):
    """Landing stations as LandingStationSerializer writes them, from plain values. The
    cables' names and the field citations come first, each in one query over the whole
    filtered set: per chunk, a list of 2,000 ids costs more to send and plan than the
    rows it finds."""
    lat = decimal_text(serializer.fields["latitude"])
    lon = decimal_text(serializer.fields["longitude"])
    rows, stamp = with_timestamp_text(queryset), timestamp_writer()
    ids = queryset.order_by().values("pk")
    cables = defaultdict(list)
    for station_id, name in (
        m.CableLanding.objects.filter(station_id__in=ids).order_by("cable__name", "cable_id")
        .values_list("station_id", "cable__name")
    ):
        cables[station_id].append(name)
    citations = value_sources(m.LandingStation, ids)
    for row in rows.values_list(*STATION_VALUES).iterator(chunk_size=CHUNK_SIZE):
        pk, slug, name, country_id, iso2, iso3, common_name, country_name, latitude, longitude, tg_id = row[:11]
        yield {
            "id": pk, "url": url_for(pk), "slug": slug, "name": name,
            "country": {"id": country_id, "iso2": iso2, "iso3": iso3, "name": common_name or country_name},
            "latitude": lat(latitude), "longitude": lon(longitude), "cables": cables.get(pk, []),
            "telegeography_id": tg_id, "natural_key": [slug],
            "provenance": provenance(row[11:-2], stamp),
            "value_sources": citations.get(pk, {}),
            "created": stamp(row[-2]), "updated": stamp(row[-1]),
        }


# ----- A page of cables for JSON -----

CABLE_FIELDS = [
    "id", "url", "slug", "name", "abbreviation", "owners", "suppliers", "cost_usd", "length_km", "rfs_year",
    "rfs_quarter", "rfs_month", "status", "listed_countries", "landing_countries", "landing_stations", "parties",
    "telegeography_id", "web_url", "description", "natural_key", "provenance", "value_sources", "created", "updated",
]
# Plain fields: (serializer field, column), written by the serializer field's to_representation.
CABLE_SCALARS = (
    ("abbreviation", "abbreviation"), ("cost_usd", "cost_usd"), ("length_km", "length_km"),
    ("rfs_year", "rfs_year"), ("rfs_quarter", "rfs_quarter"), ("rfs_month", "rfs_month"), ("status", "status"),
    ("telegeography_id", "telegeography_id"), ("web_url", "url"), ("description", "description"),
)


CABLE_VALUES = (
    "id", "slug", "name", *(column for _, column in CABLE_SCALARS), *PROVENANCE_VALUES, "created_text", "updated_text"
)


def cable_records(ids, url_for, serializer):
    """The cables `ids`, in that order, as CableSerializer writes them: six queries (the
    cables, their citations, parties, listed countries, landings and stations)."""
    stamp = timestamp_writer()
    rows = with_timestamp_text(m.SubmarineCable.objects.filter(pk__in=ids).order_by()).values_list(*CABLE_VALUES)
    by_id = {row[0]: row for row in rows}
    scalars = [(name, serializer.fields[name].to_representation) for name, _ in CABLE_SCALARS]
    citations = value_sources(m.SubmarineCable, ids)
    share = serializer.fields["parties"].child.fields["share"].to_representation
    parties = defaultdict(list)
    for cable_id, org_id, org_slug, org_name, org_short, role, party_share, source_slug, locator in (
        children(m.CableParty).filter(cable_id__in=ids).values_list(
            "cable_id", "organization_id", "organization__slug", "organization__name", "organization__short_name",
            "role", "share", "source__slug", "locator",
        )
    ):
        parties[cable_id].append({
            "organization": {"id": org_id, "slug": org_slug, "name": org_name, "short_name": org_short},
            "name": org_name, "role": role, "share": None if party_share is None else share(party_share),
            "source": source_slug, "locator": locator,
        })
    listed = defaultdict(list)
    for cable_id, iso2 in (
        children(m.CableListedCountry).filter(cable_id__in=ids).values_list("cable_id", "country__iso2")
    ):
        listed[cable_id].append(iso2)
    # The landings, then their stations by id in the stations' order: joined in one query,
    # PostgreSQL hashes every station to find the page's few hundred.
    landed = defaultdict(list)
    for cable_id, station_id in (
        m.CableLanding.objects.filter(cable_id__in=ids).order_by().values_list("cable_id", "station_id")
    ):
        landed[station_id].append(cable_id)
    coordinate = decimal_text(serializer.fields["landing_stations"].coordinate)
    stations = defaultdict(list)
    for station_id, slug, name, iso2, latitude, longitude in (
        m.LandingStation.objects.filter(pk__in=list(landed))
        .values_list("id", "slug", "name", "country__iso2", "latitude", "longitude")
    ):
        station = {"id": station_id, "slug": slug, "name": name, "country": iso2,
                   "latitude": coordinate(latitude), "longitude": coordinate(longitude)}
        for cable_id in landed[station_id]:
            stations[cable_id].append(station)
    records = []
    for pk in ids:
        row = by_id[pk]
        values = dict(zip((name for name, _ in scalars), row[3:3 + len(scalars)]))
        written = {name: None if values[name] is None else write(values[name]) for name, write in scalars}
        cable_parties = parties.get(pk, [])
        records.append({
            "id": pk, "url": url_for(pk), "slug": row[1], "name": row[2], "abbreviation": written["abbreviation"],
            "owners": [p["name"] for p in cable_parties if p["role"] == m.CablePartyRole.OWNER],
            "suppliers": [p["name"] for p in cable_parties if p["role"] == m.CablePartyRole.SUPPLIER],
            **{name: written[name] for name in ("cost_usd", "length_km", "rfs_year", "rfs_quarter", "rfs_month",
                                                "status")},
            "listed_countries": listed.get(pk, []),
            "landing_countries": sorted({station["country"] for station in stations.get(pk, [])}),
            "landing_stations": stations.get(pk, []),
            "parties": cable_parties,
            **{name: written[name] for name in ("telegeography_id", "web_url", "description")},
            "natural_key": [row[1]],
            "provenance": provenance(row[3 + len(scalars):-2], stamp),
            "value_sources": citations.get(pk, {}),
            "created": stamp(row[-2]), "updated": stamp(row[-1]),
        })
    return records
