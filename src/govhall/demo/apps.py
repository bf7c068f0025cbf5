from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "govhall.demo"
    label = "demo_sets"
    verbose_name = "Demo data sets"
