"""Serializers: every record shows its id, url, natural key, the names of what it refers
to, its provenance and the source of each separately cited value.

Each serializer declares what it needs joined (`select`) and prefetched (`prefetch`);
`optimize()` gathers the declarations along the class hierarchy and the viewsets apply
it, so a list costs the same number of queries for one record and for a hundred.
"""

import copy

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import reverse as django_reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from registry import models as m

API_NAMESPACE = "api"


def detail_view_name(model):
    return f"{API_NAMESPACE}:{model._meta.model_name}-detail"


def _object_schema(*keys):
    """A related record as RefField writes it: its integer id and its names."""
    return {
        "type": "object",
        "nullable": True,
        "properties": {key: {"type": "integer" if key == "id" else "string"} for key in keys},
    }


class RefField(serializers.RelatedField):
    """A related record: shown as a small object with its names, written as its natural
    value (a slug, or an id)."""

    display = (("id", "pk"), ("slug", "slug"), ("name", "name"))
    lookup_field = "slug"

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", self.default_queryset())
        super().__init__(**kwargs)

    def default_queryset(self):
        raise NotImplementedError

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, obj):
        return {key: getattr(obj, attr) for key, attr in self.display}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get(self.lookup_field, data.get("id"))
        queryset = self.get_queryset()
        try:
            if isinstance(data, int) and not isinstance(data, bool):
                return queryset.get(pk=data)
            if isinstance(data, str) and data:
                return self.lookup(queryset, data)
        except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned):
            self.fail("unknown", value=data)
        self.fail("invalid", value=data)

    def lookup(self, queryset, value):
        return queryset.get(**{self.lookup_field: value})

    def get_choices(self, cutoff=None):
        """For the browsable API's forms: the value to send, by name."""
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.lookup_field): self.display_value(item) for item in queryset}

    default_error_messages = {
        "unknown": "No record with {value!r}.",
        "invalid": "Give a slug (a string) or an id (a number), not {value!r}.",
    }

    def display_keys(self):
        return [key for key, _ in self.display]


@extend_schema_field(_object_schema("id", "iso2", "iso3", "name"))
class CountryRef(RefField):
    display = (("id", "pk"), ("iso2", "iso2"), ("iso3", "iso3"), ("name", "display_name"))
    lookup_field = "iso2"
    default_error_messages = {
        "unknown": "No country with ISO 3166-1 code {value!r}.",
        "invalid": "Give an ISO 3166-1 alpha-2 or alpha-3 code, not {value!r}.",
    }

    def default_queryset(self):
        return m.Country.objects.all()

    def lookup(self, queryset, value):
        code = value.strip().upper()
        field = {2: "iso2", 3: "iso3"}.get(len(code))
        if field is None:
            raise queryset.model.DoesNotExist
        return queryset.get(**{field: code})


@extend_schema_field(_object_schema("id", "slug", "title", "url"))
class SourceRef(RefField):
    display = (("id", "pk"), ("slug", "slug"), ("title", "title"), ("url", "url"))

    def default_queryset(self):
        return m.Source.objects.all()


@extend_schema_field(_object_schema("id", "slug", "name", "short_name"))
class OrganizationRef(RefField):
    display = (("id", "pk"), ("slug", "slug"), ("name", "name"), ("short_name", "short_name"))

    def default_queryset(self):
        return m.Organization.objects.all()


@extend_schema_field(_object_schema("id", "slug", "name"))
class InstrumentRef(RefField):
    def default_queryset(self):
        return m.Instrument.objects.all()


@extend_schema_field(_object_schema("id", "slug", "name"))
class ProjectRef(RefField):
    def default_queryset(self):
        return m.Project.objects.all()


@extend_schema_field(_object_schema("id", "slug", "name"))
class CableRef(RefField):
    def default_queryset(self):
        return m.SubmarineCable.objects.all()


def source_summary(source):
    return {"id": source.pk, "slug": source.slug, "title": source.title, "url": source.url}


class RecordUrlField(serializers.HyperlinkedIdentityField):
    """The record's API address; the view name follows from the serializer's model."""

    def __init__(self, **kwargs):
        super().__init__(view_name="", **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.view_name = detail_view_name(parent.Meta.model)

    # A placeholder id, reversed once per serializer (a list's child serializes every
    # record): each record's address is then the template with its id (issue 7).
    PLACEHOLDER = 918273645546372819

    def plain_url(self, pk, view_name, request):
        # Plain address: DRF's reverse would carry the request's ?format=csv along.
        path = django_reverse(view_name, kwargs={self.lookup_url_kwarg: pk})
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, obj, view_name, request, format):
        pk = obj.pk
        if not isinstance(pk, int) or isinstance(pk, bool):
            return self.plain_url(pk, view_name, request)
        templates = self.__dict__.setdefault("_url_templates", {})
        key = (view_name, id(request))
        template = templates.get(key)
        if template is None:
            template = templates[key] = self.plain_url(self.PLACEHOLDER, view_name, request).split(str(self.PLACEHOLDER))
        if len(template) != 2:
            return self.plain_url(pk, view_name, request)
        return f"{template[0]}{pk}{template[1]}"


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class NaturalKeyField(serializers.ReadOnlyField):
    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, obj):
        return list(obj.natural_key())


