from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.ops import database, restore


class Command(BaseCommand):
    help = ("Restore a backup made by 'govhall backup' into this instance (stop it first). Refuses, changing "
            "nothing, without the backup's master key, into a non-empty target (unless --force), or for a "
            "damaged archive. See docs/backup.md.")
    requires_system_checks = []  # the start-up key check is this command's own first step

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by govhall backup")
        parser.add_argument("--master-key-file", type=Path,
                            help="a file holding the backup's master key (64 hex characters)")
        parser.add_argument("--force", action="store_true",
                            help="overwrite a database, media folder and OIDC keys that are not empty")

    def handle(self, *args, file: str, master_key_file: Path | None, force: bool, **options):
        if not Path(file).is_file():
            raise CommandError(f"找不到备份文件 / no such file: {file}")
        try:
            report = restore.restore(Path(file), master_key_file=master_key_file, force=force)
        except restore.RestoreRefused as exc:
            lines = "\n".join(f"  - {p.message_zh}\n    {p.message_en}" for p in exc.problems)
            raise CommandError(f"拒绝恢复，未做任何改动 / restore refused, nothing was changed:\n{lines}") from exc
        except (restore.RestoreFailed, database.DatabaseToolError) as exc:
            raise CommandError(f"恢复后的检查未通过，请勿使用此实例 / restore FAILED, do not use this instance: {exc}") from exc
        m = report.manifest
        self.stdout.write(f"恢复完成 / restored: backup of {m['created_at']} ({m['database']['engine']}); master key from "
                          f"{report.key_source}")
        self.stdout.write(f"  行数一致 / row counts match the backup: {report.checked_tables} tables")
        anchor = f", anchored at #{report.audit.anchor.seq}" if report.audit.anchor else ""
        self.stdout.write(f"  审计链完整 / audit chain intact: {report.audit.checked} events{anchor}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"注意 / note: {warning}"))
