"""Django's loaddata, with one readable line instead of a traceback when a fixture is broken.

A fixture that names an unknown country, carries a negative amount or lacks its source
fails with a line such as

    fixtures/bad.json, record 3 (registry.loan 'ph-broadband'): amount cannot be negative
    [loan_amount_non_negative]

and, as with Django's own command, nothing of the load is written: it all runs in one
transaction.
"""

import json
import os
import re

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

# Errors that a broken fixture can raise while it is read, saved or checked.
LOAD_ERRORS = (DeserializationError, DatabaseError, ObjectDoesNotExist, ValidationError, ValueError, LookupError,
               TypeError)

# Fields that identify a record without a slug (the parts of the natural keys).
KEY_FIELDS = ("slug", "iso2", "code", "cable", "station", "position", "loan", "agreement", "project", "owner",
              "owned", "organization", "name", "activity", "role", "since_year", "description")

DJANGO_PREFIX = re.compile(r"^(Problem installing fixtures?( '[^']*')?|Could not load \S+\(pk=[^)]*\)):\s*")
VALIDATION_LIST = re.compile(r"^\[['\"](.*)['\"]\]$")
WITH_DATA = re.compile(r"^(?P<error>.*): \((?P<model>[^:()]*):pk=[^)]*\) field_value was '(?P<value>.*)'$", re.S)


class FixtureError(CommandError):
    """A broken record, already described in one line. A CommandError, so that Django's
    loaddata passes it on untouched."""


def one_line(text):
    """A database message on one line: its first line, and PostgreSQL's DETAIL when it
    names a key rather than repeating the whole row."""
    text = DJANGO_PREFIX.sub("", str(text).strip())
    lines = text.splitlines() or ["unknown error"]
    kept = [lines[0]] + [
        line.strip().removeprefix("DETAIL:").strip()
        for line in lines[1:]
        if line.strip().startswith("DETAIL:") and "Failing row contains" not in line
    ]
    return " ".join(" ".join(kept).split())


def constraint_message(model, text):
    """The constraint's own message when the database names a constraint of `model`."""
    for constraint in getattr(model._meta, "constraints", []) if model else []:
        if re.search(rf"\b{re.escape(constraint.name)}\b", text):
            message = getattr(constraint, "violation_error_message", None) or "violates a constraint"
            return f"{message} [{constraint.name}]"
    return None


NOT_NULL = re.compile(r'NOT NULL constraint failed: \w+\.(?P<sqlite>\w+)|null value in column "(?P<pg>\w+)"')


def not_null_message(text):
    """'source is required' for SQLite's and PostgreSQL's not-null errors."""
    match = NOT_NULL.search(text)
    if not match:
        return None
    column = match["sqlite"] or match["pg"]
    return f"{column.removesuffix('_id')} is required but missing"


def describe_data(data):
    """'registry.loan 'ph-broadband'' or 'registry.cablelanding (cable=['peace'], station=['tuas-sg'])'."""
    if not isinstance(data, dict):
        return "a record that is not a JSON object"
    model = data.get("model", "unknown model")
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    if fields.get("slug"):
        return f"{model} {fields['slug']!r}"
    parts = [f"{name}={json.dumps(fields[name], ensure_ascii=False)}" for name in KEY_FIELDS if fields.get(name)]
    if "pk" in data:
        parts.insert(0, f"pk={data['pk']}")
    return f"{model} ({', '.join(parts)})" if parts else model


class DeferredReference:
    """Stands in Django's list of records with references to resolve at the end of the
    load, so that a reference that never resolves names its record."""

    def __init__(self, deserialized, where):
        self.deserialized = deserialized
        self.where = where  # a function: the file is read again only when there is an error

    def save_deferred_fields(self, using=None):
        try:
            self.deserialized.save_deferred_fields(using=using)
        except LOAD_ERRORS:
            raise FixtureError(f"{self.where()}: {unresolved(self.deserialized)}") from None


def unresolved(deserialized):
    refs = ", ".join(
        f"{field.name} {json.dumps(value, ensure_ascii=False)} matches no {field.remote_field.model._meta.label}"
        for field, value in deserialized.deferred_fields.items()
    )
    return refs or "a reference could not be resolved"


class Command(loaddata.Command):
    help = loaddata.Command.help + " A broken fixture fails with one line naming the record; nothing is written."

    def handle(self, *fixture_labels, **options):
        self.current_label = None
        self.current_files = []
        self.position = 0
        try:
            return super().handle(*fixture_labels, **options)
        except FixtureError as error:
            raise CommandError(str(error)) from None
        except CommandError as error:
            raise CommandError(one_line(error)) from None
        except LOAD_ERRORS as error:
            # Django checks deferred foreign keys once, after every fixture is in.
            raise CommandError(f"Could not load the fixtures: {one_line(error)}") from None

    def load_label(self, fixture_label):
        self.current_label = fixture_label
        self.current_files = [path for path, _dir, _name in self.find_fixtures(fixture_label)]
        self.position = 0
        try:
            super().load_label(fixture_label)
        except CommandError:
            raise
        except LOAD_ERRORS as error:
            if self.position == 0 and isinstance(error.__cause__, ValueError):
                raise FixtureError(f"{self.shown_name()}: not valid JSON: {one_line(error.__cause__)}") from None
            # Reading the next record failed: it is the one after the last saved.
            raise FixtureError(f"{self.where(self.position + 1)}: {self.reason(error)}") from None

    def save_obj(self, obj):
        self.position += 1
        position, files, label = self.position, self.current_files, self.current_label

        def where():
            return self.where(position, files, label)

        try:
            saved = super().save_obj(obj)
        except (DatabaseError, ValueError) as error:
            if obj.deferred_fields:
                # A natural key that matched nothing leaves a required column empty.
                reason = unresolved(obj)
            else:
                text = one_line(error)
                reason = constraint_message(type(obj.object), text) or not_null_message(text) or text
            raise FixtureError(f"{where()}: {reason}") from None
        if obj.deferred_fields and self.objs_with_deferred_fields and self.objs_with_deferred_fields[-1] is obj:
            self.objs_with_deferred_fields[-1] = DeferredReference(obj, where)
        return saved

    def where(self, position, files=None, label=None):
        """'fixtures/x.json, record 3 (registry.loan 'ph-broadband')'."""
        files = self.current_files if files is None else files
        label = self.current_label if label is None else label
        record = self.record_at(position, files)
        return f"{self.shown_name(files, label)}, record {position}" + (f" ({describe_data(record)})" if record is not None else "")

    def shown_name(self, files=None, label=None):
        """The fixture file, relative to the working directory when it is inside it."""
        files = self.current_files if files is None else files
        label = self.current_label if label is None else label
        name = files[0] if len(files) == 1 else label
        if name and os.path.isabs(name) and name.startswith(os.getcwd() + os.sep):
            return os.path.relpath(name)
        return name

    @staticmethod
    def record_at(position, files):
        if len(files) != 1 or not files[0].endswith(".json"):
            return None
        try:
            with open(files[0], encoding="utf-8") as handle:
                records = json.load(handle)
            return records[position - 1]
        except (OSError, ValueError, IndexError, KeyError, TypeError):
            return None

    @staticmethod
    def reason(error):
        text = DJANGO_PREFIX.sub("", str(error).strip())
        match = WITH_DATA.match(text)
        if match:
            message = one_line(match["error"])
            message = VALIDATION_LIST.sub(r"\1", message)
            return f"{message} (value {match['value']})"
        return one_line(text or error.__cause__ or "unknown error")
