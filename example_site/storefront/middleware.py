"""htmx and redirects: a part of a page that answers "go elsewhere" loads that page whole."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect


class HtmxRedirectMiddleware:
    """A redirect answering an htmx request becomes htmx's ``HX-Redirect``.

    htmx follows a 302 itself and swaps the page it lands on into the part:
    a visitor who is not logged in (or whose session ended) would see the
    login page inside the cart button's status line. The browser goes there instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        redirect = response.status_code in (301, 302, 303, 307, 308) and "Location" in response
        if getattr(request, "htmx", False) and redirect:
            return HttpResponseClientRedirect(response["Location"])
        return response
