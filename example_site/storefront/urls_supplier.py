"""The supplier's desk: price lists and imports, accepting orders, order parts."""

from django.urls import path

from .views import supplier

urlpatterns = [
    path("desk/supplier/", supplier.desk, name="supplier_desk"),
]
