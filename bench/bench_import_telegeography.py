#!/usr/bin/env python
"""Time the TeleGeography import: the whole 2021 release, then the 2022 sample after it.

    .venv/bin/python bench/bench_import_telegeography.py [DATA_FOLDER]
    scripts/with-postgres.sh .venv/bin/python bench/bench_import_telegeography.py

Uses DATABASE_URL when set (with-postgres.sh sets it to a throwaway cluster), otherwise a
temporary SQLite file; migrates it first. Prints wall-clock and CPU seconds per step.
The target is under 10 s for each import on SQLite and on PostgreSQL.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def data_folder():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    for candidate in (REPO.parent / "shared" / "data" / "telegeography", Path("/work/shared/data/telegeography")):
        if candidate.is_dir():
            return candidate
    sys.exit("No TeleGeography data: pass the folder holding v2-2021-06/ and v3-sample/")


def later_release(v2, folder):
    """The 2021 release as if re-published later with every length changed: a stand-in
    for a whole later release (only a 44-cable sample of 2022 is at hand)."""
    shutil.copytree(v2, folder)
    (folder / "config.json").write_text(json.dumps({"creation_time": "2022-12-01T12:00:00+00:00"}))
    for path in (folder / "cable").glob("*.json"):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and str(data.get("length", "")).endswith(" km"):
            number = float(data["length"].split()[0].replace(",", "")) + 1
            data["length"] = f"{number:,.0f} km"
            path.write_text(json.dumps(data))
    return folder


def main():
    data = data_folder()
    tmp = Path(tempfile.mkdtemp(prefix="bench-tg-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from registry.importers.telegeography import import_release

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    steps = [
        ("2021 release (v2, 484 cables), empty database", data / "v2-2021-06"),
        ("2022 sample (v3, 44 cables) after 2021", data / "v3-sample"),
        ("2021 release again (nothing changes)", data / "v2-2021-06"),
        ("whole later release (2021 re-dated, every length changed)", later_release(data / "v2-2021-06", tmp / "later")),
    ]
    try:
        for label, folder in steps:
            wall, cpu = time.perf_counter(), time.process_time()
            report = import_release(folder)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            cables = report.as_dict()["counts"]["cable"]
            summary = ", ".join(f"{k} {v}" for k, v in cables.items() if v)
            print(f"{wall:6.2f} s wall  {cpu:6.2f} s CPU  {label}  [cables: {summary}]")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
