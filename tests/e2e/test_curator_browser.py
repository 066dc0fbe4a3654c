"""A curator's afternoon in a real browser: log in, change a loan's amount, read the
change in its history, revert it, and import a CSV whose bad row the preview names."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from registry import models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long curator password"


def test_curator_edits_reverts_and_previews_an_import(page, live_server, tmp_path):
    curator = factories.UserFactory(username="curator", is_staff=True, password=PASSWORD)
    curator.groups.add(Group.objects.get(name="Curators"))
    source = factories.SourceFactory(slug="orf-683")
    factories.OrganizationFactory(slug="china-exim", name="Export-Import Bank of China", kind="bank")
    loan = factories.LoanFactory(title="Philippine broadband", amount_usd=Decimal("329500000.00"), source=source)

    # Log in.
    page.goto("/admin/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard")

    # Change the loan's amount.
    page.goto(f"/admin/registry/loan/{loan.pk}/change/")
    page.fill("#id_amount_usd", "400000000.00")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("400000000.00")

    # The history shows who changed the amount from what to what.
    page.goto(f"/admin/registry/loan/{loan.pk}/history/")
    table = page.inner_text("#change-history")
    assert "curator" in table
    assert re.search(r"329500000\.00\s*→\s*400000000\.00", table), table

    # Revert to the first version: the oldest row of the history.
    page.locator("#change-history tbody tr").last.locator("a").first.click()
    page.wait_for_selector("input[name=_save][value=Revert]")
    assert page.input_value("#id_amount_usd") == "329500000.00"
    page.click("input[name=_save][value=Revert]")
    page.wait_for_selector(".messagelist .success")
    loan.refresh_from_db()
    assert loan.amount_usd == Decimal("329500000.00")
    assert loan.history.count() == 3

    # Import a CSV with one bad row: the preview names the row and its problem.
    csv = tmp_path / "loans.csv"
    csv.write_text(
        "slug,title,borrower_country,lenders,instrument,amount,currency,amount_usd,committed,source\n"
        "id-towers,Indonesian towers,ID,china-exim,loan,1000,USD,1000,2019,orf-683\n"
        "bad-row,Bad row,XX,china-exim,loan,1000,USD,1000,2019,orf-683\n",
        encoding="utf-8",
    )
    page.goto("/admin/registry/loan/import/")
    page.set_input_files("#id_import_file", str(csv))
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit][value=Submit]")
    page.wait_for_selector("#import-preview")
    bad = page.locator("#import-preview tr[data-row='2']")
    assert "Error" in bad.inner_text()
    assert "unknown country code 'XX'" in bad.inner_text()
    good = page.locator("#import-preview tr[data-row='1']")
    assert "New" in good.inner_text()
    assert page.locator("input[name=confirm]").count() == 0  # nothing to confirm
    assert not models.Loan.objects.filter(slug="id-towers").exists()
