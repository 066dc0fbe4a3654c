"""The two curator roles: Curators add and change; Editors may also delete and verify."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = [
    "source",
    "organization",
    "organizationalias",
    "ownershipstake",
    "organizationactivity",
    "agreement",
    "agreementparty",
    "project",
    "projectparty",
    "loan",
    "loanparty",
    "financeestimate",
    "submarinecable",
    "landingstation",
    "cablelanding",
    "cablelistedcountry",
    "cableparty",
    "cameracount",
    "reportedtotal",
    "fieldcitation",
    "instrument",
]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    registry_perms = Permission.objects.filter(
        content_type__app_label="registry", content_type__model__in=CURATED_MODELS
    )

    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.set(registry_perms.filter(codename__regex=r"^(add|change|view)_"))
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(registry_perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Curators", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
