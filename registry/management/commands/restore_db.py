"""Restore a backup made by backup_db, replacing everything in the database.

All or nothing: PostgreSQL restores in a single transaction (pg_restore --clean
--single-transaction); SQLite empties the tables and loads the JSON dump in one
transaction. Stop the app first: the restore replaces every row.
"""

from pathlib import Path

import subprocess

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from registry.management.commands.backup_db import is_postgresql, pg_env, pg_tool


class Command(BaseCommand):
    help = "Restore a backup made by backup_db (replaces the database's contents)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        with path.open("rb") as handle:
            is_pg_archive = handle.read(5) == b"PGDMP"
        if is_postgresql(connection):
            if not is_pg_archive:
                raise CommandError(f"{path} is not a pg_dump archive; this database is PostgreSQL.")
            connection.close()
            command = [
                pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", "--dbname", connection.settings_dict["NAME"], str(path),
            ]
            result = subprocess.run(command, env=pg_env(connection.settings_dict), capture_output=True, text=True)
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed (nothing was changed): {result.stderr.strip()}")
        else:
            if is_pg_archive:
                raise CommandError(f"{path} is a pg_dump archive; restore it into PostgreSQL.")
            with transaction.atomic(using=database):
                call_command("flush", interactive=False, inhibit_post_migrate=True, database=database, verbosity=0)
                call_command("loaddata", str(path), database=database, verbosity=0)
        self.stdout.write(f"Restored {path} into the {connection.vendor} database.")
