"""Data sharing benchmark: resolving an application with five shared materials, each answered from a
local dataset of 1,000,000 records.

Usage (results go to stdout and bench/results/sharing-<db>.json):

    .venv/bin/python bench/sharing_bench.py --db sqlite|postgres|both [--records 1000000] [--rounds 200]
    .venv/bin/python bench/sharing_bench.py --db both --fresh     # drop the data and generate it again
    .venv/bin/python bench/sharing_bench.py --db both --upload    # the upload path for an N-row CSV
    .venv/bin/python bench/sharing_bench.py --seal                # encryption at rest: µs per record

Set-up: its own database (SQLite file under /tmp/govhall-bench-sharing/, or the PostgreSQL database
``govhall_bench_sharing``), migrated; five unconditionally shared resources keyed by resident ID
(five providers), each with one dataset version of N records (synthetic, valid resident IDs; the
same N subjects in every dataset, so every material of an applicant is found); one published item
whose five materials are those resources; 300 applicants with real-name identities whose ID
numbers are in the datasets. Records are written in bulk (COPY on PostgreSQL, executemany on
SQLite) with the blind index the platform computes (``keys.subject_index``) and their data sealed as
the model seals it (SM4-GCM); the migration's indexes are in place while loading, as they would be
in production.

Measured, after a warm-up of 20 rounds, each round with another applicant:

- ``start``: ``cases.services.application_start`` end to end: the draft and its rows, then the
  once-only resolution (five lookups, five access records, five audit events, five provenance rows),
  in one transaction, committed;
- ``resolve``: ``sharing.services.resolve_application`` alone on a fresh application (rolled back);
- ``lookup``: one ``providers.local`` query (the indexed record read) for a random subject.

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import migrate, setup_database, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SQLITE_DIR = Path("/tmp/govhall-bench-sharing")
PG_DATABASE = "govhall_bench_sharing"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
N_RESOURCES = 5
N_APPLICANTS = 300


def var_dir(db: str) -> Path:
    """Keys (master key: blind indexes, sealed ID numbers) of one database's run."""
    return SQLITE_DIR.parent / f"govhall-bench-sharing-var-{db}"


def setup_db(db: str) -> None:
    setup_database(db, var_dir=var_dir(db), sqlite_file=SQLITE_DIR / "sharing.sqlite3", pg_database=PG_DATABASE)


def drop(db: str) -> None:
    shutil.rmtree(var_dir(db), ignore_errors=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
    else:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)


def resident_ids(n: int, seed: int = 3) -> list[str]:
    """``n`` distinct valid resident ID numbers (Lu'an divisions, births 1950-2005)."""
    from govhall.identity.codes import resident_id_check_char

    rng = random.Random(seed)
    divisions = ["341502", "341503", "341504", "341522", "341523", "341524", "341525"]
    first, span = dt.date(1950, 1, 1), (dt.date(2005, 12, 31) - dt.date(1950, 1, 1)).days
    seen: set[str] = set()
    out = []
    while len(out) < n:
        day = first + dt.timedelta(days=rng.randrange(span))
        body = f"{rng.choice(divisions)}{day:%Y%m%d}{rng.randrange(1000):03d}"
        if body in seen:
            continue
        seen.add(body)
        out.append(body + resident_id_check_char(body))
    return out


def _write_records(dataset_id: int, rows: list[tuple[str, str, dict]]) -> None:
    """(index, masked, data) rows into sharing_datarecord, in bulk, ``data`` sealed as the model seals it
    (SM4-GCM, ``DataRecord.data`` is an encrypted field)."""
    from django.db import connection
    from django.utils import timezone

    from govhall.sharing.models import DataRecord

    seal = DataRecord._meta.get_field("data").encrypt
    rows = [(index, masked, seal(data)) for index, masked, data in rows]
    now = timezone.now()
    table = "sharing_datarecord"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} (dataset_id, subject_index, subject_masked, data, revision, current, created_at) "
                "FROM STDIN") as copy:
            for index, masked, data in rows:
                copy.write_row((dataset_id, index, masked, data, 1, True, now))
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(
                f"INSERT INTO {table} (dataset_id, subject_index, subject_masked, data, revision, current, "  # noqa: S608
                "created_at) VALUES (%s, %s, %s, %s, 1, 1, %s)",
                [(dataset_id, i, m, d, now) for i, m, d in rows[start:start + 20000]])


