"""Submarine cables with their owners, suppliers, landing stations and listed countries."""

from django.contrib import admin
from django.db.models import Prefetch

from registry import models
from registry.models import CablePartyRole

from .base import PROVENANCE_FILTERS, ProvenanceAdmin, ProvenanceInline, names, party_filter
from .imports import ImportAdmin
from .resources import SubmarineCableResource


class CablePartyInline(ProvenanceInline):
    model = models.CableParty
    verbose_name = "owner, supplier or other party"
    verbose_name_plural = "owners, suppliers and other parties"
    row_fields = ("organization", "role", "share")
    row_autocomplete = ("organization",)


class CableLandingInline(ProvenanceInline):
    model = models.CableLanding
    verbose_name = "landing station"
    verbose_name_plural = "landing stations"
    row_fields = ("station",)
    row_autocomplete = ("station",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("station__country")


class CableListedCountryInline(ProvenanceInline):
    model = models.CableListedCountry
    verbose_name = "country the source lists"
    verbose_name_plural = "countries the source lists (kept apart from the landings)"
    row_fields = ("position", "country")
    row_autocomplete = ("country",)


@admin.register(models.SubmarineCable)
class SubmarineCableAdmin(ImportAdmin):
    resource_class = SubmarineCableResource
    list_display = (
        "name", "abbreviation", "owners", "suppliers", "cost_usd", "length_km", "rfs_year", "status", "source",
        "review_status",
    )
    search_fields = ("name", "abbreviation", "slug", "telegeography_id", "parties__organization__name",
                     "parties__organization__aliases__name", "landings__station__name")
    list_filter = (
        "status",
        party_filter("owner", "owner", "parties", [CablePartyRole.OWNER], "cable_roles"),
        party_filter("supplier", "supplier", "parties", [CablePartyRole.SUPPLIER], "cable_roles"),
        ("landings__station__country", admin.RelatedOnlyFieldListFilter),
        "rfs_year",
        *PROVENANCE_FILTERS,
    )
    main_fields = (
        "slug", "name", "abbreviation", "telegeography_id", ("cost_usd", "length_km"),
        ("rfs_year", "rfs_quarter", "rfs_month"), "status", "url", "description",
    )
    inlines = (CablePartyInline, CableLandingInline, CableListedCountryInline)

    def get_queryset(self, request):
        parties = models.CableParty.objects.select_related("organization")
        return super().get_queryset(request).prefetch_related(Prefetch("parties", parties, to_attr="party_links"))

    def _party_names(self, obj, role):
        links = getattr(obj, "party_links", None)
        if links is None:
            links = obj.parties.select_related("organization")
        return names(p.organization for p in links if p.role == role)

    @admin.display(description="owners")
    def owners(self, obj):
        return self._party_names(obj, CablePartyRole.OWNER)

    @admin.display(description="suppliers")
    def suppliers(self, obj):
        return self._party_names(obj, CablePartyRole.SUPPLIER)


@admin.register(models.LandingStation)
class LandingStationAdmin(ProvenanceAdmin):
    list_display = ("name", "country", "latitude", "longitude", "source", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug", "telegeography_id", "country__name", "country__iso2")
    list_filter = (("country", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "source", "via_source")


@admin.register(models.CableParty)
class CablePartyAdmin(ProvenanceAdmin):
    list_display = ("cable", "organization", "role", "share", "source", "review_status")
    list_select_related = ("source", "cable", "organization")
    search_fields = ("cable__name", "organization__name", "organization__aliases__name")
    list_filter = ("role", ("organization", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("cable", "organization", "source", "via_source")


@admin.register(models.CableLanding)
class CableLandingAdmin(ProvenanceAdmin):
    list_display = ("cable", "station", "station_country", "source", "review_status")
    list_select_related = ("source", "cable", "station__country")
    search_fields = ("cable__name", "station__name")
    list_filter = (("station__country", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("cable", "station", "source", "via_source")

    @admin.display(description="country", ordering="station__country__name")
    def station_country(self, obj):
        return obj.station.country


@admin.register(models.CableListedCountry)
class CableListedCountryAdmin(ProvenanceAdmin):
    list_display = ("cable", "position", "country", "source", "review_status")
    list_select_related = ("source", "cable", "country")
    search_fields = ("cable__name", "country__name", "country__iso2")
    list_filter = (("country", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("cable", "country", "source", "via_source")
