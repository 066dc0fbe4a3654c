"""Agreements, projects, loans (with their parties) and aggregate finance estimates."""

from django.contrib import admin
from django.db.models import Prefetch

from registry import models
from registry.models import PartyRole

from .base import PROVENANCE_FILTERS, ProvenanceAdmin, ProvenanceInline, names, party_filter
from .imports import ImportAdmin
from .performance import LargeTableAdminMixin
from .resources import LoanResource

LENDER_ROLES = (PartyRole.LENDER, PartyRole.CO_LENDER)


class PartyInline(ProvenanceInline):
    row_fields = ("organization", "description", "role", "share")
    row_autocomplete = ("organization",)


class AgreementPartyInline(PartyInline):
    model = models.AgreementParty


class ProjectPartyInline(PartyInline):
    model = models.ProjectParty


class LoanPartyInline(PartyInline):
    model = models.LoanParty
    verbose_name = "party (lender, borrowing body, contractor...)"
    verbose_name_plural = "lenders and other parties"


class LoanSourceInline(admin.TabularInline):
    """The documents a loan's record cites (AidData's source URLs), in the record's order."""

    model = models.LoanSource
    fields = ("position", "source", "via_source", "resource_type")
    autocomplete_fields = ("source", "via_source")
    extra = 0
    verbose_name = "cited document"
    verbose_name_plural = "cited documents"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "via_source")


@admin.register(models.Agreement)
class AgreementAdmin(ProvenanceAdmin):
    list_display = ("name", "country", "kind", "signed_display", "parties_list", "source", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug", "country__name", "parties__organization__name", "parties__organization__aliases__name")
    list_filter = (
        "kind",
        ("country", admin.RelatedOnlyFieldListFilter),
        party_filter("party", "party", "parties", list(PartyRole.values), "agreementparty_set"),
        *PROVENANCE_FILTERS,
    )
    autocomplete_fields = ("country", "source", "via_source")
    main_fields = ("slug", "name", "kind", "country", ("signed", "signed_precision"), "description")
    inlines = (AgreementPartyInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("parties", queryset=models.AgreementParty.objects.select_related("organization"))
        )

    @admin.display(description="signed", ordering="signed")
    def signed_display(self, obj):
        return obj.signed_display or "—"

    @admin.display(description="parties")
    def parties_list(self, obj):
        return names(p.organization or p.description for p in obj.parties.all())


@admin.register(models.Project)
class ProjectAdmin(ProvenanceAdmin):
    list_display = ("name", "country", "kind", "status", "cable", "source", "review_status")
    list_select_related = ("source", "country", "cable")
    search_fields = ("name", "slug", "parties__organization__name", "parties__organization__aliases__name")
    list_filter = (
        "kind",
        ("country", admin.RelatedOnlyFieldListFilter),
        party_filter("contractor", "contractor", "parties", [PartyRole.CONTRACTOR], "projectparty_set"),
        *PROVENANCE_FILTERS,
    )
    autocomplete_fields = ("country", "cable", "source", "via_source")
    main_fields = ("slug", "name", "kind", "country", "status", "cable", "description")
    inlines = (ProjectPartyInline,)


@admin.register(models.Loan)
class LoanAdmin(LargeTableAdminMixin, ImportAdmin):
    resource_class = LoanResource
    list_display = (
        "title", "borrower_country", "lenders", "amount_usd", "year", "instrument", "source", "review_status",
    )
    list_select_related = ("source", "borrower_country", "instrument")
    search_fields = (
        "title", "slug", "description", "borrower_country__name",
        "parties__organization__name", "parties__organization__short_name", "parties__organization__aliases__name",
    )
    list_filter = (
        ("borrower_country", admin.RelatedOnlyFieldListFilter),
        party_filter("lender", "lender", "parties", LENDER_ROLES, "loanparty_set"),
        "instrument",
        "recommended_for_aggregates",
        "flow_class",
        "sector",
        *PROVENANCE_FILTERS,
    )
    autocomplete_fields = ("borrower_country", "instrument", "currency", "project", "source", "via_source")
    inlines = (LoanPartyInline, LoanSourceInline)
    fieldsets = (
        (None, {"fields": ("slug", "title", "borrower_country", "instrument", "project", "description")}),
        ("Amount", {"fields": (("amount", "currency"), "amount_usd", ("amount_constant_usd", "constant_usd_year"),
                               "amount_estimated")}),
        ("Date", {"fields": (("committed", "committed_precision"), "committed_estimated")}),
        ("Provenance", {"fields": ("source", "locator", "via_source", "confidence", "curator_note")}),
        ("Review", {"fields": ("review_status", "verified_by", "verified_at", "created", "updated", "edit_version")}),
        ("AidData descriptors", {"classes": ("collapse",), "fields": (
            ("aiddata_record_id", "aiddata_parent_id"), "is_umbrella", "recommended_for_aggregates", "status",
            "intent", "flow_type", "flow_class", "sector", "is_syndicated")}),
        ("Terms", {"classes": ("collapse",), "fields": (
            "maturity_years", "interest_rate", "grace_period_years", "management_fee", "commitment_fee",
            "grant_element", "grant_element_cash_flow", "grant_element_imf", "insurance_fee",
            "default_interest_rate", ("first_repayment", "last_repayment"),
            "source_quality_score", "data_completeness_score")}),
    )

    def get_queryset(self, request):
        lenders = models.LoanParty.objects.filter(role__in=LENDER_ROLES).select_related("organization")
        return super().get_queryset(request).prefetch_related(Prefetch("parties", lenders, to_attr="lender_links"))

    def get_search_results(self, request, queryset, search_term):
        """A number also finds the loan with that AidData record ID."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit():
            results |= queryset.filter(aiddata_record_id=int(term))
        return results, may_have_duplicates

    @admin.display(description="lenders")
    def lenders(self, obj):
        links = getattr(obj, "lender_links", None)
        if links is None:
            links = obj.parties.filter(role__in=LENDER_ROLES).select_related("organization")
        return names(p.organization or p.description for p in links)

    @admin.display(description="year", ordering="committed")
    def year(self, obj):
        return obj.year or "—"


@admin.register(models.FinanceEstimate)
class FinanceEstimateAdmin(ProvenanceAdmin):
    list_display = ("country", "measure", "period_start", "period_end", "amount_usd", "source", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("country__name", "measure", "slug")
    list_filter = (("country", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "currency", "source", "via_source")


class PartyLinkAdmin(ProvenanceAdmin):
    record_field = None
    list_select_related = ("source", "organization")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)

    def get_list_display(self, request):
        return (self.record_field, "organization", "description", "role", "share", "source", "review_status")

    def get_list_select_related(self, request):
        return (*self.list_select_related, self.record_field)

    def get_autocomplete_fields(self, request):
        return (self.record_field, "organization", "source", "via_source")


@admin.register(models.AgreementParty)
class AgreementPartyAdmin(PartyLinkAdmin):
    record_field = "agreement"
    search_fields = ("agreement__name", "organization__name", "organization__aliases__name", "description")


@admin.register(models.ProjectParty)
class ProjectPartyAdmin(PartyLinkAdmin):
    record_field = "project"
    search_fields = ("project__name", "organization__name", "organization__aliases__name", "description")


@admin.register(models.LoanParty)
class LoanPartyAdmin(PartyLinkAdmin):
    record_field = "loan"
    search_fields = ("loan__title", "organization__name", "organization__aliases__name", "description")
