from django.db import migrations

from vcdhub.access.seed import seed_units_and_rules


def seed(apps, schema_editor):
    seed_units_and_rules(apps.get_model("access", "Unit"), apps.get_model("access", "VisibilityRule"))


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
