import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the 'admin' superuser if there is none. The password is DSR_ADMIN_PASSWORD, "
        "or a random one printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        given = os.environ.get("DSR_ADMIN_PASSWORD")
        user = User.objects.filter(username=username).first()
        if user is not None:
            if given:
                user.set_password(given)
                user.save(update_fields=["password"])
                self.stdout.write(f"Admin account '{username}': password set from DSR_ADMIN_PASSWORD.")
            else:
                self.stdout.write(f"Admin account '{username}' exists; its password is unchanged.")
            return
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if given:
            self.stdout.write(f"Admin account '{username}' created with the password in DSR_ADMIN_PASSWORD.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Admin account '{username}' created. Password: {password}"))
            self.stdout.write("This password is shown once; keep it.")
