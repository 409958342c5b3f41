"""The crime cells table (crime.cells). Its key index and triggers, and the counts of the rows already held,
are made after every migrate by crime.cells.ensure (crime/apps.py), from the code of the day: a migration
that called it would run today's SQL against yesterday's schema."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_seed_units_and_rules'),
        ('crime', '0005_crime_id_bytewise'),
        ('geography', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CrimeCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('reported_by', models.CharField(max_length=100)),
                ('crime_type', models.CharField(max_length=64)),
                ('sensitivity', models.CharField(max_length=20)),
                ('records', models.PositiveIntegerField()),
                ('borough', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='geography.borough')),
                ('lsoa', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='geography.lsoa')),
                ('owner_unit', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='access.unit', to_field='code')),
                ('ward', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='geography.ward')),
            ],
        ),
    ]
