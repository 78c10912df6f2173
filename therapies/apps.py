from django.apps import AppConfig


class TherapiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "therapies"
    verbose_name = "MS therapies"
