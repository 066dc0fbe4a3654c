"""Roles, staff-only access, the index dashboard, autocomplete everywhere, and the cost
of a changelist page in queries."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import ForeignKey, ManyToManyField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import models
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def assert_max_queries(n, func):
    """Zulip-style: fail with the queries listed when there are more than `n`."""
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    queries = [q["sql"] for q in ctx.captured_queries]
    assert len(queries) <= n, f"{len(queries)} queries (at most {n} expected):\n" + "\n".join(
        f"{i}. {q}" for i, q in enumerate(queries, 1)
    )
    return result


def test_groups_exist_with_their_permissions():
    curators = set(Group.objects.get(name="Curators").permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    for model in ("loan", "submarinecable", "cameracount", "organization", "loanparty"):
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= curators
        assert f"delete_{model}" not in curators and f"verify_{model}" not in curators
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"verify_{model}"} <= editors


def test_curator_adds_and_changes_but_cannot_delete(client, curator):
    loan = factories.LoanFactory()
    client.force_login(curator)
    assert client.get(reverse("admin:registry_loan_add")).status_code == 200
    url = reverse("admin:registry_loan_change", args=[loan.pk])
    assert client.post(url, change_form_data(client, url, title="New title")).status_code == 302
    assert client.get(reverse("admin:registry_loan_delete", args=[loan.pk])).status_code == 403
    assert client.post(reverse("admin:registry_loan_delete", args=[loan.pk]), {"post": "yes"}).status_code == 403
    assert models.Loan.objects.filter(pk=loan.pk).exists()
    # The bulk delete action is not offered either.
    page = client.get(reverse("admin:registry_loan_changelist"))
    assert "delete_selected" not in dict(page.context["action_form"].fields["action"].choices)
    # Curators may import (add + change) but not manage users.
    assert client.get(reverse("admin:registry_loan_import")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_editor_deletes(client, editor):
    loan = factories.LoanFactory()
    client.force_login(editor)
    assert client.post(reverse("admin:registry_loan_delete", args=[loan.pk]), {"post": "yes"}).status_code == 302
    assert not models.Loan.objects.filter(pk=loan.pk).exists()


def test_admin_is_for_staff_only(client):
    user = factories.UserFactory(username="reader", is_staff=False)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    response = client.get(reverse("admin:registry_loan_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.logout()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_index_shows_counts_awaiting_review_and_latest_changes(client, curator):
    factories.LoanFactory.create_batch(3)
    factories.LoanFactory(review_status="needs_review", title="Loan awaiting a look")
    client.force_login(curator)
    response = client.get(reverse("admin:index"))
    rows = {row["name"]: row for row in response.context["dashboard_counts"]}
    assert rows["loans"]["total"] == 4 and rows["loans"]["awaiting"] == 1
    assert response.context["awaiting_review"] >= 1
    assert any(c["record"] == "Loan awaiting a look" for c in response.context["latest_changes"])
    assert "awaiting review" in response.content.decode()


AUTOCOMPLETE_EXEMPT = {
    # Content types have no admin to search; the user who verified is read-only.
    ("FieldCitation", "content_type"),
    ("ReportedTotal", "row_model"),
}


def test_every_foreign_key_and_many_to_many_uses_autocomplete(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "registry":
            continue
        admins = [(model, model_admin)] + [
            (inline.model, inline) for inline in model_admin.get_inline_instances(request)
        ]
        for form_model, form_admin in admins:
            readonly = set(form_admin.get_readonly_fields(request))
            auto = set(form_admin.get_autocomplete_fields(request))
            fields = form_admin.get_fields(request)
            flat = {f for item in fields for f in (item if isinstance(item, tuple) else (item,))}
            for field in form_model._meta.get_fields():
                if not isinstance(field, (ForeignKey, ManyToManyField)) or field.name not in flat:
                    continue
                if field.name in readonly or (form_model.__name__, field.name) in AUTOCOMPLETE_EXEMPT:
                    continue
                if getattr(form_admin, "fk_name", None) == field.name or (
                    form_model is not model and field.related_model is model
                ):
                    continue  # the inline's own link to its parent
                if field.name not in auto:
                    missing.append(f"{form_model.__name__}.{field.name} ({type(form_admin).__name__})")
    assert not missing, missing


def make_loans(n):
    source = factories.SourceFactory()
    countries = [factories.CountryRef(iso2=c) for c in ("PH", "ID", "MY")]
    banks = [factories.OrganizationFactory(kind="bank", source=source) for _ in range(3)]
    for i in range(n):
        loan = factories.LoanFactory(source=source, borrower_country=countries[i % 3], project=None)
        factories.LoanPartyFactory(loan=loan, organization=banks[i % 3], source=source)


@pytest.mark.parametrize("n", [5, 100])
def test_loan_changelist_costs_the_same_few_queries_whatever_the_page_size(admin_client, n):
    make_loans(n)
    url = reverse("admin:registry_loan_changelist")
    response = assert_max_queries(12, lambda: admin_client.get(url))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == n
    assert "Organization" in response.content.decode()  # the lenders column


def test_cable_and_camera_changelists_cost_a_few_queries(admin_client):
    source = factories.SourceFactory()
    owner = factories.OrganizationFactory(source=source)
    for _ in range(40):
        cable = factories.SubmarineCableFactory(source=source)
        factories.CablePartyFactory(cable=cable, organization=owner, source=source)
        factories.CameraCountFactory(source=source, vendor=owner)
    for name in ("submarinecable", "cameracount", "cableparty", "organization"):
        response = assert_max_queries(16, lambda: admin_client.get(reverse(f"admin:registry_{name}_changelist")))
        assert response.status_code == 200


def test_search_finds_a_loan_by_its_lenders_alias_and_filters_by_lender(admin_client):
    exim = factories.OrganizationFactory(name="Export-Import Bank of China", slug="china-exim", kind="bank")
    factories.OrganizationAliasFactory(organization=exim, name="China Eximbank")
    loan = factories.LoanFactory(title="Broadband for the Philippines")
    factories.LoanPartyFactory(loan=loan, organization=exim)
    other = factories.LoanFactory(title="Another loan")
    url = reverse("admin:registry_loan_changelist")
    found = admin_client.get(url, {"q": "eximbank"}).context["cl"].result_list
    assert list(found) == [loan]
    filtered = admin_client.get(url, {"lender": "china-exim"}).context["cl"].result_list
    assert list(filtered) == [loan]
    assert other not in filtered


def test_export_of_a_filtered_changelist_as_csv_and_xlsx(admin_client):
    ph = factories.LoanFactory(borrower_country=factories.CountryRef(iso2="PH"), title="Philippine loan")
    factories.LoanFactory(borrower_country=factories.CountryRef(iso2="ID"), title="Indonesian loan")
    url = reverse("admin:registry_loan_export") + f"?borrower_country__id__exact={ph.borrower_country_id}"
    response = admin_client.post(url, {"format": "0", "resource": "0"} | {
        f"loanresource_{f}": "on" for f in ("slug", "title", "borrower_country", "amount_usd", "lenders")
    })
    assert response.status_code == 200, response.content[:500]
    body = response.content.decode("utf-8-sig")
    assert "Philippine loan" in body and "Indonesian loan" not in body
    assert ",PH," in body
    response = admin_client.post(url, {"format": "1", "resource": "0", "loanresource_title": "on"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # Every other changelist exports too.
    assert admin_client.get(reverse("admin:registry_landingstation_export")).status_code == 200


def test_loans_selectable_by_aiddata_descriptors_and_documents_inline(admin_client):
    from registry.models import LoanSource
    from tests.factories import LoanFactory, SourceFactory

    wanted = LoanFactory(aiddata_record_id=89494, flow_class="OOF-like", sector="COMMUNICATIONS")
    LoanSource.objects.create(loan=wanted, source=SourceFactory(), position=1, resource_type="Media Report")
    LoanFactory(aiddata_record_id=38613, flow_class="ODA-like", sector="ENERGY", recommended_for_aggregates=False)
    url = reverse("admin:registry_loan_changelist")
    for params in ({"q": "89494"}, {"flow_class": "OOF-like"}, {"sector": "COMMUNICATIONS"},
                   {"recommended_for_aggregates__exact": "1"}):
        response = admin_client.get(url, params)
        assert list(response.context["cl"].result_list) == [wanted], params
    change = admin_client.get(reverse("admin:registry_loan_change", args=[wanted.pk]))
    assert "Media Report" in change.content.decode()
