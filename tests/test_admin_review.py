"""Review: send for review, verify (who and when), the verify permission and the
four-eyes rule (DSR_FORBID_SELF_VERIFY)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from registry.models import ReviewStatus
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:registry_loan_changelist")


def act(client, action, *objs):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [o.pk for o in objs], "index": 0}, follow=True
    )


def edit_loan(client, loan, **changes):
    url = reverse("admin:registry_loan_change", args=[loan.pk])
    response = client.post(url, change_form_data(client, url, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    loan.refresh_from_db()


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_send_for_review_then_verify_records_who_and_when(client, curator, editor):
    loan = factories.LoanFactory()
    client.force_login(curator)
    edit_loan(client, loan, amount_usd="1000.00")
    act(client, "send_for_review", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.NEEDS_REVIEW

    client.force_login(editor)
    response = act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.VERIFIED
    assert loan.verified_by == editor and loan.verified_at is not None
    assert any("verified by editor" in m for m in messages_of(response))
    latest = loan.history.latest()
    assert latest.history_user == editor and latest.history_change_reason == "Verified"


def test_a_curator_cannot_verify(client, curator):
    loan = factories.LoanFactory()
    client.force_login(curator)
    page = client.get(CHANGELIST)
    actions = dict(page.context["action_form"].fields["action"].choices)
    assert "send_for_review" in actions and "verify" not in actions
    act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.DRAFT

    # Nor through the form's review status.
    url = reverse("admin:registry_loan_change", args=[loan.pk])
    response = client.post(url, change_form_data(client, url, review_status="verified"))
    assert response.status_code == 200
    assert "verify permission" in str(response.context["adminform"].form.errors["review_status"])


def test_an_editor_cannot_verify_their_own_change(client, editor, settings):
    settings.DSR_FORBID_SELF_VERIFY = True
    loan = factories.LoanFactory()
    client.force_login(editor)
    edit_loan(client, loan, amount_usd="1234.00")
    response = act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.DRAFT
    assert any("made the last change" in m for m in messages_of(response)), messages_of(response)

    # A review step by someone else afterwards does not make the change theirs.
    other = factories.UserFactory(username="other-editor", is_staff=True, is_superuser=True)
    client.force_login(other)
    act(client, "send_for_review", loan)
    client.force_login(editor)
    act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.NEEDS_REVIEW

    # Changing a value and verifying in one save is refused too.
    url = reverse("admin:registry_loan_change", args=[loan.pk])
    client.force_login(other)
    response = client.post(url, change_form_data(client, url, amount_usd="99.00", review_status="verified"))
    assert "change you are making yourself" in str(response.context["adminform"].form.errors["review_status"])

    # Another editor verifies.
    act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.VERIFIED and loan.verified_by == other


def test_self_verify_allowed_when_the_setting_is_off(client, editor, settings):
    settings.DSR_FORBID_SELF_VERIFY = False
    loan = factories.LoanFactory()
    client.force_login(editor)
    edit_loan(client, loan, amount_usd="1234.00")
    act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.VERIFIED and loan.verified_by == editor


def test_changing_a_verified_record_sends_it_back_to_review(client, editor, superuser):
    loan = factories.LoanFactory()
    client.force_login(superuser)
    edit_loan(client, loan, amount_usd="1.00")
    client.force_login(editor)
    act(client, "verify", loan)
    loan.refresh_from_db()
    assert loan.review_status == ReviewStatus.VERIFIED
    client.force_login(superuser)
    edit_loan(client, loan, amount_usd="2.00")
    assert loan.review_status == ReviewStatus.NEEDS_REVIEW
    assert loan.verified_by is None
