"""Receivers connected in ``ShopCatalogConfig.ready()``.

shop_catalog listens to nothing of other apps; files of deleted or replaced
images are removed by django-cleanup (add it to INSTALLED_APPS).
"""
