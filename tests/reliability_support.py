"""For the reliability tests that need committed rows (transactional tests: another
process reads the database). A transactional test's database is flushed afterwards,
which removes the reference data that migrations load (countries, currencies,
instruments, the Curators and Editors groups); `reference_data` puts it back first."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython

from registry.models import Country


def ensure_reference_data():
    if Country.objects.exists() and Group.objects.filter(name__in=["Curators", "Editors"]).count() == 2:
        return
    executor = MigrationExecutor(connection)
    plan = executor.loader.graph.forwards_plan(executor.loader.graph.leaf_nodes("registry")[0])
    with connection.schema_editor(atomic=False) as editor:
        for app_label, name in plan:
            if app_label != "registry":
                continue
            migration = executor.loader.get_migration(app_label, name)
            state = executor.loader.project_state((app_label, name), at_end=False)
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    operation.code(state.apps, editor)


@pytest.fixture
def reference_data(transactional_db):
    ensure_reference_data()
