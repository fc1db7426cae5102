from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopAccountsConfig(AppConfig):
    name = "shop_accounts"
    verbose_name = _("Shop accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (connects receivers, registers checks)
