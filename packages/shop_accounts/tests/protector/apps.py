from django.apps import AppConfig


class ProtectorConfig(AppConfig):
    name = "tests.protector"
    default_auto_field = "django.db.models.BigAutoField"
