"""Chinese development finance from AidData's Global Chinese Development Finance
Dataset, Version 3.0 (GCDF 3.0): the project-level CSV, or the XLSX release (sheet
`GCDF_3.0`).

One Loan per row, keyed by AidData's Record ID. Its parties come from the agency
columns (`|`-separated names, matched through the OrganizationResolver), its documents
from the four parallel source lists (one Source per distinct URL, linked by LoanSource),
and its own source is the dataset. A re-run of the same file writes nothing; a newer
file updates what changed, through the history; the whole run is one transaction.
"""

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from registry.models import (
    Country,
    Currency,
    DatePrecision,
    Instrument,
    Loan,
    LoanParty,
    LoanSource,
    OrganizationKind,
    PartyRole,
    Source,
    SourceKind,
    StateOwnership,
)

from . import ImportFailed, ImportReport, all_or_nothing
from .organizations import OrganizationResolver

SHEET = "GCDF_3.0"
BATCH = 500

DATASET = {
    "slug": "aiddata-gcdf-3",
    "title": "AidData's Global Chinese Development Finance Dataset, Version 3.0",
    "publisher": "AidData at William & Mary",
    "url": "https://www.aiddata.org/data/aiddatas-global-chinese-development-finance-dataset-version-3-0",
    "kind": SourceKind.DATASET,
    "published": date(2023, 11, 1),
    "published_precision": DatePrecision.MONTH,
    "licence": "ODC-By 1.0 (Open Data Commons Attribution License)",
    "note": "Cite as AidData's Global Chinese Development Finance Dataset, Version 3.0 (AidData at William & Mary).",
}

# (agency column, its type column, the party's role)
PARTY_COLUMNS = [
    ("Funding Agencies", "Funding Agencies Type", PartyRole.LENDER),
    ("Co-financing Agencies", "Co-financing Agencies Type", PartyRole.CO_LENDER),
    ("Direct Receiving Agencies", "Direct Receiving Agencies Type", PartyRole.BORROWER),
    ("Indirect Receiving Agencies", "Indirect Receiving Agencies Type", PartyRole.INDIRECT_RECEIVER),
    ("Implementing Agencies", "Implementing Agencies Type", PartyRole.CONTRACTOR),
    ("Guarantor", "Guarantor Agency Type", PartyRole.GUARANTOR),
    ("Insurance Provider", "Insurance Provider Agency Type", PartyRole.INSURER),
    ("Collateral Provider", "Collateral Provider Agency Type", PartyRole.COLLATERAL_PROVIDER),
    ("Security Agent/Collateral Agent", "Security Agent/Collateral Agent Type", PartyRole.COLLATERAL_AGENT),
]

SOURCE_COLUMNS = ["Source URLs", "Source Titles", "Source Publishers", "Source Resource Types"]

EXPORT_BUYERS_CREDIT = "Export Buyer's Credit"
SELLERS_CREDIT = "Supplier\u2019s Credit/Export Seller\u2019s Credit"
INTEREST_FREE = "Interest-Free Loan"

# Loan field: (column, decimal places) for the terms.
TERM_COLUMNS = {
    "maturity_years": ("Maturity", 2),
    "interest_rate": ("Interest Rate", 4),
    "grace_period_years": ("Grace Period", 2),
    "management_fee": ("Management Fee", 4),
    "commitment_fee": ("Commitment Fee", 4),
    "insurance_fee": ("Insurance Fee (Percent)", 4),
    "default_interest_rate": ("Default Interest Rate", 4),
    "grant_element": ("Grant Element (OECD Grant-Equiv)", 4),
    "grant_element_cash_flow": ("Grant Element (OECD Cash-Flow)", 4),
    "grant_element_imf": ("Grant Element (IMF)", 4),
    "source_quality_score": ("Source Quality Score", 2),
    "data_completeness_score": ("Data Completeness Score", 2),
}

