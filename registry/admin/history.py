"""Reading a record's history: who changed what, what changed since a version, and
bringing back a deleted record."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

# Fields whose change is bookkeeping, not a change of the facts a reviewer checks.
CASCADE_WINDOW = timedelta(seconds=5)
BOOKKEEPING_FIELDS = ("updated", "created", "review_status", "verified_by", "verified_at", "curator_note")


def version_of(record):
    """The edit-guard version of a record or of one of its historical records."""
    return f"{record.updated.timestamp():.6f}" if getattr(record, "updated", None) else ""


def field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field gone from the model since
        return name


def describe_changes(model, newer, older, excluded=("updated",)):
    """[(field label, old, new)] between two historical records of one record."""
    delta = newer.diff_against(older, excluded_fields=excluded, foreign_keys_are_objs=True)
    lines = []
    for change in delta.changes:
        old = "" if change.old is None else change.old
        new = "" if change.new is None else change.new
        lines.append((field_label(model, change.field), str(old), str(new)))
    return lines


def changes_since(instance, version, limit=50):
    """What was saved after `version`: [(field, old, new, who, when)], oldest first.

    Found in the history: the records newer than the one whose version the curator
    opened, each compared with the one before it."""
    records = list(instance.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    newer = []
    for record in records:
        if version_of(record) == version:
            break
        newer.append(record)
    result = []
    for record in reversed(newer):
        previous = record.prev_record
        who = str(record.history_user) if record.history_user_id else "someone (no user recorded)"
        if previous is None:
            result.append(("record", "", f"created ({record.get_history_type_display()})", who, record.history_date))
            continue
        for label, old, new in describe_changes(type(instance), record, previous):
            result.append((label, old, new, who, record.history_date))
    return result


def last_content_change(instance):
    """The historical record of the last change to the facts themselves (not a review
    step or a note), or None. Its `history_user` is who made the change."""
    records = list(instance.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
    for newer, older in zip(records, records[1:] + [None]):
        if older is None or newer.history_type == "+":
            return newer
        if newer.diff_against(older, excluded_fields=BOOKKEEPING_FIELDS).changes:
            return newer
    return None


class HistoryAdminMixin(SimpleHistoryAdmin):
    """simple-history's history page (who, when, which fields from what to what,
    revert to any version) plus a list of deleted records that can be restored."""

    change_list_template = "admin/registry/change_list.html"
    recover_list_template = "admin/registry/recover_list.html"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # As simple-history's, without the `updated` timestamp in every diff.
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=("updated",), foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is a save: one transaction, so the edit guard can lock the row.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("recover/", self.admin_site.admin_view(self.recover_list_view), name="%s_%s_recoverlist" % info),
            path(
                "recover/<int:history_id>/",
                self.admin_site.admin_view(self.recover_view),
                name="%s_%s_recover" % info,
            ),
        ] + super().get_urls()

    def has_recover_permission(self, request):
        return self.has_add_permission(request) and self.has_view_permission(request)

    def deleted_records(self):
        """The last historical record of each record that no longer exists."""
        history = self.model.history
        pk_name = self.model._meta.pk.attname
        existing = self.model._default_manager.values(pk_name)
        deletions = (
            history.filter(history_type="-")
            .exclude(**{f"{pk_name}__in": existing})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        )
        seen, result = set(), []
        for record in deletions:
            key = getattr(record, pk_name)
            if key not in seen:
                seen.add(key)
                result.append(record)
        return result

    def recover_list_view(self, request):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Recover deleted {opts.verbose_name_plural}",
            "opts": opts,
            "deleted": self.deleted_records(),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.recover_list_template, context)

    def recover_view(self, request, history_id):
        """POST: save the deleted record again, as it was when deleted, with its id."""
        if not self.has_recover_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        list_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_recoverlist")
        record = self.model.history.filter(history_id=history_id, history_type="-").first()
        if record is None:
            raise Http404("No such deleted record.")
        if request.method != "POST":
            return HttpResponseRedirect(list_url)
        instance = record.instance
        if self.model._default_manager.filter(pk=instance.pk).exists():
            self.message_user(request, f"{opts.verbose_name} {instance} exists already.", messages.WARNING)
            return HttpResponseRedirect(list_url)
        instance._change_reason = f"Restored (deleted {record.history_date:%Y-%m-%d %H:%M} UTC)"
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
                restored_links = self.restore_cascaded_links(record, instance)
        except IntegrityError as error:
            self.message_user(
                request,
                f"{opts.verbose_name} {instance} could not be restored: {error}. "
                "A record it refers to may have been deleted too; restore that first.",
                messages.ERROR,
            )
            return HttpResponseRedirect(list_url)
        self.log_addition(request, instance, [{"added": {}}])
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
        extra = f" with {restored_links} linked record(s) deleted along with it" if restored_links else ""
        self.message_user(request, format_html('Restored <a href="{}">{}</a>{}.', url, instance, extra))
        return HttpResponseRedirect(url)

    def restore_cascaded_links(self, record, instance):
        """Restore the link records (lenders, landings...) that a cascade deleted with
        the record: deletions of child rows pointing at it, recorded within a few
        seconds of the record's own deletion."""
        count = 0
        for relation in self.model._meta.related_objects:
            child = relation.related_model
            if not relation.one_to_many or relation.on_delete is not models.CASCADE or not hasattr(child, "history"):
                continue
            rows = child.history.filter(
                history_type="-",
                history_date__gte=record.history_date - CASCADE_WINDOW,
                history_date__lte=record.history_date + CASCADE_WINDOW,
                **{relation.field.attname: instance.pk},
            )
            for row in rows:
                if child._default_manager.filter(pk=row.id).exists():
                    continue
                child_instance = row.instance
                child_instance._change_reason = "Restored with its record"
                child_instance.save(force_insert=True)
                count += 1
        return count

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["has_recover_permission"] = self.has_recover_permission(request)
        return super().changelist_view(request, extra_context)

