"""The supplier's desk: price lists and imports, accepting orders, order parts;
and the cabinet's personal-data page."""

from django.urls import path

from .views import personal_data, supplier

urlpatterns = [
    path("desk/supplier/", supplier.desk, name="supplier_desk"),
    path("desk/supplier/imports/", supplier.upload, name="supplier_upload"),
    path("desk/supplier/imports/<int:pk>/", supplier.import_job, name="supplier_import"),
    path(
        "desk/supplier/shops/<int:pk>/accepts/",
        supplier.accept_orders,
        name="supplier_accept_orders",
    ),
    path("desk/supplier/orders/", supplier.parts, name="supplier_parts"),
    path("desk/supplier/orders/<int:pk>/", supplier.part, name="supplier_part"),
    path("desk/supplier/orders/<int:pk>/move/", supplier.move, name="supplier_move"),
    path("cabinet/data/", personal_data.personal_data, name="personal_data"),
    path("cabinet/data/<uuid:pk>/download/", personal_data.download, name="personal_data_download"),
]
