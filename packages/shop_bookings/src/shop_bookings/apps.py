from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopBookingsConfig(AppConfig):
    name = "shop_bookings"
    verbose_name = _("Bookings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers checks, connects receivers)
        from .services import payment

        payment.connect()
