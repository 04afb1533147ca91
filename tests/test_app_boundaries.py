"""Each app owns its data: no model relates to a model of another app (not even to users,
which live in the shared identity database in services mode)."""

from django.apps import apps

from config import environment


def project_models():
    for config in apps.get_app_configs():
        if config.name.startswith("apps."):
            yield from config.get_models()


def test_no_model_relates_to_another_apps_model():
    crossings = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in project_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and field.related_model is not None
        and field.related_model._meta.app_label != model._meta.app_label
    ]
    assert crossings == []


def test_every_project_app_is_checked():
    labels = {model._meta.app_label for model in project_models()}
    assert labels == set(environment.APPS)
