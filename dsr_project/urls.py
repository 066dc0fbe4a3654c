from django.contrib import admin
from django.db import connection
from django.db.utils import OperationalError
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView

from registry.api.views import ApiRoot


def health(request):
    """For load balancers and docker-compose: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OperationalError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", RedirectView.as_view(url="/api/", permanent=False)),
    path("health", health, name="health"),
    path("admin/", admin.site.urls),
    # "/api" answers too, without a redirect, like every API path.
    path("api", ApiRoot.as_view()),
    path("api/", include("registry.api.urls")),
]
