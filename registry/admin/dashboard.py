"""The admin index: counts per model, records awaiting review, the latest changes."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from registry.models import FACT_MODELS, ReviewStatus, Source

DASHBOARD_MODELS = [Source, *FACT_MODELS]
LATEST = 15


def admin_url(model, name, *args):
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)
    except NoReverseMatch:
        return None


def dashboard(request):
    rows, latest = [], []
    for model in DASHBOARD_MODELS:
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        has_review = any(f.name == "review_status" for f in opts.fields)
        counts = model._default_manager.aggregate(
            total=Count("pk"),
            **({"awaiting": Count("pk", filter=Q(review_status=ReviewStatus.NEEDS_REVIEW)),
                "draft": Count("pk", filter=Q(review_status=ReviewStatus.DRAFT))} if has_review else {}),
        )
        changelist = admin_url(model, "changelist")
        rows.append({
            "name": opts.verbose_name_plural,
            "total": counts["total"],
            "awaiting": counts.get("awaiting"),
            "draft": counts.get("draft"),
            "url": changelist,
            "awaiting_url": f"{changelist}?review_status__exact={ReviewStatus.NEEDS_REVIEW}" if changelist else None,
        })
        for record in model.history.select_related("history_user").order_by("-history_date")[:LATEST]:
            latest.append((record, model))
    latest.sort(key=lambda pair: pair[0].history_date, reverse=True)
    changes = []
    for record, model in latest[:LATEST]:
        url = admin_url(model, "history", record.id)
        changes.append({
            "when": record.history_date,
            "who": record.history_user or "—",
            "what": record.get_history_type_display(),
            "model": model._meta.verbose_name,
            "record": str(record.history_object),
            "url": url,
            "reason": record.history_change_reason or "",
        })
    return {
        "dashboard_counts": rows,
        "awaiting_review": sum(r["awaiting"] or 0 for r in rows),
        "latest_changes": changes,
    }


def install(site=admin.site):
    """Give the site's index page the dashboard (keeping Django's own index view)."""
    original = site.index

    def index(request, extra_context=None):
        return original(request, {**dashboard(request), **(extra_context or {})})

    site.index = index
    site.index_template = "admin/registry/index.html"
