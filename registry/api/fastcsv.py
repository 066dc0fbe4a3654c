"""CSV of camera counts without a serializer per row (issue 7: a million rows).

The generic CSV renderer serializes every record with the endpoint's serializer, which
is right for every table but costs about a millisecond a row: a quarter of an hour for a
million camera counts. This fast path reads plain column values (`values_list`, a
server-side cursor, a chunk at a time; each chunk's field citations in one query) and
writes exactly the generic renderer's cells (a test compares the two). It runs only while
the serializer's columns are the ones it knows; otherwise the generic path does.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils import timezone

from registry import models as m

from .renderers import cell

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

VALUES = (
    "id", "slug", "country_id", "country__iso2", "country__iso3", "country__common_name", "country__name", "city",
    "vendor_id", "vendor__slug", "vendor__name", "vendor__short_name", "count", "measure", "method", "observed",
    "observed_precision", "source_id", "source__slug", "source__title", "source__url", "locator", "via_source_id",
    "via_source__slug", "via_source__title", "via_source__url", "confidence", "review_status",
    "verified_by__username", "verified_at", "curator_note", "created", "updated",
)


def utc_text(text):
    """A UTC timestamp as the database writes it as text, written as DRF writes it:
    "2024-05-01 12:30:00.49+00" (PostgreSQL) or "2024-05-01 12:30:00.490000" (SQLite)
    becomes "2024-05-01T12:30:00.490000Z"; without microseconds, none are written."""
    if text is None:
        return ""
    moment, _, fraction = text.removesuffix("+00").partition(".")
    fraction = fraction.ljust(6, "0") if fraction.strip("0") else ""
    return moment.replace(" ", "T") + ("." + fraction if fraction else "") + "Z"


def timestamps(queryset, names):
    """`queryset` with each timestamp column in `names` also read as text (`<name>_text`),
    and the function that writes a value read that way. Parsing a timestamp into a
    datetime and writing it out again costs more than the rest of a landing station's
    row; the text says the same where both the database session and the API write UTC.
    Elsewhere the columns are read as datetimes and written by stamper()."""
    if connection.timezone_name == "UTC" and timezone.get_current_timezone_name() == "UTC":
        return queryset.annotate(**{f"{name}_text": Cast(name, CharField()) for name in names}), utc_text
    return queryset.annotate(**{f"{name}_text": F(name) for name in names}), stamper()


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


def value_sources_cell(citations):
    """As cell() writes ValueSourcesField's dict: `field: source-slug (locator)`."""
    return cell(
        {
            c["field_name"]: {"source": {"slug": c["source__slug"]}, "locator": c["locator"]}
            for c in citations
        }
    )


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


def camera_count_rows(queryset, url_for):
    """CSV rows (lists of cells) for the camera counts of `queryset`, in its order."""
    stamp = stamper()
    content_type = ContentType.objects.get_for_model(m.CameraCount)
    rows = queryset.values_list(*VALUES).iterator(chunk_size=CHUNK_SIZE)
    for chunk in chunked(rows):
        citations = defaultdict(list)
        for citation in (
            m.FieldCitation.objects.filter(content_type=content_type, object_id__in=[r[0] for r in chunk])
            .order_by("object_id", "field_name", "id")
            .values("object_id", "field_name", "source__slug", "locator")
        ):
            citations[citation["object_id"]].append(citation)
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
                value_sources_cell(citations[pk]) if pk in citations else "", stamp(created), stamp(updated),
            ]


# ----- Landing stations for GeoJSON -----

STATION_FIELDS = [
    "id", "url", "slug", "name", "country", "latitude", "longitude", "cables", "telegeography_id", "natural_key",
    "provenance", "value_sources", "created", "updated",
]
STATION_VALUES = (
    "id", "slug", "name", "country_id", "country__iso2", "country__iso3", "country__common_name", "country__name",
    "latitude", "longitude", "telegeography_id", "source_id", "source__slug", "source__title", "source__url",
    "locator", "via_source_id", "via_source__slug", "via_source__title", "via_source__url", "confidence",
    "review_status", "verified_by__username", "verified_at_text", "curator_note", "created_text", "updated_text",
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
    content_type = ContentType.objects.get_for_model(m.LandingStation)
    rows, stamp = timestamps(queryset, ("verified_at", "created", "updated"))
    ids = queryset.order_by().values("pk")
    cables = defaultdict(list)
    for station_id, name in (
        m.CableLanding.objects.filter(station_id__in=ids).order_by("cable__name", "cable_id")
        .values_list("station_id", "cable__name")
    ):
        cables[station_id].append(name)
    citations = defaultdict(dict)
    for c in (
        m.FieldCitation.objects.filter(content_type=content_type, object_id__in=ids)
        .order_by("object_id", "field_name", "id")
        .values("object_id", "field_name", "source_id", "source__slug", "source__title", "source__url",
                "via_source_id", "via_source__slug", "locator", "value")
    ):
        citations[c["object_id"]][c["field_name"]] = {
            "source": {"id": c["source_id"], "slug": c["source__slug"], "title": c["source__title"],
                       "url": c["source__url"]},
            "via_source": c["via_source__slug"] if c["via_source_id"] else None,
            "locator": c["locator"],
            "value": c["value"],
        }
    for (
        pk, slug, name, country_id, iso2, iso3, common_name, country_name, latitude, longitude, tg_id,
        source_id, source_slug, source_title, source_url, locator, via_id, via_slug, via_title, via_url,
        confidence, review_status, verified_by, verified_at, curator_note, created, updated,
    ) in rows.values_list(*STATION_VALUES).iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": pk, "url": url_for(pk), "slug": slug, "name": name,
            "country": {"id": country_id, "iso2": iso2, "iso3": iso3, "name": common_name or country_name},
            "latitude": lat(latitude), "longitude": lon(longitude), "cables": cables.get(pk, []),
            "telegeography_id": tg_id, "natural_key": [slug],
            "provenance": {
                "source": {"id": source_id, "slug": source_slug, "title": source_title, "url": source_url},
                "locator": locator,
                "via_source": {"id": via_id, "slug": via_slug, "title": via_title, "url": via_url}
                if via_id else None,
                "confidence": confidence, "review_status": review_status, "verified_by": verified_by,
                "verified_at": stamp(verified_at) or None, "curator_note": curator_note,
            },
            "value_sources": citations.get(pk, {}),
            "created": stamp(created), "updated": stamp(updated),
        }
