"""The migrations carry the editorial groups' permissions as literals (frozen history, issue 21 item 5). A fresh
`migrate` must still give the groups exactly what today's role definition (workflow/roles.py) computes from the
kinds, so a new kind whose migration forgot to grant `view_<kind>`, or a role list changed without a migration,
is caught here. The groups are read as the migrations left them, before any test's flush re-creates them from
workflow/roles.py (conftest.py, `migrated_groups`).
"""

import pytest

from therapies.models.roles import EDIT, REVIEW
from therapies.workflow.roles import EDITORS, GROUPS, REVIEWERS

pytestmark = pytest.mark.django_db


def test_a_fresh_migrate_gives_the_groups_exactly_todays_role_permissions(migrated_groups):
    assert set(migrated_groups) == set(GROUPS)
    for group, codenames in GROUPS.items():
        expected = {("therapies", codename) for codename in codenames}
        assert migrated_groups[group] - expected == set(), f"{group}: the migrations grant more than roles.py"
        assert expected - migrated_groups[group] == set(), f"{group}: the migrations grant less than roles.py"


def test_the_migrated_groups_hold_the_roles_the_site_reads(migrated_groups):
    """The role the workflow and the emails read (models/roles.py) is held by the right group only."""
    assert ("therapies", EDIT) in migrated_groups[EDITORS] and ("therapies", REVIEW) not in migrated_groups[EDITORS]
    assert {("therapies", EDIT), ("therapies", REVIEW)} <= migrated_groups[REVIEWERS]
