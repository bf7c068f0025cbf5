"""``govhall archives list | export CASE_NUMBER DIR | check | drill | build CASE_NUMBER``.

``check`` runs the four-property checks over every stored package (or one) and exits 1 when any
fails; ``drill`` restores a random package (or the one named) into a temporary folder and proves it,
exit 1 when the drill fails. Commands act as the platform (no user): they are for the operators of
the machine, who hold the storage anyway.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.archives import services
from govhall.archives.models import ArchivePackage
from govhall.core.errors import DomainError


def _package(number: str, version: int | None = None) -> ArchivePackage:
    qs = ArchivePackage.objects.filter(case_number=number)
    package = qs.filter(version=version).first() if version else qs.filter(current=True).first()
    if package is None:
        raise CommandError(f"没有该办件的归档信息包 / no archival package for {number}")
    return package


class Command(BaseCommand):
    help = "Electronic archives: list, export, four-property checks, restore drills / 电子档案"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list the archival packages")
        listing.add_argument("--all-versions", action="store_true")
        export = sub.add_parser("export", help="write a case's package as a bag folder into DIR")
        export.add_argument("case_number")
        export.add_argument("directory")
        export.add_argument("--version", type=int)
        check = sub.add_parser("check", help="four-property checks over every stored package; exit 1 on a failure")
        check.add_argument("case_number", nargs="?")
        drill = sub.add_parser("drill", help="restore a random package into a temporary folder and prove it")
        drill.add_argument("case_number", nargs="?")
        drill.add_argument("--from-copy", action="store_true", help="restore from the second copy")
        build = sub.add_parser("build", help="archive a closed case again (a new version; the old one is kept)")
        build.add_argument("case_number")
        build.add_argument("--reason", default="")

    def handle(self, *args, action: str, **options):
        try:
            return getattr(self, f"do_{action}")(**options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def do_list(self, *, all_versions=False, **_):
        qs = ArchivePackage.objects.select_related("organ").order_by("case_number", "version")
        if not all_versions:
            qs = qs.filter(current=True)
        self.stdout.write("case number\tversion\tstate\tresult\tcheck\tsize\tSM3\tretention\titem")
        count = 0
        for p in qs:
            count += 1
            self.stdout.write(f"{p.case_number}\tv{p.version}\t{p.state}\t{p.result_code}\t{p.last_check}\t"
                              f"{p.size}\t{p.sm3[:16]}…\t{p.retention_period}"
                              f"{' HOLD' if p.legal_hold else ''}\t{p.item_name}")
        self.stdout.write(f"{count} 个归档信息包 / packages")

    def do_export(self, *, case_number, directory, version=None, **_):
        path = services.export(package=_package(case_number, version), directory=Path(directory))
        self.stdout.write(str(path))

    def do_check(self, *, case_number=None, **_):
        if case_number:
            runs = [services.package_check(actor=None, package=_package(case_number), trigger="command")]
        else:
            runs = services.check_all(trigger="command")
        failed = 0
        for run in runs:
            bad = [r for r in run.results if r.failed]
            failed += bool(bad)
            na = sum(r.outcome == "not_applicable" for r in run.results)
            self.stdout.write(f"{run.package.bag_name}: {'FAILED' if bad else 'ok'} "
                              f"({len(run.results) - len(bad) - na} passed, {len(bad)} failed, {na} not applicable)")
            for r in bad:
                self.stdout.write(f"  {r.prop} {r.check}: {r.detail}")
        self.stdout.write(f"{len(runs)} 个归档信息包已检测，{failed} 个未通过 / {len(runs)} checked, {failed} failed")
        if failed:
            raise CommandError(f"{failed} package(s) failed the four-property checks", returncode=1)

    def do_drill(self, *, case_number=None, from_copy=False, **_):
        result = services.drill(actor=None, package=_package(case_number) if case_number else None,
                                source="copy" if from_copy else "primary")
        self.stdout.write(f"restore drill: {result.package.bag_name}")
        for name, ok, detail in result.steps:
            self.stdout.write(f"  {'ok' if ok else 'FAILED'}  {name}: {detail}")
        if not result.ok:
            raise CommandError("the restore drill failed", returncode=1)
        self.stdout.write("演练通过 / drill passed")

    def do_build(self, *, case_number, reason="", **_):
        from govhall.cases.models import Case

        case = Case.objects.filter(number=case_number).first()
        if case is None:
            raise CommandError(f"no case {case_number}")
        package = services.package_build(actor=None, case=case, trigger="rebuild", reason=reason)
        self.stdout.write(f"{package.bag_name}: {package.size} bytes, SM3 {package.sm3}, check {package.last_check}")
