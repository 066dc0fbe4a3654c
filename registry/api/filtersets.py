"""One FilterSet per model, NetBox style: every relation filters by its natural value
(slug, ISO code, organization name or alias) and by id; values repeat and OR together;
ranges take `__gte` / `__lte`. A value that names nothing, a malformed value and an
unknown parameter are errors keyed by the parameter (a 400), never an unfiltered list.

Only indexed columns are filtered (a test checks): free-text `q` aside, each filter
reads a unique, db_index or foreign-key column, or the first column of an index.
"""

import datetime
from functools import reduce
from operator import or_

import django_filters as filters
from django import forms
from django.db.models import Exists, ManyToOneRel, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from registry import models as m
from registry.models.base import MAX_YEAR, MIN_YEAR

# Query parameters that are not filters but that every list understands.
RESERVED_PARAMETERS = {"limit", "offset", "format", "cursor"}
LENDER_ROLES = (m.PartyRole.LENDER, m.PartyRole.CO_LENDER)


def relation_path(model, path):
    """(target model, whether the path crosses a to-many relation) for a lookup path."""
    many = False
    for part in path.split("__"):
        field = model._meta.get_field(part)
        many = many or field.many_to_many or field.one_to_many
        model = field.related_model
    return model, many


def each_once(model, condition, paths):
    """`condition` on `model`'s records; through a to-many relation, as a semi-join so
    that each record appears once without DISTINCT."""
    if any(relation_path(model, path)[1] for path in paths):
        return Q(pk__in=model._base_manager.filter(condition).values("pk"))
    return condition


def _quoted(values):
    # Passed to ValidationError as a parameter, never as the message: the message is
    # %-formatted, and a value may hold a "%".
    return ", ".join(repr(v) for v in values)


