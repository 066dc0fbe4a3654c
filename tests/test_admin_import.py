"""Import with preview: each row new, changed, unchanged or in error with the reason;
nothing written before the confirm step, and then every row or none."""

import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry import models
from tests import factories

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"


@pytest.fixture
def refs(db):
    source = factories.SourceFactory(slug="orf-683")
    exim = factories.OrganizationFactory(slug="china-exim", name="Export-Import Bank of China", kind="bank")
    factories.OrganizationAliasFactory(organization=exim, name="China Eximbank")
    cdb = factories.OrganizationFactory(slug="cdb", name="China Development Bank", short_name="CDB", kind="bank")
    factories.InstrumentRef()
    return {"source": source, "exim": exim, "cdb": cdb}


LOAN_HEADER = "slug,title,borrower_country,lenders,instrument,amount,currency,amount_usd,committed,source,locator"
GOOD_LOANS = (
    LOAN_HEADER + "\n"
    'ph-broadband,Philippine broadband,PH,China Eximbank,loan,"329,500,000",USD,329500000,2017,orf-683,"Table 1"\n'
    "lk-cables,Sri Lanka cables,LKA,cdb; china-exim,loan,20000000,USD,20000000,2018-09,orf-683,p. 7\n"
)


def upload(client, model, content, name="loans.csv", fmt=CSV):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        reverse(f"admin:registry_{model}_import"),
        {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, data)},
    )


def preview(response):
    return [(row["number"], row["status"], row["reasons"]) for row in response.context["preview_rows"]]


def confirm(client, model, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse(f"admin:registry_{model}_process_import"), data, follow=True)


def test_good_file_previews_then_writes_on_confirm(client, curator, refs):
    client.force_login(curator)
    response = upload(client, "loan", GOOD_LOANS)
    assert response.status_code == 200
    assert preview(response) == [(1, "New", []), (2, "New", [])]
    assert response.context["confirm_form"] is not None
    assert not models.Loan.objects.exists()  # nothing written by the preview

    done = confirm(client, "loan", response)
    assert done.status_code == 200
    ph = models.Loan.objects.get(slug="ph-broadband")
    assert ph.amount == Decimal("329500000") and ph.borrower_country.iso2 == "PH"
    assert ph.committed.year == 2017 and ph.committed_precision == "year"
    assert [p.organization.slug for p in ph.parties.all()] == ["china-exim"]
    lk = models.Loan.objects.get(slug="lk-cables")
    assert lk.borrower_country.iso2 == "LK" and lk.committed_precision == "month"
    assert sorted(p.organization.slug for p in lk.parties.all()) == ["cdb", "china-exim"]
    assert ph.history.latest().history_user == curator

    # The same file again: unchanged. One change: changed.
    again = upload(client, "loan", GOOD_LOANS)
    assert preview(again) == [(1, "Unchanged", []), (2, "Unchanged", [])]
    changed = upload(client, "loan", GOOD_LOANS.replace("20000000,USD,20000000", "25000000,USD,25000000"))
    assert preview(changed) == [(1, "Unchanged", []), (2, "Changed", [])]


def test_a_bad_row_is_named_with_its_problem_and_nothing_can_be_confirmed(client, curator, refs):
    client.force_login(curator)
    bad = GOOD_LOANS + "xx-bad,Bad row,XX,nobody-bank,loan,lots,USD,12,2019,orf-683,p. 9\n"
    response = upload(client, "loan", bad)
    rows = preview(response)
    assert [r[:2] for r in rows] == [(1, "New"), (2, "New"), (3, "Error")]
    reasons = " ".join(rows[2][2])
    assert "unknown country code 'XX'" in reasons
    assert "'lots' is not a number" in reasons
    assert "unknown organization 'nobody-bank'" in reasons
    assert response.context.get("confirm_form") is None
    assert not models.Loan.objects.exists()
    page = html.unescape(response.content.decode())
    assert "Error" in page and "unknown country code 'XX'" in page


def test_confirm_writes_all_or_nothing(client, curator, refs):
    client.force_login(curator)
    response = upload(client, "loan", GOOD_LOANS)
    # Between preview and confirm, the slug row 2 names goes away: row 2 now fails, row 1
    # (which names the bank by its alias) would still pass.
    refs["exim"].slug = "exim-renamed"
    refs["exim"].save()
    done = confirm(client, "loan", response)
    assert "Nothing was imported" in html.unescape(done.content.decode())
    assert "row 2" in html.unescape(done.content.decode())
    assert not models.Loan.objects.exists()  # row 1 alone was not written either
    assert not models.LoanParty.objects.exists()


