"""Mounted by the site under ``/api/v1/catalog/``: ``include("shop_catalog.urls")``."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "shop_catalog"

router = DefaultRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("shops", views.ShopViewSet, basename="shop")
router.register("products", views.ProductViewSet, basename="product")
router.register("supplier/shops", views.SupplierShopViewSet, basename="supplier-shop")
router.register("supplier/offers", views.SupplierOfferViewSet, basename="supplier-offer")
router.register("supplier/imports", views.ImportJobViewSet, basename="supplier-import")

urlpatterns = router.urls
