"""django-import-export resources: the columns curators import and export.

Rows name countries by ISO code (PH or PHL), organizations by slug, short name, name
or alias, sources by slug. A bad value is a ValueError naming the value and what was
expected; import-export shows it on the row in the preview."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify
from import_export import fields, resources, widgets

from registry import models
from registry.models.base import DatePrecision, format_partial_date

LIST_SEPARATOR = ";"


class CountryWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(models.Country, "iso2")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return models.Country.objects.by_code(str(value))
        except models.Country.DoesNotExist:
            raise ValueError(f"unknown country code {value!r} (use ISO 3166-1: PH or PHL)") from None

    def render(self, value, obj=None, **kwargs):
        return value.iso2 if value else ""


def find_organization(value):
    matches = list(models.Organization.objects.matching(str(value))[:2])
    if not matches:
        raise ValueError(f"unknown organization {value!r} (no slug, name or alias matches)")
    if len(matches) > 1:
        raise ValueError(f"ambiguous organization {value!r}: {matches[0].slug}, {matches[1].slug}...")
    return matches[0]


class OrganizationWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(models.Organization, "slug")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        return find_organization(str(value).strip())

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


class SlugWidget(widgets.ForeignKeyWidget):
    """A related record by its slug (or code), with a readable error."""

    def __init__(self, model, field="slug", also=()):
        super().__init__(model, field)
        self.also = also

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip()
        found = self.model._default_manager.filter(**{f"{self.field}__iexact": text}).first()
        for other in self.also:
            found = found or self.model._default_manager.filter(**{f"{other}__iexact": text}).first()
        if found is None:
            raise ValueError(f"unknown {self.model._meta.verbose_name} {text!r}")
        return found


class NumberWidget(widgets.DecimalWidget):
    """A decimal; thousands separators allowed ("1,030"); anything else is an error."""

    whole = False

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = Decimal(str(value))
        else:
            text = re.sub(r"[\s,_]", "", str(value))
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a number") from None
            if not number.is_finite():
                raise ValueError(f"{value!r} is not a number")
        if self.whole:
            if number != number.to_integral_value():
                raise ValueError(f"{value!r} is not a whole number")
            return int(number)
        return number


class WholeNumberWidget(NumberWidget):
    whole = True

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def parse_partial_date(value):
    """'2017' -> (2017-01-01, year); '2018-09' -> month; '2018-09-14' -> day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, datetime.datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, datetime.date):
        return value, DatePrecision.DAY
    if isinstance(value, (int, float)) and float(value).is_integer():
        value = str(int(value))
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return datetime.date(int(text), 1, 1), DatePrecision.YEAR
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = text.split("-")
            return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return datetime.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-"))), DatePrecision.DAY
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")


class PartialDateField(fields.Field):
    """A date column kept as precise as the file is: sets `<name>` and `<name>_precision`."""

    def __init__(self, name):
        super().__init__(attribute=name, column_name=name, widget=widgets.CharWidget())

    def save(self, instance, row, is_m2m=False, **kwargs):
        value, precision = parse_partial_date(row.get(self.column_name))
        setattr(instance, self.attribute, value)
        setattr(instance, f"{self.attribute}_precision", precision)

    def get_value(self, instance):
        return format_partial_date(
            getattr(instance, self.attribute), getattr(instance, f"{self.attribute}_precision")
        ) or ""


class ListWidget(widgets.Widget):
    """A list in one cell, separated by ';'. An empty cell leaves the links as they are."""

    def __init__(self, parse_item, key):
        self.parse_item, self.key = parse_item, key

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            return None
        items, errors = [], []
        for part in str(value).split(LIST_SEPARATOR):
            if not part.strip():
                continue
            try:
                items.append(self.parse_item(part.strip()))
            except ValueError as error:
                errors.append(str(error))
        if errors:
            raise ValueError("; ".join(errors))
        return items

    def render(self, value, obj=None, **kwargs):
        return f"{LIST_SEPARATOR} ".join(value or ())


class LinkListField(fields.Field):
    """Links (a loan's lenders, a cable's landing stations) as one column. Importing
    keeps the parsed list on the instance; the resource writes the links after saving."""

    def __init__(self, name, reader, parse_item, key, merge=False):
        super().__init__(attribute=name, column_name=name, widget=ListWidget(parse_item, key))
        self.reader = reader
        self.merge = merge  # True: the file's items are added to the links, none removed

    def save(self, instance, row, is_m2m=False, **kwargs):
        items = self.clean(row, **kwargs)
        if items is not None:
            instance.__dict__.setdefault("_import_links", {})[self.attribute] = items

    def pending(self, instance):
        return instance.__dict__.get("_import_links", {}).get(self.attribute)

    def get_value(self, instance):
        items = self.pending(instance)
        if items is not None:
            keys = {self.widget.key(item) for item in items}
            if self.merge and instance.pk:
                keys |= set(self.reader(instance))
            return tuple(sorted(keys))
        return tuple(sorted(self.reader(instance))) if instance.pk else ()


class CuratedResource(resources.ModelResource):
    """Shared: provenance columns, slug as the row's key, checks before anything is written."""

    source = fields.Field(attribute="source", column_name="source", widget=SlugWidget(models.Source))
    via_source = fields.Field(attribute="via_source", column_name="via_source", widget=SlugWidget(models.Source))

    class Meta:
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        store_row_values = True  # the preview shows a bad row's cells as the file has them

    def before_import(self, dataset, **kwargs):
        known = {field.column_name for field in self.get_import_fields()}
        headers = [h for h in (dataset.headers or []) if h not in (None, "")]
        unknown = [h for h in headers if h not in known]
        if unknown:
            raise ValueError(
                f"Unknown column(s): {', '.join(map(repr, unknown))}. "
                f"Columns this import reads: {', '.join(sorted(known))}."
            )

    def after_save_instance(self, instance, row, **kwargs):
        for name, items in instance.__dict__.pop("_import_links", {}).items():
            getattr(self, f"save_{name}")(instance, items)


