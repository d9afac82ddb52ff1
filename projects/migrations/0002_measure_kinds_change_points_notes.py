"""Measures get a kind (measurement, count, rate, percentage) that chooses their SPC chart;
points get a numerator, denominator and a note; change points rebase a measure's limits.

Existing measures become measurements and their points keep their values.
"""

import django.db.models.deletion
from django.db import migrations, models

from improvewell.rls import OrganisationPolicy


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0002_initial'),
        ('projects', '0001_moved_to_projects_and_audit'),
        ('improvewell', '0003_estimable_policies'),
    ]

    operations = [
        migrations.CreateModel(
            name='ChangePoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('label', models.CharField(max_length=60)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['date'],
            },
        ),
        migrations.AddField(
            model_name='measure',
            name='denominator_name',
            field=models.CharField(blank=True, help_text='For a rate or percentage, for example: bed days, or patients audited.', max_length=60, verbose_name='what the denominator counts'),
        ),
        migrations.AddField(
            model_name='measure',
            name='kind',
            field=models.CharField(choices=[('measurement', 'A measurement, such as minutes or a score (XmR chart)'), ('count', 'A count of events, such as falls a week (c-chart)'), ('rate', 'A rate, such as falls per 1,000 bed days (u-chart)'), ('percentage', 'A percentage: how many out of how many (p-chart)')], default='measurement', max_length=12, verbose_name='kind of data'),
        ),
        migrations.AddField(
            model_name='measure',
            name='rate_per',
            field=models.PositiveIntegerField(blank=True, help_text='For a rate: events per this many of the denominator, for example 1,000.', null=True, verbose_name='rate per'),
        ),
        migrations.AddField(
            model_name='measurepoint',
            name='denominator',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='measurepoint',
            name='note',
            field=models.CharField(blank=True, max_length=140),
        ),
        migrations.AddField(
            model_name='measurepoint',
            name='numerator',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='measurepoint',
            constraint=models.CheckConstraint(condition=models.Q(('denominator__isnull', True), ('denominator__gt', 0), _connector='OR'), name='measure_point_denominator_positive'),
        ),
        migrations.AddField(
            model_name='changepoint',
            name='cycle',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='projects.pdsacycle'),
        ),
        migrations.AddField(
            model_name='changepoint',
            name='measure',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='change_points', to='projects.measure'),
        ),
        migrations.AddField(
            model_name='changepoint',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation'),
        ),
        migrations.AddConstraint(
            model_name='changepoint',
            constraint=models.UniqueConstraint(fields=('measure', 'date'), name='one_change_point_per_measure_per_date'),
        ),
        OrganisationPolicy("projects_changepoint"),
    ]
