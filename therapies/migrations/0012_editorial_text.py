"""Editorial text becomes content (issue 11): the words of the home page and the About page (editorial policy).

They were written into templates, where nobody reviewed them and no history was kept. Each place a
template fills is now one EditorialText row, a content kind drafted, reviewed and published like the
others. The seed text (fixtures/70-editorial-texts.yaml, loaded by load_seed) is what the pages said.
The editorial groups may view the new kind; nobody may add or change it outside a change request.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The groups and their permissions as they stood when this migration was written (then computed by
# therapies/workflow/roles.py from the kinds registry). Frozen here: a migration is history, and must mean the
# same whatever kinds are added later. Only the permissions that exist at this point are granted.
EDITORS = "Editors"
REVIEWERS = "Medical reviewers"
EDITOR_PERMISSIONS = [
    "edit_content", "view_changerequest", "view_revision", "view_reviewcomment", "view_auditevent",
    "view_therapy", "view_therapyrisk", "view_trial", "view_trialoutcome", "view_risk", "view_reference",
    "view_editorialtext", "view_mscourse", "view_correctionsuggestion", "change_correctionsuggestion",
]
REVIEWER_PERMISSIONS = [*EDITOR_PERMISSIONS, "review_content"]


def ensure_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [(EDITORS, EDITOR_PERMISSIONS), (REVIEWERS, REVIEWER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="therapies", codename__in=codenames))


def refresh_groups(apps, schema_editor):
    """This migration adds a model: create its permissions now (Django would only after all migrations) and give
    the groups theirs, so editors and reviewers can view it at once."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("therapies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    ensure_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0011_approval_covers_what_was_seen'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EditorialText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('live', models.BooleanField(db_index=True, default=False, editable=False, help_text='Published and not withdrawn: visible to the public.')),
                ('first_published_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_published_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_reviewed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('next_review_due', models.DateField(blank=True, db_index=True, editable=False, null=True)),
                ('unpublish_at', models.DateTimeField(blank=True, db_index=True, editable=False, help_text='When set, publish_scheduled unpublishes it at this time.', null=True)),
                ('unpublish_reason', models.TextField(blank=True, editable=False)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(blank=True, editable=False, null=True)),
                ('place', models.CharField(choices=[('home', 'Home page: title and introduction'), ('home-immunotherapy', 'Home page: what immunotherapy does in MS'), ('home-classes', 'Home page: types of immunotherapy (introduction)'), ('drug-class-anti-cd20', 'Home page: anti-CD20 monoclonal antibodies'), ('drug-class-anti-cd52', 'Home page: anti-CD52 monoclonal antibody'), ('drug-class-s1p', 'Home page: S1P receptor modulators'), ('drug-class-anti-integrin', 'Home page: anti-α4-integrin monoclonal antibody'), ('drug-class-antimetabolite', 'Home page: purine antimetabolite'), ('drug-class-other', 'Home page: other immunotherapies'), ('home-courses', 'Home page: courses of MS (introduction)'), ('about', 'About page: title and introduction'), ('about-who-we-are', 'About page: who we are'), ('about-writing', 'About page: who writes and who checks our pages'), ('about-sources', 'About page: where our facts come from'), ('about-review', 'About page: how often pages are reviewed'), ('about-corrections', 'About page: corrections'), ('about-what-we-dont-do', "About page: what we don't do")], error_messages={'unique': 'Another editorial text already fills this place: edit that one instead.'}, help_text='Where readers see it. Each place holds one text.', max_length=40, unique=True)),
                ('title', models.CharField(help_text="The heading readers see (for an introduction, the page's title).", max_length=200)),
                ('summary', models.CharField(blank=True, help_text="Plain text: the page's description in search results (a page introduction only; else empty).", max_length=300)),
                ('body', models.TextField(blank=True, help_text='Markdown. For an introduction, the lead paragraph.')),
                ('last_reviewed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('live_revision', models.ForeignKey(blank=True, editable=False, help_text='The revision the live row was published from (none for content loaded from the seed).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='therapies.revision')),
                ('unpublish_requested_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'editorial text',
                'ordering': ['place'],
            },
        ),
        migrations.RunPython(refresh_groups, migrations.RunPython.noop),
    ]
