from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopCatalogConfig(AppConfig):
    name = "shop_catalog"
    verbose_name = _("Shop catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers checks, connects receivers)
