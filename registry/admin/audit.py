"""The data-quality audit as an admin page: the findings of `audit_data`, each linked to
the record (or the list of records) it is about."""

from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from registry.audit import find_issues
from registry.models import ReviewStatus

from .dashboard import admin_url


def finding_link(finding):
    """The record's change page; else the model's list narrowed to the finding."""
    if finding.record is not None:
        return admin_url(type(finding.record), "change", finding.record.pk)
    model = apps.get_model(finding.model)
    changelist = admin_url(model, "changelist")
    if changelist is None:
        return None
    if finding.kind == "unverified":
        statuses = f"{ReviewStatus.DRAFT},{ReviewStatus.NEEDS_REVIEW}"
        return f"{changelist}?{urlencode({'review_status__in': statuses})}"
    if finding.key is not None:
        return f"{changelist}?{urlencode({'slug__exact': finding.key})}"
    return changelist


def audit_view(request, site):
    findings = find_issues()
    rows = [{"finding": finding, "url": finding_link(finding)} for finding in findings]
    kinds = {}
    for row in rows:
        kinds.setdefault(row["finding"].kind, []).append(row)
    context = {
        **site.each_context(request),
        "title": "Data-quality audit",
        "kinds": kinds,
        "total": len(findings),
    }
    return TemplateResponse(request, "admin/registry/audit.html", context)


def install(site=admin.site):
    """Add /admin/audit/ to the site's URLs (staff only, like the rest of the admin)."""
    original = site.get_urls

    def get_urls():
        return [path("audit/", site.admin_view(lambda request: audit_view(request, site)), name="audit"), *original()]

    site.get_urls = get_urls
