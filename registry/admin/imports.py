"""Import with preview: the file is checked (type, encoding, columns), every row is
shown as new, changed, unchanged or in error with the reason, nothing is written until
the curator confirms, and then all rows are written or none."""

import os

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportMixin
from import_export.forms import ImportForm

from .base import ProvenanceAdmin

STATUS = {"new": "New", "update": "Changed", "skip": "Unchanged", "delete": "Delete", "invalid": "Error", "error": "Error"}


def row_reasons(row):
    """The problems of one row, each naming its column."""
    reasons = []
    if row.validation_error is not None:
        error = row.validation_error
        items = error.message_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.messages)]
        for field, texts in items:
            for text in texts:
                reasons.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
    for error in row.errors:
        reasons.append(str(error.error))
    return reasons


def preview_rows(result):
    """Every row of the file, in order: number, status, reasons, cells."""
    rows = []
    for number, row in enumerate(result.rows, 1):
        values = row.row_values or {}
        cells = row.diff if row.diff else [values.get(h, "") for h in result.diff_headers]
        rows.append(
            {
                "number": number,
                "import_type": row.import_type,
                "status": STATUS.get(row.import_type, row.import_type),
                "reasons": row_reasons(row),
                "cells": cells,
                "is_error": row.import_type in ("invalid", "error"),
            }
        )
    return rows


class CheckedImportForm(ImportForm):
    """The upload form: refuses a file whose type or encoding does not fit the format."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean(self):
        cleaned = super().clean()
        upload, index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or index in (None, ""):
            return cleaned
        file_format = self.formats[int(index)]()
        extension = file_format.get_extension().lower()
        name = os.path.basename(upload.name or "")
        ext = os.path.splitext(name)[1].lstrip(".").lower()
        head = upload.read(4096)
        upload.seek(0)
        if ext != extension:
            self.add_error(
                "import_file",
                f"Wrong file type: “{name}” is not a {file_format.get_title()} file (.{extension}). "
                "Choose the format that matches the file, or save it as CSV or XLSX.",
            )
        elif file_format.is_binary():
            if not head.startswith(b"PK"):
                self.add_error("import_file", f"Wrong file type: “{name}” is not an Excel workbook (.xlsx).")
        else:
            data = upload.read()
            upload.seek(0)
            try:
                data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                line = data[: error.start].count(b"\n") + 1
                kind = "binary, not text" if b"\x00" in head else "not UTF-8"
                self.add_error(
                    "import_file",
                    f"Wrong encoding: “{name}” is {kind} (byte {error.start + 1}, line {line}). "
                    "Save it as “CSV UTF-8” and upload it again.",
                )
        return cleaned


class ImportAdmin(ImportMixin, ProvenanceAdmin):
    """A curated model with import (CSV, XLSX) and export."""

    import_form_class = CheckedImportForm
    import_template_name = "admin/registry/import.html"
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_error_display = ("message",)

    def get_import_resource_classes(self, request):
        return [self.resource_class]

    def get_export_resource_classes(self, request):
        return [self.resource_class]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            response.context_data["preview_rows"] = preview_rows(result)
            response.context_data["preview_totals"] = {
                STATUS[key]: sum(1 for row in result.rows if row.import_type == key)
                for key in ("new", "update", "skip")
            } | {"Error": sum(1 for row in result.rows if row.import_type in ("invalid", "error"))}
        return response

    def add_success_message(self, result, request):
        totals = result.totals
        self.message_user(
            request,
            f"Import finished: {totals['new']} new, {totals['update']} changed, {totals['skip']} unchanged "
            f"{self.opts.verbose_name_plural}.",
        )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # The confirm step writes every row or none: a row that fails now undoes all.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            problems = [f"row {number}: {error.error}" for number, errors in result.row_errors() for error in errors]
            problems += [f"row {row.number}: {row.error_dict or row.error}" for row in result.invalid_rows]
            problems += [str(error.error) for error in result.base_errors]
            self.message_user(
                request,
                "Nothing was imported (the file changed since the preview or a row failed): " + "; ".join(problems),
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)
