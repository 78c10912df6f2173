"""Create the demo accounts for local development (refused unless DEBUG is on)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "msinfo-demo"  # noqa: S105  published demo accounts; the command refuses without DEBUG

# username, first name, last name, group ("" for none), superuser?
DEMO_USERS = [
    ("admin", "Site", "Administrator", "", True),
    ("editor", "Alex", "Morgan", "Editors", False),
    ("editor2", "Sam", "Patel", "Editors", False),
    ("reviewer", "Jo", "Smith", "Medical reviewers", False),
    ("reviewer2", "Lee", "Chen", "Medical reviewers", False),
]


class Command(BaseCommand):
    help = "Create demo accounts for development (DEBUG must be on). Existing accounts are left alone."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only: set DEBUG=1 to create them.")
        User = get_user_model()
        for username, first, last, group, is_superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": True,
                    "is_superuser": is_superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
        self.stdout.write("Demo accounts (development only) — password for each: " + DEMO_PASSWORD)
        for username, first, last, group, is_superuser in DEMO_USERS:
            role = group or ("site administrator (no editorial role)" if is_superuser else "")
            self.stdout.write(f"  {username:<10} {first + ' ' + last:<20} {role}")
        self.stdout.write(f"Log in at {settings.SITE_URL}/admin/")
