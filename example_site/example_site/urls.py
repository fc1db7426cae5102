from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import errors, views

# JSON with a code on /api/ paths, Django's pages elsewhere (errors.py).
handler400 = errors.handler400
handler403 = errors.handler403
handler404 = errors.handler404
handler500 = errors.handler500

urlpatterns = [
    path("", include("storefront.urls")),
    path("about/", views.start_page, name="start"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/accounts/", include("shop_accounts.urls")),
    path("api/v1/bookings/", include("shop_bookings.urls")),
    path("api/v1/catalog/", include("shop_catalog.urls")),
    path("api/v1/orders/", include("shop_orders.urls")),
    path("api/v1/cabinet/", include("shop_cabinet.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
if settings.DEBUG:  # under gunicorn too (the browser tests); a proxy serves them in production
    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
