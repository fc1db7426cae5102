"""Mount with ``path("api/v1/accounts/", include("shop_accounts.urls"))``.

Every route is one of this package's views (dj-rest-auth's are subclassed),
so each is depth-safe and follows the package's rules.
"""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from shop_core.fields import ID_PATTERN

from . import views

app_name = "shop_accounts"

router = SimpleRouter()
router.register("companies", views.CompanyViewSet, basename="company")

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("user/", views.UserView.as_view(), name="user"),
    path("user/avatar/", views.AvatarView.as_view(), name="avatar"),
    path("user/email/", views.EmailChangeView.as_view(), name="email_change"),
    path("user/delete/", views.AccountDeletionView.as_view(), name="account_delete"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/confirm/<str:uid>/<str:token>/",
        views.PasswordResetLinkView.as_view(),
        name="password_reset_link",
    ),
    path("registration/", views.RegisterView.as_view(), name="register"),
    path("registration/verify-email/", views.VerifyEmailView.as_view(), name="verify_email"),
    path(
        "registration/verify-email/code/",
        views.VerifyEmailCodeView.as_view(),
        name="verify_email_code",
    ),
    path(
        "registration/verify-email/<str:key>/",
        views.VerifyEmailLinkView.as_view(),
        name="verify_email_link",
    ),
    path(
        "registration/resend-email/",
        views.ResendEmailVerificationView.as_view(),
        name="resend_email",
    ),
    path("google/", views.GoogleLoginView.as_view(), name="google_login"),
    path("sessions/", views.SignInListView.as_view(), name="sign_ins"),
    path("sessions/revoke-others/", views.SignOutOthersView.as_view(), name="sign_out_others"),
    path("sessions/<uuid:pk>/", views.SignInView.as_view(), name="sign_in"),
    *router.urls,
]

if views.MFA_ENABLED:  # allauth.mfa's models exist only when it is installed
    from . import views_mfa

    urlpatterns += [
        path("login/mfa/", views_mfa.MFALoginView.as_view(), name="mfa_login"),
        path("mfa/", views_mfa.MFAStatusView.as_view(), name="mfa_status"),
        path("mfa/totp/setup/", views_mfa.TOTPSetupView.as_view(), name="totp_setup"),
        path("mfa/totp/activate/", views_mfa.TOTPActivateView.as_view(), name="totp_activate"),
        path(
            "mfa/totp/deactivate/", views_mfa.TOTPDeactivateView.as_view(), name="totp_deactivate"
        ),
        path("mfa/recovery-codes/", views_mfa.RecoveryCodesView.as_view(), name="recovery_codes"),
        path("mfa/passkeys/", views_mfa.PasskeyListView.as_view(), name="passkeys"),
        path("mfa/passkeys/begin/", views_mfa.PasskeyBeginView.as_view(), name="passkey_begin"),
        re_path(
            rf"^mfa/passkeys/(?P<pk>{ID_PATTERN})/$",  # digits that fit a bigint; else 404
            views_mfa.PasskeyDetailView.as_view(),
            name="passkey",
        ),
        path(
            "login/mfa/passkey/begin/",
            views_mfa.PasskeyMFABeginView.as_view(),
            name="mfa_passkey_begin",
        ),
        path("login/mfa/passkey/", views_mfa.PasskeyMFALoginView.as_view(), name="mfa_passkey"),
        path(
            "login/passkey/begin/",
            views_mfa.PasskeyLoginBeginView.as_view(),
            name="passkey_login_begin",
        ),
        path("login/passkey/", views_mfa.PasskeyLoginView.as_view(), name="passkey_login"),
    ]

# dj-rest-auth fixes USE_JWT at import; so does this module.
if views.USE_JWT:
    urlpatterns += [
        path("token/refresh/", views.TokenRefreshView.as_view(), name="token_refresh"),
        path("token/verify/", views.TokenVerifyView.as_view(), name="token_verify"),
    ]
