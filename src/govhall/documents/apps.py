from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "govhall.documents"
    verbose_name = "Signed documents"
