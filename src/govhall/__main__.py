"""The ``govhall`` console command: Django's management entry point with our settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["govhall", *sys.argv[1:]])


if __name__ == "__main__":
    main()
