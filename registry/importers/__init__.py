"""What every importer shares: an all-or-nothing run, a dry run, and a report."""

from collections import Counter
from contextlib import contextmanager

from django.db import transaction


class ImportFailed(Exception):
    """A problem with the input, said in one readable line (the file, the row, the field)."""


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


@contextmanager
def all_or_nothing(dry_run=False):
    """A transaction around a whole import; with dry_run the work is done and then undone."""
    try:
        with transaction.atomic():
            yield
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass


class ImportReport:
    """Counts by kind of record and outcome ('cable', 'created'), and cases for a curator.

    The five OUTCOMES are always shown; an importer may count others too ('removed',
    'skipped'), which are shown after them when used. `note()` lists something a curator
    may want to know that is not ambiguous (a value kept from another source)."""

    OUTCOMES = ("matched", "created", "changed", "unchanged", "ambiguous")

    def __init__(self):
        self.counts = Counter()
        self.ambiguous = []
        self.notes = []

    def count(self, kind, outcome, n=1):
        self.counts[(kind, outcome)] += n

    def flag(self, kind, message):
        """A case the importer will not guess at: counted, listed, and left alone."""
        self.count(kind, "ambiguous")
        self.ambiguous.append(f"{kind}: {message}")

    def note(self, kind, message):
        """Something a curator should know that needed no guess (a value left out, say)."""
        self.notes.append(f"{kind}: {message}")

    def kinds(self):
        return sorted({kind for kind, _ in self.counts})

    def outcomes(self):
        extra = sorted({o for (_, o), n in self.counts.items() if n and o not in self.OUTCOMES})
        return self.OUTCOMES + tuple(extra)

    def as_dict(self):
        outcomes = self.outcomes()
        result = {
            "counts": {kind: {o: self.counts[(kind, o)] for o in outcomes} for kind in self.kinds()},
            "ambiguous": list(self.ambiguous),
            "notes": list(self.notes),
        }
        return result

    def lines(self):
        outcomes = self.outcomes()
        width = max((len(k) for k in self.kinds()), default=4)
        yield f"{'':{width}}  " + "  ".join(f"{o:>9}" for o in outcomes)
        for kind in self.kinds():
            yield f"{kind:{width}}  " + "  ".join(f"{self.counts[(kind, o)]:>9}" for o in outcomes)
        if self.ambiguous:
            yield f"Ambiguous, left for a curator ({len(self.ambiguous)}):"
            for case in self.ambiguous:
                yield f"  - {case}"
        if self.notes:
            yield f"Notes ({len(self.notes)}):"
            for note in self.notes:
                yield f"  - {note}"
