from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the .po translation catalogues to .mo (pure Python; no gettext tools needed)."

    def handle(self, *args, **options):
        for po_path in Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                if options["verbosity"]:
                    self.stdout.write(f"compiled {mo_path}")
