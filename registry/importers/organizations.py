"""Finding (or creating) the organization a name in an upstream file means.

Used by every importer, so that "Export-Import Bank of China (China Eximbank)", "China
Exim" and "export-import-bank-of-china" all land on one record.
"""

import re

from django.utils.text import slugify

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
    """

    def __init__(self, source, report=None, kind_for_new="company"):
        self.source = source
        self.report = report
        self.kind_for_new = kind_for_new
        self.by_key = {}
        self.slugs = set()
        for org in Organization.objects.only("id", "slug", "name", "short_name"):
            self._remember(org, org.slug, org.name, org.short_name)
        for alias in OrganizationAlias.objects.select_related("organization").only(
            "name", "organization__id", "organization__slug", "organization__name", "organization__short_name"
        ):
            self._remember(alias.organization, alias.name)

    def _remember(self, org, *names):
        self.slugs.add(org.slug)
        for name in names:
            key = normalize_name(name)
            if key:
                self.by_key.setdefault(key, {})[org.pk] = org

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

    def _create(self, name, kind, country, locator):
        full, abbr = split_abbreviation(name)
        org = Organization.objects.create(
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
        for alias, alias_kind in aliases:
            OrganizationAlias.objects.create(
                organization=org, name=alias, kind=alias_kind, source=self.source, locator=locator
            )
        self._remember(org, org.slug, org.name, org.short_name, *(a for a, _ in aliases))
        if self.report:
            self.report.count("organization", "created")
        return org
