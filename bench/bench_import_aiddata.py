"""Times import_aiddata on the shared Malaysian sample (176 records) and prints the figures.

    .venv/bin/python bench/bench_import_aiddata.py [PATH]                       # SQLite
    scripts/with-postgres.sh .venv/bin/python bench/bench_import_aiddata.py     # PostgreSQL

Without DATABASE_URL it uses a throwaway SQLite file; with it (with-postgres.sh sets one
to a throwaway cluster) it migrates and uses that database. The target is under 10 s for
the first import. Figures are printed, never asserted.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.test_settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='dsr-bench-')}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from registry.importers.aiddata import AidDataImporter  # noqa: E402
from registry.models import Loan  # noqa: E402


def sample_path():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    for candidate in (REPO.parent / "shared" / "data" / "aiddata", Path("/work/shared/data/aiddata")):
        if (candidate / "gcdf3-malaysia.csv").exists():
            return candidate / "gcdf3-malaysia.csv"
    sys.exit("no gcdf3-malaysia.csv: pass the file's path")


def timed(label, path, **options):
    importer = AidDataImporter(path, **options)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        importer.run()
        seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:7.2f} s  {len(queries):6d} queries  " + "; ".join(importer.summary()[1:2]))
    return seconds


def main():
    path = sample_path()
    call_command("migrate", verbosity=0)
    Loan.objects.filter(aiddata_record_id__isnull=False).delete()
    print(f"import_aiddata {path.name} on {connection.vendor}")
    first = timed("first import", path)
    timed("same file again", path)
    timed("dry run", path, dry_run=True)
    print(f"first import {'under' if first < 10 else 'OVER'} the 10 s target")


if __name__ == "__main__":
    main()
