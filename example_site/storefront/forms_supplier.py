"""Forms of the supplier's desk: they parse input; the catalog and orders packages decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop_catalog.conf import app_settings as catalog_settings
from shop_catalog.exceptions import PriceListError
from shop_catalog.models import Shop
from shop_catalog.pricelist import check_format, detect_format
from shop_catalog.selectors import shops_of
from shop_orders.models import Status

MISSING_CHOICES = [
    ("zero_stock", _("Set their stock to zero")),
    ("deactivate", _("Take them off sale")),
]


class PriceListForm(forms.Form):
    """A price-list upload into one of the supplier's own shops."""

    shop = forms.ModelChoiceField(queryset=Shop.objects.none(), label=_("Shop"), empty_label=None)
    file = forms.FileField(label=_("Price list"))
    missing = forms.ChoiceField(choices=MISSING_CHOICES, label=_("Goods missing from the file"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops_of(user).order_by("name")
        self.fields["missing"].initial = catalog_settings.IMPORT_MISSING
        formats = catalog_settings.PRICE_LIST_FORMATS
        accept = [f".{fmt}" for fmt in formats] + ([".yml"] if "yaml" in formats else [])
        self.fields["file"].widget.attrs["accept"] = ",".join(accept)
        self.fields["file"].help_text = _("Accepted: %(formats)s.") % {
            "formats": ", ".join(fmt.upper() for fmt in formats)
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            fmt = detect_format(upload.name, getattr(upload, "content_type", "") or "")
            try:
                data["format"] = check_format(fmt)
            except PriceListError:
                self.add_error("file", _("This format is not accepted."))
        return data


class AcceptOrdersForm(forms.Form):
    accepts_orders = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


class PartFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any state")), *Status.choices], required=False, label=_("State")
    )


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Comment for the customer (optional)"),
        widget=forms.TextInput,
    )
