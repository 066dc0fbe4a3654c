"""Finding (or creating) the organization a name in an upstream file means.

Used by every importer, so that "Export-Import Bank of China (China Eximbank)", "China
Exim" and "export-import-bank-of-china" all land on one record.

A printed name is read as a base name followed by bracketed extras, which are
abbreviations ("(CDB)"), other names ("(Crédit Agricole CIB)") or former names
("(Formerly Calyon)"). A bracketed place ("Citibank (Malaysia)") is part of the name.
Matching tries, in order, and stops at the first step that finds anything:

1. the printed name, against every organization's slug, name, short name and aliases;
2. the base name ("X Co., Ltd. (XC)" finds "X Co., Ltd.");
3. both without legal suffixes ("X Co., Ltd." finds "X Company Limited" or "X");
4. the bracketed abbreviations and former names.

A step that finds more than one organization is ambiguous: nothing is guessed.
"""

import re
from dataclasses import dataclass, field

import pycountry
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from registry.models import AliasKind, Organization, OrganizationAlias, normalize_name

FORMERLY = re.compile(r"^(?:formerly known as|formerly|former name|previously)\s*:?\s+", re.IGNORECASE)

# Bracketed words that qualify a name rather than abbreviate it: "(M)" is Malaysia in
# company names there, "(H.K.)" Hong Kong.
PLACE_WORDS = {"m", "hk", "h k", "asia", "europe", "africa", "americas", "latin america", "middle east", "prc"}

# Legal forms dropped for step 3, as normalized word sequences, longest first.
LEGAL_SUFFIXES = sorted(
    (
        s.split()
        for s in [
            "co ltd",
            "co limited",
            "company limited",
            "company ltd",
            "corporation limited",
            "corp ltd",
            "limited",
            "ltd",
            "inc",
            "incorporated",
            "plc",
            "corporation",
            "corp",
            "co",
            "company",
            "sdn bhd",
            "bhd",
            "berhad",
            "ag",
            "gmbh",
            "s a",
            "sa",
            "s p a",
            "spa",
            "n v",
            "nv",
            "llc",
            "public company limited",
            "pcl",
        ]
    ),
    key=len,
    reverse=True,
)


def _place_names():
    names = set(PLACE_WORDS)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(normalize_name(value))
    names.update({"hong kong", "macau", "macao", "taiwan", "china", "vietnam", "laos", "korea", "russia"})
    return names


PLACES = _place_names()


@dataclass
class ParsedName:
    printed: str
    name: str
    abbreviations: list = field(default_factory=list)
    former_names: list = field(default_factory=list)

    @property
    def abbreviation(self):
        return self.abbreviations[0] if self.abbreviations else ""


