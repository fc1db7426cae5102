from django.http import JsonResponse
from django.urls import include, path


def ceiling(request):
    """S0: the cheapest Django view, to scale every other figure."""
    return JsonResponse({"status": "ok", "items": [1, 2, 3]})


urlpatterns = [
    path("bench/ceiling/", ceiling),
    path("", include("example_site.urls")),
]
