"""Load a dataset file for a local resource from the command line (large files: no upload limit,
no web request timeout). Same checks and result as the console upload."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import DomainError, NotFound
from govhall.identity.models import User
from govhall.sharing import services
from govhall.sharing.models import DataResource


class Command(BaseCommand):
    help = "Check and store a dataset file (CSV or .xlsx) as the next version of a local data resource."

    def add_arguments(self, parser):
        parser.add_argument("resource", help="resource code, e.g. DR-GA-HJ-001")
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of a data-resource administrator of the "
                                                          "provider organ (recorded as the uploader)")
        parser.add_argument("--note", default="")

    def handle(self, *args, **options):
        resource = DataResource.objects.filter(code=options["resource"]).select_related("provider_organ").first()
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if resource is None or user is None:
            raise CommandError("资源或用户不存在 / no such resource or user")
        path: Path = options["file"]
        try:
            dataset = services.dataset_upload(actor=user, resource=resource, data=path.read_bytes(),
                                              filename=path.name, note=options["note"])
        except NotFound as exc:
            raise CommandError("该用户不管理此资源 / the user does not manage this resource") from exc
        except DomainError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} 个问题，未保存 / {len(exc.problems)} problem(s): nothing stored"
                               ) from exc
        self.stdout.write(f"{resource.code} v{dataset.version}: {dataset.record_count} records")
