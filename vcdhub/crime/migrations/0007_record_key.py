"""Record keys for cell key perturbation: a random key (0..255) on every crime, outcome and stop and search,
made by the database for the rows already held, and each crime cell's sum of its records' keys (counted after
the migrate by crime.cells.ensure, since the cells' version changes)."""

from django.db import migrations, models

import vcdhub.platform.records


class Migration(migrations.Migration):

    dependencies = [
        ('crime', '0006_crime_cells'),
    ]

    operations = [
        migrations.AddField(
            model_name='crime',
            name='record_key',
            field=models.PositiveSmallIntegerField(db_default=vcdhub.platform.records.RandomRecordKey(), default=vcdhub.platform.records.random_record_key, editable=False),
        ),
        migrations.AddField(
            model_name='crimecell',
            name='key_sum',
            field=models.BigIntegerField(default=0, help_text="The sum of the records' record keys (cell key perturbation)"),
        ),
        migrations.AddField(
            model_name='outcome',
            name='record_key',
            field=models.PositiveSmallIntegerField(db_default=vcdhub.platform.records.RandomRecordKey(), default=vcdhub.platform.records.random_record_key, editable=False),
        ),
        migrations.AddField(
            model_name='stopsearch',
            name='record_key',
            field=models.PositiveSmallIntegerField(db_default=vcdhub.platform.records.RandomRecordKey(), default=vcdhub.platform.records.random_record_key, editable=False),
        ),
    ]