class ValuesField(forms.Field):
    """A repeatable parameter (`?lender=a&lender=b`; no comma splitting, since names
    have commas); `resolve` turns the values into what the filter needs and raises a
    ValidationError for a bad one."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, resolve, **kwargs):
        self.resolve = resolve
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, str):
            value = [value]
        values = [str(item).strip() for item in value or [] if str(item).strip()]
        if not values:
            return None
        return self.resolve(list(dict.fromkeys(values)))


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ValuesFilter(filters.Filter):
    """Base of the repeatable filters. `paths` are OR-ed lookup paths (a cable's
    `country` is a listed country or a landing country); `where` narrows the rows of the
    related table a path starts with (a loan's lender is a party in the lender role:
    `where=Q(role__in=...)` on `parties`)."""

    def __init__(self, field_name=None, *, paths=None, where=None, **kwargs):
        self.paths = tuple(paths or (field_name,))
        self.where = where
        super().__init__(field_name or self.paths[0], **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self._field = ValuesField(
                resolve=self.resolve, label=self.label, required=False, help_text=self.extra.get("help_text", "")
            )
        return self._field

    @property
    def target(self):
        return relation_path(self.model, self.paths[0])[0]

    def resolve(self, values):
        return values

    def condition(self, path, resolved):
        return Q(**{f"{path}__in": resolved})

    def filter(self, qs, resolved):
        if resolved is None:
            return qs
        return qs.filter(reduce(or_, (self.matching(path, resolved) for path in self.paths)))

    def matching(self, path, resolved):
        """The records whose `path` matches. Through a reverse foreign key it is a
        semi-join on the related table's key column (`id IN (SELECT cable_id FROM
        cablelanding ...)`): each record once, without DISTINCT, and without the join of
        the table to itself that `pk__in=Model.filter(path__in=...)` costs."""
        first, _, rest = path.partition("__")
        relation = self.model._meta.get_field(first)
        if rest and isinstance(relation, ManyToOneRel):
            related = relation.related_model._base_manager.filter(self.condition(rest, resolved))
            if self.where is not None:
                related = related.filter(self.where)
            return Q(pk__in=related.values(relation.field.attname))
        if self.where is not None:
            raise TypeError(f"{type(self).__name__}({path!r}): `where` needs a path through a reverse foreign key")
        return each_once(self.model, self.condition(path, resolved), [path])


class TextFilter(ValuesFilter):
    """Free text values matched case-insensitively (`city=Mumbai`)."""

    def condition(self, path, resolved):
        return reduce(or_, (Q(**{f"{path}__iexact": value}) for value in resolved))


class ReferenceFilter(ValuesFilter):
    """Values that must each name an existing record; resolves them to primary keys."""

    noun = "value"

    def lookup(self, values):
        """{given value: [pks]} for the values that name something."""
        raise NotImplementedError

    def resolve(self, values):
        found = self.lookup(values)
        unknown = [value for value in values if not found.get(value)]
        if unknown:
            raise forms.ValidationError(
                "Unknown %(noun)s: %(values)s.", code="unknown", params={"noun": self.noun, "values": _quoted(unknown)}
            )
        return sorted({pk for pks in found.values() for pk in pks})


class IdFilter(ReferenceFilter):
    noun = "id"

    def resolve(self, values):
        # ASCII digits only ("²" is a digit to str.isdigit), and no more than a bigint holds.
        bad = [value for value in values if not (value.isascii() and value.isdigit() and len(value) <= 18)]
        if bad:
            raise forms.ValidationError(
                "Not an id (a whole number): %(values)s.", code="invalid", params={"values": _quoted(bad)}
            )
        return super().resolve(values)

    def lookup(self, values):
        existing = set(self.target._base_manager.filter(pk__in=[int(v) for v in values]).values_list("pk", flat=True))
        return {value: [int(value)] for value in values if int(value) in existing}


class SlugFilter(ReferenceFilter):
    @property
    def noun(self):
        return f"{self.target._meta.verbose_name} slug"

    def lookup(self, values):
        pks = dict(self.target._base_manager.filter(slug__in=values).values_list("slug", "pk"))
        return {value: [pks[value]] for value in values if value in pks}


class CountryFilter(ReferenceFilter):
    noun = "country code (use ISO 3166-1 alpha-2 or alpha-3, such as PH or PHL)"

    def lookup(self, values):
        codes = {value: value.upper() for value in values}
        rows = m.Country.objects.filter(
            Q(iso2__in=[c for c in codes.values() if len(c) == 2]) | Q(iso3__in=[c for c in codes.values() if len(c) == 3])
        ).values_list("pk", "iso2", "iso3")
        by_code = {}
        for pk, iso2, iso3 in rows:
            by_code[iso2] = by_code[iso3] = pk
        return {value: [by_code[code]] for value, code in codes.items() if code in by_code}


class OrganizationFilter(ReferenceFilter):
    noun = "organization (use a slug, short name, name or alias)"

    def lookup(self, values):
        return {value: self.matching_ids(value) for value in values}

    @staticmethod
    def matching_ids(value):
        """Organization.objects.matching(value)'s ids, as a union of index lookups (the
        slug, short name and name by their upper-case indexes, aliases by `normalized`)
        rather than an OR across a join with DISTINCT, which scans every organization."""
        value = (value or "").strip()
        by_name = m.Organization.objects.filter(
            Q(slug__iexact=value) | Q(short_name__iexact=value) | Q(name__iexact=value)
        ).order_by().values_list("pk", flat=True)
        by_alias = m.OrganizationAlias.objects.filter(normalized=m.normalize_name(value)).order_by().values_list(
            "organization_id", flat=True
        )
        return sorted(set(by_name.union(by_alias)))


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class YearFilter(IntegerFilter):
    """A year on a date column (`year__gte=2017` on `committed`), kept index-friendly as a
    date range."""

    def __init__(self, field_name, lookup_expr="exact", **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(field_name, lookup_expr, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        first, last = datetime.date(value, 1, 1), datetime.date(value, 12, 31)
        bounds = {"gte": {"gte": first}, "lte": {"lte": last}, "exact": {"gte": first, "lte": last}}
        return qs.filter(**{f"{self.field_name}__{op}": day for op, day in bounds[self.lookup_expr].items()})


def choices(enum, field_name):
    return filters.MultipleChoiceFilter(field_name=field_name, choices=enum.choices, distinct=False)


def ranges(filter_class, field_name, **kwargs):
    """`name`, `name__gte` and `name__lte`, as a dict to unpack into a FilterSet."""
    return {
        suffix: filter_class(field_name=field_name, lookup_expr=lookup, **kwargs)
        for suffix, lookup in (("", "exact"), ("__gte", "gte"), ("__lte", "lte"))
    }


class Ordering(filters.OrderingFilter):
    """`ordering=-amount_usd,title`; the primary key always breaks ties."""

    def filter(self, qs, value):
        ordered = super().filter(qs, value)
        if ordered is qs:
            return qs
        fields = list(ordered.query.order_by)
        if not {"pk", "-pk", "id", "-id"} & set(fields):
            fields.append("pk")
        return ordered.order_by(*fields)


@extend_schema_field(OpenApiTypes.STR)
class SearchFilter(filters.CharFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Search names (and aliases), case-insensitively")
        super().__init__(method="search", **kwargs)


class RegistryFilterSetMetaclass(filters.filterset.FilterSetMetaclass):
    """Expands `range_filters = {param: (FilterClass, field)}` into param, param__gte and
    param__lte, so every FilterSet declares ranges in one line."""

    def __new__(mcs, name, bases, attrs):
        for param, (filter_class, field_name) in attrs.pop("range_filters", {}).items():
            for suffix, flt in ranges(filter_class, field_name).items():
                attrs[f"{param}{suffix}"] = flt
        return super().__new__(mcs, name, bases, attrs)


class RegistryFilterSet(filters.FilterSet, metaclass=RegistryFilterSetMetaclass):
    """Shared: `q` over `search_fields`, strict parameter names."""

    search_fields = ("name",)
    q = SearchFilter()

    def search(self, qs, name, value):
        condition = reduce(or_, (Q(**{f"{field}__icontains": value}) for field in self.search_fields))
        return qs.filter(each_once(qs.model, condition, self.search_fields))

    def unknown_parameters(self):
        return sorted(set(self.data) - set(self.filters) - RESERVED_PARAMETERS)

    def is_valid(self):
        return super().is_valid() and not self.unknown_parameters()

    @property
    def errors(self):
        errors = forms.utils.ErrorDict(self.form.errors)
        known = ", ".join(sorted(set(self.filters) | RESERVED_PARAMETERS))
        for name in self.unknown_parameters():
            errors[name] = forms.utils.ErrorList(
                [
                    forms.ValidationError(
                        "Unknown parameter %(name)s. Known parameters: %(known)s.",
                        code="unknown",
                        params={"name": repr(name), "known": known},
                    )
                ]
            )
        return errors


class ProvenanceFilterSet(RegistryFilterSet):
    """Filters every cited fact has."""

    source = SlugFilter("source")
    source_id = IdFilter("source")
    via_source = SlugFilter("via_source")
    via_source_id = IdFilter("via_source")
    confidence = choices(m.Confidence, "confidence")
    review_status = choices(m.ReviewStatus, "review_status")
    since = filters.IsoDateTimeFilter(field_name="updated", lookup_expr="gte", label="Changed at or after")


class CountryFilterSet(RegistryFilterSet):
    search_fields = ("name", "common_name", "official_name", "iso2", "iso3")
    iso = CountryFilter("id", label="ISO 3166-1 alpha-2 or alpha-3 code")
    region = TextFilter("region")
    ordering = Ordering(fields=("name", "iso2", "iso3", "region", "id"))

    class Meta:
        model = m.Country
        fields = []


class SourceFilterSet(RegistryFilterSet):
    search_fields = ("title", "slug", "author", "publisher")
    slug = TextFilter("slug")
    ordering = Ordering(fields=("title", "slug", "publisher", "published", "kind", "id"))

    class Meta:
        model = m.Source
        fields = []


ORGANIZATION_ROLES = {
    "lender": lambda: Exists(m.LoanParty.objects.filter(organization=OuterRef("pk"), role__in=LENDER_ROLES)),
    "owner": lambda: Exists(m.CableParty.objects.filter(organization=OuterRef("pk"), role=m.CablePartyRole.OWNER)),
    "supplier": lambda: Exists(
        m.CableParty.objects.filter(organization=OuterRef("pk"), role=m.CablePartyRole.SUPPLIER)
    ),
    "vendor": lambda: Exists(m.CameraCount.objects.filter(vendor=OuterRef("pk"))),
    "signatory": lambda: Exists(m.AgreementParty.objects.filter(organization=OuterRef("pk"))),
    "contractor": lambda: Exists(
        m.ProjectParty.objects.filter(organization=OuterRef("pk"), role=m.PartyRole.CONTRACTOR)
    ),
}


class OrganizationFilterSet(ProvenanceFilterSet):
    search_fields = ("name", "short_name", "slug", "aliases__name")
    slug = TextFilter("slug")
    name = OrganizationFilter("id", label="Slug, short name, name or alias")
    kind = choices(m.OrganizationKind, "kind")
    state_ownership = choices(m.StateOwnership, "state_ownership")
    country = CountryFilter("country")
    country_id = IdFilter("country")
    role = filters.MultipleChoiceFilter(
        choices=[(role, role) for role in ORGANIZATION_ROLES], method="filter_role", label="Plays this role"
    )
    ordering = Ordering(fields=("name", "short_name", "slug", "kind", ("country__name", "country"), "id"))

    class Meta:
        model = m.Organization
        fields = []

    def filter_role(self, qs, name, value):
        return qs.filter(reduce(or_, (ORGANIZATION_ROLES[role]() for role in value))) if value else qs


class AgreementFilterSet(ProvenanceFilterSet):
    search_fields = ("name", "slug", "description")
    slug = TextFilter("slug")
    kind = choices(m.AgreementKind, "kind")
    country = CountryFilter("country")
    country_id = IdFilter("country")
    party = OrganizationFilter("parties__organization")
    party_id = IdFilter("parties__organization")
    range_filters = {"signed_year": (YearFilter, "signed")}
    ordering = Ordering(fields=("name", "slug", "kind", "signed", ("country__name", "country"), "id"))

    class Meta:
        model = m.Agreement
        fields = []


class ProjectFilterSet(ProvenanceFilterSet):
    search_fields = ("name", "slug", "description")
    slug = TextFilter("slug")
    kind = choices(m.ProjectKind, "kind")
    country = CountryFilter("country")
    country_id = IdFilter("country")
    cable = SlugFilter("cable")
    cable_id = IdFilter("cable")
    party = OrganizationFilter("parties__organization")
    party_id = IdFilter("parties__organization")
    ordering = Ordering(fields=("name", "slug", "kind", ("country__name", "country"), "id"))

    class Meta:
        model = m.Project
        fields = []


class LoanFilterSet(ProvenanceFilterSet):
    search_fields = ("title", "slug", "description")
    slug = TextFilter("slug")
    lender = OrganizationFilter("parties__organization", where=Q(role__in=LENDER_ROLES))
    lender_id = IdFilter("parties__organization", where=Q(role__in=LENDER_ROLES))
    party = OrganizationFilter("parties__organization")
    party_id = IdFilter("parties__organization")
    borrower_country = CountryFilter("borrower_country")
    borrower_country_id = IdFilter("borrower_country")
    instrument = SlugFilter("instrument")
    instrument_id = IdFilter("instrument")
    project = SlugFilter("project")
    project_id = IdFilter("project")
    currency = TextFilter("currency__code")
    sector = TextFilter("sector")
    flow_class = TextFilter("flow_class")
    recommended_for_aggregates = filters.BooleanFilter()
    aiddata_record_id = filters.NumberFilter()
    range_filters = {
        "year": (YearFilter, "committed"),
        "amount_usd": (filters.NumberFilter, "amount_usd"),
    }
    ordering = Ordering(
        fields=(
            ("committed", "year"),
            "amount_usd",
            "amount",
            "title",
            "slug",
            ("borrower_country__name", "borrower_country"),
            "id",
        )
    )

    class Meta:
        model = m.Loan
        fields = []


class FinanceEstimateFilterSet(ProvenanceFilterSet):
    search_fields = ("measure", "slug", "country__name")
    slug = TextFilter("slug")
    country = CountryFilter("country")
    country_id = IdFilter("country")
    range_filters = {
        "period_start": (IntegerFilter, "period_start"),
        "period_end": (IntegerFilter, "period_end"),
        "amount_usd": (filters.NumberFilter, "amount_usd"),
    }
    ordering = Ordering(
        fields=("period_start", "period_end", "amount_usd", "amount", "slug", ("country__name", "country"), "id")
    )

    class Meta:
        model = m.FinanceEstimate
        fields = []


def cable_party(role):
    where = Q(role=role)
    return OrganizationFilter("parties__organization", where=where), IdFilter("parties__organization", where=where)


class CableFilterSet(ProvenanceFilterSet):
    search_fields = ("name", "abbreviation", "slug")
    slug = TextFilter("slug")
    owner, owner_id = cable_party(m.CablePartyRole.OWNER)
    supplier, supplier_id = cable_party(m.CablePartyRole.SUPPLIER)
    party = OrganizationFilter("parties__organization")
    party_id = IdFilter("parties__organization")
    country = CountryFilter(
        paths=("listed_countries__country", "landings__station__country"), label="Listed or landing country"
    )
    country_id = IdFilter(paths=("listed_countries__country", "landings__station__country"))
    landing_country = CountryFilter("landings__station__country")
    landing_country_id = IdFilter("landings__station__country")
    listed_country = CountryFilter("listed_countries__country")
    listed_country_id = IdFilter("listed_countries__country")
    station = SlugFilter("landings__station")
    station_id = IdFilter("landings__station")
    status = choices(m.CableStatus, "status")
    range_filters = {
        "rfs_year": (IntegerFilter, "rfs_year"),
    }
    ordering = Ordering(fields=("name", "abbreviation", "slug", "rfs_year", "cost_usd", "length_km", "id"))

    class Meta:
        model = m.SubmarineCable
        fields = []


class LandingStationFilterSet(ProvenanceFilterSet):
    search_fields = ("name", "slug")
    slug = TextFilter("slug")
    country = CountryFilter("country")
    country_id = IdFilter("country")
    cable = SlugFilter("landings__cable")
    cable_id = IdFilter("landings__cable")
    ordering = Ordering(fields=("name", "slug", ("country__name", "country"), "latitude", "longitude", "id"))

    class Meta:
        model = m.LandingStation
        fields = []


class CameraCountFilterSet(ProvenanceFilterSet):
    search_fields = ("city", "slug", "country__name", "vendor__name")
    slug = TextFilter("slug")
    vendor = OrganizationFilter("vendor")
    vendor_id = IdFilter("vendor")
    total = filters.BooleanFilter(field_name="vendor", lookup_expr="isnull", label="All-vendor totals only")
    country = CountryFilter("country")
    country_id = IdFilter("country")
    city = TextFilter("city")
    range_filters = {"count": (filters.NumberFilter, "count"), "observed_year": (YearFilter, "observed")}
    ordering = Ordering(
        fields=("count", "city", "observed", "slug", ("country__name", "country"), ("vendor__name", "vendor"), "id")
    )

    class Meta:
        model = m.CameraCount
        fields = []