def provenance_columns():
    return ["source", "locator", "via_source", "confidence", "curator_note"]


def lender_keys(loan):
    return [
        p.organization.slug
        for p in loan.parties.filter(role=models.PartyRole.LENDER, organization__isnull=False).select_related("organization")
    ]


class LoanResource(CuratedResource):
    borrower_country = fields.Field(attribute="borrower_country", column_name="borrower_country", widget=CountryWidget())
    instrument = fields.Field(
        attribute="instrument", column_name="instrument", widget=SlugWidget(models.Instrument, also=("name",))
    )
    currency = fields.Field(attribute="currency", column_name="currency", widget=SlugWidget(models.Currency, "code"))
    amount = fields.Field(attribute="amount", column_name="amount", widget=NumberWidget())
    amount_usd = fields.Field(attribute="amount_usd", column_name="amount_usd", widget=NumberWidget())
    committed = PartialDateField("committed")
    lenders = LinkListField("lenders", lender_keys, find_organization, key=lambda org: org.slug)

    class Meta(CuratedResource.Meta):
        model = models.Loan
        fields = [
            "slug", "title", "borrower_country", "lenders", "instrument", "amount", "currency", "amount_usd",
            "committed", "description", *provenance_columns(),
        ]

    def save_lenders(self, loan, organizations):
        wanted = {org.pk: org for org in organizations}
        for party in loan.parties.filter(role=models.PartyRole.LENDER, organization__isnull=False):
            if party.organization_id not in wanted:
                party.delete()
            else:
                wanted.pop(party.organization_id)
        for org in wanted.values():
            models.LoanParty.objects.create(
                loan=loan, organization=org, role=models.PartyRole.LENDER,
                source=loan.source, locator=loan.locator, via_source=loan.via_source,
            )


STATION = re.compile(r"^(?P<name>.+?)\s*\((?P<code>[A-Za-z]{2,3})\)$")


def parse_station(text):
    """'Batangas (PH)' -> ('Batangas', <Country PH>)."""
    match = STATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not 'Station name (country code)'")
    code = match["code"]
    try:
        country = models.Country.objects.by_code(code)
    except models.Country.DoesNotExist:
        raise ValueError(f"unknown country code {code!r} in {text!r}") from None
    return match["name"].strip(), country


def station_key(item):
    name, country = item
    return f"{name} ({country.iso2})"


def landing_keys(cable):
    return [f"{l.station.name} ({l.station.country.iso2})" for l in cable.landings.select_related("station__country")]


class SubmarineCableResource(CuratedResource):
    cost_usd = fields.Field(attribute="cost_usd", column_name="cost_usd", widget=NumberWidget())
    length_km = fields.Field(attribute="length_km", column_name="length_km", widget=NumberWidget())
    rfs_year = fields.Field(attribute="rfs_year", column_name="rfs_year", widget=WholeNumberWidget())
    landing_stations = LinkListField("landing_stations", landing_keys, parse_station, key=station_key)

    class Meta(CuratedResource.Meta):
        model = models.SubmarineCable
        fields = [
            "slug", "name", "abbreviation", "cost_usd", "length_km", "rfs_year", "status", "url",
            "landing_stations", *provenance_columns(),
        ]

    def save_landing_stations(self, cable, stations):
        wanted = {}
        for name, country in stations:
            station = models.LandingStation.objects.filter(name__iexact=name, country=country).first()
            if station is None:
                base = slugify(f"{name}-{country.iso2}")[:150] or "station"
                slug, n = base, 1
                while models.LandingStation.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{base}-{n}"
                station = models.LandingStation.objects.create(
                    slug=slug, name=name, country=country,
                    source=cable.source, locator=cable.locator, via_source=cable.via_source,
                )
            wanted[station.pk] = station
        for landing in cable.landings.all():
            if landing.station_id not in wanted:
                landing.delete()
            else:
                wanted.pop(landing.station_id)
        for station in wanted.values():
            models.CableLanding.objects.create(
                cable=cable, station=station, source=cable.source, locator=cable.locator, via_source=cable.via_source
            )


class CameraCountResource(CuratedResource):
    country = fields.Field(attribute="country", column_name="country", widget=CountryWidget())
    vendor = fields.Field(attribute="vendor", column_name="vendor", widget=OrganizationWidget())
    count = fields.Field(attribute="count", column_name="count", widget=WholeNumberWidget())
    observed = PartialDateField("observed")

    class Meta(CuratedResource.Meta):
        model = models.CameraCount
        fields = ["slug", "country", "city", "vendor", "count", "measure", "method", "observed", *provenance_columns()]


def alias_keys(org):
    return [a.name for a in org.aliases.all()]


class OrganizationResource(CuratedResource):
    country = fields.Field(attribute="country", column_name="country", widget=CountryWidget())
    aliases = LinkListField("aliases", alias_keys, lambda text: text, key=lambda name: name, merge=True)

    class Meta(CuratedResource.Meta):
        model = models.Organization
        fields = [
            "slug", "name", "short_name", "kind", "country", "state_ownership", "website", "aliases",
            *provenance_columns(),
        ]

    def save_aliases(self, org, names):
        existing = {a.name: a for a in org.aliases.all()}
        for name in names:
            if name not in existing:
                models.OrganizationAlias.objects.create(
                    organization=org, name=name, source=org.source, locator=org.locator, via_source=org.via_source
                )
        # Aliases are only added by an import: a name a curator recorded is not dropped
        # because a file leaves it out.
