from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.crypto import keycheck
from govhall.ops import archive, backup, database


class Command(BaseCommand):
    help = ("Back up the platform into one archive: the database (a consistent snapshot while it runs), media "
            "files, OIDC signing keys; the master key only with --include-master-key. See docs/backup.md.")
    requires_system_checks = []  # a backup of an instance whose master key is lost is still worth taking

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write (.tar, or .tar.gz / .tgz to compress); must not exist")
        parser.add_argument("--include-master-key", action="store_true",
                            help="put the master key into the archive (then whoever holds it can decrypt everything)")

    def handle(self, *args, file: str, include_master_key: bool, **options):
        try:
            report = backup.create(Path(file), include_master_key=include_master_key)
        except FileExistsError as exc:
            raise CommandError(f"文件已存在，未覆盖 / {file} exists; not overwritten") from exc
        except (database.DatabaseToolError, archive.ArchiveError, OSError) as exc:
            raise CommandError(f"备份失败 / backup failed: {exc}") from exc
        m = report.manifest
        rows = sum(m["tables"].values())
        self.stdout.write(f"备份完成 / backup written: {report.path} ({m['database']['engine']}, {len(m['tables'])} "
                          f"tables, {rows} rows, {m['media']['files']} media files, {m['oidc_keys']['files']} OIDC key "
                          f"files; audit head #{(m['audit_head'] or {}).get('last_seq', 0)})")
        check = m["master_key"]["check_value"]
        if m["master_key"]["included"]:
            self.stderr.write(self.style.WARNING(
                "警告：备份中包含主密钥。持有此文件者可解密全部身份信息并使用全部私钥；请像保管主密钥本身一样保管此文件。 / "
                "WARNING: this archive CONTAINS THE MASTER KEY. Whoever holds it can decrypt every identifier and use "
                "every private key in it: store and move it like the key itself."))
        else:
            where = "GOVHALL_MASTER_KEY or var/master_key"
            self.stdout.write(self.style.WARNING(
                f"主密钥不在备份中（校验值 {keycheck.short(check) if check else '—'}）：请另行妥善保管（{where}），"
                f"恢复时须提供（--master-key-file）。 / The master key is NOT in this archive (check value "
                f"{keycheck.short(check) if check else '—'}): keep it safe separately ({where}); a restore needs it "
                "(--master-key-file)."))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"注意 / note: {warning}"))
