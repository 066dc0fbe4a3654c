"""Finding (or creating) the organization a name in an upstream file means.

Used by every importer, so that "Export-Import Bank of China (China Eximbank)", "China
Exim" and "export-import-bank-of-china" all land on one record.
"""

import re

from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from registry.models import AliasKind, Organization, OrganizationAlias, normalize_name

NAME_WITH_ABBREVIATION = re.compile(r"^(?P<name>.+?)\s*\((?P<abbr>[^()]+)\)\s*$")


def split_abbreviation(name):
    """'China Development Bank (CDB)' -> ('China Development Bank', 'CDB'); else (name, '')."""
    name = " ".join((name or "").split())
    match = NAME_WITH_ABBREVIATION.match(name)
    if match:
        return match.group("name").strip(), match.group("abbr").strip()
    return name, ""


class OrganizationResolver:
    """Resolves names to organizations with one query up front, then from memory.

    `resolve(name)` returns the organization, or None when the name matches more than
    one (the caller reports it for a curator; nothing is guessed). `create=True` makes an
    organization for a name that matches none, with its abbreviation as an alias.
    `resolve_all(names)` does the same for many names and writes the organizations it
    creates in bulk (with their history), for importers that meet hundreds of new names.
    """

    def __init__(self, source, report=None, kind_for_new="company"):
        self.source = source
        self.report = report
        self.kind_for_new = kind_for_new
        self.by_key = {}
        self.slugs = set()
        self._pending = None  # while resolve_all runs: [(organization, [aliases])] to write
        for org in Organization.objects.only("id", "slug", "name", "short_name").order_by():
            self._remember(org, org.slug, org.name, org.short_name)
        for alias in OrganizationAlias.objects.select_related("organization").only(
            "name", "organization__id", "organization__slug", "organization__name", "organization__short_name"
        ).order_by():
            self._remember(alias.organization, alias.name)

    def _remember(self, org, *names):
        self.slugs.add(org.slug)
        for name in names:
            key = normalize_name(name)
            if key:
                # An organization not written yet (resolve_all) has no pk: key it by identity.
                self.by_key.setdefault(key, {})[org.pk or id(org)] = org

    def candidates(self, name):
        full, abbr = split_abbreviation(name)
        found = {}
        for key in {normalize_name(name), normalize_name(full), normalize_name(slugify(full))}:
            found.update(self.by_key.get(key, {}))
        if not found and abbr:
            # Only trust the abbreviation when the full name gave nothing.
            found.update(self.by_key.get(normalize_name(abbr), {}))
        return list(found.values())

    def resolve(self, name, create=False, kind=None, country=None, locator=""):
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
        return self._create(name, kind or self.kind_for_new, country, locator)

    def _unique_slug(self, name):
        base = slugify(name)[:110] or "organization"
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
        finally:
            self._pending = None
        return result

    def _create(self, name, kind, country, locator):
        full, abbr = split_abbreviation(name)
        org = Organization(
            slug=self._unique_slug(full),
            name=full,
            short_name=abbr[:80],
            kind=kind,
            country=country,
            source=self.source,
            locator=locator,
        )
        aliases = []
        if abbr:
            aliases.append((abbr, AliasKind.ABBREVIATION))
        if full != name:
            aliases.append((name, AliasKind.PRINTED_FORM))
        alias_records = [
            OrganizationAlias(name=alias, kind=alias_kind, source=self.source, locator=locator)
            for alias, alias_kind in aliases
        ]
        if self._pending is not None:
            self._pending.append((org, alias_records))
        else:
            org.save()
            for alias in alias_records:
                alias.organization = org
                alias.save()
        self._remember(org, org.slug, org.name, org.short_name, *(a for a, _ in aliases))
        if self.report:
            self.report.count("organization", "created")
        return org
