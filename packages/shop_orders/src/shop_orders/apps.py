from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopOrdersConfig(AppConfig):
    name = "shop_orders"
    verbose_name = _("Shop orders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (connects receivers, registers checks)
