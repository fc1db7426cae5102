from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "example_site"
    verbose_name = "Reference site"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the site's system checks)
