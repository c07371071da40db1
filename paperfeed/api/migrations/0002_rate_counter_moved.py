# RateCounter now belongs to the accounts app (accounts 0003), which took over the table
# api_ratecounter as it is; here it only leaves api's model state. No SQL runs.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_rate_counter'),
        ('accounts', '0003_rate_counter'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RateCounter')],
            database_operations=[],
        ),
    ]