def _trailing_group(text):
    """'Name (A) (B (C))' -> ('Name (A)', 'B (C)'); None when the text does not end in a
    balanced bracketed group or the group is all there is."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                rest = text[:i].strip()
                return (rest, text[i + 1 : -1].strip()) if rest else None
    return None


def parse_name(printed):
    """Read AidData's (and others') "Name (Abbreviation) (Formerly Old Name)" form."""
    printed = " ".join((printed or "").split())
    parsed = ParsedName(printed=printed, name=printed)
    groups = []
    text = printed
    while True:
        split = _trailing_group(text)
        if not split:
            break
        rest, inner = split
        if normalize_name(inner) in PLACES:
            break
        groups.insert(0, inner)
        text = rest
    parsed.name = text
    for inner in groups:
        former = FORMERLY.match(inner)
        if former:
            old = inner[former.end() :].strip()
            old_parsed = parse_name(old)
            parsed.former_names.extend(dict.fromkeys([old, old_parsed.name, *old_parsed.former_names]))
            continue
        for part in re.split(r"\s+or\s+", inner):
            if part and part not in parsed.abbreviations:
                parsed.abbreviations.append(part)
    return parsed


def split_abbreviation(name):
    """'China Development Bank (CDB)' -> ('China Development Bank', 'CDB'); else (name, '')."""
    parsed = parse_name(name)
    return parsed.name, parsed.abbreviation


def core_key(key):
    """A normalized name without a leading "the" and trailing legal forms."""
    words = key.split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if len(words) > len(suffix) and words[-len(suffix) :] == suffix:
                words = words[: -len(suffix)]
                stripped = True
                break
    return " ".join(words)


def _keys(*names):
    keys = []
    for name in names:
        for key in (normalize_name(name), normalize_name(slugify(name))):
            if key and key not in keys:
                keys.append(key)
    return keys


class OrganizationResolver:
    """Resolves names to organizations with two queries up front, then from memory.

    `resolve(name)` returns the organization, or None when the name matches more than
    one (the caller reports it for a curator; nothing is guessed). `create=True` makes an
    organization for a name that matches none, with its abbreviations and former names
    as aliases. `resolve_all(names)` does the same for many names and writes the
    organizations it creates in bulk (with their history), for importers that meet
    hundreds of new names.
    """

    def __init__(self, source, report=None, kind_for_new="company"):
        self.source = source
        self.report = report
        self.kind_for_new = kind_for_new
        self.by_key = {}
        self.by_core = {}
        self.slugs = set()
        self._pending = None  # while resolve_all runs: [(organization, [aliases])] to write
        # Unordered: the models' default orderings join tables for nothing here.
        for org in Organization.objects.only("id", "slug", "name", "short_name").order_by():
            self._remember(org, org.slug, org.name, org.short_name)
        for alias in OrganizationAlias.objects.select_related("organization").only(
            "name", "organization__id", "organization__slug", "organization__name", "organization__short_name"
        ).order_by():
            self._remember(alias.organization, alias.name)

    def _remember(self, org, *names):
        self.slugs.add(org.slug)
        # An organization not written yet (resolve_all) has no pk: key it by identity.
        ref = org.pk or id(org)
        for key in _keys(*names):
            self.by_key.setdefault(key, {})[ref] = org
            self.by_core.setdefault(core_key(key), {})[ref] = org

    def _lookup(self, index, keys):
        found = {}
        for key in keys:
            found.update(index.get(key, {}))
        return list(found.values())

    def candidates(self, name):
        """The organizations of the first matching step (see the module's docstring)."""
        parsed = parse_name(name)
        steps = [
            (self.by_key, _keys(parsed.printed)),
            (self.by_key, _keys(parsed.name)),
            (self.by_core, [core_key(k) for k in _keys(parsed.printed, parsed.name)]),
            (self.by_key, _keys(*parsed.abbreviations, *parsed.former_names)),
        ]
        for index, keys in steps:
            found = self._lookup(index, [k for k in keys if k])
            if found:
                return found
        return []

    def resolve(self, name, create=False, kind=None, country=None, locator="", state_ownership=None):
        name = " ".join((name or "").split())
        if not name:
            return None
        found = self.candidates(name)
        if len(found) == 1:
            if self.report:
                self.report.count("organization", "matched")
            return found[0]
        if len(found) > 1:
            if self.report:
                names = ", ".join(sorted(org.slug for org in found))
                self.report.flag("organization", f"{name!r} matches {names}")
            return None
        if not create:
            return None
        return self._create(name, kind or self.kind_for_new, country, locator, state_ownership)

    def _unique_slug(self, name):
        base = slugify(name)[:110].strip("-") or "organization"
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def resolve_all(self, names, create=False, kind=None, country=None, locator="", locators=None, change_reason=None):
        """{name: organization or None} for many names, as resolve() would give one by one;
        the organizations created are written with two bulk inserts (and their history,
        with `change_reason`) instead of one at a time. `locators` may give a name its own
        locator ({name: "cable/x.json"}); the others get `locator`."""
        locators = locators or {}
        self._pending = []
        try:
            result = {
                name: self.resolve(name, create=create, kind=kind, country=country, locator=locators.get(name, locator))
                for name in names
            }
            organizations = [org for org, _ in self._pending]
            if organizations:
                bulk_create_with_history(organizations, Organization, batch_size=500, default_change_reason=change_reason)
                aliases = []
                for org, org_aliases in self._pending:
                    for alias in org_aliases:
                        alias.organization = org  # now that it has a pk
                        alias.normalized = normalize_name(alias.name)  # what save() would set
                        aliases.append(alias)
                bulk_create_with_history(aliases, OrganizationAlias, batch_size=500, default_change_reason=change_reason)
                self.by_key = {key: {org.pk: org for org in orgs.values()} for key, orgs in self.by_key.items()}
                self.by_core = {key: {org.pk: org for org in orgs.values()} for key, orgs in self.by_core.items()}
        finally:
            self._pending = None
        return result

    def _taken_by_another(self, alias):
        return any(self.by_key.get(key) for key in _keys(alias))

    def _create(self, name, kind, country, locator, state_ownership=None):
        parsed = parse_name(name)
        extra = {"state_ownership": state_ownership} if state_ownership else {}
        short = parsed.abbreviation
        if len(short) > 80 or self._taken_by_another(short):
            short = ""
        org = Organization(
            slug=self._unique_slug(parsed.name),
            name=parsed.name[:300],
            short_name=short,
            kind=kind,
            country=country,
            source=self.source,
            locator=locator,
            **extra,
        )
        aliases = {}
        for abbr in parsed.abbreviations:
            # A name in another script ("信义玻璃") has no Latin letters left once folded.
            aliases.setdefault(abbr, AliasKind.ABBREVIATION if normalize_name(abbr) else AliasKind.LOCAL_NAME)
        for old in parsed.former_names:
            aliases.setdefault(old, AliasKind.FORMER_NAME)
        if parsed.printed != parsed.name:
            aliases.setdefault(parsed.printed, AliasKind.PRINTED_FORM)
        alias_records = [
            OrganizationAlias(name=alias[:300], kind=alias_kind, source=self.source, locator=locator)
            for alias, alias_kind in aliases.items()
            # An alias another organization already answers to would make both ambiguous.
            if alias != parsed.name and not self._taken_by_another(alias)
        ]
        if self._pending is not None:
            self._pending.append((org, alias_records))
        else:
            org.save()
            for alias in alias_records:
                alias.organization = org
                alias.save()
        self._remember(org, org.slug, org.name, org.short_name, *(a.name for a in alias_records))
        if self.report:
            self.report.count("organization", "created")
        return org
