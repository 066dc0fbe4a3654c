"""The floor: the least a server can do to answer the benchmark's requests.

A bare WSGI app (no framework) under the same gunicorn as the real one, one psycopg
connection per worker, hand-written SQL returning the same rows in the same order as
the API, orjson to encode, PostgreSQL's own COPY for CSV. Same paths as the API, so the
benchmark sends the same URL to both.

    DATABASE_URL=postgresql://... gunicorn bench.floor:application -w 2
"""

import base64
import os
import re
import unicodedata
from decimal import Decimal
from urllib.parse import parse_qs

import orjson
import psycopg


PAGE = 50
DEEP_OFFSET = 1000  # registry.api.pagination.Pagination.deep_offset


def normalize_name(name):
    """As registry.models.normalize_name (imported from there it would need Django set up)."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())

_conn = None


def conn():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _conn


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError


def json_response(start_response, body, status="200 OK"):
    data = orjson.dumps(body, default=_default)
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def query(sql, params=()):
    with conn().cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


CAMERA_SELECT = """
SELECT cc.id, cc.slug, c.iso2, c.name, cc.city, o.slug, o.name, cc.count, cc.measure, cc.method,
       cc.observed, cc.observed_precision, s.slug, s.title, s.url, cc.locator, cc.confidence,
       cc.review_status
FROM registry_cameracount cc
JOIN registry_country c ON c.id = cc.country_id
LEFT JOIN registry_organization o ON o.id = cc.vendor_id
JOIN registry_source s ON s.id = cc.source_id
"""
CAMERA_ORDER = " ORDER BY c.name, cc.city, cc.id"


def camera_dict(r):
    return {
        "id": r[0], "url": f"/api/camera-counts/{r[0]}", "slug": r[1],
        "country": {"iso2": r[2], "name": r[3]}, "city": r[4],
        "vendor": {"slug": r[5], "name": r[6]} if r[5] else None,
        "count": r[7], "measure": r[8], "method": r[9], "observed": r[10], "observed_precision": r[11],
        "source": {"slug": r[12], "title": r[13], "url": r[14]}, "locator": r[15],
        "confidence": r[16], "review_status": r[17],
    }


def page_params(qs):
    limit = min(int(qs.get("limit", [PAGE])[0]), 1000)
    offset = int(qs.get("offset", [0])[0])
    return limit, offset


def paginated(path, qs, count, results, limit, offset, host=""):
    def link(off):
        params = {k: v[0] for k, v in qs.items()}
        params.update(limit=limit, offset=off)
        if not off:  # as DRF: the first page's link has no offset
            del params["offset"]
        return host + path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))

    return {
        "count": count,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(0, offset - limit)) if offset else None,
        "results": results,
    }


def camera_counts(environ, start_response, qs):
    where, params = [], []
    if "country" in qs:
        where.append("c.iso2 = %s")
        params.append(qs["country"][0].upper())
    if "vendor" in qs:
        where.append("o.slug = %s")
        params.append(qs["vendor"][0])
    if qs.get("format", [""])[0] == "csv":
        return camera_csv(start_response)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    limit, offset = page_params(qs)
    if "cursor" in qs:  # keyset in id order, as the API's ?cursor=
        token = qs["cursor"][0] if qs["cursor"] else ""
        after = int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()[3:]) if token else 0
        clause += (" AND " if clause else " WHERE ") + "cc.id > %s"
        rows = query(CAMERA_SELECT + clause + " ORDER BY cc.id LIMIT %s", [*params, after, limit])
        return json_response(start_response, {"count": None, "results": [camera_dict(r) for r in rows]})
    if offset >= DEEP_OFFSET:  # as the app: the page's ids first, then its rows
        vendor_join = " JOIN registry_organization o ON o.id = cc.vendor_id" if "vendor" in qs else ""
        ids = [r[0] for r in query(
            "SELECT cc.id FROM registry_cameracount cc JOIN registry_country c ON c.id = cc.country_id"
            + vendor_join + clause + CAMERA_ORDER + " LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )]
        by_id = {r[0]: r for r in query(CAMERA_SELECT + " WHERE cc.id = ANY(%s)", [ids])}
        rows = [by_id[pk] for pk in ids]
    else:
        rows = query(CAMERA_SELECT + clause + CAMERA_ORDER + " LIMIT %s OFFSET %s", [*params, limit, offset])
    count_sql = (
        "SELECT count(*) FROM registry_cameracount cc JOIN registry_country c ON c.id = cc.country_id "
        "LEFT JOIN registry_organization o ON o.id = cc.vendor_id" + clause
    )
    count = query(count_sql, params)[0][0]
    return json_response(
        start_response, paginated("/api/camera-counts", qs, count, [camera_dict(r) for r in rows], limit, offset)
    )


def camera_detail(environ, start_response, pk):
    rows = query(CAMERA_SELECT + " WHERE cc.id = %s", [pk])
    if not rows:
        return json_response(start_response, {"detail": "Not found."}, "404 Not Found")
    return json_response(start_response, camera_dict(rows[0]))


def camera_csv(start_response):
    """PostgreSQL writes the CSV; the server passes its blocks on."""
    sql = (
        "COPY (SELECT cc.id, cc.slug, c.iso2, cc.city, o.slug, cc.count, cc.measure, cc.observed, "
        "s.slug, cc.locator, cc.confidence FROM registry_cameracount cc "
        "JOIN registry_country c ON c.id = cc.country_id LEFT JOIN registry_organization o ON o.id = cc.vendor_id "
        "JOIN registry_source s ON s.id = cc.source_id ORDER BY cc.id) TO STDOUT WITH (FORMAT csv, HEADER)"
    )

    def stream():
        with conn().cursor() as cur:
            with cur.copy(sql) as copy:
                for block in copy:
                    yield bytes(block)

    start_response("200 OK", [("Content-Type", "text/csv")])
    return stream()


LENDER_IDS = """
SELECT id FROM registry_organization WHERE upper(slug) = upper(%s) OR upper(short_name) = upper(%s)
                                       OR upper(name) = upper(%s)
