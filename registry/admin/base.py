"""What every curated model's admin shares: provenance on the form, review actions,
history with revert and recovery, export of the (filtered) changelist, the edit guard."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.contrib.auth import get_permission_codename
from django.utils import timezone
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from registry.models import ReviewStatus

from .forms import ProvenanceForm, VersionGuardForm, self_verify_refusal
from .history import HistoryAdminMixin
from .performance import IndexedRelatedOnlyFilter

FORMATS = [CSV, XLSX]
PROVENANCE_FIELDS = ("source", "locator", "via_source", "confidence", "curator_note")
REVIEW_FIELDS = ("review_status", "verified_by", "verified_at")
PROVENANCE_FILTERS = ("review_status", "confidence", ("source", IndexedRelatedOnlyFilter))
PROVENANCE_FIELDSET = ("Provenance", {"fields": PROVENANCE_FIELDS})
REVIEW_FIELDSET = ("Review", {"fields": (*REVIEW_FIELDS, "created", "updated", "edit_version")})


class ExportAdmin(ExportMixin, HistoryAdminMixin):
    """History, recovery and export (CSV, XLSX) of the filtered changelist."""

    formats = FORMATS
    list_per_page = 100


class ProvenanceAdmin(ExportAdmin):
    form = ProvenanceForm
    list_select_related = ("source",)
    autocomplete_fields = ("source", "via_source")
    readonly_fields = ("verified_by", "verified_at", "created", "updated")
    actions = ("send_for_review", "verify")
    # Each subclass names its own fields; provenance and review come after them.
    main_fields = ()

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            return self.fieldsets
        main = self.main_fields or [
            f for f in self.get_fields(request, obj) if f not in (*PROVENANCE_FIELDS, *REVIEW_FIELDS, "created", "updated", "edit_version")
        ]
        return [(None, {"fields": main}), PROVENANCE_FIELDSET, REVIEW_FIELDSET]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # a fresh class per call: safe to set
        return form

    def save_model(self, request, obj, form, change):
        note = form.apply_review(obj, request.user, change) if hasattr(form, "apply_review") else None
        super().save_model(request, obj, form, change)
        if note:
            self.message_user(request, note, messages.WARNING)

    def has_verify_permission(self, request, obj=None):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('verify', opts)}")

    @admin.action(description="Send selected for review", permissions=["change"])
    def send_for_review(self, request, queryset):
        sent = 0
        for obj in queryset:
            if obj.review_status == ReviewStatus.NEEDS_REVIEW:
                continue
            obj.review_status = ReviewStatus.NEEDS_REVIEW
            obj.verified_by = obj.verified_at = None
            obj._change_reason = "Sent for review"
            obj.save()
            sent += 1
        self.message_user(request, f"{sent} {self.opts.verbose_name_plural} sent for review.")

    @admin.action(description="Verify selected", permissions=["verify"])
    def verify(self, request, queryset):
        verified, refused = 0, []
        now = timezone.now()
        for obj in queryset:
            if obj.review_status == ReviewStatus.VERIFIED:
                continue
            refusal = self_verify_refusal(request.user, obj)
            if refusal:
                refused.append(refusal)
                continue
            obj.review_status = ReviewStatus.VERIFIED
            obj.verified_by, obj.verified_at = request.user, now
            obj._change_reason = "Verified"
            obj.save()
            verified += 1
        if verified:
            self.message_user(request, f"{verified} {self.opts.verbose_name_plural} verified by {request.user}.")
        for refusal in refused:
            self.message_user(request, f"Not verified: {refusal}", messages.ERROR)


class ProvenanceInline(admin.TabularInline):
    """A link row (a lender, an owner, a landing) with its own provenance and edit guard."""

    form = VersionGuardForm
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}
    row_fields = ()
    row_autocomplete = ()

    def get_fields(self, request, obj=None):
        return (*self.row_fields, *PROVENANCE_FIELDS, "edit_version")

    def get_autocomplete_fields(self, request):
        return (*self.row_autocomplete, "source", "via_source")

    def get_queryset(self, request):
        related = [f for f in self.row_autocomplete if self.model._meta.get_field(f).many_to_one]
        return super().get_queryset(request).select_related(*related, "source", "via_source")


def party_filter(title, parameter, relation, roles, org_relation):
    """A changelist filter on the organizations that play `roles` through `relation`
    (a loan's lenders, a cable's owners...). Lists only organizations in such a role."""
    from registry.models import Organization

    class PartyFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            orgs = (
                Organization.objects.filter(**{f"{org_relation}__role__in": roles})
                .distinct()
                .order_by("name")
                .values_list("slug", "name")
            )
            return list(orgs)

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(
                    **{f"{relation}__organization__slug": self.value(), f"{relation}__role__in": roles}
                ).distinct()
            return queryset

    PartyFilter.title = title
    PartyFilter.parameter_name = parameter
    PartyFilter.__name__ = f"{parameter.title()}Filter"
    return PartyFilter


def names(items):
    return ", ".join(str(i) for i in items) or "—"
