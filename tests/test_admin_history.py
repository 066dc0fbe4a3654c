"""History with who/what/from/to, revert to an earlier version, recovery of deleted
records, and the edit guard (no lost updates) on forms and inline rows."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from registry import models
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:registry_{obj._meta.model_name}_change", args=[obj.pk])


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_history_page_shows_who_changed_which_field_from_what_to_what(client, curator):
    loan = factories.LoanFactory(amount_usd=Decimal("329500000.00"))
    client.force_login(curator)
    url = change_url(loan)
    assert client.post(url, change_form_data(client, url, amount_usd="400000000.00")).status_code == 302
    page = text(client.get(reverse("admin:registry_loan_history", args=[loan.pk])))
    assert "curator" in page
    assert re.search(r"amount in USD|amount usd", page, re.I)
    assert "329500000.00" in page and "400000000.00" in page
    assert "updated:" not in page.lower()  # the timestamp is bookkeeping, not a change


def test_revert_to_an_earlier_version(client, curator):
    loan = factories.LoanFactory(amount_usd=Decimal("100.00"))
    first = loan.history.latest()
    client.force_login(curator)
    url = change_url(loan)
    client.post(url, change_form_data(client, url, amount_usd="200.00"))
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("200.00")

    revert_url = reverse("admin:registry_loan_simple_history", args=[loan.pk, first.history_id])
    response = client.post(revert_url, change_form_data(client, revert_url))
    assert response.status_code == 302, response.context["adminform"].form.errors
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("100.00")
    latest = loan.history.latest()
    assert latest.history_user == curator and latest.amount_usd == Decimal("100.00")
    assert loan.history.count() == 3  # created, changed, reverted: nothing lost


def test_a_revert_opened_before_another_save_is_refused(client, curator, superuser):
    loan = factories.LoanFactory(amount_usd=Decimal("100.00"))
    first = loan.history.latest()
    client.force_login(curator)
    url = change_url(loan)
    client.post(url, change_form_data(client, url, amount_usd="200.00"))
    revert_url = reverse("admin:registry_loan_simple_history", args=[loan.pk, first.history_id])
    stale = change_form_data(client, revert_url)
    loan.refresh_from_db()
    loan.amount_usd = Decimal("300.00")
    loan.save()
    response = client.post(revert_url, stale)
    assert response.status_code == 200
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("300.00")


def test_delete_then_find_and_restore_with_its_lenders(client, editor):
    party = factories.LoanPartyFactory()
    loan = party.loan
    client.force_login(editor)
    response = client.post(reverse("admin:registry_loan_delete", args=[loan.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not models.Loan.objects.filter(pk=loan.pk).exists()
    assert not models.LoanParty.objects.filter(pk=party.pk).exists()

    listing = client.get(reverse("admin:registry_loan_recoverlist"))
    assert loan.title in text(listing)
    deleted = listing.context["deleted"][0]
    assert deleted.history_user == editor
    # The changelist links to it.
    assert reverse("admin:registry_loan_recoverlist") in text(client.get(reverse("admin:registry_loan_changelist")))

    response = client.post(reverse("admin:registry_loan_recover", args=[deleted.history_id]))
    assert response.status_code == 302
    restored = models.Loan.objects.get(pk=loan.pk)
    assert restored.title == loan.title and restored.amount_usd == loan.amount_usd
    assert models.LoanParty.objects.filter(pk=party.pk, loan=restored).exists()
    assert restored.history.latest().history_change_reason.startswith("Restored")
    assert restored.history.latest().history_user == editor
    assert client.get(reverse("admin:registry_loan_recoverlist")).context["deleted"] == []


def test_the_history_of_a_deleted_record_can_be_read(client, editor):
    cable = factories.SubmarineCableFactory()
    pk = cable.pk
    cable.delete()
    response = client.get(reverse("admin:registry_submarinecable_history", args=[pk]))
    assert response.status_code == 302  # not logged in: to the login page
    client.force_login(editor)
    assert client.get(reverse("admin:registry_submarinecable_history", args=[pk])).status_code == 200


def test_a_curator_without_add_permission_cannot_restore(client, db):
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_loan"))
    loan = factories.LoanFactory()
    loan.delete()
    client.force_login(viewer)
    assert client.get(reverse("admin:registry_loan_recoverlist")).status_code == 403


# --- No lost updates ---------------------------------------------------------------


def test_second_curators_stale_save_is_refused_with_what_changed(client, curator, editor):
    loan = factories.LoanFactory(amount_usd=Decimal("100.00"), title="Original title")
    url = change_url(loan)
    client.force_login(editor)
    second = change_form_data(client, url, title="Second curator's title")  # opened first
    first = change_form_data(client, url, amount_usd="555.00")
    client.force_login(curator)
    assert client.post(url, first).status_code == 302

    client.force_login(editor)
    response = client.post(url, second)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "after you opened it" in errors and "NOT saved" in errors
    assert "100.00 → 555.00" in errors and "by curator" in errors
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("555.00") and loan.title == "Original title"
    assert "after you opened it" in text(response)


def test_a_form_without_its_version_is_refused(client, curator):
    loan = factories.LoanFactory()
    url = change_url(loan)
    client.force_login(curator)
    response = client.post(url, change_form_data(client, url, edit_version=None, amount_usd="5.00"))
    assert response.status_code == 200
    loan.refresh_from_db()
    assert loan.amount_usd != Decimal("5.00")


def test_stale_inline_row_is_refused_and_nothing_is_saved(client, curator, editor):
    party = factories.LoanPartyFactory(share=Decimal("50.00"))
    loan = party.loan
    url = change_url(loan)
    client.force_login(editor)
    second = change_form_data(client, url, **{"parties-0-share": "60.00", "title": "Changed by the second"})
    # Meanwhile someone changes the lender row (through the link's own admin page).
    client.force_login(curator)
    party_url = change_url(party)
    assert client.post(party_url, change_form_data(client, party_url, share="75.00")).status_code == 302

    client.force_login(editor)
    response = client.post(url, second)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    row_errors = " ".join(str(e) for e in formset.forms[0].non_field_errors())
    assert "after you opened it" in row_errors and "50.00 → 75.00" in row_errors
    party.refresh_from_db()
    loan.refresh_from_db()
    assert party.share == Decimal("75.00")
    assert loan.title != "Changed by the second"  # the whole save was refused


def test_inline_rows_carry_provenance_and_new_rows_need_a_source(client, curator):
    loan = factories.LoanFactory()
    bank = factories.OrganizationFactory(kind="bank")
    url = change_url(loan)
    client.force_login(curator)
    data = change_form_data(client, url)
    data.update({
        "parties-TOTAL_FORMS": "1", "parties-0-organization": bank.pk, "parties-0-role": "lender",
        "parties-0-locator": "p. 7", "parties-0-confidence": "reported", "parties-0-loan": loan.pk,
    })
    response = client.post(url, data)
    assert response.status_code == 200
    assert "source" in response.context["inline_admin_formsets"][0].formset.forms[0].errors
    data["parties-0-source"] = loan.source_id
    assert client.post(url, data).status_code == 302
    link = loan.parties.get()
    assert link.organization == bank and link.locator == "p. 7"
    assert link.history.latest().history_user == curator


def test_an_api_edit_shows_in_the_admin_history_with_its_user(admin_client, curator):
    from django.test import Client

    from registry.models import ApiToken

    api = Client()  # a script with a token, not the admin's browser session
    loan = factories.LoanFactory(amount_usd=Decimal("329500000.00"))
    _, raw = ApiToken.issue(curator, "script")
    response = api.patch(
        f"/api/loans/{loan.pk}", {"amount_usd": "400000000.00"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert response.status_code == 200, response.content
    page = admin_client.get(reverse("admin:registry_loan_history", args=[loan.pk])).content.decode()
    assert "400000000" in page
    latest = loan.history.latest()
    assert latest.history_user == curator
    assert f">{curator.username}<" in page or curator.username in page
