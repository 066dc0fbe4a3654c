"""Changelists that stay fast on tables of a million rows (issue 7's benchmark).

- `IndexedRelatedOnlyFilter`: the "related only" sidebar filter without a DISTINCT over
  the whole table: on PostgreSQL the values of the foreign key are read by skipping
  through its index (one probe per distinct value, a loose index scan).
- `EstimatedCountPaginator`: an unfiltered changelist of a huge table takes PostgreSQL's
  row estimate (pg_class.reltuples, kept by autovacuum) instead of COUNT(*); a filtered
  one, or a table under `threshold` rows, counts exactly.
- `LargeTableAdminMixin`: both, and no second COUNT(*) of the whole table for the
  "N total" link.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property


def distinct_foreign_keys(queryset, field):
    """A subquery of the distinct non-null values of a foreign key column, read through
    its index (PostgreSQL; for `pk__in=`, so the choices cost one query); None where that
    does not apply (then the caller does it the usual way)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where or not field.many_to_one:
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    return RawSQL(
        f"""
        WITH RECURSIVE walk(value) AS (
            (SELECT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM {table} WHERE {column} > walk.value ORDER BY {column} LIMIT 1)
            FROM walk WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL
        """,
        (),
    )


class IndexedRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """RelatedOnlyFieldListFilter, with the related ids read through the index."""

    def field_choices(self, field, request, model_admin):
        if "__" not in self.field_path:
            ids = distinct_foreign_keys(model_admin.get_queryset(request), field)
            if ids is not None:
                ordering = self.field_admin_ordering(field, request, model_admin)
                return field.get_choices(include_blank=False, limit_choices_to={"pk__in": ids}, ordering=ordering)
        return super().field_choices(field, request, model_admin)


class EstimatedCountPaginator(Paginator):
    threshold = 100_000

    @cached_property
    def count(self):
        estimate = self.estimate()
        return estimate if estimate is not None else super().count

    def estimate(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or queryset.query.where:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
        if row is None or row[0] < self.threshold:
            return None
        return row[0]


class LargeTableAdminMixin:
    paginator = EstimatedCountPaginator
    show_full_result_count = False
