from django.apps import AppConfig


class ComponentsConfig(AppConfig):
    """Shared UI partials (buttons, badges, form fields) under templates/components/."""

    name = "components"
