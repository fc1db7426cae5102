from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopCabinetConfig(AppConfig):
    name = "shop_cabinet"
    verbose_name = _("Customer cabinet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects receivers, registers system checks and the built-in export sections.
        from . import checks, export_sections, receivers  # noqa: F401