def generate(n: int) -> dict:
    from django.db import transaction

    from govhall.catalog import testing
    from govhall.identity import services as identity
    from govhall.identity.models import User
    from govhall.sharing import keys, services
    from govhall.sharing.models import DataResource, Dataset

    t0 = time.perf_counter()
    ids = resident_ids(n)
    print(f"  {n} resident IDs in {time.perf_counter() - t0:.1f} s", flush=True)
    t1 = time.perf_counter()
    index = [keys.subject_index("resident_id", i) for i in ids]
    masked = [keys.masked("resident_id", i) for i in ids]
    print(f"  blind indexes in {time.perf_counter() - t1:.1f} s", flush=True)
    region = testing.region_tree()["city"]
    fields = [{"name": "name", "label_zh": "姓名", "label_en": "name", "type": "text", "required": True},
              {"name": "address", "label_zh": "地址", "label_en": "address", "type": "text", "form_field": "address"},
              {"name": "valid_from", "label_zh": "起始日期", "label_en": "from", "type": "date"},
              {"name": "status", "label_zh": "状态", "label_en": "status", "type": "text"}]
    materials = []
    for r in range(N_RESOURCES):
        organ = testing.make_organ(region, name=f"基准数据提供局{r}")
        with transaction.atomic():
            resource = services.resource_create(
                actor=None, code=f"DR-BENCH-{r:03d}", provider_organ=organ, name=f"基准资源{r}", fields=fields,
                share_class="unconditional", classification="2", legal_basis="基准测试", update_frequency="daily",
                subject_kind="resident_id")
            dataset = Dataset.objects.create(resource=resource, version=1, filename="bench.csv", sha256="0" * 64,
                                             record_count=n, uploaded_at=dt.datetime.now(dt.UTC))
            t2 = time.perf_counter()
            rng = random.Random(r)
            _write_records(dataset.pk, [
                (index[k], masked[k], {"name": f"居民{k}", "address": f"六安市金安区基准路 {rng.randrange(999)} 号",
                                       "valid_from": "2020-01-01", "status": "正常"}) for k in range(n)])
            DataResource.objects.filter(pk=resource.pk).update(current_dataset=dataset)
        print(f"  dataset {r}: {n} records in {time.perf_counter() - t2:.1f} s", flush=True)
        materials.append({"name": f"共享材料{r}", "necessity": "required", "form": "electronic",
                          "source": "shared_data", "licence_type_code": "", "data_resource_code": resource.code,
                          "issuing_organ": "", "original_count": 0, "copy_count": 0, "paper_size": "",
                          "paper_legal_basis": "", "acceptance_standard": "", "notes": "", "later_days": None})
    materials.append({**materials[0], "name": "申请书", "source": "online_form", "data_resource_code": ""})
    item = testing.make_item(organ=testing.make_organ(region, name="基准办理局"), materials=materials,
                             special_procedures=[])
    rng = random.Random(9)
    for k, number in enumerate(rng.sample(ids, N_APPLICANTS)):
        user = User.objects.create_user(username=f"bench_sharing_{k}", password="!")
        identity.person_create(actor=None, user=user, name=f"申请人{k}", id_type="resident_id", id_number=number,
                               phone=f"139{k:08d}")
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"item": item.code, "generate_s": round(time.perf_counter() - t0, 1)}