REQUIRED_COLUMNS = [
    "AidData Record ID",
    "Recommended For Aggregates",
    "AidData Parent ID",
    "Umbrella",
    "Recipient",
    "Recipient ISO-3",
    "Commitment Year",
    "Title",
    "Description",
    "Status",
    "Intent",
    "Flow Type",
    "Flow Type Simplified",
    "Flow Class",
    "Sector Code",
    "Sector Name",
    *[column for pair in PARTY_COLUMNS for column in pair[:2]],
    "Amount (Original Currency)",
    "Original Currency",
    "Amount Estimated",
    "Amount (Constant USD 2021)",
    "Amount (Nominal USD)",
    "Commitment Date (MM/DD/YYYY)",
    "Commitment Date Estimated",
    *[column for column, _ in TERM_COLUMNS.values()],
    "First Loan Repayment Date",
    "Last Loan Repayment Date",
    "Number of Lenders",
    EXPORT_BUYERS_CREDIT,
    SELLERS_CREDIT,
    INTEREST_FREE,
    *SOURCE_COLUMNS,
]

# The Loan fields the file supplies (compared on a re-run; `source` and `locator` are
# set when a record is created and left to curators afterwards).
LOAN_FIELDS = [
    "title",
    "description",
    "borrower_country_id",
    "instrument_id",
    "amount",
    "currency_id",
    "amount_usd",
    "amount_constant_usd",
    "constant_usd_year",
    "amount_estimated",
    "committed",
    "committed_precision",
    "committed_estimated",
    "aiddata_parent_id",
    "is_umbrella",
    "recommended_for_aggregates",
    "status",
    "intent",
    "flow_type",
    "flow_class",
    "sector",
    "is_syndicated",
    *TERM_COLUMNS,
    "first_repayment",
    "last_repayment",
]

# AidData's flow types -> the registry's instruments. Others get an instrument of their own.
FLOW_TYPE_INSTRUMENTS = {
    "loan": "loan",
    "grant": "grant",
    "free-standing technical assistance": "technical-assistance",
    "debt forgiveness": "debt-forgiveness",
    "debt rescheduling": "debt-rescheduling",
    "export buyer's credit": "export-buyers-credit",
    "supplier's credit/export seller's credit": "export-sellers-credit",
    "interest-free loan": "interest-free-loan",
    "vague tbd": "unspecified",
    "vague (official finance)": "unspecified",
}

SOURCE_KINDS = {
    "media report": SourceKind.NEWS,
    "donor/recipient official source": SourceKind.GOVERNMENT,
    "other official source (non-donor, non-recipient, non-implementing)": SourceKind.GOVERNMENT,
    "implementing/intermediary organization source": SourceKind.WEB_PAGE,
    "ngo/civil society/advocacy (non-donor, non-recipient, non-implementing)": SourceKind.REPORT,
    "social media, including unofficial blogs": SourceKind.WEB_PAGE,
    "academic journal article": SourceKind.ARTICLE,
    "other": SourceKind.OTHER,
}

# A name that stands for an unknown party ("Unspecified Chinese Government Institution")
# is kept as the party's description, not made an organization.
PLACEHOLDER = re.compile(r"^(unspecified|unknown|unidentified)\b", re.IGNORECASE)

MAX_URL = Source._meta.get_field("url").max_length


def split_cell(value):
    """AidData's lists: `|` separates names (a name may contain commas)."""
    return [part.strip() for part in (value or "").split("|")]


