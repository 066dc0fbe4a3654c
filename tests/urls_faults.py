"""The project's URLs plus views that fail on purpose, for the error-handling tests."""

from django.db import OperationalError
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from dsr_project.urls import handler400, handler403, handler404, handler500  # noqa: F401
from dsr_project.urls import urlpatterns as project_urlpatterns


class Boom(Exception):
    pass


def boom(request):
    raise Boom("SECRET-INTERNAL-DETAIL in a view")


def db_down(request):
    raise OperationalError("connection to server failed: SECRET-INTERNAL-DETAIL")


def count_countries(request):
    from registry.models import Country

    return JsonResponse({"countries": Country.objects.count()})


@csrf_exempt
def echo_body(request):
    if request.content_type == "multipart/form-data":
        return JsonResponse({"fields": len(request.POST), "files": len(request.FILES)})
    return JsonResponse({"length": len(request.body)})


urlpatterns = [
    path("boom", boom),
    path("api/boom", boom),
    path("api/db-down", db_down),
    path("db-down", db_down),
    path("echo", echo_body),
    path("api/count-countries", count_countries),
    path("api/echo", echo_body),
    *project_urlpatterns,
]
