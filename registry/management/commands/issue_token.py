"""Issue an API token: `manage.py issue_token USERNAME --name "what it is for"`.

Prints the token once; only its hash is stored."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user and print it once (only a hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, such as 'nightly import'.")

    def handle(self, *args, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        token, raw = ApiToken.issue(user, name)
        self.stderr.write(f"Token {token.key_hint}… for {username} ({name}); it is shown once, keep it now:")
        self.stdout.write(raw)
