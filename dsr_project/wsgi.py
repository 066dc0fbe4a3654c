import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.settings")
application = get_wsgi_application()

# Import the URL configuration (and through it every view, serializer and filterset) now,
# not on the first request, then move all these start-up objects, which live as long as
# the process, out of the garbage collector's sight: a full collection would otherwise
# scan all 180,000 of them again and again, several milliseconds at a time mid-request.
get_resolver().url_patterns
gc.freeze()
