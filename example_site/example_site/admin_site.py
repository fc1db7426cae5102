"""The site's admin: the shop's name on every page, and a landing page for staff
with the day's orders and the latest price-list imports beside the usual app list.

Installed in place of ``django.contrib.admin`` (``ShopAdminConfig`` in
INSTALLED_APPS), as Django documents for overriding the default admin site:
the packages' ``admin.site.register`` calls then register here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class ShopAdminSite(admin.AdminSite):
    site_header = _("Shop administration")
    site_title = _("Shop administration")
    index_title = _("Today in the shop")
    index_template = "admin/shop_index.html"

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        from shop_catalog.selectors import recent_imports
        from shop_orders.selectors import orders_of_day

        context = {
            **(extra_context or {}),
            "orders_today": orders_of_day(),
            "recent_imports": recent_imports(),
        }
        return super().index(request, context)


class ShopAdminConfig(AdminConfig):
    default_site = "example_site.admin_site.ShopAdminSite"
