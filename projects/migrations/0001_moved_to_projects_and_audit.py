"""QI projects move from `teams` to their own app, `projects`.

The tables keep their names (`teams_*`): this migration changes only Django's record
of which app owns the models. Nothing is created, altered or copied in the database;
tests/improvewell/test_migrations.py loads rows into the old schema and reads them back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('ideas', '0008_idea_site'),
        ('organisations', '0002_initial'),
        ('teams', '0003_moved_to_projects_and_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Project',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=160)),
                ('aim', models.TextField(help_text='What will improve, by how much, for whom and by when.', max_length=1000, verbose_name='aim statement')),
                ('stage', models.CharField(choices=[('scoping', 'Scoping'), ('planning', 'Planning'), ('testing', 'Testing'), ('implementing', 'Implementing'), ('sustaining', 'Sustaining'), ('spreading', 'Spreading'), ('complete', 'Complete'), ('stopped', 'Stopped')], default='scoping', max_length=20)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('target_date', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('ideas', models.ManyToManyField(blank=True, related_name='projects', to='ideas.idea')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='projects', to='organisations.organisation')),
                ('team', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='projects', to='teams.team')),
                ('wards', models.ManyToManyField(blank=True, related_name='projects', to='organisations.ward')),
            ],
            options={
                'db_table': 'teams_project',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Measure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=160)),
                ('type', models.CharField(choices=[('outcome', 'Outcome measure'), ('process', 'Process measure'), ('balancing', 'Balancing measure')], default='outcome', max_length=10)),
                ('unit', models.CharField(help_text='For example: minutes, %, falls per 1,000 bed days', max_length=40)),
                ('direction', models.CharField(choices=[('up', 'Higher is better'), ('down', 'Lower is better')], default='up', max_length=4, verbose_name='direction of improvement')),
                ('description', models.TextField(blank=True, max_length=2000, verbose_name='how it is measured')),
                ('target', models.FloatField(blank=True, null=True)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='measures', to='projects.project')),
            ],
            options={
                'db_table': 'teams_measure',
                'ordering': ['type', 'name'],
            },
        ),
        migrations.CreateModel(
            name='DriverNode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('primary', 'Primary driver'), ('secondary', 'Secondary driver'), ('change', 'Change idea')], max_length=10)),
                ('text', models.CharField(max_length=300)),
                ('position', models.PositiveIntegerField(default=0)),
                ('idea', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ideas.idea')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='projects.drivernode')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='driver_nodes', to='projects.project')),
            ],
            options={
                'db_table': 'teams_drivernode',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ProjectUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(max_length=2000)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='projects.project')),
            ],
            options={
                'db_table': 'teams_projectupdate',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='MeasurePoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('value', models.FloatField()),
                ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='points', to='projects.measure')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
            ],
            options={
                'db_table': 'teams_measurepoint',
                'ordering': ['date'],
                'constraints': [models.UniqueConstraint(fields=('measure', 'date'), name='one_point_per_measure_per_date')],
            },
        ),
        migrations.CreateModel(
            name='PDSACycle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('change', models.CharField(max_length=300, verbose_name='the change being tested')),
                ('prediction', models.TextField(max_length=2000, verbose_name='plan: what we predict will happen')),
                ('do_notes', models.TextField(blank=True, max_length=2000, verbose_name='do: what happened')),
                ('study_notes', models.TextField(blank=True, max_length=2000, verbose_name='study: what we learned')),
                ('act', models.CharField(blank=True, choices=[('adopt', 'Adopt'), ('adapt', 'Adapt'), ('abandon', 'Abandon')], max_length=10, verbose_name='act')),
                ('act_notes', models.TextField(blank=True, max_length=2000, verbose_name='act: next steps')),
                ('start_date', models.DateField()),
                ('end_date', models.DateField(blank=True, null=True)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pdsa_cycles', to='projects.project')),
            ],
            options={
                'db_table': 'teams_pdsacycle',
                'ordering': ['number'],
                'constraints': [models.UniqueConstraint(fields=('project', 'number'), name='pdsa_number_unique_in_project')],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
