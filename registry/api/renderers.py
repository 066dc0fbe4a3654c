"""CSV (every list) and GeoJSON (landing stations, cables), streamed over the whole
filtered set in chunks, never one page."""

import csv
import json
from decimal import Decimal

import orjson
from django.http import StreamingHttpResponse
from rest_framework import renderers, serializers

from .serializers import RecordUrlField, RefField

CHUNK_SIZE = 500
# Datetimes through the `default` function, so that they are written as DRF writes them.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def serialized(view, queryset, chunk_size=CHUNK_SIZE):
    """The records of `queryset` as the view serializes them, a chunk at a time; each
    chunk costs the serializer's constant number of queries."""
    serializer_class = view.get_serializer_class()
    context = view.get_serializer_context()
    batch = []
    for record in queryset.iterator(chunk_size=chunk_size):
        batch.append(record)
        if len(batch) == chunk_size:
            yield from serializer_class(batch, many=True, context=context).data
            batch = []
    if batch:
        yield from serializer_class(batch, many=True, context=context).data


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact JSON, byte for byte, encoded by orjson (several times faster on a page
    of nested records). Pretty-printed JSON (`indent=`, the browsable API) is left to
    DRF's encoder, and so is each value orjson cannot encode itself."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        body = orjson.dumps(data, default=self.encoder_class().default, option=ORJSON_OPTIONS)
        # As DRF does: JSON that is also a strict subset of JavaScript.
        return body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


def blocks(pieces, size=65536):
    """Streamed text or bytes gathered into blocks of about `size`: one write to the
    socket each, rather than one per line or feature."""
    block, length = [], 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield piece[:0].join(block)
            block, length = [], 0
    if block:
        yield block[0][:0].join(block)


class StreamingRenderer(renderers.BaseRenderer):
    """A renderer whose list responses the view streams (`stream`); `render` serves a
    single record."""

    charset = "utf-8"

    def stream(self, view, queryset):
        raise NotImplementedError


# ----- CSV -----


def csv_columns(serializer, prefix=""):
    """(header, path into the serialized record) for every column, from the serializer's
    fields, so the header is the same whether or not a record has a value."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.Serializer):
            columns += [(f"{prefix}{name}.{header}", (name, *path)) for header, path in csv_columns(field)]
        elif isinstance(field, RefField):
            columns += [(f"{prefix}{name}.{key}", (name, key)) for key in field.display_keys()]
        else:
            columns.append((f"{prefix}{name}", (name,)))
    return columns


def label(item):
    """One related item as text: a name, with its role for a party."""
    if isinstance(item, dict):
        if "source" in item and isinstance(item["source"], dict):
            return " ".join(filter(None, [item["source"].get("slug"), f"({item['locator']})" if item.get("locator") else ""]))
        name = item.get("name") or item.get("slug") or json.dumps(item, default=str)
        return f"{name} ({item['role']})" if item.get("role") else name
    return "" if item is None else str(item)


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(label(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {label(item)}" for key, item in value.items())
    text = str(value)
    # A spreadsheet would run a text cell starting like a formula.
    return "'" + text if text[:1] in ("=", "+", "@", "\t", "\r") else text


def csv_row(record, columns):
    row = []
    for _header, path in columns:
        value = record
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        row.append(cell(value))
    return row


class _Line:
    def write(self, text):
        return text


def fast_path(view, name, serializer):
    """The view's plain-values function `name` ((fields, function), fastcsv), while the
    serializer has exactly the fields it was written for; else None."""
    fast = getattr(view, name, None)
    return fast[1] if fast and list(serializer.fields) == fast[0] else None


def records(view, queryset):
    """The serialized records of a streamed list: from plain values where the view has a
    fast path for its serializer, else through the serializer."""
    serializer = view.get_serializer()
    fast = fast_path(view, "records_fast_path", serializer)
    if fast is not None:
        return fast(queryset, record_url(serializer), serializer)
    return serialized(view, queryset)


class _Pk:
    __slots__ = ("pk",)

    def __init__(self, pk):
        self.pk = pk


def record_url(serializer):
    """pk -> the record's `url`, as the serializer's url field writes it: its address for
    a placeholder id, once, with each id in the placeholder's place."""
    field = serializer.fields["url"]
    placeholder = str(RecordUrlField.PLACEHOLDER)
    parts = str(field.to_representation(_Pk(RecordUrlField.PLACEHOLDER))).split(placeholder)
    if len(parts) != 2:
        return lambda pk: field.to_representation(_Pk(pk))
    head, tail = parts
    return lambda pk: f"{head}{pk}{tail}"


def _url_maker(serializer):
    """pk -> the record's `url` cell."""
    url = record_url(serializer)
    return lambda pk: cell(url(pk))


class CSVRenderer(StreamingRenderer):
    media_type = "text/csv"
    format = "csv"

    def _lines(self, columns, records):
        writer = csv.writer(_Line())
        yield writer.writerow([header for header, _ in columns])
        for record in records:
            yield writer.writerow(csv_row(record, columns))

    def stream(self, view, queryset):
        serializer = view.get_serializer()
        columns = csv_columns(serializer)
        fast = getattr(view, "csv_fast_path", None)
        if fast is not None and [header for header, _ in columns] == fast[0]:
            # Plain column values instead of a serializer per row (a million camera counts).
            lines = blocks(self._fast_lines(fast[0], fast[1](queryset, _url_maker(serializer))))
        else:
            lines = self._lines(columns, serialized(view, queryset))
        response = StreamingHttpResponse(lines, content_type=f"{self.media_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{view.basename}.csv"'
        return response

    def _fast_lines(self, headers, rows):
        writer = csv.writer(_Line())
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow(row)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        if data is None or view is None or not hasattr(view, "get_serializer"):
            return b""
        columns = csv_columns(view.get_serializer())
        return "".join(self._lines(columns, [data])).encode(self.charset)


# ----- GeoJSON -----


def _number(value):
    return float(value) if isinstance(value, (str, Decimal)) else value


def point(latitude, longitude):
    if latitude is None or longitude is None:
        return None
    return [_number(longitude), _number(latitude)]


def _json(value):
    return json.dumps(value, default=str, ensure_ascii=False)


def _fast_json(value):
    """_json's value as UTF-8 bytes through orjson (several times faster on a stream of
    thousands of features): the same JSON, compact; what orjson cannot encode goes
    through str()."""
    return orjson.dumps(value, default=str, option=ORJSON_OPTIONS)


class GeoJSONRenderer(StreamingRenderer):
    """A FeatureCollection; `view.geometry(record)` gives each record's geometry, and
    records without one are left out and counted in `excluded_without_coordinates`."""

    media_type = "application/geo+json"
    format = "geojson"

    @staticmethod
    def feature(record, geometry):
        return {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record}

    def _chunks(self, view, records):
        yield b'{"type": "FeatureCollection", "features": ['
        excluded, first = 0, True
        for record in records:
            geometry = view.geometry(record)
            if geometry is None:
                excluded += 1
                continue
            yield (b"" if first else b",") + _fast_json(self.feature(record, geometry))
            first = False
        yield f'], "excluded_without_coordinates": {excluded}}}'.encode()

    def stream(self, view, queryset):
        return StreamingHttpResponse(
            blocks(self._chunks(view, records(view, queryset))), content_type=f"{self.media_type}; charset=utf-8"
        )

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        if data is None or view is None:
            return b""
        geometry = view.geometry(data)
        if geometry is None:
            body = {"type": "FeatureCollection", "features": [], "excluded_without_coordinates": 1}
        else:
            body = self.feature(data, geometry)
        return _json(body).encode(self.charset)
