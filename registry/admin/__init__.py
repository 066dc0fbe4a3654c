"""The curators' admin. Every model opens, lists, searches, filters and saves here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry import models

admin.site.site_header = "DSR Registry"
admin.site.site_title = "DSR Registry"
admin.site.index_title = "Curation"

PROVENANCE_FIELDS = ("source", "locator", "via_source", "confidence", "review_status", "curator_note")
PROVENANCE_FILTERS = ("review_status", "confidence", "source")


class ProvenanceAdmin(SimpleHistoryAdmin):
    list_select_related = ("source",)
    list_per_page = 100
    autocomplete_fields = ("source", "via_source")
    readonly_fields = ("verified_by", "verified_at", "created", "updated")


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso2", "iso3", "name", "common_name", "region")
    search_fields = ("iso2", "iso3", "name", "common_name", "official_name")
    list_filter = ("region",)


@admin.register(models.Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(models.Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "is_debt")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ("title", "slug", "publisher", "kind", "published", "licence")
    search_fields = ("title", "slug", "publisher", "author", "url")
    list_filter = ("kind",)
    autocomplete_fields = ("compiled_from",)
    prepopulated_fields = {"slug": ("title",)}


@admin.register(models.Organization)
class OrganizationAdmin(ProvenanceAdmin):
    list_display = ("name", "slug", "short_name", "kind", "country", "state_ownership", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug", "short_name", "aliases__name")
    list_filter = ("kind", "state_ownership", "country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "source", "via_source")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.OrganizationAlias)
class OrganizationAliasAdmin(ProvenanceAdmin):
    list_display = ("name", "organization", "kind", "until_year", "review_status")
    list_select_related = ("source", "organization")
    search_fields = ("name", "organization__name")
    list_filter = ("kind", *PROVENANCE_FILTERS)
    autocomplete_fields = ("organization", "source", "via_source")


@admin.register(models.OwnershipStake)
class OwnershipStakeAdmin(ProvenanceAdmin):
    list_display = ("owner", "owned", "share", "since_year", "review_status")
    list_select_related = ("source", "owner", "owned")
    search_fields = ("owner__name", "owned__name")
    list_filter = PROVENANCE_FILTERS
    autocomplete_fields = ("owner", "owned", "source", "via_source")


@admin.register(models.OrganizationActivity)
class OrganizationActivityAdmin(ProvenanceAdmin):
    list_display = ("activity", "organization", "source", "review_status")
    list_select_related = ("source", "organization")
    search_fields = ("activity", "organization__name")
    list_filter = PROVENANCE_FILTERS
    autocomplete_fields = ("organization", "source", "via_source")


@admin.register(models.Agreement)
class AgreementAdmin(ProvenanceAdmin):
    list_display = ("name", "country", "kind", "signed", "signed_precision", "source", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug", "country__name")
    list_filter = ("kind", "country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "source", "via_source")


@admin.register(models.Project)
class ProjectAdmin(ProvenanceAdmin):
    list_display = ("name", "country", "kind", "status", "source", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug")
    list_filter = ("kind", "country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "cable", "source", "via_source")


@admin.register(models.Loan)
class LoanAdmin(ProvenanceAdmin):
    list_display = ("title", "borrower_country", "instrument", "amount_usd", "committed", "source", "review_status")
    list_select_related = ("source", "borrower_country", "instrument")
    search_fields = ("title", "slug", "parties__organization__name")
    list_filter = ("instrument", "borrower_country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("borrower_country", "instrument", "currency", "project", "source", "via_source")


@admin.register(models.FinanceEstimate)
class FinanceEstimateAdmin(ProvenanceAdmin):
    list_display = ("country", "measure", "period_start", "period_end", "amount_usd", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("country__name", "measure", "slug")
    list_filter = ("country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "currency", "source", "via_source")


@admin.register(models.SubmarineCable)
class SubmarineCableAdmin(ProvenanceAdmin):
    list_display = ("name", "abbreviation", "cost_usd", "length_km", "rfs_year", "status", "review_status")
    search_fields = ("name", "abbreviation", "slug", "telegeography_id")
    list_filter = ("status", *PROVENANCE_FILTERS)


@admin.register(models.LandingStation)
class LandingStationAdmin(ProvenanceAdmin):
    list_display = ("name", "country", "latitude", "longitude", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug", "telegeography_id")
    list_filter = ("country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "source", "via_source")


@admin.register(models.CameraCount)
class CameraCountAdmin(ProvenanceAdmin):
    list_display = ("country", "city", "vendor", "count", "measure", "observed", "source", "review_status")
    list_select_related = ("source", "country", "vendor")
    search_fields = ("city", "slug", "country__name", "vendor__name")
    list_filter = ("measure", "vendor", "country", *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "vendor", "source", "via_source")


@admin.register(models.ReportedTotal)
class ReportedTotalAdmin(ProvenanceAdmin):
    list_display = ("label", "value", "unit", "source", "review_status")
    search_fields = ("label", "slug")
    list_filter = PROVENANCE_FILTERS


@admin.register(models.FieldCitation)
class FieldCitationAdmin(SimpleHistoryAdmin):
    list_display = ("content_type", "object_id", "field_name", "source", "locator")
    list_select_related = ("content_type", "source")
    search_fields = ("field_name", "locator", "source__title")
    list_filter = ("content_type",)
    autocomplete_fields = ("source", "via_source")


LINK_ADMINS = {
    models.AgreementParty: ("agreement", "organization"),
    models.ProjectParty: ("project", "organization"),
    models.LoanParty: ("loan", "organization"),
    models.CableParty: ("cable", "organization"),
    models.CableLanding: ("cable", "station"),
    models.CableListedCountry: ("cable", "country"),
}

for link_model, (record, other) in LINK_ADMINS.items():
    admin.site.register(
        link_model,
        type(
            f"{link_model.__name__}Admin",
            (ProvenanceAdmin,),
            {
                "list_display": (
                    record,
                    other,
                    *[f for f in ("role", "share", "position") if hasattr(link_model, f)],
                    "review_status",
                ),
                "list_select_related": ("source", record, other),
                "search_fields": (f"{record}__name", f"{other}__name")
                if record != "loan"
                else ("loan__title", "organization__name"),
                "list_filter": PROVENANCE_FILTERS,
                "autocomplete_fields": (record, other, "source", "via_source"),
            },
        ),
    )


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_hint", "created", "last_used", "revoked")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "key_hint")
    readonly_fields = ("key_hint", "created", "last_used")
