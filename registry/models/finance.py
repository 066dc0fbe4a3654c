"""Agreements, projects, loans and aggregate finance estimates."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .base import (
    NON_NEGATIVE,
    PERCENT,
    YEAR,
    DatePrecision,
    ProvenanceModel,
    SlugNaturalKeyManager,
    SlugNaturalKeyMixin,
    TimestampedModel,
    format_partial_date,
    non_negative_check,
    partial_date_check,
    share_check,
    year_range_check,
)


class AgreementKind(models.TextChoices):
    MOU = "mou", "Memorandum of understanding"
    BILATERAL = "bilateral_agreement", "Bilateral agreement"
    ECONOMIC_CORRIDOR = "economic_corridor", "Economic corridor agreement"
    CONTRACT = "contract", "Contract"
    OTHER = "other", "Other"


class Agreement(SlugNaturalKeyMixin, ProvenanceModel):
    """A digital-cooperation MoU or bilateral agreement."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=24, choices=AgreementKind.choices, default=AgreementKind.MOU, db_index=True)
    country = models.ForeignKey(
        "registry.Country", on_delete=models.PROTECT, related_name="agreements", help_text="Partner country."
    )
    signed = models.DateField(null=True, blank=True, db_index=True)
    signed_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    description = models.TextField(blank=True)

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["country__name", "signed", "id"]
        constraints = [
            partial_date_check("signed", "agreement_signed_precision"),
        ]

    def __str__(self):
        return self.name

    @property
    def signed_year(self):
        return self.signed.year if self.signed else None

    @property
    def signed_display(self):
        return format_partial_date(self.signed, self.signed_precision)


class PartyRole(models.TextChoices):
    """Roles a party plays in an agreement, project or loan."""

    SIGNATORY = "signatory", "Signatory"
    LENDER = "lender", "Lender"
    CO_LENDER = "co_lender", "Co-lender"
    BORROWER = "borrower", "Borrowing body"
    INDIRECT_RECEIVER = "indirect_receiver", "Indirect receiving agency"
    CONTRACTOR = "contractor", "Contractor"
    OPERATOR = "operator", "Operator"
    GUARANTOR = "guarantor", "Guarantor"
    INSURER = "insurer", "Insurance provider"
    COLLATERAL_PROVIDER = "collateral_provider", "Collateral provider"
    COLLATERAL_AGENT = "collateral_agent", "Security or collateral agent"
    ARRANGER = "arranger", "Arranger"
    OTHER = "other", "Other"


class PartyLinkManager(models.Manager):
    """Natural key of a party link: the record's slug, the organization's slug (or the
    party's description when the organization is unknown) and the role."""

    record_field = None

    def get_by_natural_key(self, record_slug, organization_slug, description, role):
        return self.get(
            **{f"{self.record_field}__slug": record_slug},
            organization__slug=organization_slug,
            description=description,
            role=role,
        )


class PartyLink(ProvenanceModel):
    """An organization's part in a record. The organization may be unknown ("a Chinese
    bank"): then `description` says what the source says."""

    record_field = None

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="%(class)s_set"
    )
    description = models.CharField(
        max_length=300, blank=True, help_text='What the source says when it names no organization ("a Chinese bank").'
    )
    role = models.CharField(max_length=20, choices=PartyRole.choices, db_index=True)
    share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT, help_text="Percent, 0 to 100."
    )

    class Meta(ProvenanceModel.Meta):
        abstract = True

    def __str__(self):
        who = self.organization or self.description or "unknown"
        return f"{who} ({self.get_role_display()})"

    def natural_key(self):
        record = getattr(self, self.record_field)
        return (record.slug, self.organization.slug if self.organization_id else None, self.description, self.role)


def party_link_constraints(prefix, record_field):
    return [
        models.UniqueConstraint(
            fields=[record_field, "organization", "description", "role"], name=f"{prefix}_unique_party"
        ),
        models.CheckConstraint(
            condition=Q(organization__isnull=False) | ~Q(description=""),
            name=f"{prefix}_named_or_described",
            violation_error_message="A party needs an organization or a description of it.",
        ),
        share_check(f"{prefix}_share_range"),
    ]


class AgreementPartyManager(PartyLinkManager):
    record_field = "agreement"


