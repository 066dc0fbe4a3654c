"""Indexes for issue 7's benchmark: the audit's vendor sums per all-vendor camera count,
and case-insensitive organization lookups (`lender=exim`). See the models' Meta.indexes."""

import django.db.models.functions.text
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
        migrations.AddIndex(
            model_name='organization',
            index=models.Index(django.db.models.functions.text.Upper('slug'), name='organization_upper_slug'),
        ),
        migrations.AddIndex(
            model_name='organization',
            index=models.Index(django.db.models.functions.text.Upper('short_name'), name='organization_upper_short'),
        ),
        migrations.AddIndex(
            model_name='organization',
            index=models.Index(django.db.models.functions.text.Upper('name'), name='organization_upper_name'),
        ),
    ]
