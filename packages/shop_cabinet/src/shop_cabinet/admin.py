"""Admin of the cabinet's data: support staff look up a customer's addresses,
favourites and exports. Default flags are changed through the services so the
one-default-per-kind rule holds."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Address, Favourite, PersonalDataExport


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "recipient", "city", "street", "postal_code", "is_default"]
    list_filter = ["kind", "is_default"]
    search_fields = ["recipient", "city", "street", "postal_code", "phone"]
    raw_id_fields = ["user"]
    readonly_fields = ["is_default", "created"]
    list_select_related = ["user"]
    actions = ["make_default"]

    @admin.action(description=_("Make the selected addresses the default of their kind"))
    def make_default(self, request: Any, queryset: Any) -> None:
        for address in queryset.select_related("user"):
            services.set_default_address(address=address)
        self.message_user(request, _("Done."), messages.SUCCESS)

    def save_model(self, request: Any, obj: Address, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in Address.EDITABLE_FIELDS}
        if change:
            services.update_address(address=obj, **fields)
        else:
            obj.pk = services.create_address(user=obj.user, **fields).pk

    def delete_model(self, request: Any, obj: Address) -> None:
        services.delete_address(address=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for address in queryset.select_related("user"):
            services.delete_address(address=address)


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ["user", "product", "created"]
    raw_id_fields = ["user", "product"]
    list_select_related = ["user", "product"]
    date_hierarchy = "created"


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "status", "created", "finished"]
    list_filter = ["status"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    # The archive is the customer's data: staff see that it exists, not what it holds.
    exclude = ["data"]
    readonly_fields = ["user", "status", "created", "finished"]

    def has_add_permission(self, request: Any) -> bool:
        return False
