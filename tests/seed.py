"""Loading the seed fixtures in tests."""

from pathlib import Path

from django.core.management import call_command

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures"
SEED_FIXTURES = sorted(str(path) for path in FIXTURE_DIR.glob("*.json"))


def load_seed():
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


def seeded_module_fixture():
    """A module-scoped pytest fixture: the seed loaded once, in a transaction rolled back
    after the module's last test (each test still runs in its own savepoint)."""
    import pytest
    from django.db import transaction

    @pytest.fixture(scope="module")
    def seeded(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            with transaction.atomic():
                load_seed()
                yield
                transaction.set_rollback(True)

    return seeded