def test_unknown_column_is_a_file_error(client, curator, refs):
    client.force_login(curator)
    response = upload(client, "loan", GOOD_LOANS.replace("locator", "page_number"))
    assert "Unknown column(s): 'page_number'" in html.unescape(response.content.decode())
    assert response.context.get("confirm_form") is None
    assert not models.Loan.objects.exists()


def test_wrong_file_type_and_wrong_encoding(client, curator, refs):
    client.force_login(curator)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    response = upload(client, "loan", png, name="chart.png")
    assert "Wrong file type" in str(response.context["form"].errors["import_file"])
    response = upload(client, "loan", GOOD_LOANS, name="loans.csv", fmt=XLSX)
    assert "Wrong file type" in str(response.context["form"].errors["import_file"])
    latin1 = (LOAN_HEADER + "\nbr-loan,Empréstimo,BR,cdb,loan,1,USD,1,2019,orf-683,p. 1\n").encode("latin-1")
    response = upload(client, "loan", latin1)
    assert "Wrong encoding" in str(response.context["form"].errors["import_file"])
    assert not models.Loan.objects.exists()


def xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cables_with_landing_stations_from_xlsx(client, curator, refs):
    client.force_login(curator)
    data = xlsx([
        ["slug", "name", "abbreviation", "cost_usd", "length_km", "rfs_year", "status", "landing_stations", "source"],
        ["peace", "PEACE Cable", "PEACE", 425000000, 15000, 2022, "in_service",
         "Gwadar (PK); Marseille (FR); Mombasa (KEN)", "orf-683"],
    ])
    response = upload(client, "submarinecable", data, name="cables.xlsx", fmt=XLSX)
    assert preview(response) == [(1, "New", [])]
    confirm(client, "submarinecable", response)
    cable = models.SubmarineCable.objects.get(slug="peace")
    stations = sorted((l.station.name, l.station.country.iso2) for l in cable.landings.all())
    assert stations == [("Gwadar", "PK"), ("Marseille", "FR"), ("Mombasa", "KE")]
    assert all(l.source == refs["source"] for l in cable.landings.all())

    bad = xlsx([["slug", "name", "landing_stations", "source"], ["x", "X", "Nowhere (QQ)", "orf-683"]])
    response = upload(client, "submarinecable", bad, name="cables.xlsx", fmt=XLSX)
    assert "unknown country code 'QQ'" in " ".join(preview(response)[0][2])


def test_camera_counts_and_organizations(client, curator, refs):
    client.force_login(curator)
    hik = factories.OrganizationFactory(slug="hikvision", name="Hikvision")
    response = upload(
        client, "cameracount",
        "slug,country,city,vendor,count,observed,source,via_source\n"
        "vn-hik,VN,,hikvision,\"151,483\",2021,orf-683,\n"
        "vn-all,VNM,,,822324,2021,orf-683,\n",
        name="cameras.csv",
    )
    assert preview(response) == [(1, "New", []), (2, "New", [])]
    confirm(client, "cameracount", response)
    assert models.CameraCount.objects.get(slug="vn-hik").vendor == hik
    assert models.CameraCount.objects.get(slug="vn-all").vendor is None

    response = upload(
        client, "organization",
        "slug,name,kind,country,aliases,source\n"
        "hmn-tech,HMN Technologies,company,CN,Huawei Marine Networks; HMN Tech,orf-683\n"
        "bad-kind,Bad Kind,spaceship,CN,,orf-683\n",
        name="orgs.csv",
    )
    rows = preview(response)
    assert rows[0][:2] == (1, "New") and rows[1][:2] == (2, "Error")
    assert "spaceship" in " ".join(rows[1][2])
    good = upload(client, "organization",
                  "slug,name,kind,country,aliases,source\nhmn-tech,HMN Technologies,company,CN,Huawei Marine Networks,orf-683\n",
                  name="orgs.csv")
    confirm(client, "organization", good)
    assert list(models.Organization.objects.matching("huawei marine networks")) == [
        models.Organization.objects.get(slug="hmn-tech")
    ]


def test_import_needs_add_and_change_permission(client, refs):
    from django.contrib.auth.models import Permission

    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_loan"))
    client.force_login(viewer)
    assert client.get(reverse("admin:registry_loan_import")).status_code == 403
