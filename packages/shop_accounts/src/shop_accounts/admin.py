from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .exceptions import AccountsError
from .models import DeletedUser, OutgoingEmail, Profile
from .services import set_company_verified


class ProfileInline(admin.StackedInline):
    """Add to your user admin's ``inlines`` to edit the profile in place."""

    model = Profile
    can_delete = False
    fk_name = "user"
    readonly_fields = (
        "avatar_thumbnail",
        "company_verified",
        "company_verified_at",
        "company_verified_by",
    )


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "full_name",
        "customer_kind",
        "company_name",
        "tax_number",
        "company_verified",
    )
    list_filter = ("customer_kind", "company_verified")
    search_fields = ("full_name", "company_name", "tax_number", "phone")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = (
        "avatar_thumbnail",
        "company_verified",
        "company_verified_at",
        "company_verified_by",
    )
    actions = ("verify_companies", "unverify_companies")

    def _set_verified(
        self, request: HttpRequest, queryset: QuerySet[Profile], verified: bool
    ) -> None:
        done = 0
        for profile in queryset.select_related("user"):
            try:
                set_company_verified(profile=profile, verified=verified, by=request.user)
                done += 1
            except AccountsError as exc:
                self.message_user(request, f"{profile}: {exc.detail}", messages.ERROR)
        if done:
            message = ngettext("%(count)d profile updated.", "%(count)d profiles updated.", done)
            self.message_user(request, message % {"count": done})

    @admin.action(description=_("Verify the selected companies"), permissions=["verify"])
    def verify_companies(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        self._set_verified(request, queryset, True)

    @admin.action(description=_("Withdraw the verification"), permissions=["verify"])
    def unverify_companies(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        self._set_verified(request, queryset, False)

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("shop_accounts.verify_company")


@admin.register(DeletedUser)
class DeletedUserAdmin(admin.ModelAdmin):
    list_display = ("user_pk", "email", "date_joined", "deleted_at", "deleted_by_email")
    search_fields = ("email", "user_pk", "deleted_by_email")
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Queued e-mails, read only: what was sent, what waits, what keeps failing
    (``manage.py send_pending_emails --include-failed`` retries those)."""

    list_display = ("subject", "recipients", "created_at", "attempts", "due", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("subject", "last_error")
    date_hierarchy = "created_at"
    exclude = ("body", "html_body")  # they hold one-time links

    @admin.display(description=_("to"))
    def recipients(self, email: OutgoingEmail) -> str:
        return ", ".join(email.to)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
