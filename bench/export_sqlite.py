"""Export the benchmark's rows from PostgreSQL to a SQLite file for Datasette.

Denormalized the way one publishes a table with Datasette (codes and slugs in place of
foreign keys), indexed on the columns the benchmark filters by:

    camera_counts   (country, vendor) index, so ?country=IN&vendor=hikvision is an index scan
    loans           year index; loan_lenders (loan_id, lender) for ?_where=id in (...)
    cables          cable_landings (country, cable_id)
    landing_stations

    DATABASE_URL=postgresql://... python bench/export_sqlite.py out.db
"""

import os
import sqlite3
import sys
import time

import psycopg

TABLES = {
    "camera_counts": (
        "id INTEGER PRIMARY KEY, slug TEXT, country TEXT, country_name TEXT, city TEXT, vendor TEXT, "
        "vendor_name TEXT, count INTEGER, measure TEXT, method TEXT, observed TEXT, observed_precision TEXT, "
        "source TEXT, source_title TEXT, source_url TEXT, locator TEXT, confidence TEXT, review_status TEXT",
        """SELECT cc.id, cc.slug, c.iso2, c.name, cc.city, o.slug, o.name, cc.count, cc.measure, cc.method,
                  cc.observed::text, cc.observed_precision, s.slug, s.title, s.url, cc.locator, cc.confidence,
                  cc.review_status
           FROM registry_cameracount cc JOIN registry_country c ON c.id = cc.country_id
           LEFT JOIN registry_organization o ON o.id = cc.vendor_id JOIN registry_source s ON s.id = cc.source_id
           ORDER BY cc.id""",
        ["CREATE INDEX camera_counts_country_vendor ON camera_counts (country, vendor)"],
    ),
    "loans": (
        "id INTEGER PRIMARY KEY, slug TEXT, title TEXT, borrower_country TEXT, instrument TEXT, amount TEXT, "
        "currency TEXT, amount_usd TEXT, committed TEXT, committed_precision TEXT, year INTEGER, source TEXT, "
        "source_title TEXT, source_url TEXT, locator TEXT, confidence TEXT",
        """SELECT l.id, l.slug, l.title, c.iso2, i.slug, l.amount::text, l.currency_id, l.amount_usd::text,
                  l.committed::text, l.committed_precision, extract(year FROM l.committed)::int, s.slug, s.title,
                  s.url, l.locator, l.confidence
           FROM registry_loan l JOIN registry_country c ON c.id = l.borrower_country_id
           JOIN registry_instrument i ON i.id = l.instrument_id JOIN registry_source s ON s.id = l.source_id
           ORDER BY l.id""",
        ["CREATE INDEX loans_year ON loans (year)"],
    ),
    "loan_lenders": (
        "id INTEGER PRIMARY KEY, loan_id INTEGER REFERENCES loans(id), lender TEXT, lender_name TEXT",
        """SELECT lp.id, lp.loan_id, o.slug, o.name FROM registry_loanparty lp
           JOIN registry_organization o ON o.id = lp.organization_id WHERE lp.role = 'lender' ORDER BY lp.id""",
        ["CREATE INDEX loan_lenders_lender ON loan_lenders (lender, loan_id)",
         "CREATE INDEX loan_lenders_loan ON loan_lenders (loan_id)"],
    ),
    "cables": (
        "id INTEGER PRIMARY KEY, slug TEXT, name TEXT, abbreviation TEXT, cost_usd TEXT, length_km TEXT, "
        "rfs_year INTEGER, status TEXT, source TEXT, source_title TEXT, source_url TEXT, locator TEXT, "
        "confidence TEXT",
        """SELECT k.id, k.slug, k.name, k.abbreviation, k.cost_usd::text, k.length_km::text, k.rfs_year, k.status,
                  s.slug, s.title, s.url, k.locator, k.confidence
           FROM registry_submarinecable k JOIN registry_source s ON s.id = k.source_id ORDER BY k.id""",
        [],
    ),
    "landing_stations": (
        "id INTEGER PRIMARY KEY, slug TEXT, name TEXT, country TEXT, latitude REAL, longitude REAL",
        """SELECT ls.id, ls.slug, ls.name, c.iso2, ls.latitude::float8, ls.longitude::float8
           FROM registry_landingstation ls JOIN registry_country c ON c.id = ls.country_id ORDER BY ls.id""",
        [],
    ),
    "cable_landings": (
        "id INTEGER PRIMARY KEY, cable_id INTEGER REFERENCES cables(id), "
        "station_id INTEGER REFERENCES landing_stations(id), country TEXT",
        """SELECT cl.id, cl.cable_id, cl.station_id, c.iso2 FROM registry_cablelanding cl
           JOIN registry_landingstation ls ON ls.id = cl.station_id JOIN registry_country c ON c.id = ls.country_id
           ORDER BY cl.id""",
        ["CREATE INDEX cable_landings_country ON cable_landings (country, cable_id)",
         "CREATE INDEX cable_landings_cable ON cable_landings (cable_id)"],
    ),
}


def export(path):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    with psycopg.connect(os.environ["DATABASE_URL"]) as pg:
        for table, (columns, select, indexes) in TABLES.items():
            db.execute(f"CREATE TABLE {table} ({columns})")
            marks = ", ".join("?" * len(columns.split(", ")))
            with pg.cursor(name=f"export_{table}") as cur:
                cur.itersize = 20_000
                cur.execute(select)
                while rows := cur.fetchmany(20_000):
                    db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            for statement in indexes:
                db.execute(statement)
    db.commit()
    db.execute("ANALYZE")
    db.close()


if __name__ == "__main__":
    t0 = time.monotonic()
    export(sys.argv[1])
    print(f"exported to {sys.argv[1]} in {time.monotonic() - t0:.1f} s")