def agency_profile(agency_type, name, role, recipient):
    """(kind, state ownership, country) of a new organization from AidData's agency type
    ("Chinese State-owned Policy Bank", "Recipient Government Agency"...)."""
    text = agency_type.lower()
    if "policy bank" in text:
        kind = OrganizationKind.POLICY_BANK
    elif "bank" in text:
        kind = OrganizationKind.BANK
    elif "government agency" in text:
        kind = OrganizationKind.MINISTRY if "ministry" in name.lower() else OrganizationKind.GOVERNMENT_AGENCY
    elif "ngo" in text or "foundation" in text:
        kind = OrganizationKind.NGO
    elif "multilateral" in text:
        kind = OrganizationKind.MULTILATERAL
    elif "company" in text or "private sector" in text or "joint venture" in text:
        kind = OrganizationKind.COMPANY
    else:
        kind = OrganizationKind.OTHER
    if kind in (OrganizationKind.COMPANY, OrganizationKind.OTHER) and re.search(r"\bbank(ing)?\b", name, re.I):
        kind = OrganizationKind.BANK  # "Other Private Sector" is AidData's type for HSBC or OCBC
    if "state-owned" in text:
        ownership = StateOwnership.STATE_OWNED
    elif "government agency" in text:
        ownership = StateOwnership.GOVERNMENT
    elif "private sector" in text:
        ownership = StateOwnership.PRIVATE
    else:
        ownership = StateOwnership.UNKNOWN
    if text.startswith("chinese") or (role == PartyRole.LENDER and not text.startswith(("recipient", "other"))):
        country = "CN"  # GCDF's funding agencies are the Chinese financiers.
    elif text.startswith("recipient"):
        country = recipient
    else:
        country = None
    return kind, ownership, country


@dataclass
class Party:
    role: str
    name: str
    agency_type: str
    column: str


@dataclass
class Document:
    url: str
    title: str
    publisher: str
    resource_type: str


@dataclass
class Record:
    row_number: int
    record_id: int
    values: dict
    flow_type: str
    simplified: str
    instrument_slug: str
    parties: list = field(default_factory=list)
    documents: list = field(default_factory=list)


class RowError(ImportFailed):
    pass


