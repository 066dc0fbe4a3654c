"""The data-quality audit: inconsistencies in the data, as a list of findings.

Every check is an aggregate or a filtered query run by the database, so the audit costs
a fixed number of queries however many records there are (a million camera counts
included): one per check, one per model for the source and review checks, and one per
kind of row that reported totals add up.

Kinds of finding:
- total_mismatch: a ReportedTotal that differs from the sum of its rows; an all-vendor
  CameraCount that differs from the sum of the vendors' counts for the same country,
  city, measure and source.
- landing_country_not_listed: a cable lands in a country its source's list leaves out.
- listed_country_without_landing: a cable's listed country has none of its landings.
- duplicate_in_list: a source's list names a country twice for one cable.
- missing_source: a fact without a source (the schema forbids it; checked anyway).
- unverified: records not yet verified, one finding per model with the count, rather
  than one per record.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum

from registry.models import (
    FACT_MODELS,
    CableLanding,
    CableListedCountry,
    CameraCount,
    ReportedTotal,
    ReviewStatus,
)


def whole(value):
    """A number in whole units for JSON: an int when integral, else a float; None stays None."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Finding:
    kind: str
    model: str
    key: Any
    message: str
    reported: Any = None
    computed: Any = None
    record: Any = None  # the model instance, for links in the admin; None for a per-model finding

    def as_dict(self):
        return {
            "kind": self.kind,
            "model": self.model,
            "key": self.key,
            "message": self.message,
            "reported": whole(self.reported),
            "computed": whole(self.computed),
        }

    def __str__(self):
        key = f" {self.key}" if self.key is not None else ""
        return f"[{self.kind}] {self.model}{key}: {self.message}"


def label(model):
    return model._meta.label


def find_issues():
    """Every finding, grouped by kind."""
    return [
        *reported_total_mismatches(),
        *camera_total_mismatches(),
        *cable_country_mismatches(),
        *duplicates_in_lists(),
        *source_and_review_findings(),
    ]


def reported_total_mismatches():
    """One query for the totals, then one aggregate per kind of row they add up."""
    totals = list(ReportedTotal.objects.select_related("row_model"))
    by_rows = defaultdict(list)
    for total in totals:
        by_rows[(total.row_model, total.row_field)].append(total)
    findings = []
    for (content_type, field), group in by_rows.items():
        model = content_type.model_class()
        manager = model._default_manager
        # Sum over the matching primary keys, so that a filter across a join counts each row once.
        sums = manager.aggregate(
            **{
                f"t{total.pk}": Sum(field, filter=Q(pk__in=manager.filter(**total.row_filter).values("pk")))
                for total in group
            }
        )
        for total in group:
            computed = sums[f"t{total.pk}"]
            if computed is None or Decimal(computed) != total.value:
                findings.append(
                    Finding(
                        kind="total_mismatch",
                        model=label(ReportedTotal),
                        key=total.slug,
                        message=f"{total.label}: reported {whole(total.value):,} {total.unit}, its {label(model)} "
                        + (f"rows sum to {whole(computed):,} {total.unit}" if computed is not None else "rows: none"),
                        reported=total.value,
                        computed=computed,
                        record=total,
                    )
                )
    return findings


def camera_total_mismatches():
    """All-vendor counts that are not the sum of the same source's vendor counts (one query)."""
    vendor_sum = (
        CameraCount.objects.filter(
            vendor__isnull=False,
            country=OuterRef("country"),
            city=OuterRef("city"),
            measure=OuterRef("measure"),
            source=OuterRef("source"),
        )
        .order_by()
        .values("country")
        .annotate(total=Sum("count"))
        .values("total")
    )
    mismatches = (
        CameraCount.objects.filter(vendor__isnull=True)
        .annotate(computed=Subquery(vendor_sum))
        .filter(computed__isnull=False)
        .exclude(computed=F("count"))
        .select_related("country", "source")
        .order_by("-count", "id")
    )
    return [
        Finding(
            kind="total_mismatch",
            model=label(CameraCount),
            key=row.slug,
            message=f"{row.city + ', ' if row.city else ''}{row.country.display_name}: reported total "
            f"{row.count:,}, the vendors' counts from {row.source.slug} sum to {row.computed:,} "
            f"(difference {row.count - row.computed:+,})",
            reported=row.count,
            computed=row.computed,
            record=row,
        )
        for row in mismatches
    ]


def cable_country_mismatches():
    """Landing countries and listed countries that disagree, for cables that have both (two queries)."""
    listed_here = CableListedCountry.objects.filter(cable=OuterRef("cable"), country=OuterRef("station__country"))
    lands_here = CableLanding.objects.filter(cable=OuterRef("cable"), station__country=OuterRef("country"))
    not_listed = (
        CableLanding.objects.filter(Exists(CableListedCountry.objects.filter(cable=OuterRef("cable"))))
        .exclude(Exists(listed_here))
        .values("cable__slug", "cable__name", "station__country__iso2", "station__country__name")
        .annotate(stations=Count("id"))
        .order_by("cable__slug", "station__country__iso2")
    )
    without_landing = (
        CableListedCountry.objects.filter(Exists(CableLanding.objects.filter(cable=OuterRef("cable"))))
        .exclude(Exists(lands_here))
        .values("cable__slug", "cable__name", "country__iso2", "country__name")
        .annotate(times=Count("id"))
        .order_by("cable__slug", "country__iso2")
    )
    findings = [
        Finding(
            kind="landing_country_not_listed",
            model="registry.SubmarineCable",
            key=row["cable__slug"],
            message=f"{row['cable__name']} lands in {row['station__country__name']} ({row['station__country__iso2']}) "
            f"at {row['stations']} station(s), but its listed countries leave it out",
        )
        for row in not_listed
    ]
    findings += [
        Finding(
            kind="listed_country_without_landing",
            model="registry.SubmarineCable",
            key=row["cable__slug"],
            message=f"{row['cable__name']} lists {row['country__name']} ({row['country__iso2']}), "
            "where none of its landing stations is",
        )
        for row in without_landing
    ]
    return findings


def duplicates_in_lists():
    rows = (
        CableListedCountry.objects.values("cable__slug", "cable__name", "country__iso2", "country__name")
        .annotate(times=Count("id"))
        .filter(times__gt=1)
        .order_by("cable__slug", "country__iso2")
    )
    return [
        Finding(
            kind="duplicate_in_list",
            model="registry.SubmarineCable",
            key=row["cable__slug"],
            message=f"{row['cable__name']}'s listed countries name {row['country__name']} "
            f"({row['country__iso2']}) {row['times']} times",
        )
        for row in rows
    ]


def source_and_review_findings():
    """Facts without a source (impossible through the ORM, where source is required: a
    finding here means rows written around it) and records not verified yet, one finding
    per model with the count rather than one per record. One query per model."""
    findings = []
    for model in FACT_MODELS:
        counts = model._base_manager.aggregate(
            total=Count("pk"),
            no_source=Count("pk", filter=Q(source__isnull=True)),
            unverified=Count("pk", filter=~Q(review_status=ReviewStatus.VERIFIED)),
        )
        if counts["no_source"]:
            findings.append(
                Finding(
                    kind="missing_source",
                    model=label(model),
                    key=None,
                    message=f"{counts['no_source']:,} record(s) have no source",
                    computed=counts["no_source"],
                )
            )
        if counts["unverified"]:
            findings.append(
                Finding(
                    kind="unverified",
                    model=label(model),
                    key=None,
                    message=f"{counts['unverified']:,} of {counts['total']:,} record(s) not verified",
                    computed=counts["unverified"],
                )
            )
    return findings
