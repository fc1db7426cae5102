"""Roles as groups: seed_roles, create_user, assign_role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from shop_accounts.selectors import has_role, role_stats, user_roles, users_with_role
from shop_accounts.services import assign_role, create_user, seed_roles, validate_roles
from shop_accounts.signals import role_assigned

from .conftest import users_with_email

pytestmark = pytest.mark.django_db

ROLES = ["customer", "supplier", "specialist", "manager"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_roles_creates_groups_with_permissions():
    output = run("seed_roles")

    assert "Roles are seeded" in output
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    manager = Group.objects.get(name="manager")
    assert set(manager.permissions.values_list("codename", flat=True)) == {
        "view_profile",
        "verify_company",
    }
    assert not Group.objects.get(name="customer").permissions.exists()
    run("seed_roles")  # idempotent
    assert Group.objects.count() == 4


def test_validate_reports_missing_then_passes_after_seeding():
    with pytest.raises(CommandError, match="4 problems found"):
        run("seed_roles", "--validate")

    seed_roles()
    Group.objects.get(name="manager").permissions.clear()
    assert validate_roles() == [
        "Role 'manager' lacks permission 'shop_accounts.view_profile'.",
        "Role 'manager' lacks permission 'shop_accounts.verify_company'.",
    ]

    seed_roles()
    assert "All roles are in place" in run("seed_roles", "--validate")


def test_seed_roles_reports_permissions_that_do_not_exist(settings):
    settings.SHOP_ACCOUNTS = {"ROLES": {"auditor": ["shop_accounts.fly_to_moon"]}}

    output = run("seed_roles")

    assert "shop_accounts.fly_to_moon" in output
    assert Group.objects.filter(name="auditor").exists()
    assert validate_roles() == [
        "Permission 'shop_accounts.fly_to_moon' of role 'auditor' does not exist."
    ]


def test_stats_prints_users_per_role(make_user):
    make_user(role="supplier")
    make_user(role="supplier")
    make_user(role="manager")

    output = run("seed_roles", "--stats")

    lines = dict(line.split("\t") for line in output.splitlines())
    assert lines == {"customer": "0", "supplier": "2", "specialist": "0", "manager": "1"}
    assert role_stats()["supplier"] == 2


def test_create_user_command_with_roles():
    output = run(
        "create_user",
        "boss@example.com",
        "--password",
        "Correct-Horse-42",
        "--role",
        "manager",
        "--role",
        "supplier",
        "--staff",
    )

    assert "boss@example.com" in output
    user = users_with_email("boss@example.com").get()
    assert user.is_staff and user.check_password("Correct-Horse-42")
    assert user_roles(user) == ["supplier", "manager"]
    assert user.emailaddress_set.get().verified


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "wizard"], "Unknown role wizard"),
        (["--password", "123"], "too short"),
    ],
)
def test_create_user_command_errors(args, message):
    extra = [] if "--password" in args else ["--password", "Correct-Horse-42"]
    with pytest.raises(CommandError, match=message):
        run("create_user", "x@example.com", *args, *extra)
    assert not get_user_model().objects.exists()


def test_create_user_command_needs_password_without_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--password"):
        run("create_user", "x@example.com")
    assert not get_user_model().objects.exists()


def test_create_user_command_asks_for_password_on_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(
        "shop_accounts.management.commands.create_user.getpass", lambda prompt: "Correct-Horse-42"
    )
    run("create_user", "x@example.com")
    assert users_with_email("x@example.com").get().check_password("Correct-Horse-42")


def test_create_user_command_refuses_duplicate(make_user):
    make_user("x@example.com")
    with pytest.raises(CommandError, match="already registered"):
        run("create_user", "X@example.com", "--password", "Correct-Horse-42")


def test_assign_role_and_signal(user):
    received = []

    def receiver(sender, user, role, **kwargs):
        received.append((user.pk, role))

    role_assigned.connect(receiver)
    try:
        assign_role(user, "specialist")
    finally:
        role_assigned.disconnect(receiver)

    assert received == [(user.pk, "specialist")]
    assert has_role(user, "specialist") and not has_role(user, "manager")
    assert list(users_with_role("specialist")) == [user]


def test_assign_unknown_role_is_an_error(user):
    with pytest.raises(ValidationError) as excinfo:
        assign_role(user, "wizard")
    assert excinfo.value.code == "unknown_role"
    assert not user.groups.exists()


def test_create_user_service_with_unknown_role_creates_nothing():
    with pytest.raises(ValidationError):
        create_user(email="x@example.com", password="Correct-Horse-42", role="wizard")
    assert not get_user_model().objects.exists()
