"""One account per e-mail address, enforced by the database.

allauth's ``EmailAddress`` is unique only among verified addresses, so two
simultaneous sign-ups with one address could both pass the "taken?" check
and both insert. This adds a case-insensitive unique index on its e-mail,
so the second insert fails and the sign-up answers as for a taken address.
The index is not part of allauth's model state (it is created here by the
schema editor), so allauth's own migrations and ``makemigrations`` ignore it.
"""

from django.db import migrations
from django.db.models import Count, UniqueConstraint
from django.db.models.functions import Lower

CONSTRAINT = UniqueConstraint(Lower("email"), name="shop_accounts_emailaddress_ci_unique")


def add_unique_index(apps, schema_editor):
    email_address = apps.get_model("account", "EmailAddress")
    duplicates = (
        email_address.objects.using(schema_editor.connection.alias)
        .values(lowered=Lower("email"))
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("lowered", flat=True)
    )
    if duplicates:
        raise RuntimeError(
            "shop_accounts needs one account per e-mail address, but these addresses "
            f"have several allauth EmailAddress rows: {', '.join(list(duplicates)[:20])}. "
            "Merge or delete the extra accounts, then migrate again."
        )
    schema_editor.add_constraint(email_address, CONSTRAINT)


def remove_unique_index(apps, schema_editor):
    schema_editor.remove_constraint(apps.get_model("account", "EmailAddress"), CONSTRAINT)


class Migration(migrations.Migration):
    dependencies = [
        ("shop_accounts", "0002_outgoing_email"),
        ("account", "__latest__"),
    ]

    operations = [migrations.RunPython(add_unique_index, remove_unique_index, elidable=False)]
