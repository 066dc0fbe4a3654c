"""Citing one value of a record to the source that supplied it."""

from django.contrib.contenttypes.models import ContentType

from registry.models import FieldCitation


def cite_field(record, field_name, source, locator="", value=None, via_source=None):
    """Record that `source` supplied `record.<field_name>`; replaces an older citation of
    that field (the older one stays in the citation's history)."""
    shown = getattr(record, field_name) if value is None else value
    citation, _ = FieldCitation.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        field_name=field_name,
        defaults={"source": source, "locator": locator, "value": "" if shown is None else str(shown), "via_source": via_source},
    )
    return citation


def value_sources(record):
    """{field name: citation} for a record's values that another source supplied.

    Reads `record.citations.all()`, so a prefetch of `citations__source` makes it free."""
    return {citation.field_name: citation for citation in record.citations.all()}
