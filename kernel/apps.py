from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "kernel"
    verbose_name = "Platform"

    def ready(self):
        from django.contrib import admin

        # The admin index also links to the sections other services serve.
        admin.site.index_template = "kernel/admin_index.html"
