"""Database-specific pieces: the PostgreSQL-only no-overlap exclusion constraint.

SQLite (and other databases) cannot express "no two ranges overlap", so the
constraint is not in ``Booking.Meta.constraints`` (``migrate`` would fail
there, and ``makemigrations`` would keep proposing it). Instead migration
0002 runs ``PostgresOnlyExclusionConstraint``, which touches only the
database, and only on PostgreSQL. Other databases rely on the locked check
in ``services.create_booking``.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation

EXCLUSION_CONSTRAINT_NAME = "shop_bookings_booking_no_overlap"


def booking_exclusion_constraint():
    """The ExclusionConstraint: same specialist, overlapping blocked range, pending/confirmed."""
    # Imported here: django.contrib.postgres needs psycopg, which a SQLite
    # project need not install.
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import RangeBoundary, RangeOperators
    from django.db.models import Func, Q

    class TsTzRange(Func):
        function = "TSTZRANGE"

    return ExclusionConstraint(
        name=EXCLUSION_CONSTRAINT_NAME,
        expressions=[
            ("specialist", RangeOperators.EQUAL),
            (
                TsTzRange("blocked_start", "blocked_end", RangeBoundary()),
                RangeOperators.OVERLAPS,
            ),
        ],
        condition=Q(status__in=["pending", "confirmed"]),
    )


class PostgresOnlyExclusionConstraint(Operation):
    """Create btree_gist and the booking exclusion constraint on PostgreSQL; no-op elsewhere."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass  # database only: the model state does not carry the constraint

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        model = to_state.apps.get_model(app_label, "Booking")
        schema_editor.add_constraint(model, booking_exclusion_constraint())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, "Booking")
        schema_editor.remove_constraint(model, booking_exclusion_constraint())

    def describe(self):
        return "Create the booking no-overlap exclusion constraint (PostgreSQL only)"

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {})
