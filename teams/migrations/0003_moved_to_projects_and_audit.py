"""`teams` gives its project and audit models to the `projects` and `audit` apps.

The tables keep their names (`teams_*`): this migration changes only Django's record
of which app owns the models. Nothing is created, altered or copied in the database;
tests/improvewell/test_migrations.py loads rows into the old schema and reads them back.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('teams', '0002_projectupdate'),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name='drivernode',
            name='idea',
        ),
        migrations.RemoveField(
            model_name='drivernode',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='drivernode',
            name='parent',
        ),
        migrations.RemoveField(
            model_name='drivernode',
            name='project',
        ),
        migrations.RemoveField(
            model_name='measure',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='measure',
            name='project',
        ),
        migrations.RemoveField(
            model_name='measurepoint',
            name='measure',
        ),
        migrations.RemoveField(
            model_name='measurepoint',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='pdsacycle',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='pdsacycle',
            name='project',
        ),
        migrations.RemoveField(
            model_name='project',
            name='ideas',
        ),
        migrations.RemoveField(
            model_name='project',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='project',
            name='team',
        ),
        migrations.RemoveField(
            model_name='project',
            name='wards',
        ),
        migrations.RemoveField(
            model_name='projectupdate',
            name='project',
        ),
        migrations.RemoveField(
            model_name='projectupdate',
            name='author',
        ),
        migrations.RemoveField(
            model_name='projectupdate',
            name='organisation',
        ),
        migrations.DeleteModel(
            name='AuditEvent',
        ),
        migrations.DeleteModel(
            name='DriverNode',
        ),
        migrations.DeleteModel(
            name='Measure',
        ),
        migrations.DeleteModel(
            name='MeasurePoint',
        ),
        migrations.DeleteModel(
            name='PDSACycle',
        ),
        migrations.DeleteModel(
            name='Project',
        ),
        migrations.DeleteModel(
            name='ProjectUpdate',
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
