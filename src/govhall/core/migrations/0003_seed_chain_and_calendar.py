from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026


def seed(apps, schema_editor):
    from govhall.core.calendar import official_days

    AuditChainHead = apps.get_model("core", "AuditChainHead")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64})
    days = official_days(FIRST_YEAR, LAST_YEAR)
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_working=w, note=n) for d, (w, n) in days.items()], batch_size=2000
    )
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="国务院办公厅节假日安排通知（chinese-calendar 数据）")
         for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.all().delete()
    apps.get_model("core", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
