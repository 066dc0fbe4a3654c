"""manage.py import_telegeography PATH [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from registry.importers import ImportFailed
from registry.importers.telegeography import import_release


class Command(BaseCommand):
    help = (
        "Import a release of TeleGeography's Submarine Cable Map data (schema v2 or v3): a folder "
        "with config.json, cable/*.json and landing-point/*.json. Matches existing cables, "
        "landing stations and organizations; cites every value to the release. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the release folder")
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")

    def handle(self, path, dry_run=False, **options):
        try:
            report = import_release(path, dry_run=dry_run)
        except ImportFailed as error:
            raise CommandError(f"TeleGeography import failed, nothing written: {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
