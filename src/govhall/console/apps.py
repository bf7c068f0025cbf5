from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "govhall.console"
    label = "console"
