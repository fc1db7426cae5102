"""The cabinet's API; the site mounts it with
``path("api/v1/cabinet/", include("shop_cabinet.urls"))``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "shop_cabinet"

router = DefaultRouter()
router.register("addresses", views.AddressViewSet, basename="address")
router.register("favourites", views.FavouriteViewSet, basename="favourite")
router.register("orders", views.OrderHistoryViewSet, basename="order")

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("export/", views.PersonalDataExportView.as_view(), name="export"),
    path("export/<uuid:pk>/", views.PersonalDataExportJobView.as_view(), name="export-detail"),
    path(
        "export/<uuid:pk>/download/",
        views.PersonalDataExportDownloadView.as_view(),
        name="export-download",
    ),
    path("", include(router.urls)),
]
