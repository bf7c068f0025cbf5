"""Catalogue benchmark: search and guide-page latency with a large synthetic catalogue.

Usage:  .venv/bin/python bench/catalog_bench.py [--db sqlite|postgres|both] [--items 50000] [--rounds 400]

Method: one process, Django's test client (full middleware stack, template rendering, no network),
after a warm-up pass; each figure is over `rounds` requests cycling through realistic queries
(words from a real district's item list) or random implementation codes. Results go to stdout and
bench/results/catalog-<db>.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["许可", "登记", "餐饮", "食品经营许可", "社会保险", "补贴", "身份证", "建设工程", "学生资助", "户口",
           "不动产", "老年", "道路运输", "医疗", "残疾人", "企业投资项目备案", "消防", "药品", "教师资格", "结婚"]
# Citizens' words: stop words, vocabulary, typos, pinyin (the starter vocabulary is loaded)
CITIZEN_QUERIES = ["社保卡丢了怎么办", "我想开个小饭馆", "孩子上户口", "退休了怎么领养老金", "办营业执照", "低保怎么申请",
                   "身份证过期了换新的", "shebaoka", "营业执造", "跑滴滴要办什么证", "家里养狗要办证吗", "生孩子报销",
                   "公司不开了怎么注销", "农村自己建房子", "砍树", "sfz", "结婚证丢了", "开网吧", "失业金", "医保报销"]
REGION = "510101"  # one county of the generated catalogue (about 1/100 of the items)


def timed(fn, args_list, rounds):
    samples = []
    for i in range(rounds):
        t = time.perf_counter()
        fn(args_list[i % len(args_list)])
        samples.append(time.perf_counter() - t)
    return summarise(samples)


def run_one(db: str, items: int, rounds: int, pg_database: str = "govhall_bench") -> dict:
    setup_django(db, f"bench-{db}", pg_database)
    from django.core.management import call_command
    from django.test import Client

    from govhall.catalog import selectors
    from govhall.catalog.models import SearchEntry

    call_command("migrate", verbosity=0)
    from govhall.catalog import services_vocabulary
    from govhall.catalog.models import SearchSynonym
    from govhall.catalog.search import engine

    if not SearchSynonym.objects.exists():
        services_vocabulary.vocabulary_import_starter(actor=None)
    have = SearchEntry.objects.count()
    if have < items:
        if have:
            raise SystemExit(f"bench database has {have} items; delete {os.environ['GOVHALL_VAR_DIR']} or the "
                             "govhall_bench database to regenerate")
        sys.path.insert(0, str(ROOT / "bench"))
        from generate import generate

        t = time.perf_counter()
        info = generate(items)
        print(f"[{db}] generated {info} in {time.perf_counter() - t:.0f} s", flush=True)
    engine.clear()
    t = time.perf_counter()
    engine.current()
    index_load_s = round(time.perf_counter() - t, 2)
    codes = list(SearchEntry.objects.values_list("item__code", flat=True))
    rng = random.Random(1)
    sample_codes = rng.sample(codes, min(len(codes), 500))
    client = Client()
    # warm-up: jieba dictionary, template loading, database caches
    for q in QUERIES + CITIZEN_QUERIES:
        selectors.search_items(q)
        selectors.search_items(q, region=REGION)
        client.get("/search/", {"q": q})
    for code in sample_codes[:50]:
        client.get(f"/items/{code}/")

    def page(path, params=None):
        response = client.get(path, params or {})
        assert response.status_code == 200, (path, response.status_code)

    result = {
        "db": db, "items": SearchEntry.objects.count(), "rounds": rounds,
        "index_load_s": index_load_s,
        "search_selector": timed(lambda q: selectors.search_items(q), QUERIES, rounds),
        "search_selector_citizen": timed(lambda q: selectors.search_items(q), CITIZEN_QUERIES, rounds),
        "search_selector_citizen_region": timed(lambda q: selectors.search_items(q, region=REGION), CITIZEN_QUERIES,
                                                rounds),
        "search_api_citizen_region": timed(lambda q: page("/api/v1/catalog/items", {"q": q, "region": REGION}),
                                           CITIZEN_QUERIES, rounds),
        "search_page": timed(lambda q: page("/search/", {"q": q}), QUERIES, rounds),
        "search_api": timed(lambda q: page("/api/v1/catalog/items", {"q": q}), QUERIES, rounds),
        "guide_page": timed(lambda c: page(f"/items/{c}/"), sample_codes, rounds),
        "guide_api": timed(lambda c: page(f"/api/v1/catalog/items/{c}"), sample_codes, rounds),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--pg-database", default="govhall_bench", help="PostgreSQL database of the bench")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db == "both":  # one process per database: Django is set up once per process
        for db in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, "--db", db, "--items", str(args.items), "--rounds",
                            str(args.rounds), "--pg-database", args.pg_database], check=True)
        return
    result = run_one(args.db, args.items, args.rounds, args.pg_database)
    out = ROOT / "bench" / "results" / f"catalog-{args.db}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
