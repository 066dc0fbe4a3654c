"""/api/: every path answers with or without its trailing slash, without a redirect."""

from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from .views import ENDPOINTS, ApiRoot, basename

app_name = "api"


class Router(SimpleRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = Router()
for prefix, viewset in ENDPOINTS:
    router.register(prefix, viewset, basename=basename(viewset))

urlpatterns = [
    re_path(r"^$", ApiRoot.as_view(), name="root"),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
