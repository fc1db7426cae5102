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


def booking_exclusion_constraint(version: int = 2):
    """The ExclusionConstraint: same specialist, overlapping blocked range, pending/confirmed.

    Version 2 (migration 0008) adds ``session WITH <>``: the seats of one
    group session share a session key and so may share their time, while a
    single seat has a key of its own and is refused any overlap as before.
    """
    # Imported here: django.contrib.postgres needs psycopg, which a SQLite
    # project need not install.
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import RangeBoundary, RangeOperators
    from django.db.models import Func, Q

    class TsTzRange(Func):
        function = "TSTZRANGE"

    expressions = [
        ("specialist", RangeOperators.EQUAL),
        (TsTzRange("blocked_start", "blocked_end", RangeBoundary()), RangeOperators.OVERLAPS),
    ]
    if version >= 2:
        expressions.append(("session", RangeOperators.NOT_EQUAL))
    return ExclusionConstraint(
        name=EXCLUSION_CONSTRAINT_NAME,
        expressions=expressions,
        condition=Q(status__in=["pending", "confirmed"]),
    )


class PostgresOnlyExclusionConstraint(Operation):
    """Create btree_gist and the booking exclusion constraint on PostgreSQL; no-op elsewhere.

    ``version`` > 1 replaces the constraint of the version before it.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, version: int = 1) -> None:
        self.version = version

    def state_forwards(self, app_label, state):
        pass  # database only: the model state does not carry the constraint

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        model = to_state.apps.get_model(app_label, "Booking")
        if self.version > 1:
            schema_editor.remove_constraint(model, booking_exclusion_constraint(self.version - 1))
        schema_editor.add_constraint(model, booking_exclusion_constraint(self.version))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, "Booking")
        schema_editor.remove_constraint(model, booking_exclusion_constraint(self.version))
        if self.version > 1:
            schema_editor.add_constraint(model, booking_exclusion_constraint(self.version - 1))

    def describe(self):
        return (
            f"Create the booking no-overlap exclusion constraint v{self.version} (PostgreSQL only)"
        )

    def deconstruct(self):
        kwargs = {"version": self.version} if self.version != 1 else {}
        return (self.__class__.__qualname__, [], kwargs)
