"""Placeholder: replaced by the real pages."""

from django.http import HttpRequest, HttpResponse


def specialists(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def my_bookings(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def specialist_desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
