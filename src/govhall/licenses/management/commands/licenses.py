"""``govhall licenses verify FILE``: check a licence bundle offline (see licenses/bundle.py).

Exit status 0 only when every step was proven; 1 when any failed (the failing steps say why); 2 for
a file that cannot be read. Without ``--root`` / ``--log-key`` / ``--pdf-root`` the trust anchors
are taken from the bundle itself, and the output says so: compare the printed root fingerprint with
the one the platform publishes (``/pki/``), or pass the root you obtained independently.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.licenses import bundle


def _read(path: str | None, what: str) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {what} {path}: {exc}", returncode=2) from exc


class Command(BaseCommand):
    help = "Electronic licences: offline verification of a licence bundle (ZIP) / 电子证照离线核验"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a licence bundle offline, without the platform")
        verify.add_argument("file", help="the bundle ZIP downloaded from my/licences/<identifier>/bundle/")
        verify.add_argument("--root", help="the platform's SM2 root certificate (PEM) to trust for the seal")
        verify.add_argument("--log-key", help="the transparency log's SM2 public key (PEM)")
        verify.add_argument("--pdf-root", help="the platform's ECDSA document-signing root (PEM) for the PDF signature")

    def handle(self, *args, action: str, **options):
        data = _read(options["file"], "the bundle")
        steps = bundle.verify_bundle(data, root_pem=_read(options.get("root"), "the root"),
                                     log_key_pem=_read(options.get("log_key"), "the log key"),
                                     pades_root_pem=_read(options.get("pdf_root"), "the PDF-signing root"))
        for step in steps:
            mark = "PASS" if step.ok else "FAIL"
            style = self.style.SUCCESS if step.ok else self.style.ERROR
            self.stdout.write(style(f"{mark}  {step.name}: ") + step.detail)
        failed = [s.name for s in steps if not s.ok]
        if failed:
            raise CommandError(f"NOT VERIFIED / 核验未通过: {', '.join(failed)}", returncode=1)
        anchors = [name for name, given in (("--root", options.get("root")), ("--log-key", options.get("log_key")),
                                            ("--pdf-root", options.get("pdf_root"))) if not given]
        self.stdout.write(self.style.SUCCESS("VERIFIED / 核验通过: every check above passed."))
        if anchors:
            self.stdout.write(self.style.WARNING(
                f"TRUST: {', '.join(anchors)} not given: the corresponding keys were taken from the bundle. "
                "This proves the bundle is consistent, not that it comes from the platform: compare the "
                "fingerprints above with the platform's published ones, or pass them."))