def prefetch_list(relation, queryset):
    """Prefetch `relation` into a plain list (`prefetched_<relation>`). Prefetching into
    the relation's manager builds a filtered queryset per record, which on a page of 50
    records costs more than the query that fetches them all."""
    return Prefetch(relation, queryset=queryset, to_attr=f"prefetched_{relation}")


def prefetched(record, relation):
    """The records of `relation` from prefetch_list, or read now for a record the view did
    not fetch itself (one just written)."""
    records = getattr(record, f"prefetched_{relation}", None)
    return getattr(record, relation).all() if records is None else records


def forget_prefetched(record):
    """Drop what was prefetched for `record`, so that its relations are read again."""
    record._prefetched_objects_cache = {}
    for name in [name for name in vars(record) if name.startswith("prefetched_")]:
        delattr(record, name)


@extend_schema_field(
    {
        "type": "object",
        "description": "For each value another source supplied: that source, where in it, and the value as given.",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "source": _object_schema("id", "slug", "title", "url"),
                "via_source": {"type": "string", "nullable": True},
                "locator": {"type": "string"},
                "value": {"type": "string"},
            },
        },
    }
)
class ValueSourcesField(serializers.ReadOnlyField):
    """{field: citation} from the record's prefetched FieldCitations."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, record):
        return {
            citation.field_name: {
                "source": source_summary(citation.source),
                "via_source": citation.via_source.slug if citation.via_source_id else None,
                "locator": citation.locator,
                "value": citation.value,
            }
            for citation in prefetched(record, "citations")
        }


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class UsernameField(serializers.ReadOnlyField):
    """A user by username; null for none. (A dotted source with a default would be left
    out of a PATCH's answer: DRF skips defaults in partial updates.)"""

    def to_representation(self, user):
        return user.username


class ProvenanceSerializer(serializers.Serializer):
    """Where a record came from. Nested on output; on input its fields are the record's."""

    source = SourceRef()
    locator = serializers.CharField(max_length=255, required=False, allow_blank=True)
    via_source = SourceRef(required=False, allow_null=True)
    confidence = serializers.ChoiceField(m.Confidence.choices, required=False)
    review_status = serializers.ChoiceField(m.ReviewStatus.choices, required=False)
    verified_by = UsernameField()
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    curator_note = serializers.CharField(required=False, allow_blank=True)


class PrefetchedListSerializer(serializers.ListSerializer):
    """A nested list read through prefetched() from its prefetch_list."""

    def get_attribute(self, instance):
        return prefetched(instance, self.source)


class PartySerializer(serializers.Serializer):
    """An organization's part in a record, with the source of that link."""

    organization = OrganizationRef(read_only=True)
    name = serializers.SerializerMethodField()
    role = serializers.CharField(read_only=True)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    source = serializers.CharField(source="source.slug", read_only=True)
    locator = serializers.CharField(read_only=True)

    class Meta:
        list_serializer_class = PrefetchedListSerializer

    def get_name(self, party) -> str:
        return party.organization.name if party.organization_id else getattr(party, "description", "")


def children(model):
    """`model`'s rows for a prefetch under their parent, in the model's order without its
    first key: the parent, by which the prefetch groups them anyway (sorting by it would
    join the parent's table to sort by the parent's own ordering)."""
    return model.objects.order_by(*model._meta.ordering[1:])


def parties_prefetch(model):
    return prefetch_list("parties", children(model).select_related("organization", "source"))


class RecordSerializer(serializers.ModelSerializer):
    """Shared by every endpoint: id, url, natural key; model validation on writes."""

    url = RecordUrlField()
    natural_key = NaturalKeyField()

    select = ()
    prefetch = ()

    @classmethod
    def optimize(cls, queryset):
        select, prefetch = [], []
        for klass in reversed(cls.__mro__):
            select += [s for s in klass.__dict__.get("select", ()) if s not in select]
            prefetch += [p for p in klass.__dict__.get("prefetch", ()) if p not in prefetch]
        return queryset.select_related(*select).prefetch_related(*prefetch)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.clean()
            instance.validate_constraints()
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if "__all__" in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
            raise serializers.ValidationError(detail) from error
        return attrs


PROVENANCE_FIELDS = ("provenance", "value_sources", "created", "updated")


class ProvenanceRecordSerializer(RecordSerializer):
    """A cited fact: provenance, value sources, and the verify permission on writes."""

    provenance = ProvenanceSerializer(source="*")
    value_sources = ValueSourcesField()

    select = ("source", "via_source", "verified_by")
    prefetch = (prefetch_list("citations", m.FieldCitation.objects.select_related("source", "via_source")),)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        verifying = attrs.get("review_status") == m.ReviewStatus.VERIFIED and (
            self.instance is None or self.instance.review_status != m.ReviewStatus.VERIFIED
        )
        if verifying:
            self.check_may_verify()
            attrs["verified_by"] = self.context["request"].user
            attrs["verified_at"] = timezone.now()
        elif attrs.get("review_status") not in (None, m.ReviewStatus.VERIFIED):
            attrs["verified_by"], attrs["verified_at"] = None, None
        return attrs

    def check_may_verify(self):
        user = self.context["request"].user
        meta = self.Meta.model._meta
        problem = None
        if not user.has_perm(f"{meta.app_label}.verify_{meta.model_name}"):
            problem = "You may not mark records verified (an Editor's permission)."
        elif self.instance is not None and getattr(settings, "DSR_FORBID_SELF_VERIFY", False):
            last_editor = self.instance.history.values_list("history_user_id", flat=True).first()
            if last_editor == user.pk:
                problem = "You changed this record last; another curator verifies it."
        if problem:
            raise serializers.ValidationError({"provenance": {"review_status": [problem]}})


class CountrySerializer(RecordSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = m.Country
        fields = ("id", "url", "iso2", "iso3", "numeric", "name", "common_name", "official_name", "region")
        fields += ("natural_key",)
        read_only_fields = fields


class SourceSerializer(RecordSerializer):
    web_url = serializers.URLField(source="url", max_length=1000, required=False, allow_blank=True)
    compiled_from = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=m.Source.objects.all()
    )

    prefetch = (Prefetch("compiled_from", queryset=m.Source.objects.only("id", "slug")),)

    class Meta:
        model = m.Source
        fields = (
            "id",
            "url",
            "slug",
            "title",
            "author",
            "publisher",
            "web_url",
            "kind",
            "published",
            "published_precision",
            "accessed",
            "licence",
            "compiled_from",
            "note",
            "natural_key",
            "created",
            "updated",
        )


class OrganizationSerializer(ProvenanceRecordSerializer):
    country = CountryRef(required=False, allow_null=True)
    aliases = serializers.SerializerMethodField()

    select = ("country",)
    prefetch = (prefetch_list("aliases", children(m.OrganizationAlias)),)

    class Meta:
        model = m.Organization
        fields = ("id", "url", "slug", "name", "short_name", "aliases", "kind", "country", "state_ownership")
        fields += ("website", "description", "natural_key") + PROVENANCE_FIELDS

    def get_aliases(self, organization) -> list[str]:
        return [alias.name for alias in prefetched(organization, "aliases")]


class AgreementSerializer(ProvenanceRecordSerializer):
    country = CountryRef()
    signed_year = serializers.IntegerField(read_only=True)
    parties = PartySerializer(many=True, read_only=True)

    select = ("country",)
    prefetch = (parties_prefetch(m.AgreementParty),)

    class Meta:
        model = m.Agreement
        fields = ("id", "url", "slug", "name", "kind", "country", "signed", "signed_precision", "signed_year")
        fields += ("parties", "description", "natural_key") + PROVENANCE_FIELDS


class ProjectSerializer(ProvenanceRecordSerializer):
    country = CountryRef()
    cable = CableRef(required=False, allow_null=True)
    parties = PartySerializer(many=True, read_only=True)

    select = ("country", "cable")
    prefetch = (parties_prefetch(m.ProjectParty),)

    class Meta:
        model = m.Project
        fields = ("id", "url", "slug", "name", "kind", "country", "status", "cable", "parties", "description")
        fields += ("natural_key",) + PROVENANCE_FIELDS


class LoanSerializer(ProvenanceRecordSerializer):
    name = serializers.CharField(source="title", read_only=True)
    borrower_country = CountryRef()
    instrument = InstrumentRef()
    project = ProjectRef(required=False, allow_null=True)
    year = serializers.IntegerField(read_only=True)
    lenders = serializers.SerializerMethodField()
    parties = PartySerializer(many=True, read_only=True)

    select = ("borrower_country", "instrument", "project")
    prefetch = (parties_prefetch(m.LoanParty),)

    class Meta:
        model = m.Loan
        fields = ("id", "url", "slug", "name", "title", "lenders", "borrower_country", "instrument")
        fields += ("amount", "currency", "amount_usd", "amount_constant_usd", "constant_usd_year", "amount_estimated")
        fields += ("year", "committed", "committed_precision", "committed_estimated", "project", "parties")
        fields += ("description", "status", "intent", "flow_type", "flow_class", "sector", "is_syndicated")
        fields += ("aiddata_record_id", "aiddata_parent_id", "is_umbrella", "recommended_for_aggregates")
        fields += ("maturity_years", "interest_rate", "grace_period_years", "management_fee", "commitment_fee")
        fields += ("grant_element", "source_quality_score", "data_completeness_score")
        fields += ("natural_key",) + PROVENANCE_FIELDS

    def get_lenders(self, loan) -> list[str]:
        """The lenders' names (or the source's words when a lender is unnamed)."""
        return [
            party.organization.name if party.organization_id else party.description
            for party in prefetched(loan, "parties")
            if party.role in (m.PartyRole.LENDER, m.PartyRole.CO_LENDER)
        ]


class FinanceEstimateSerializer(ProvenanceRecordSerializer):
    country = CountryRef()

    select = ("country",)

    class Meta:
        model = m.FinanceEstimate
        fields = ("id", "url", "slug", "measure", "country", "period_start", "period_end", "amount", "currency")
        fields += ("amount_usd", "includes_pre_bri", "natural_key") + PROVENANCE_FIELDS


class StationSummarySerializer(serializers.Serializer):
    """A landing station under its cable (the schema of LandingStationsField)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


@extend_schema_field(StationSummarySerializer(many=True))
class LandingStationsField(serializers.ReadOnlyField):
    """A cable's prefetched landing stations, written directly (a nested serializer took a
    third of a page of cables' time)."""

    coordinate = serializers.DecimalField(max_digits=9, decimal_places=6)

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, cable):
        decimal = self.coordinate.to_representation
        return [
            {
                "id": station.pk,
                "slug": station.slug,
                "name": station.name,
                "country": station.country.iso2,
                "latitude": None if station.latitude is None else decimal(station.latitude),
                "longitude": None if station.longitude is None else decimal(station.longitude),
            }
            for station in prefetched(cable, "landing_stations")
        ]