class AidDataImporter:
    def __init__(self, path, dry_run=False, sectors=None, recipients=None, reason=None):
        self.path = Path(path)
        self.dry_run = dry_run
        self.sectors = {s.strip().lower() for s in sectors or [] if s.strip()}
        self.recipients = {r.strip().upper() for r in recipients or [] if r.strip()}
        self.reason = reason or f"import_aiddata {self.path.name}"
        self.report = ImportReport()
        self.rows_read = 0
        self.rows_selected = 0

    # Reading -------------------------------------------------------------------------

    def read(self):
        """The file's header and rows, as dicts of stripped strings."""
        if not self.path.exists():
            raise ImportFailed(f"{self.path}: no such file")
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            header, rows = self._read_xlsx()
        else:
            header, rows = self._read_csv()
        if not any(header):
            raise ImportFailed(f"{self.path.name}: no header row")
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ImportFailed(f"{self.path.name}: missing required column(s): {', '.join(missing)}")
        return rows

    def _read_csv(self):
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            reader.fieldnames = header
            rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
        return header, rows

    def _read_xlsx(self):
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            if SHEET not in workbook.sheetnames:
                raise ImportFailed(f"{self.path.name}: no sheet named {SHEET}")
            cells = workbook[SHEET].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(cells, ())]
            rows = []
            for values in cells:
                if not any(v not in (None, "") for v in values):
                    continue
                rows.append({h: _cell_text(v) for h, v in zip(header, values) if h})
        finally:
            workbook.close()
        return header, rows

    # Parsing ---------------------------------------------------------------------------

    def parse(self, rows, countries, currencies):
        records, seen = [], {}
        for number, row in enumerate(rows, start=2):
            if self.recipients and row["Recipient ISO-3"].upper() not in self.recipients:
                continue
            if self.sectors and not {row["Sector Name"].lower(), row["Sector Code"].lower()} & self.sectors:
                continue
            self.rows_selected += 1
            record = self._parse_row(number, row, countries, currencies)
            if record is None:
                continue
            if record.record_id in seen:
                raise ImportFailed(
                    f"{self.path.name}, row {number}: AidData Record ID {record.record_id} "
                    f"repeats row {seen[record.record_id]}"
                )
            seen[record.record_id] = number
            records.append(record)
        return records

    def _parse_row(self, number, row, countries, currencies):
        where = f"{self.path.name}, row {number}"
        record_id = _integer(row["AidData Record ID"], where, "AidData Record ID")
        if record_id is None:
            raise ImportFailed(f"{where}: no AidData Record ID")
        where = f"{where} (record {record_id})"
        iso3 = row["Recipient ISO-3"].upper()
        if iso3 not in countries:
            recipient = f"{row['Recipient']!r} ({iso3 or 'no code'})"
            self.report.flag("loan", f"record {record_id}: recipient {recipient} is not a country; not imported")
            return None

        def decimal(column, places):
            return _decimal(row[column], places, where, column)

        values = {
            "title": (row["Title"] or f"AidData record {record_id}")[:500],
            "description": row["Description"],
            "borrower_country_id": countries[iso3],
            "status": row["Status"][:60],
            "intent": row["Intent"][:60],
            "flow_type": row["Flow Type"][:120],
            "flow_class": row["Flow Class"][:60],
            "sector": row["Sector Name"][:120],
            "is_umbrella": _yes(row["Umbrella"]),
            "recommended_for_aggregates": _yes(row["Recommended For Aggregates"]),
            "is_syndicated": row["Number of Lenders"].lower().startswith("syndicated"),
            "amount_estimated": _yes(row["Amount Estimated"]),
            "amount_usd": decimal("Amount (Nominal USD)", 2),
            "amount_constant_usd": decimal("Amount (Constant USD 2021)", 2),
        }
        values["constant_usd_year"] = 2021 if values["amount_constant_usd"] is not None else None

        parents = [p for p in split_cell(row["AidData Parent ID"]) if p]
        values["aiddata_parent_id"] = _integer(parents[0], where, "AidData Parent ID") if parents else None
        if len(parents) > 1:
            self.report.note("loan", f"record {record_id}: parent IDs {'|'.join(parents)}; the first is kept")

        amount = decimal("Amount (Original Currency)", 2)
        code = row["Original Currency"].upper()
        if amount is not None and code not in currencies:
            self.report.note(
                "loan", f"record {record_id}: amount {amount} in {code or 'no currency'!r} left out (USD figures kept)"
            )
            amount, code = None, ""
        values["amount"] = amount
        values["currency_id"] = code if amount is not None else None

        committed = _date(row["Commitment Date (MM/DD/YYYY)"], where, "Commitment Date")
        estimated = _yes(row["Commitment Date Estimated"])
        year = _integer(row["Commitment Year"], where, "Commitment Year")
        if committed is not None:
            # An estimated date is only as good as its year.
            precision = DatePrecision.YEAR if estimated else DatePrecision.DAY
        elif year:
            committed, precision = date(year, 1, 1), DatePrecision.YEAR
        else:
            precision = ""
        values["committed"] = committed
        values["committed_precision"] = precision
        values["committed_estimated"] = estimated and committed is not None

        for name, (column, places) in TERM_COLUMNS.items():
            values[name] = decimal(column, places)
        values["first_repayment"] = _date(row["First Loan Repayment Date"], where, "First Loan Repayment Date")
        values["last_repayment"] = _date(row["Last Loan Repayment Date"], where, "Last Loan Repayment Date")

        record = Record(
            row_number=number,
            record_id=record_id,
            values=values,
            flow_type=row["Flow Type"],
            simplified=row["Flow Type Simplified"],
            instrument_slug=self._instrument_slug(row),
        )
        for column, type_column, role in PARTY_COLUMNS:
            names = split_cell(row[column]) if row[column] else []
            types = split_cell(row[type_column]) if row[type_column] else []
            if types and len(types) != len(names):
                self.report.note("party", f"record {record_id}: {len(names)} {column} but {len(types)} types")
                types = []
            for i, name in enumerate(names):
                if name:
                    record.parties.append(Party(role, " ".join(name.split()), types[i] if types else "", column))
        record.documents = self._documents(record_id, row)
        return record

    def _instrument_slug(self, row):
        flow = row["Flow Type"].strip().lower().replace("\u2019", "'")
        if row["Flow Type Simplified"].lower() == "loan" or flow == "loan":
            if _yes(row[EXPORT_BUYERS_CREDIT]):
                return "export-buyers-credit"
            if _yes(row[SELLERS_CREDIT]):
                return "export-sellers-credit"
            if _yes(row[INTEREST_FREE]):
                return "interest-free-loan"
        if not flow:
            return "unspecified"
        return FLOW_TYPE_INSTRUMENTS.get(flow) or slugify(flow.replace("/", " "))[:80]

    def _documents(self, record_id, row):
        """The record's source documents, one per distinct URL, from the parallel lists."""
        if not row["Source URLs"]:
            return []
        urls = split_cell(row["Source URLs"])
        extras = {}
        for column in SOURCE_COLUMNS[1:]:
            values = split_cell(row[column])
            if row[column] and len(values) != len(urls):
                # Misaligned upstream: which value goes with which URL cannot be known.
                self.report.note("source", f"record {record_id}: {len(values)} {column} for {len(urls)} URLs; not used")
                values = []
            extras[column] = values
        documents, seen = [], set()
        for i, url in enumerate(urls):
            if not url or url in seen:
                continue
            if len(url) > MAX_URL:
                self.report.note("source", f"record {record_id}: a URL longer than {MAX_URL} characters left out")
                continue
            seen.add(url)
            title, publisher, resource_type = (_at(extras[column], i) for column in SOURCE_COLUMNS[1:])
            documents.append(Document(url, title, publisher, resource_type))
        return documents

    # Writing ---------------------------------------------------------------------------

    def run(self):
        rows = self.read()
        self.rows_read = len(rows)
        with all_or_nothing(dry_run=self.dry_run):
            country_rows = list(Country.objects.values_list("iso3", "id", "iso2"))
            countries = {iso3: pk for iso3, pk, _ in country_rows}
            iso3_of = {iso2: iso3 for iso3, _, iso2 in country_rows}
            self.recipients = {iso3_of.get(code, code) for code in self.recipients}
            currencies = set(Currency.objects.values_list("code", flat=True))
            records = self.parse(rows, countries, currencies)
            self.dataset = self._dataset_source()
            self.history_date = timezone.now()
            self._instruments(records)
            sources = self._sources(records)
            organizations = self._organizations(records, {pk: iso2 for _, pk, iso2 in country_rows})
            loans, outcome = self._loans(records)
            self._parties(records, loans, organizations, outcome)
            self._citations(records, loans, sources, outcome)
            for record in records:
                self.report.count("loan", outcome[record.record_id])
        return self.report

    def _dataset_source(self):
        source = (
            Source.objects.filter(slug=DATASET["slug"]).first()
            or Source.objects.filter(url=DATASET["url"]).order_by("id").first()
        )
        if source is None:
            source = Source.objects.create(**DATASET)
            self.report.count("source", "created")
        return source

    def _instruments(self, records):
        known = dict(Instrument.objects.values_list("slug", "id"))
        for record in records:
            slug = record.instrument_slug
            if slug not in known:
                name = record.flow_type.strip()[:120] or slug
                if Instrument.objects.filter(name=name).exists():
                    name = f"{name} (AidData)"[:120]
                instrument = Instrument.objects.create(
                    slug=slug,
                    name=name,
                    is_debt=record.simplified.lower() == "loan",
                    description=f"AidData GCDF flow type {record.flow_type!r}.",
                )
                known[slug] = instrument.pk
                self.report.count("instrument", "created")
            record.values["instrument_id"] = known[slug]
        return known

    def _sources(self, records):
        """{url: source id}, creating a Source for each URL not yet known."""
        by_url = {}
        for url, pk in Source.objects.exclude(url="").order_by("id").values_list("url", "id"):
            by_url.setdefault(url, pk)
        slugs = set(Source.objects.values_list("slug", flat=True))
        new, matched = {}, set()
        for record in records:
            for doc in record.documents:
                if doc.url in by_url:
                    matched.add(doc.url)
                elif doc.url not in new:
                    slug = _source_slug(doc.url, slugs)
                    slugs.add(slug)
                    new[doc.url] = Source(
                        slug=slug,
                        title=(doc.title or doc.url)[:500],
                        publisher=doc.publisher[:300],
                        url=doc.url,
                        kind=SOURCE_KINDS.get(doc.resource_type.lower(), SourceKind.OTHER),
                        note=f"Cited in {DATASET['title']}"
                        + (f" as {doc.resource_type!r}." if doc.resource_type else "."),
                    )
        created = bulk_create_with_history(
            list(new.values()), Source, batch_size=BATCH, default_change_reason=self.reason,
            default_date=self.history_date,
        )
        by_url.update({source.url: source.pk for source in created})
        self.report.count("source", "created", len(created))
        self.report.count("source", "matched", len(matched))
        return by_url

    def _organizations(self, records, iso2_of):
        """{printed name: organization or None}, each distinct name resolved once."""
        resolver = OrganizationResolver(self.dataset, report=self.report)
        countries = {}
        resolved = {}
        for record in records:
            for party in record.parties:
                if party.name in resolved:
                    continue
                if PLACEHOLDER.match(party.name):
                    resolved[party.name] = None
                    continue
                kind, ownership, iso2 = agency_profile(
                    party.agency_type, party.name, party.role, iso2_of.get(record.values["borrower_country_id"])
                )
                if iso2 and iso2 not in countries:
                    countries[iso2] = Country.objects.get(iso2=iso2)
                resolved[party.name] = resolver.resolve(
                    party.name,
                    create=True,
                    kind=kind,
                    state_ownership=ownership,
                    country=countries.get(iso2),
                    locator=f"Record ID {record.record_id}, {party.column}",
                )
        return resolved

    def _loans(self, records):
        """Creates and updates the Loans; {record id: loan}, {record id: outcome}."""
        ids = [record.record_id for record in records]
        existing = {}
        for chunk in _chunks(ids):
            existing.update({loan.aiddata_record_id: loan for loan in Loan.objects.filter(aiddata_record_id__in=chunk)})
        new_slugs = [f"aiddata-{i}" for i in ids if i not in existing]
        taken = set()
        for chunk in _chunks(new_slugs):
            taken.update(Loan.objects.filter(slug__in=chunk).values_list("slug", flat=True))

        loans, outcome, to_create, to_update = {}, {}, [], []
        now = timezone.now()
        for record in records:
            loan = existing.get(record.record_id)
            if loan is None:
                slug = f"aiddata-{record.record_id}"
                if slug in taken:
                    slug = f"aiddata-gcdf3-{record.record_id}"
                loan = Loan(
                    slug=slug,
                    aiddata_record_id=record.record_id,
                    source=self.dataset,
                    locator=f"Record ID {record.record_id}",
                    **record.values,
                )
                to_create.append(loan)
                outcome[record.record_id] = "created"
            else:
                changed = [name for name in LOAN_FIELDS if getattr(loan, name) != record.values[name]]
                if changed:
                    for name in changed:
                        setattr(loan, name, record.values[name])
                    loan.updated = now
                    to_update.append(loan)
                    outcome[record.record_id] = "changed"
                else:
                    outcome[record.record_id] = "unchanged"
            loans[record.record_id] = loan
        created = bulk_create_with_history(
            to_create, Loan, batch_size=BATCH, default_change_reason=self.reason, default_date=self.history_date
        )
        for loan in created:
            loans[loan.aiddata_record_id] = loan
        if to_update:
            bulk_update_with_history(
                to_update,
                Loan,
                [*LOAN_FIELDS, "updated"],
                batch_size=BATCH,
                default_change_reason=self.reason,
                default_date=self.history_date,
            )
        return loans, outcome

    def _parties(self, records, loans, organizations, outcome):
        loan_ids = [loan.pk for loan in loans.values()]
        existing = {}
        for chunk in _chunks(loan_ids):
            for party in LoanParty.objects.filter(loan_id__in=chunk):
                existing.setdefault(party.loan_id, {})[(party.organization_id, party.description, party.role)] = party
        to_create, to_delete = [], []
        for record in records:
            loan = loans[record.record_id]
            wanted = {}
            for party in record.parties:
                org = organizations.get(party.name)
                key = (org.pk if org else None, "" if org else party.name[:300], party.role)
                wanted.setdefault(key, party)
            have = existing.get(loan.pk, {})
            for key, party in wanted.items():
                if key not in have:
                    to_create.append(
                        LoanParty(
                            loan=loan,
                            organization_id=key[0],
                            description=key[1],
                            role=key[2],
                            source=self.dataset,
                            locator=f"Record ID {record.record_id}, {party.column}",
                        )
                    )
            stale = [link for key, link in have.items() if key not in wanted]
            to_delete.extend(stale)
            if (stale or any(key not in have for key in wanted)) and outcome[record.record_id] == "unchanged":
                outcome[record.record_id] = "changed"
        for link in to_delete:
            link._change_reason = self.reason
            link.delete()
        bulk_create_with_history(
            to_create, LoanParty, batch_size=BATCH, default_change_reason=self.reason, default_date=self.history_date
        )
        self.report.count("loan party", "created", len(to_create))
        if to_delete:
            self.report.count("loan party", "deleted", len(to_delete))

    def _citations(self, records, loans, sources, outcome):
        loan_ids = [loan.pk for loan in loans.values()]
        existing = {}
        for chunk in _chunks(loan_ids):
            for link in LoanSource.objects.filter(loan_id__in=chunk):
                existing.setdefault(link.loan_id, {})[link.source_id] = link
        to_create, to_update, to_delete = [], [], []
        now = timezone.now()
        for record in records:
            loan = loans[record.record_id]
            have = existing.get(loan.pk, {})
            wanted = {}
            for position, doc in enumerate(record.documents, start=1):
                wanted.setdefault(sources[doc.url], (position, doc.resource_type[:120]))
            changed = False
            for source_id, (position, resource_type) in wanted.items():
                link = have.get(source_id)
                if link is None:
                    to_create.append(
                        LoanSource(
                            loan=loan,
                            source_id=source_id,
                            via_source=self.dataset,
                            position=position,
                            resource_type=resource_type,
                        )
                    )
                    changed = True
                elif (link.position, link.resource_type) != (position, resource_type):
                    link.position, link.resource_type, link.updated = position, resource_type, now
                    to_update.append(link)
                    changed = True
            stale = [link for source_id, link in have.items() if source_id not in wanted]
            to_delete.extend(stale)
            if (changed or stale) and outcome[record.record_id] == "unchanged":
                outcome[record.record_id] = "changed"
        for link in to_delete:
            link._change_reason = self.reason
            link.delete()
        bulk_create_with_history(
            to_create, LoanSource, batch_size=BATCH, default_change_reason=self.reason, default_date=self.history_date
        )
        if to_update:
            bulk_update_with_history(
                to_update,
                LoanSource,
                ["position", "resource_type", "updated"],
                batch_size=BATCH,
                default_change_reason=self.reason,
                default_date=self.history_date,
            )
        self.report.count("loan source", "created", len(to_create))

    def summary(self):
        counts = self.report.counts
        loans = ", ".join(f"{counts[('loan', o)]} {w}" for o, w in
                          (("created", "created"), ("changed", "updated"), ("unchanged", "unchanged")))
        orgs = ", ".join(f"{counts[('organization', o)]} {o}" for o in ("matched", "created", "ambiguous"))
        lines = [
            f"{self.path.name}: {self.rows_read} rows, {self.rows_selected} selected",
            f"records: {loans}",
            f"organizations: {orgs}",
        ]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return lines


# Helpers -------------------------------------------------------------------------------


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _at(values, i):
    return values[i] if i < len(values) else ""


def _yes(value):
    return (value or "").strip().lower() in ("yes", "true", "1", "y")


def _integer(value, where, column):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(Decimal(value))
    except (InvalidOperation, ValueError):
        raise RowError(f"{where}: {column} {value!r} is not a whole number") from None


def _decimal(value, places, where, column):
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{where}: {column} {value!r} is not a number") from None
    if not number.is_finite():
        raise RowError(f"{where}: {column} {value!r} is not a number")
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _date(value, where, column):
    value = (value or "").strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            pass
    raise RowError(f"{where}: {column} {value!r} is not a date (YYYY-MM-DD)")


def _source_slug(url, taken):
    host = urlsplit(url).hostname or "source"
    host = host.removeprefix("www.")
    base = f"{slugify(host)[:60]}-{hashlib.sha1(url.encode()).hexdigest()[:10]}"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _chunks(values, size=900):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]

