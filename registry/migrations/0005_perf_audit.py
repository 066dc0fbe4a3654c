"""The audit's per-row probe of vendor sums (issue 7): see CameraCount.Meta.indexes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_aiddata_loan_terms_and_sources'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='cameracount',
            index=models.Index(condition=models.Q(('vendor__isnull', False)), fields=['country', 'city', 'measure', 'source', 'count'], name='cameracount_vendor_sums'),
        ),
    ]
