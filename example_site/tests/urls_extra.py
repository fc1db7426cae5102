"""The site's URLs plus views of the tests' own: views that fail, and a plain
DRF view outside the packages (only the site's settings guard it)."""

from django.db import OperationalError
from django.urls import path
from example_site.urls import handler400, handler403, handler404, handler500, urlpatterns
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def boom(request):
    raise RuntimeError("a bug")


def database_down(request):
    raise OperationalError("server closed the connection unexpectedly")


class EchoView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        return Response({"keys": sorted(request.data) if isinstance(request.data, dict) else []})


urlpatterns = [
    path("api/v1/boom/", boom),
    path("boom/", boom),
    path("api/v1/db-down/", database_down),
    path("db-down/", database_down),
    path("api/v1/echo/", EchoView.as_view()),
    *urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
