from django.core.management.base import BaseCommand

from govhall.core.i18n import compile_catalogues


class Command(BaseCommand):
    help = "Compile the .po translation catalogues to .mo (pure Python; no gettext tools needed)."

    def handle(self, *args, **options):
        for mo_path in compile_catalogues():
            if options["verbosity"]:
                self.stdout.write(f"compiled {mo_path}")