def run(db: str, n: int, rounds: int, fresh: bool) -> dict:
    if fresh:
        drop(db)
    setup_db(db)
    migrate()
    from django.db import connection, transaction

    from govhall.cases import services as cases
    from govhall.cases.models import Application
    from govhall.catalog.models import ImplementationItem
    from govhall.identity.models import User
    from govhall.sharing import keys, providers, services
    from govhall.sharing.models import DataRecord, DataResource, MaterialFetch

    info = {}
    existing = DataRecord.objects.filter(dataset__resource__code="DR-BENCH-000").count()
    if existing != n:
        if existing:
            raise SystemExit(f"the bench database holds {existing} records per dataset, not {n}: use --fresh")
        print(f"[{db}] generating {N_RESOURCES} datasets of {n} records …", flush=True)
        info = generate(n)
    item = ImplementationItem.objects.filter(versions__materials__data_resource_code="DR-BENCH-000").distinct().first()
    users = list(User.objects.filter(username__startswith="bench_sharing_").order_by("pk"))
    resources = list(DataResource.objects.filter(code__startswith="DR-BENCH-").select_related("provider_organ"))

    def start(k):
        application = cases.application_start(actor=users[k % len(users)], item_code=item.code)
        return application

    samples_start = []
    for k in range(rounds + 20):
        t = time.perf_counter()
        application = start(k)
        elapsed = time.perf_counter() - t
        if k >= 20:
            samples_start.append(elapsed)
        fetched = MaterialFetch.objects.filter(application_material__application=application,
                                               state="fetched").count()
        if fetched != N_RESOURCES:
            raise SystemExit(f"expected {N_RESOURCES} fetched materials, got {fetched}")

    samples_resolve = []
    for k in range(rounds + 20):
        with transaction.atomic():
            user = users[(k * 7) % len(users)]
            application = Application.objects.create(
                applicant=user, item=item, version=item.versions.get(), applicant_name="x", form_data={})
            from govhall.cases.models import ApplicationMaterial

            rows = ApplicationMaterial.objects.bulk_create([
                ApplicationMaterial(application=application, material=m, status="to_fetch")
                for m in item.versions.get().materials.filter(source="shared_data")])
            t = time.perf_counter()
            services.resolve_application(actor=user, application=application, rows=rows)
            elapsed = time.perf_counter() - t
            transaction.set_rollback(True)
        if k >= 20:
            samples_resolve.append(elapsed)

    rng = random.Random(4)
    subjects = list(DataRecord.objects.filter(dataset__resource=resources[0]).order_by("?")[:50]
                    .values_list("subject_index", flat=True)) if db == "postgres" else None
    if subjects is None:  # ORDER BY RANDOM() over 5M rows is slow on SQLite: take rows by id
        top = DataRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
        subjects = list(DataRecord.objects.filter(pk__in=[rng.randrange(1, top) for _ in range(200)])
                        .values_list("subject_index", flat=True))[:50]
    samples_lookup = []
    for k in range(rounds * 5 + 20):
        resource = resources[k % len(resources)]
        t = time.perf_counter()
        providers.local(resource, subjects[k % len(subjects)])
        elapsed = time.perf_counter() - t
        if k >= 20:
            samples_lookup.append(elapsed)
    assert keys  # imported for the record: the blind index is what the query uses
    size = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('sharing_datarecord'))")
            size = cursor.fetchone()[0]
    else:
        size = f"{(SQLITE_DIR / 'sharing.sqlite3').stat().st_size / 1e9:.2f} GB (file)"
    result = {"db": db, "records_per_dataset": n, "datasets": N_RESOURCES, "rounds": rounds,
              "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}",
              "start_application_5_fetches": summarise(samples_start),
              "resolve_only_5_fetches": summarise(samples_resolve),
              "single_record_lookup": summarise(samples_lookup), "record_table_size": size, **info,
              "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"sharing-{db}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
    return result


def run_upload(db: str, n: int) -> dict:
    """The upload path: ``services.dataset_upload`` of an N-row CSV (parse, check every row, blind
    index, insert), timed and rolled back; peak memory of the process."""
    import resource as rlimit

    setup_db(db)
    migrate()
    from django.db import transaction

    from govhall.catalog import testing
    from govhall.sharing import services
    from govhall.sharing.models import DataResource

    res = DataResource.objects.filter(code="DR-BENCH-UPLOAD").first()
    if res is None:
        with transaction.atomic():
            res = services.resource_create(
                actor=None, code="DR-BENCH-UPLOAD", name="基准上传",
                provider_organ=testing.make_organ(testing.region_tree()["city"], name="基准上传局"),
                fields=[{"name": "name", "type": "text", "required": True}, {"name": "address", "type": "text"},
                        {"name": "valid_from", "type": "date"}], share_class="unconditional", legal_basis="基准",
                subject_kind="resident_id")
    lines = ["subject_key,name,address,valid_from"] + [
        f"{i},居民{k},六安市金安区基准路 {k % 999} 号,2020-01-01" for k, i in enumerate(resident_ids(n, seed=8))]
    data = "\n".join(lines).encode()
    del lines
    before = rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    with transaction.atomic():
        dataset = services.dataset_upload(actor=None, resource=res, data=data, filename="bench.csv")
        elapsed = time.perf_counter() - t
        transaction.set_rollback(True)
    result = {"db": db, "rows": dataset.record_count, "file_mb": round(len(data) / 1e6, 1),
              "upload_s": round(elapsed, 1), "rows_per_s": round(n / elapsed),
              "peak_rss_mb": round(rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss / 1024),
              "rss_before_mb": round(before / 1024)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"sharing-upload-{db}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2), flush=True)
    return result


def run_seal(n: int) -> dict:
    """What encryption at rest costs per record: seal (write) and open (read) of a typical record's
    data through ``DataRecord.data``, in process CPU time (steadier than wall time on a shared
    machine), with and without the JSON step."""
    setup_db("sqlite")
    from govhall.sharing.models import DataRecord

    field = DataRecord._meta.get_field("data")
    records = [{"name": f"居民{k}", "gender": "男", "birth_date": "1990-03-07",
                "address": f"六安市金安区基准路 {k % 999} 号", "household_head": f"居民{k}", "relation": "户主"}
               for k in range(n)]
    t = time.process_time()
    sealed = [field.encrypt(r) for r in records]
    seal_s = time.process_time() - t
    t = time.process_time()
    opened = [field.decrypt(b) for b in sealed]
    open_s = time.process_time() - t
    assert opened == records
    t = time.process_time()
    plain = [json.dumps(r, ensure_ascii=False) for r in records]
    json_s = time.process_time() - t
    result = {"records": n, "seal_us": round(seal_s / n * 1e6, 1), "open_us": round(open_s / n * 1e6, 1),
              "json_only_us": round(json_s / n * 1e6, 1), "sealed_bytes": round(sum(map(len, sealed)) / n),
              "json_bytes": round(sum(len(x.encode()) for x in plain) / n),
              "load_average": round(os.getloadavg()[0], 2)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sharing-seal.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--upload", action="store_true", help="measure the upload path instead (rolled back)")
    parser.add_argument("--seal", action="store_true", help="measure sealing and opening one record's data")
    args = parser.parse_args()
    if args.seal:
        run_seal(min(args.records, 100_000))
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if len(dbs) > 1:  # Django is set up once per process: one subprocess per database
        for db in dbs:
            subprocess.run([sys.executable, __file__, "--db", db, "--records", str(args.records), "--rounds",
                            str(args.rounds)] + (["--fresh"] if args.fresh else [])
                           + (["--upload"] if args.upload else []), check=True)
        return
    if args.upload:
        run_upload(dbs[0], args.records)
        return
    run(dbs[0], args.records, args.rounds, args.fresh)


if __name__ == "__main__":
    main()
