"""Parties: banks, companies, ministries, operators, their names, stakes and activities."""

import re
import unicodedata

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from .base import (
    PERCENT,
    YEAR,
    ProvenanceModel,
    SlugNaturalKeyManager,
    SlugNaturalKeyMixin,
    share_check,
    year_range_check,
)


def normalize_name(name):
    """A name folded for matching: no accents, case, punctuation or repeated spaces."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text.lower())
    return " ".join(text.split())


class OrganizationKind(models.TextChoices):
    BANK = "bank", "Bank"
    POLICY_BANK = "policy_bank", "Policy bank"
    COMPANY = "company", "Company"
    TELECOM_OPERATOR = "telecom_operator", "Telecom operator"
    MINISTRY = "ministry", "Ministry"
    GOVERNMENT_AGENCY = "government_agency", "Government agency"
    CONSORTIUM = "consortium", "Consortium"
    MULTILATERAL = "multilateral", "Multilateral institution"
    NGO = "ngo", "NGO"
    OTHER = "other", "Other"


class StateOwnership(models.TextChoices):
    STATE_OWNED = "state_owned", "State-owned"
    PARTLY_STATE_OWNED = "partly_state_owned", "Partly state-owned"
    PRIVATE = "private", "Private"
    GOVERNMENT = "government", "Government body"
    UNKNOWN = "unknown", "Unknown"


class OrganizationQuerySet(models.QuerySet):
    def matching(self, value):
        """Organizations whose slug, short name, name or any alias is `value`, any case."""
        value = (value or "").strip()
        normalized = normalize_name(value)
        return self.filter(
            Q(slug__iexact=value)
            | Q(short_name__iexact=value)
            | Q(name__iexact=value)
            | Q(aliases__normalized=normalized)
        ).distinct()


class OrganizationManager(SlugNaturalKeyManager.from_queryset(OrganizationQuerySet)):
    pass


class Organization(SlugNaturalKeyMixin, ProvenanceModel):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300, db_index=True)
    short_name = models.CharField(max_length=80, blank=True, db_index=True)
    kind = models.CharField(
        max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.COMPANY, db_index=True
    )
    country = models.ForeignKey(
        "registry.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text="Headquarters country.",
    )
    state_ownership = models.CharField(
        max_length=20, choices=StateOwnership.choices, default=StateOwnership.UNKNOWN, db_index=True
    )
    website = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)

    objects = OrganizationManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["name", "id"]
        # `lender=exim`, `vendor=Hikvision`: case-insensitive lookups by index.
        indexes = [
            models.Index(Upper("slug"), name="organization_upper_slug"),
            models.Index(Upper("short_name"), name="organization_upper_short"),
            models.Index(Upper("name"), name="organization_upper_name"),
        ]

    def __str__(self):
        return self.name


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    ABBREVIATION = "abbreviation", "Abbreviation"
    FORMER_NAME = "former_name", "Former name"
    PRINTED_FORM = "printed_form", "Printed form in a source"
    LOCAL_NAME = "local_name", "Name in another language"


class OrganizationAliasManager(models.Manager):
    def get_by_natural_key(self, organization_slug, name):
        return self.get(organization__slug=organization_slug, name=name)


class OrganizationAlias(ProvenanceModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    normalized = models.CharField(max_length=300, db_index=True, editable=False)
    kind = models.CharField(max_length=20, choices=AliasKind.choices, default=AliasKind.ALIAS)
    until_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR, help_text="For a former name: the year it stopped being used."
    )

    objects = OrganizationAliasManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["organization", "name", "id"]
        verbose_name_plural = "organization aliases"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="organizationalias_unique_name"),
            year_range_check("until_year", "organizationalias_until_year_range"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.organization.slug, self.name)

    natural_key.dependencies = ["registry.organization"]


class OwnershipStakeManager(models.Manager):
    def get_by_natural_key(self, owner_slug, owned_slug, since_year):
        return self.get(owner__slug=owner_slug, owned__slug=owned_slug, since_year=since_year)


class OwnershipStake(ProvenanceModel):
    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stakes_held")
    owned = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stakes_in")
    share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT, help_text="Percent, 0 to 100."
    )
    since_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)

    objects = OwnershipStakeManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["owned", "owner", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "owned", "since_year"], name="ownershipstake_unique"),
            share_check("ownershipstake_share_range"),
            year_range_check("since_year", "ownershipstake_since_year_range"),
            models.CheckConstraint(
                condition=~Q(owner=models.F("owned")),
                name="ownershipstake_not_self",
                violation_error_message="An organization cannot hold a stake in itself.",
            ),
        ]

    def __str__(self):
        share = f"{self.share}%" if self.share is not None else "a stake"
        return f"{self.owner} holds {share} of {self.owned}"

    def natural_key(self):
        return (self.owner.slug, self.owned.slug, self.since_year)

    natural_key.dependencies = ["registry.organization"]


class OrganizationActivityManager(models.Manager):
    def get_by_natural_key(self, organization_slug, activity, source_slug):
        return self.get(organization__slug=organization_slug, activity=activity, source__slug=source_slug)


class OrganizationActivity(ProvenanceModel):
    """An activity a source cites an organization for (Table 2: "Undersea cables")."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="activities")
    activity = models.CharField(max_length=200, db_index=True)

    objects = OrganizationActivityManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["activity", "organization", "id"]
        verbose_name_plural = "organization activities"
        constraints = [
            models.UniqueConstraint(fields=["organization", "activity", "source"], name="organizationactivity_unique"),
        ]

    def __str__(self):
        return f"{self.organization}: {self.activity}"

    def natural_key(self):
        return (self.organization.slug, self.activity, self.source.slug)

    natural_key.dependencies = ["registry.organization", "registry.source"]
