"""Migration 0004 (the outbox on shop_core.delivery) keeps what the old columns said."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("shop_accounts", "0003_unique_email_address")]
AFTER = [("shop_accounts", "0004_outgoing_email_due")]


def migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_a_claim_becomes_the_lease_and_other_rows_are_due_since_written():
    old_apps = migrate(BEFORE)
    email = old_apps.get_model("shop_accounts", "OutgoingEmail")
    claim = timezone.now() + timedelta(minutes=7)
    held = email.objects.create(to=["a@example.com"], subject="held", claimed_until=claim)
    waiting = email.objects.create(to=["b@example.com"], subject="waiting", attempts=2)
    try:
        new_apps = migrate(AFTER)
        email = new_apps.get_model("shop_accounts", "OutgoingEmail")
        assert email.objects.get(pk=held.pk).due == claim
        stored = email.objects.get(pk=waiting.pk)
        assert (stored.due, stored.attempts) == (stored.created_at, 2)
        migrate(BEFORE)  # and back
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
