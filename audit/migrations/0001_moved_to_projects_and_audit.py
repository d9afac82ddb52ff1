"""The audit trail moves from `teams` to its own app, `audit`.

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
        ('projects', '0001_moved_to_projects_and_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=60)),
                ('before', models.JSONField(blank=True, default=dict)),
                ('after', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('idea', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit_events', to='ideas.idea')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
            ],
            options={
                'db_table': 'teams_auditevent',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='project',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit_events', to='projects.project'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['idea', '-created_at'], name='teams_audit_idea_id_d8c3b4_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['project', '-created_at'], name='teams_audit_project_8f0293_idx'),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