class CableSerializer(ProvenanceRecordSerializer):
    web_url = serializers.URLField(source="url", max_length=500, required=False, allow_blank=True)
    owners = serializers.SerializerMethodField()
    suppliers = serializers.SerializerMethodField()
    listed_countries = serializers.SerializerMethodField()
    landing_countries = serializers.SerializerMethodField()
    landing_stations = LandingStationsField()
    parties = PartySerializer(many=True, read_only=True)

    prefetch = (
        parties_prefetch(m.CableParty),
        prefetch_list("listed_countries", children(m.CableListedCountry).select_related("country")),
        prefetch_list("landing_stations", m.LandingStation.objects.select_related("country")),
    )

    class Meta:
        model = m.SubmarineCable
        fields = ("id", "url", "slug", "name", "abbreviation", "owners", "suppliers", "cost_usd", "length_km")
        fields += ("rfs_year", "rfs_quarter", "rfs_month", "status", "listed_countries", "landing_countries")
        fields += ("landing_stations", "parties", "telegeography_id", "web_url", "description", "natural_key")
        fields += PROVENANCE_FIELDS

    def _names(self, cable, role):
        return [party.organization.name for party in prefetched(cable, "parties") if party.role == role]

    def get_owners(self, cable) -> list[str]:
        return self._names(cable, m.CablePartyRole.OWNER)

    def get_suppliers(self, cable) -> list[str]:
        return self._names(cable, m.CablePartyRole.SUPPLIER)

    def get_listed_countries(self, cable) -> list[str]:
        """ISO alpha-2 codes in the source's order (a list may repeat one)."""
        return [listed.country.iso2 for listed in prefetched(cable, "listed_countries")]

    def get_landing_countries(self, cable) -> list[str]:
        return sorted({station.country.iso2 for station in prefetched(cable, "landing_stations")})


class LandingStationSerializer(ProvenanceRecordSerializer):
    country = CountryRef()
    cables = serializers.SerializerMethodField()

    select = ("country",)
    prefetch = (prefetch_list("cables", m.SubmarineCable.objects.only("id", "slug", "name")),)

    class Meta:
        model = m.LandingStation
        fields = ("id", "url", "slug", "name", "country", "latitude", "longitude", "cables", "telegeography_id")
        fields += ("natural_key",) + PROVENANCE_FIELDS

    def get_cables(self, station) -> list[str]:
        return [cable.name for cable in prefetched(station, "cables")]


class CameraCountSerializer(ProvenanceRecordSerializer):
    country = CountryRef()
    vendor = OrganizationRef(required=False, allow_null=True, help_text="Null for an all-vendor total.")

    select = ("country", "vendor")

    class Meta:
        model = m.CameraCount
        fields = ("id", "url", "slug", "country", "city", "vendor", "count", "measure", "method", "observed")
        fields += ("observed_precision", "natural_key") + PROVENANCE_FIELDS
