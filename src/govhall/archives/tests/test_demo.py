"""The demo holds closed cases (one granted with its licence, one not accepted), archived when the
demo loads, so the console and ``govhall archives list`` show packages at once."""

import pytest
from django.core.management import call_command

from govhall.archives.models import ArchivePackage
from govhall.licenses.models import Licence

pytestmark = pytest.mark.django_db


def test_the_demo_loads_archived_closed_cases(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GOVHALL_OIDC_KEY_DIR = tmp_path / "oidc-keys"
    call_command("demo", "load")
    packages = {p.result_code: p for p in ArchivePackage.objects.all()}
    assert set(packages) == {"granted", "not_accepted"}
    assert all(p.last_check == "passed" for p in packages.values())
    assert Licence.objects.filter(case_number=packages["granted"].case_number).exists()
    capsys.readouterr()
    call_command("archives", "list")
    out = capsys.readouterr().out
    count = ArchivePackage.objects.count()  # the closed cases of the demo (the rated one among them)
    assert count >= 2 and packages["granted"].case_number in out and f"{count} 个归档信息包" in out
