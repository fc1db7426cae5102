from django.db import migrations

from shop_bookings.db import PostgresOnlyExclusionConstraint


class Migration(migrations.Migration):
    dependencies = [("shop_bookings", "0001_initial")]

    operations = [PostgresOnlyExclusionConstraint()]
