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


def paginated(path, qs, count, results, limit, offset):
    def link(off):
        params = {k: v[0] for k, v in qs.items()}
        params.update(limit=limit, offset=off)
        return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())

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


def cables(environ, start_response, qs):
    where, params = [], []
    if "landing_country" in qs:
        where.append(
            "k.id IN (SELECT cl.cable_id FROM registry_cablelanding cl JOIN registry_landingstation ls "
            "ON ls.id = cl.station_id JOIN registry_country c ON c.id = ls.country_id WHERE c.iso2 = %s)"
        )
        params.append(qs["landing_country"][0].upper())
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    limit, offset = page_params(qs)
    rows = query(
        "SELECT k.id, k.slug, k.name, k.abbreviation, k.cost_usd, k.length_km, k.rfs_year, k.status, s.slug, "
        "s.title, s.url, k.locator, k.confidence FROM registry_submarinecable k JOIN registry_source s "
        "ON s.id = k.source_id" + clause + " ORDER BY k.name, k.id LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    ids = [r[0] for r in rows]
    landings = {}
    for cable_id, slug, name, iso2 in query(
        "SELECT cl.cable_id, ls.slug, ls.name, c.iso2 FROM registry_cablelanding cl JOIN registry_landingstation ls "
        "ON ls.id = cl.station_id JOIN registry_country c ON c.id = ls.country_id WHERE cl.cable_id = ANY(%s) "
        "ORDER BY cl.id",
        [ids],
    ):
        landings.setdefault(cable_id, []).append({"slug": slug, "name": name, "country": iso2})
    count = query("SELECT count(*) FROM registry_submarinecable k" + clause, params)[0][0]
    results = [
        {
            "id": r[0], "url": f"/api/cables/{r[0]}", "slug": r[1], "name": r[2], "abbreviation": r[3],
            "cost_usd": r[4], "length_km": r[5], "rfs_year": r[6], "status": r[7],
            "landing_stations": landings.get(r[0], []),
            "source": {"slug": r[8], "title": r[9], "url": r[10]}, "locator": r[11], "confidence": r[12],
        }
        for r in rows
    ]
    return json_response(start_response, paginated("/api/cables", qs, count, results, limit, offset))


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