class AgreementParty(PartyLink):
    record_field = "agreement"
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")

    objects = AgreementPartyManager()

    def natural_key(self):
        return super().natural_key()

    natural_key.dependencies = ["registry.agreement", "registry.organization"]

    class Meta(PartyLink.Meta):
        ordering = ["agreement", "id"]
        verbose_name_plural = "agreement parties"
        constraints = party_link_constraints("agreementparty", "agreement")


class ProjectKind(models.TextChoices):
    BROADBAND = "broadband", "National broadband / backbone"
    DATA_CENTRE = "data_centre", "Data centre"
    SAFE_CITY = "safe_city", "Safe or smart city"
    MOBILE_NETWORK = "mobile_network", "Mobile network / towers"
    SUBMARINE_CABLE = "submarine_cable", "Submarine cable"
    BROADCASTING = "broadcasting", "Broadcasting"
    E_GOVERNMENT = "e_government", "E-government"
    TELECOM_INFRASTRUCTURE = "telecom_infrastructure", "Telecom infrastructure"
    OTHER = "other", "Other"


class Project(SlugNaturalKeyMixin, ProvenanceModel):
    """An ICT project: national broadband, data centre, safe city, tower build..."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=24, choices=ProjectKind.choices, default=ProjectKind.OTHER, db_index=True)
    country = models.ForeignKey("registry.Country", on_delete=models.PROTECT, related_name="projects")
    status = models.CharField(max_length=60, blank=True)
    cable = models.ForeignKey(
        "registry.SubmarineCable", on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    description = models.TextField(blank=True)

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ProjectPartyManager(PartyLinkManager):
    record_field = "project"


class ProjectParty(PartyLink):
    record_field = "project"
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parties")

    objects = ProjectPartyManager()

    def natural_key(self):
        return super().natural_key()

    natural_key.dependencies = ["registry.project", "registry.organization"]

    class Meta(PartyLink.Meta):
        ordering = ["project", "id"]
        verbose_name_plural = "project parties"
        constraints = party_link_constraints("projectparty", "project")


class Loan(SlugNaturalKeyMixin, ProvenanceModel):
    """One financing commitment (a loan, credit, grant or investment).

    Amounts are exact decimals in whole currency units of `currency`; `amount_usd` is
    the nominal US-dollar figure as a source gives it.
    """

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    borrower_country = models.ForeignKey("registry.Country", on_delete=models.PROTECT, related_name="loans")
    instrument = models.ForeignKey("registry.Instrument", on_delete=models.PROTECT, related_name="loans")
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE)
    currency = models.ForeignKey(
        "registry.Currency", on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    amount_usd = models.DecimalField(
        max_digits=20, decimal_places=2, null=True, blank=True, db_index=True, validators=NON_NEGATIVE
    )
    amount_constant_usd = models.DecimalField(
        "amount in constant USD", max_digits=20, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    constant_usd_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=YEAR)
    amount_estimated = models.BooleanField(default=False)
    committed = models.DateField(null=True, blank=True, db_index=True)
    committed_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    committed_estimated = models.BooleanField(default=False)
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="loans")

    # Descriptors that AidData's GCDF carries.
    aiddata_record_id = models.PositiveIntegerField("AidData record ID", null=True, blank=True, unique=True)
    aiddata_parent_id = models.PositiveIntegerField("AidData parent ID", null=True, blank=True)
    is_umbrella = models.BooleanField(default=False)
    recommended_for_aggregates = models.BooleanField(
        default=True, db_index=True, help_text="Counted in totals (False for umbrella or superseded records)."
    )
    status = models.CharField(max_length=60, blank=True)
    intent = models.CharField(max_length=60, blank=True)
    flow_type = models.CharField(max_length=120, blank=True)
    flow_class = models.CharField(max_length=60, blank=True, db_index=True)
    sector = models.CharField(max_length=120, blank=True, db_index=True)
    is_syndicated = models.BooleanField(default=False)

    # Terms, where a source gives them (percentages and years).
    maturity_years = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE)
    interest_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent.")
    grace_period_years = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    management_fee = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent.")
    commitment_fee = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent.")
    grant_element = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent.")
    grant_element_cash_flow = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent, OECD cash-flow method."
    )
    grant_element_imf = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent, IMF method."
    )
    insurance_fee = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent.")
    default_interest_rate = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent."
    )
    first_repayment = models.DateField(null=True, blank=True)
    last_repayment = models.DateField(null=True, blank=True)
    source_quality_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    data_completeness_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    # The documents a record cites besides its own source (AidData lists several per
    # record without saying which value came from which document).
    documents = models.ManyToManyField(
        "registry.Source",
        through="LoanSource",
        through_fields=("loan", "source"),
        related_name="cited_by_loans",
        blank=True,
    )

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["-committed", "id"]
        constraints = [
            non_negative_check("amount", "loan_amount_non_negative"),
            non_negative_check("amount_usd", "loan_amount_usd_non_negative"),
            non_negative_check("amount_constant_usd", "loan_amount_constant_usd_non_negative"),
            non_negative_check("maturity_years", "loan_maturity_non_negative"),
            non_negative_check("grace_period_years", "loan_grace_period_non_negative"),
            partial_date_check("committed", "loan_committed_precision"),
            year_range_check("constant_usd_year", "loan_constant_usd_year_range"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(currency__isnull=False),
                name="loan_amount_has_currency",
                violation_error_message="An amount needs its currency.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def year(self):
        return self.committed.year if self.committed else None

    @property
    def committed_display(self):
        return format_partial_date(self.committed, self.committed_precision)


class LoanPartyManager(PartyLinkManager):
    record_field = "loan"


class LoanParty(PartyLink):
    """A lender, co-lender, borrowing body, contractor, guarantor... of a loan."""

    record_field = "loan"
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="parties")

    objects = LoanPartyManager()

    def natural_key(self):
        return super().natural_key()

    natural_key.dependencies = ["registry.loan", "registry.organization"]

    class Meta(PartyLink.Meta):
        ordering = ["loan", "role", "id"]
        verbose_name_plural = "loan parties"
        constraints = party_link_constraints("loanparty", "loan")


class LoanSourceManager(models.Manager):
    def get_by_natural_key(self, loan_slug, source_slug):
        return self.get(loan__slug=loan_slug, source__slug=source_slug)


class LoanSource(TimestampedModel):
    """A document that a loan's record cites, in the order the record lists it.

    The record's own `source` is the dataset (AidData's GCDF 3.0); the documents came
    through it (`via_source`). `resource_type` is the dataset's word for the document
    ("Media Report", "Donor/Recipient Official Source").
    """

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="cited_sources")
    source = models.ForeignKey("registry.Source", on_delete=models.PROTECT, related_name="loan_citations")
    via_source = models.ForeignKey(
        "registry.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="loan_citations_via"
    )
    position = models.PositiveSmallIntegerField(default=1)
    resource_type = models.CharField(max_length=120, blank=True)

    objects = LoanSourceManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["loan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["loan", "source"], name="loansource_unique")]

    def __str__(self):
        return f"{self.loan} cites {self.source}"

    def natural_key(self):
        return (self.loan.slug, self.source.slug)

    natural_key.dependencies = ["registry.loan", "registry.source"]


class FinanceEstimate(SlugNaturalKeyMixin, ProvenanceModel):
    """An aggregate figure by country and period, such as Table 1's "Chinese loans and
    investments under the DSR, 2017-22". Not a loan."""

    slug = models.SlugField(max_length=120, unique=True)
    measure = models.CharField(max_length=300, help_text="What the figure measures, as the source words it.")
    country = models.ForeignKey("registry.Country", on_delete=models.PROTECT, related_name="finance_estimates")
    period_start = models.PositiveSmallIntegerField(db_index=True, validators=YEAR)
    period_end = models.PositiveSmallIntegerField(db_index=True, validators=YEAR)
    amount = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="Empty where the source gives no figure (N/A).",
    )
    currency = models.ForeignKey(
        "registry.Currency", on_delete=models.PROTECT, null=True, blank=True, related_name="finance_estimates"
    )
    amount_usd = models.DecimalField(
        max_digits=20, decimal_places=2, null=True, blank=True, db_index=True, validators=NON_NEGATIVE
    )
    includes_pre_bri = models.BooleanField(
        "includes investment before the BRI", default=False, help_text="The source marks the figure as such."
    )

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["country__name", "period_start", "id"]
        constraints = [
            non_negative_check("amount", "financeestimate_amount_non_negative"),
            non_negative_check("amount_usd", "financeestimate_amount_usd_non_negative"),
            year_range_check("period_start", "financeestimate_period_start_range"),
            year_range_check("period_end", "financeestimate_period_end_range"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="financeestimate_period_order",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(currency__isnull=False),
                name="financeestimate_amount_has_currency",
                violation_error_message="An amount needs its currency.",
            ),
        ]

    def __str__(self):
        return f"{self.country}: {self.measure} ({self.period_start}-{self.period_end})"
