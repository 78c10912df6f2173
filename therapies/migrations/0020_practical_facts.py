# Issue 25: the structured practical facts of a therapy (therapies/models/practical.py).

import django.core.validators
import therapies.models.limits
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0019_frontend_purge_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='therapy',
            name='breastfeeding_eu',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='What the EU label says; empty if it was not read.', max_length=2000, verbose_name='breastfeeding (EU)'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='breastfeeding_us',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='What the US label says; empty if it was not read.', max_length=2000, verbose_name='breastfeeding (US)'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='checks_before',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='The tests and visits before the first dose, plainly.', max_length=2000, verbose_name='checks before starting'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='checks_first_year',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='The tests and visits in the first year, and when.', max_length=2000, verbose_name='checks in the first year'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='checks_later',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='The tests and visits after the first year, and when.', max_length=2000, verbose_name='checks in later years'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='contraception_eu',
            field=models.CharField(blank=True, help_text='As the EU label gives it, like “4 months”; empty if the label read gives no time.', max_length=12, validators=[django.core.validators.RegexValidator('^([1-9][0-9]?) (day|days|week|weeks|month|months)$', message='Write the time as the label gives it: a number and days, weeks or months, like “6 months”.')], verbose_name='contraception after the last dose (EU)'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='contraception_note',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='What else the labels say: after each course, for men too, a barrier method.', max_length=2000, verbose_name='more on contraception'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='contraception_us',
            field=models.CharField(blank=True, help_text='As the US label gives it, like “6 months”; empty if the label read gives no time.', max_length=12, validators=[django.core.validators.RegexValidator('^([1-9][0-9]?) (day|days|week|weeks|month|months)$', message='Write the time as the label gives it: a number and days, weeks or months, like “6 months”.')], verbose_name='contraception after the last dose (US)'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='dose_time',
            field=models.CharField(blank=True, help_text='For example “about 1 hour, then 1 hour of watching”.', max_length=200, verbose_name='how long a dose takes'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='doses_first_year',
            field=models.PositiveSmallIntegerField(blank=True, help_text="Dose days in the first 12 months, as the label's schedule sets them.", null=True, validators=[django.core.validators.MaxValueValidator(366, message='A year has at most 366 days: give a count for one year.')], verbose_name='doses in the first year'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='doses_later_years',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Dose days a year from the third year on, as planned (0: none are planned).', null=True, validators=[django.core.validators.MaxValueValidator(366, message='A year has at most 366 days: give a count for one year.')], verbose_name='doses a year after that'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='doses_second_year',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Dose days in the second year.', null=True, validators=[django.core.validators.MaxValueValidator(366, message='A year has at most 366 days: give a count for one year.')], verbose_name='doses in the second year'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='schedule',
            field=models.CharField(blank=True, help_text='Plain words that follow the route, for example “every 6 months” or “once a day”.', max_length=150, verbose_name='how often'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='setting',
            field=models.CharField(blank=True, choices=[('home', 'At home'), ('clinic', 'At a clinic or infusion centre'), ('hospital', 'In hospital')], help_text='Where the usual dose is taken or given, after any first dose with a professional.', max_length=8, verbose_name='where it is given'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='visits_first_year',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Trips to a clinic or hospital the labels set a time for in the first 12 months: doses given there, first-dose watching, tests at a set time.', null=True, validators=[django.core.validators.MaxValueValidator(366, message='A year has at most 366 days: give a count for one year.')], verbose_name='visits in the first year'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='visits_later_years',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The same count for a later year (the most, if years differ).', null=True, validators=[django.core.validators.MaxValueValidator(366, message='A year has at most 366 days: give a count for one year.')], verbose_name='visits a year after that'),
        ),
        migrations.AddField(
            model_name='therapy',
            name='washout',
            field=therapies.models.limits.BoundedTextField(blank=True, help_text='What the labels say about stopping before trying for a baby, and any way to clear the medicine faster.', max_length=2000, verbose_name='stopping before a pregnancy'),
        ),
    ]
