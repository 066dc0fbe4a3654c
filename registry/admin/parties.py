"""Organizations with their aliases and ownership stakes, and the cited activities."""

from django.contrib import admin

from registry import models

from .base import PROVENANCE_FILTERS, ProvenanceAdmin, ProvenanceInline
from .imports import ImportAdmin
from .resources import OrganizationResource


class AliasInline(ProvenanceInline):
    model = models.OrganizationAlias
    row_fields = ("name", "kind", "until_year")


class StakeHeldInline(ProvenanceInline):
    model = models.OwnershipStake
    fk_name = "owner"
    verbose_name = "stake held in another organization"
    verbose_name_plural = "stakes held in other organizations"
    row_fields = ("owned", "share", "since_year")
    row_autocomplete = ("owned",)


class StakeInInline(ProvenanceInline):
    model = models.OwnershipStake
    fk_name = "owned"
    verbose_name = "owner's stake in this organization"
    verbose_name_plural = "owners' stakes in this organization"
    row_fields = ("owner", "share", "since_year")
    row_autocomplete = ("owner",)


class ActivityInline(ProvenanceInline):
    model = models.OrganizationActivity
    row_fields = ("activity",)


@admin.register(models.Organization)
class OrganizationAdmin(ImportAdmin):
    resource_class = OrganizationResource
    list_display = ("name", "short_name", "kind", "country", "state_ownership", "source", "review_status")
    list_select_related = ("source", "country")
    search_fields = ("name", "slug", "short_name", "aliases__name")
    list_filter = ("kind", "state_ownership", ("country", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("country", "source", "via_source")
    prepopulated_fields = {"slug": ("name",)}
    main_fields = ("slug", "name", "short_name", "kind", "country", "state_ownership", "website", "description")
    inlines = (AliasInline, StakeInInline, StakeHeldInline, ActivityInline)


@admin.register(models.OrganizationAlias)
class OrganizationAliasAdmin(ProvenanceAdmin):
    list_display = ("name", "organization", "kind", "until_year", "source", "review_status")
    list_select_related = ("source", "organization")
    search_fields = ("name", "organization__name", "organization__slug")
    list_filter = ("kind", *PROVENANCE_FILTERS)
    autocomplete_fields = ("organization", "source", "via_source")


@admin.register(models.OwnershipStake)
class OwnershipStakeAdmin(ProvenanceAdmin):
    list_display = ("owner", "owned", "share", "since_year", "source", "review_status")
    list_select_related = ("source", "owner", "owned")
    search_fields = ("owner__name", "owned__name", "owner__aliases__name", "owned__aliases__name")
    list_filter = (("owner", admin.RelatedOnlyFieldListFilter), *PROVENANCE_FILTERS)
    autocomplete_fields = ("owner", "owned", "source", "via_source")


@admin.register(models.OrganizationActivity)
class OrganizationActivityAdmin(ProvenanceAdmin):
    list_display = ("activity", "organization", "source", "review_status")
    list_select_related = ("source", "organization")
    search_fields = ("activity", "organization__name", "organization__aliases__name")
    list_filter = ("activity", *PROVENANCE_FILTERS)
    autocomplete_fields = ("organization", "source", "via_source")
