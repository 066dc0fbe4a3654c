"""Back the database up to one file.

PostgreSQL: `pg_dump -Fc` (a custom-format archive for pg_restore). SQLite: a JSON dump
of every table, history tables and users included, with natural foreign keys (content
types, permissions and users by name) and the rows' own ids, so that history rows still
point at their records after a restore. `restore_db` reads either back.
"""

import os
import shutil
import subprocess
from datetime import datetime, timezone
from glob import glob
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


def pg_tool(name):
    """pg_dump or pg_restore: PG_BIN first (scripts/with-postgres.sh), then PATH, then Debian's folders."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(os.path.join(os.environ["PG_BIN"], name))
    if shutil.which(name):
        candidates.append(shutil.which(name))
    candidates += sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True)
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    raise CommandError(f"{name} not found: install PostgreSQL's client programs or set PG_BIN.")


def pg_env(settings_dict):
    """libpq environment variables for the database Django is connected to."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS", {})
    values = {
        "PGHOST": settings_dict.get("HOST") or options.get("host", ""),
        "PGPORT": str(settings_dict.get("PORT") or options.get("port", "")),
        "PGUSER": settings_dict.get("USER") or options.get("user", ""),
        "PGPASSWORD": settings_dict.get("PASSWORD") or options.get("password", ""),
        "PGDATABASE": settings_dict["NAME"],
    }
    env.update({key: value for key, value in values.items() if value})
    return env


def is_postgresql(connection):
    return connection.vendor == "postgresql"


class Command(BaseCommand):
    help = "Back the database up: pg_dump -Fc for PostgreSQL, a natural-key JSON dump for SQLite."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="The file to write (default: backups/dsr-<vendor>-<time>.dump|json).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path=None, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        if not path:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            suffix = "dump" if is_postgresql(connection) else "json"
            path = Path(settings.BASE_DIR) / "backups" / f"dsr-{connection.vendor}-{stamp}.{suffix}"
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        if is_postgresql(connection):
            command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)]
            result = subprocess.run(command, env=pg_env(connection.settings_dict), capture_output=True, text=True)
            if result.returncode != 0:
                partial.unlink(missing_ok=True)
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            # Fixture JSON (loaddata reads it) with times kept to the microsecond.
            serializers.register_serializer("backupjson", "registry.backup_format")
            call_command(
                "dumpdata", format="backupjson", natural_foreign=True, output=str(partial),
                database=database, verbosity=0,
            )
        # A backup file is whole or absent: written aside, then renamed.
        partial.replace(path)
        self.stdout.write(f"Backed up the {connection.vendor} database to {path} ({path.stat().st_size} bytes).")
