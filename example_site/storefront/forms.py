"""Forms of the storefront: they parse input; the packages' services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop_cabinet.models import Address
from shop_cabinet.selectors import addresses_of
from shop_orders.models import ADDRESS_FIELDS

QUANTITY_MAX = 10_000  # a form bound; the order package has its own


class AddToCartForm(forms.Form):
    offer = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX)


class AddressForm(forms.ModelForm):
    """A delivery address with the address book's own validation (phone, postal code)."""

    class Meta:
        model = Address
        fields = ADDRESS_FIELDS


class CheckoutForm(forms.Form):
    saved_address = forms.ModelChoiceField(
        queryset=Address.objects.none(),
        required=False,
        blank=True,  # RadioSelect shows the empty choice only then
        empty_label=_("A new address (below)"),
        label=_("Deliver to"),
        widget=forms.RadioSelect,
    )
    save_address = forms.BooleanField(
        required=False, initial=True, label=_("Save the new address in my address book")
    )
    comment = forms.CharField(
        required=False,
        max_length=1000,
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # One key per rendered form: submitting it twice places one order.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        field = self.fields["saved_address"]
        field.queryset = addresses_of(user).filter(kind=Address.Kind.SHIPPING)
        default = next((a for a in field.queryset if a.is_default), None)
        if default is not None and not self.is_bound:
            self.initial["saved_address"] = default.pk