UNION SELECT organization_id FROM registry_organizationalias WHERE normalized = %s
"""


def loans(environ, start_response, qs):
    where, params = [], []
    if "lender" in qs:
        value = qs["lender"][0]
        where.append(
            f"l.id IN (SELECT loan_id FROM registry_loanparty WHERE role = 'lender' AND organization_id IN ({LENDER_IDS}))"
        )
        params += [value, value, value, normalize_name(value)]
    if "year__gte" in qs:
        where.append("l.committed >= make_date(%s, 1, 1)")
        params.append(int(qs["year__gte"][0]))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    limit, offset = page_params(qs)
    rows = query(
        "SELECT l.id, l.slug, l.title, c.iso2, c.name, i.slug, l.amount, l.currency_id, l.amount_usd, l.committed, "
        "l.committed_precision, s.slug, s.title, s.url, l.locator, l.confidence FROM registry_loan l "
        "JOIN registry_country c ON c.id = l.borrower_country_id JOIN registry_instrument i ON i.id = l.instrument_id "
        "JOIN registry_source s ON s.id = l.source_id" + clause + " ORDER BY l.committed DESC NULLS LAST, l.id "
        "LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    ids = [r[0] for r in rows]
    lenders = {}
    for loan_id, slug, name in query(
        "SELECT lp.loan_id, o.slug, o.name FROM registry_loanparty lp JOIN registry_organization o "
        "ON o.id = lp.organization_id WHERE lp.loan_id = ANY(%s) AND lp.role = 'lender' ORDER BY lp.id",
        [ids],
    ):
        lenders.setdefault(loan_id, []).append({"slug": slug, "name": name})
    count = query("SELECT count(*) FROM registry_loan l" + clause, params)[0][0]
    results = [
        {
            "id": r[0], "url": f"/api/loans/{r[0]}", "slug": r[1], "title": r[2],
            "borrower_country": {"iso2": r[3], "name": r[4]}, "instrument": r[5], "amount": r[6],
            "currency": r[7], "amount_usd": r[8], "committed": r[9], "committed_precision": r[10],
            "year": r[9].year if r[9] else None, "lenders": lenders.get(r[0], []),
            "source": {"slug": r[11], "title": r[12], "url": r[13]}, "locator": r[14], "confidence": r[15],
        }
        for r in rows
    ]
    return json_response(start_response, paginated("/api/loans", qs, count, results, limit, offset))


def stamp(value):
    """A timestamp as the API writes it (UTC as Z)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def source_ref(pk, slug, title, url):
    return {"id": pk, "slug": slug, "title": title, "url": url} if pk is not None else None


