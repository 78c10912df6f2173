"""manage.py shell script: the bench's staff accounts (throwaway database only)."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

User = get_user_model()
password = os.environ["BENCH_PASSWORD"]
for username, group in (("bench-editor", "Editors"), ("bench-reviewer", "Medical reviewers")):
    user, _ = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
    )
    user.is_staff = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=group))
print("bench users ready")
