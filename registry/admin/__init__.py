"""The curators' admin, a module per domain (NetBox-style):

- base.py: what every cited model's admin shares (provenance fieldsets, review actions,
  export, history with revert and recovery of deleted records, the edit guard)
- forms.py, history.py: the edit guard and the review rules; reading the history
- imports.py, resources.py: import with preview (django-import-export)
- reference.py, parties.py, finance.py, cables.py, surveillance.py: the models' admins
- dashboard.py: the index page (counts, awaiting review, latest changes)
- audit.py: the data-quality audit's findings at /admin/audit/, linked to their records
"""

from django.contrib import admin

from . import audit, cables, dashboard, finance, parties, reference, surveillance  # noqa: F401 - registers

admin.site.site_header = "DSR Registry"
admin.site.site_title = "DSR Registry"
admin.site.index_title = "Curation"

dashboard.install(admin.site)
audit.install(admin.site)
