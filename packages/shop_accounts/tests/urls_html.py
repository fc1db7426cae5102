"""The package's API plus allauth's own HTML pages, as a site with both mounts them."""

from django.urls import include, path

from .urls import urlpatterns as api_urlpatterns

urlpatterns = [*api_urlpatterns, path("accounts/", include("allauth.urls"))]