_content_types = {}


def content_type_id(model):
    """As Django's ContentType cache: looked up once per process."""
    if model not in _content_types:
        _content_types[model] = query(
            "SELECT id FROM django_content_type WHERE app_label = 'registry' AND model = %s", [model]
        )[0][0]
    return _content_types[model]


def grouped(sql, params):
    """{first column: [the rest of each row]} in the query's order."""
    groups = {}
    for row in query(sql, params):
        groups.setdefault(row[0], []).append(row[1:])
    return groups


def cables(environ, start_response, qs):
    """The API's cable records, whole: the same queries as the app (the filter's country
    lookup, the count, the page's ids, then their values with their sources, citations,
    parties, listed countries, landings and stations), and the same JSON."""
    host = f"http://{environ.get('HTTP_HOST', 'localhost')}"
    where, params = [], []
    if "landing_country" in qs:
        country_ids = [r[0] for r in query("SELECT id FROM registry_country WHERE iso2 = %s",
                                           [qs["landing_country"][0].upper()])]
        where.append(
            "k.id IN (SELECT cl.cable_id FROM registry_cablelanding cl JOIN registry_landingstation ls "
            "ON ls.id = cl.station_id WHERE ls.country_id = ANY(%s))"
        )
        params.append(country_ids)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    limit, offset = page_params(qs)
    count = query("SELECT count(*) FROM registry_submarinecable k" + clause, params)[0][0]
    ids = [r[0] for r in query(
        "SELECT k.id FROM registry_submarinecable k" + clause + " ORDER BY k.name, k.id LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )]
    by_id = {r[0]: r for r in query(
        "SELECT k.id, k.slug, k.name, k.abbreviation, k.cost_usd, k.length_km, k.rfs_year, k.rfs_quarter, "
        "k.rfs_month, k.status, k.telegeography_id, k.url, k.description, k.locator, k.confidence, "
        "k.review_status, u.username, k.verified_at, k.curator_note, k.created, k.updated, "
        "s.id, s.slug, s.title, s.url, v.id, v.slug, v.title, v.url "
        "FROM registry_submarinecable k JOIN registry_source s ON s.id = k.source_id "
        "LEFT JOIN registry_source v ON v.id = k.via_source_id LEFT JOIN auth_user u ON u.id = k.verified_by_id "
        "WHERE k.id = ANY(%s)",
        [ids],
    )}
    rows = [by_id[pk] for pk in ids]
    citations = grouped(
        "SELECT f.object_id, f.field_name, s.id, s.slug, s.title, s.url, v.slug, f.locator, f.value "
        "FROM registry_fieldcitation f JOIN registry_source s ON s.id = f.source_id "
        "LEFT JOIN registry_source v ON v.id = f.via_source_id "
        "WHERE f.content_type_id = %s AND f.object_id = ANY(%s) ORDER BY f.object_id, f.field_name, f.id",
        [content_type_id("submarinecable"), ids],
    )
    parties = grouped(
        "SELECT p.cable_id, o.id, o.slug, o.name, o.short_name, p.role, p.share, s.slug, p.locator "
        "FROM registry_cableparty p JOIN registry_organization o ON o.id = p.organization_id "
        "JOIN registry_source s ON s.id = p.source_id WHERE p.cable_id = ANY(%s) ORDER BY p.role, p.id",
        [ids],
    )
    listed = grouped(
        "SELECT l.cable_id, c.iso2 FROM registry_cablelistedcountry l JOIN registry_country c ON c.id = l.country_id "
        "WHERE l.cable_id = ANY(%s) ORDER BY l.position, l.id",
        [ids],
    )
    landed = {}
    for cable_id, station_id in query(
        "SELECT cable_id, station_id FROM registry_cablelanding WHERE cable_id = ANY(%s)", [ids]
    ):
        landed.setdefault(station_id, []).append(cable_id)
    stations = {}
    for station in query(
        "SELECT ls.id, ls.slug, ls.name, c.iso2, ls.latitude, ls.longitude FROM registry_landingstation ls "
        "JOIN registry_country c ON c.id = ls.country_id WHERE ls.id = ANY(%s) ORDER BY c.name, ls.name, ls.id",
        [list(landed)],
    ):
        for cable_id in landed[station[0]]:
            stations.setdefault(cable_id, []).append(station)
    results = []
    for r in rows:
        cable_parties = parties.get(r[0], [])
        cable_stations = stations.get(r[0], [])
        results.append({
            "id": r[0], "url": f"{host}/api/cables/{r[0]}", "slug": r[1], "name": r[2], "abbreviation": r[3],
            "owners": [p[2] for p in cable_parties if p[4] == "owner"],
            "suppliers": [p[2] for p in cable_parties if p[4] == "supplier"],
            "cost_usd": r[4], "length_km": r[5], "rfs_year": r[6], "rfs_quarter": r[7], "rfs_month": r[8],
            "status": r[9],
            "listed_countries": [iso2 for (iso2,) in listed.get(r[0], [])],
            "landing_countries": sorted({st[3] for st in cable_stations}),
            "landing_stations": [
                {"id": st[0], "slug": st[1], "name": st[2], "country": st[3], "latitude": st[4], "longitude": st[5]}
                for st in cable_stations
            ],
            "parties": [
                {"organization": {"id": p[0], "slug": p[1], "name": p[2], "short_name": p[3]}, "name": p[2],
                 "role": p[4], "share": p[5], "source": p[6], "locator": p[7]}
                for p in cable_parties
            ],
            "telegeography_id": r[10], "web_url": r[11], "description": r[12], "natural_key": [r[1]],
            "provenance": {
                "source": source_ref(*r[21:25]), "locator": r[13], "via_source": source_ref(*r[25:29]),
                "confidence": r[14], "review_status": r[15], "verified_by": r[16], "verified_at": stamp(r[17]),
                "curator_note": r[18],
            },
            "value_sources": {
                c[0]: {"source": source_ref(*c[1:5]), "via_source": c[5], "locator": c[6], "value": c[7]}
                for c in citations.get(r[0], [])
            },
            "created": stamp(r[19]), "updated": stamp(r[20]),
        })
    body = paginated("/api/cables", qs, count, results, limit, offset, host)
    return json_response(start_response, body)


def landing_stations_geojson(environ, start_response, qs):
    rows = query(
        "SELECT ls.id, ls.slug, ls.name, c.iso2, ls.latitude, ls.longitude FROM registry_landingstation ls "
        "JOIN registry_country c ON c.id = ls.country_id ORDER BY c.name, ls.name, ls.id"
    )
    features, missing = [], 0
    for r in rows:
        if r[4] is None:
            missing += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": r[0],
                "geometry": {"type": "Point", "coordinates": [float(r[5]), float(r[4])]},
                "properties": {"slug": r[1], "name": r[2], "country": r[3]},
            }
        )
    return json_response(
        start_response, {"type": "FeatureCollection", "features": features, "without_coordinates": missing}
    )


DETAIL = re.compile(r"^/api/camera-counts/(\d+)/?$")


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
    qs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if path == "/api/camera-counts":
        return camera_counts(environ, start_response, qs)
    if path == "/api/loans":
        return loans(environ, start_response, qs)
    if path == "/api/cables":
        return cables(environ, start_response, qs)
    if path == "/api/landing-stations" and qs.get("format") == ["geojson"]:
        return landing_stations_geojson(environ, start_response, qs)
    if path == "/health":
        return json_response(start_response, {"status": "ok"})
    match = DETAIL.match(path + "/")
    if match:
        return camera_detail(environ, start_response, int(match.group(1)))
    return json_response(start_response, {"detail": "Not found."}, "404 Not Found")
