"""Print the data-quality audit's findings: `manage.py audit_data [--format json]`.

Exits 0 whenever the audit ran, whatever it found."""

import json
from collections import Counter

from django.core.management.base import BaseCommand

from registry.audit import find_issues


class Command(BaseCommand):
    help = "List inconsistencies in the data: totals that differ from their rows, cable country lists that "
    help += "disagree with the landings, names listed twice, facts without a source, unverified records."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        findings = find_issues()
        if options["format"] == "json":
            self.stdout.write(json.dumps([finding.as_dict() for finding in findings], indent=2, ensure_ascii=False))
            return
        if not findings:
            self.stdout.write("No findings.")
            return
        for finding in findings:
            self.stdout.write(str(finding))
        counts = Counter(finding.kind for finding in findings)
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(f"\n{len(findings)} finding(s): {summary}")
