"""Placeholder: replaced by the real pages."""

from django.http import HttpRequest, HttpResponse


def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
