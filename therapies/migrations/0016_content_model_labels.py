"""The content model of DESIGN.md for medical content (issue 12).

Schema: every approved route (Therapy.routes, over AdministrationRoute rows) instead of one
`route`; approved indications per regulator with their qualifiers (Therapy.approved_indications,
over Indication rows from fixtures/) instead of bare MS courses;
the formulations text; the three sections every live therapy must have (pregnancy and
breastfeeding, who should not take it, when to get urgent help), each with its own sources; and
TherapyRisk.measure, what a figure counts.

Data: each therapy's one route becomes its first entry in `routes`, creating that route's row
(backwards, the first of its routes becomes `route` again). A new database gets no rows here: the
seed brings the four routes, and an empty database stays empty for a backup import. The old
course list is not carried over: it named no regulator and no qualifier ("Secondary progressive MS" where the
approval is for *active* SPMS), which is the error this migration exists to remove. The seed
(`manage.py load_seed`) sets the qualified indications; on a database with other content an editor
enters them through a change request. Old revisions keep their "indications" and "route" keys;
the new fields have other names, so those ids are never read as ids of Indication rows.
"""

from django.db import migrations, models

ROUTES = ["iv", "oral", "sc", "im"]


def routes_from_route(apps, schema_editor):
    # Only the routes existing therapies use: a new, empty database stays empty (an import of a backup
    # needs one), and the seed (fixtures/11-indications.yaml) brings all four.
    AdministrationRoute = apps.get_model("therapies", "AdministrationRoute")
    Therapy = apps.get_model("therapies", "Therapy")
    for therapy in Therapy.objects.all():
        if therapy.route in ROUTES:
            route, _ = AdministrationRoute.objects.get_or_create(
                code=therapy.route, defaults={"position": ROUTES.index(therapy.route) + 1}
            )
            therapy.routes.add(route)


def route_from_routes(apps, schema_editor):
    Therapy = apps.get_model("therapies", "Therapy")
    for therapy in Therapy.objects.all():
        first = therapy.routes.order_by("position").first()
        therapy.route = first.code if first else "iv"
        therapy.save(update_fields=["route"])


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0015_text_limits_on_new_kinds'),
    ]

    operations = [
        migrations.CreateModel(
            name='AdministrationRoute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(choices=[('iv', 'IV infusion'), ('oral', 'Oral'), ('sc', 'Subcutaneous injection'), ('im', 'Intramuscular injection')], max_length=4, unique=True)),
                ('position', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'route',
                'ordering': ['position'],
            },
        ),
        migrations.AddField(
            model_name='therapy',
            name='routes',
            field=models.ManyToManyField(help_text='Every route it is approved for, by any regulator.', related_name='therapies', to='therapies.administrationroute'),
        ),
        migrations.RunPython(routes_from_route, route_from_routes),
        # A default, so that backwards the column can be added to a table that has rows.
        migrations.AlterField(
            model_name='therapy',
            name='route',
            field=models.CharField(choices=[('iv', 'IV infusion'), ('oral', 'Oral'), ('sc', 'Subcutaneous injection'), ('im', 'Intramuscular injection')], db_index=True, default='iv', max_length=4),
        ),
        migrations.RemoveField(
            model_name='therapy',
            name='route',
        ),
        migrations.RemoveField(
            model_name='therapy',
            name='indications',
        ),
        migrations.AddField(
            model_name='therapy',
            name='contraindications',
            field=models.TextField(blank=True, help_text='Contraindications, by regulator. Markdown.', verbose_name='who should not take it'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='contraindications_references',
            field=models.ManyToManyField(blank=True, related_name='therapies_contraindications', to='therapies.reference', verbose_name='who should not take it sources'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='formulations',
            field=models.TextField(blank=True, help_text='Every approved formulation, with the regulators that approved it. Markdown.'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='pregnancy',
            field=models.TextField(blank=True, help_text='Pregnancy, breastfeeding, and contraception with how long after stopping, by regulator. Markdown.', verbose_name='pregnancy and breastfeeding'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='pregnancy_references',
            field=models.ManyToManyField(blank=True, related_name='therapies_pregnancy', to='therapies.reference', verbose_name='pregnancy and breastfeeding sources'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='urgent_help',
            field=models.TextField(blank=True, help_text='Warning symptoms and what to do. Markdown.', verbose_name='when to get urgent help'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='urgent_help_references',
            field=models.ManyToManyField(blank=True, related_name='therapies_urgent_help', to='therapies.reference', verbose_name='when to get urgent help sources'),
        ),
        migrations.AddField(
            model_name='therapyrisk',
            name='measure',
            field=models.CharField(blank=True, help_text='What the figure counts, in which people and over what time, with its source, for example “ALT ≥3× upper limit of normal, 2-year placebo-controlled trials (EU SmPC)”.', max_length=300),
        ),
        migrations.CreateModel(
            name='Indication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(help_text='For example “eu-ppms-early”.', max_length=40, unique=True)),
                ('regulator', models.CharField(choices=[('fda', 'United States (FDA)'), ('eu', 'European Union')], max_length=3)),
                ('name', models.CharField(help_text='As lists show it, with every qualifier the regulator sets (“active”, “highly active”, “early”).', max_length=300)),
                ('wording', models.TextField(help_text="The regulator's own wording, as in the label's indications section.")),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('courses', models.ManyToManyField(help_text='The MS courses this approval falls under (for filtering).', related_name='indications', to='therapies.mscourse')),
            ],
            options={
                'ordering': ['position'],
            },
        ),
        migrations.AddField(
            model_name='therapy',
            name='approved_indications',
            field=models.ManyToManyField(help_text="What each regulator approved it for, with the regulator's qualifiers.", related_name='therapies', to='therapies.indication'),
        ),
    ]
