"""Forms of the curators' admin: the edit guard (no lost updates) and the review rules."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.models import ReviewStatus

from .history import BOOKKEEPING_FIELDS, changes_since, last_content_change

VERSION_FIELD = "edit_version"


def can_verify(user, model):
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename('verify', opts)}")


def forbid_self_verify():
    return getattr(settings, "DSR_FORBID_SELF_VERIFY", True)


def self_verify_refusal(user, instance):
    """Why `user` may not verify `instance` under the four-eyes rule, or None."""
    if not forbid_self_verify() or instance.pk is None:
        return None
    last = last_content_change(instance)
    if last is not None and last.history_user_id == user.pk:
        return (
            f"{user} made the last change to {instance._meta.verbose_name} “{instance}” "
            f"({last.history_date:%Y-%m-%d %H:%M} UTC); another editor must verify it."
        )
    return None


def stored_version(instance):
    """The version of the record as stored now. A revert's form holds a historical
    instance, whose own timestamp is the old version's: ask the database then."""
    if instance.pk is None:
        return ""
    if getattr(instance, "_history", None) is not None:
        current = type(instance)._default_manager.filter(pk=instance.pk).first()
        return current.version if current else ""
    return instance.version


class VersionGuardForm(forms.ModelForm):
    """A form that refuses to save over a change made since it was opened.

    The version (the record's `updated` timestamp) travels in a hidden field; on save
    the row is locked (SELECT ... FOR UPDATE inside the admin's transaction) and its
    version compared. A stale save is refused with what changed since, and by whom."""

    edit_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial[VERSION_FIELD] = stored_version(self.instance)

    def has_changed(self):
        # The version alone is no change: an untouched inline row is not saved.
        return bool([name for name in self.changed_data if name != VERSION_FIELD])

    def clean(self):
        cleaned = super().clean()
        self.check_version(cleaned.get(VERSION_FIELD) or "")
        return cleaned

    def check_version(self, posted):
        instance = self.instance
        if instance.pk is None:
            return
        model = type(instance)
        current = model._default_manager.select_for_update().filter(pk=instance.pk).first()
        if current is None:
            raise ValidationError(
                f"This {model._meta.verbose_name} was deleted after you opened it; nothing was saved.", code="deleted"
            )
        if not posted:
            raise ValidationError(
                "This form carries no version of the record, so it cannot tell whether someone else saved "
                "it meanwhile; reload the page and make your change again.",
                code="no_version",
            )
        if posted == current.version:
            return
        lines = [
            f"{field}: {old or '(empty)'} → {new or '(empty)'} (by {who}, {when:%Y-%m-%d %H:%M:%S} UTC)"
            for field, old, new, who, when in changes_since(current, posted)
        ]
        raise ValidationError(
            [
                f"Someone saved this {model._meta.verbose_name} (“{current}”) after you opened it. "
                "Your changes were NOT saved and nothing was overwritten. Changed since you opened it:",
                *(lines or ["(the history does not say what; reload to see the current values)"]),
                "Reload the page to see the current values, then make your change again.",
            ],
            code="stale",
        )


class ProvenanceForm(VersionGuardForm):
    """A fact's form: the edit guard, and who may set the review status to verified."""

    request = None  # set by ProvenanceAdmin.get_form

    def content_changed(self):
        ignore = set(BOOKKEEPING_FIELDS) | {VERSION_FIELD}
        return [name for name in self.changed_data if name not in ignore]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("review_status")
        was = self.initial.get("review_status") if self.instance.pk else None
        if status == ReviewStatus.VERIFIED and was != ReviewStatus.VERIFIED and self.request is not None:
            user = self.request.user
            if not can_verify(user, self._meta.model):
                self.add_error("review_status", "Only an editor (with the verify permission) may mark a record verified.")
            elif forbid_self_verify() and (self.instance.pk is None or self.content_changed()):
                self.add_error(
                    "review_status",
                    "You cannot verify a change you are making yourself: save it as “Needs review” "
                    "and another editor will verify it.",
                )
            else:
                refusal = self_verify_refusal(user, self.instance)
                if refusal:
                    self.add_error("review_status", refusal)
        return cleaned

    def apply_review(self, obj, user, change):
        """Record who verified and when; a verified record whose facts change goes back
        to review. Returns a message for the curator, or None."""
        was = self.initial.get("review_status") if change else None
        if obj.review_status == ReviewStatus.VERIFIED:
            if was != ReviewStatus.VERIFIED:
                obj.verified_by, obj.verified_at = user, timezone.now()
            elif self.content_changed():
                obj.review_status = ReviewStatus.NEEDS_REVIEW
                obj.verified_by = obj.verified_at = None
                return f"“{obj}” was verified; your change sends it back to review (needs review)."
        else:
            obj.verified_by = obj.verified_at = None
        return None
