# RateCounter moves from the api app to accounts without touching the database: the table
# api_ratecounter, created by api 0001, stays where it is and keeps its rows. This migration
# only tells Django's model state that accounts now owns it; api 0002 drops it from api's state.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_api_token'),
        # The table must exist before accounts claims it.
        ('api', '0001_rate_counter'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RateCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200)),
                        ('window_start', models.BigIntegerField()),
                        ('hits', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'api_ratecounter',
                        'indexes': [models.Index(fields=['window_start'], name='rate_counter_window')],
                        'constraints': [models.UniqueConstraint(fields=('key', 'window_start'), name='rate_counter_key_window')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
