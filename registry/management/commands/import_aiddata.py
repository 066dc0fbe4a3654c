from django.core.management.base import BaseCommand, CommandError

from registry.importers import ImportFailed
from registry.importers.aiddata import AidDataImporter


class Command(BaseCommand):
    help = (
        "Import Chinese development finance from AidData's GCDF 3.0 (the project-level CSV, "
        "or the XLSX release, sheet GCDF_3.0): one loan per record, lenders and other parties "
        "matched to organizations, every source URL kept. All or nothing; a re-run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="GCDF 3.0 CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="Do everything, print the report, write nothing.")
        parser.add_argument(
            "--sector", action="append", default=[], metavar="NAME",
            help="Only records of this sector (Sector Name or Sector Code, any case); repeatable.",
        )
        parser.add_argument(
            "--recipient", action="append", default=[], metavar="ISO3",
            help="Only records for this recipient (ISO 3166-1 alpha-3 or alpha-2: MYS, MY); repeatable.",
        )

    def handle(self, *args, path, dry_run, sector, recipient, **options):
        importer = AidDataImporter(path, dry_run=dry_run, sectors=sector, recipients=recipient)
        try:
            report = importer.run()
        except ImportFailed as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        for line in importer.summary():
            self.stdout.write(line)
