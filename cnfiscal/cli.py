"""The `cnfiscal` command: run the pipeline, discover reports on portals, extract facts from
files, query the warehouse."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _cmd_extract(args: argparse.Namespace) -> int:
    from cnfiscal.extract import extract_file

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            result = extract_file(path)
        except OSError as exc:  # unreadable file: say so, go on with the others
            print(f"{path}: cannot read ({exc})", file=sys.stderr)
            failed += 1
            continue
        target = out_dir / f"{path.stem}.json"
        target.write_text(
            json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        errors = sum(1 for i in result.issues if i.severity == "error")
        print(
            f"{path.name}: {len(result.facts)} facts, {len(result.issues)} issues ({errors} errors)"
        )
    return 1 if failed else 0


def _cmd_run(args: argparse.Namespace) -> int:
    from cnfiscal.runner import run_pipeline

    return run_pipeline(
        catalog=args.catalog, force=True if args.force else None, full_refresh=args.full_refresh
    )


def _cmd_discover(args: argparse.Namespace) -> int:
    from cnfiscal.discover import run_discovery
    from cnfiscal.settings import Settings, get_settings

    settings = get_settings()
    if args.catalog:
        catalog = Path(args.catalog).resolve()
        settings = Settings(settings.warehouse_dir, catalog, settings.build_db_path)
    run = run_discovery(settings, args.portals)
    report = run.report
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 1 if report["problems"] else 0
    for problem in report["problems"]:
        print(f"portals: {problem}", file=sys.stderr)
    for portal in report["portals"]:
        print(
            f"{portal['name']}: {portal['pages']} pages, {portal['documents']} documents, "
            f"{len(portal['added'])} added, {len(portal['known'])} known, "
            f"{len(portal['skipped'])} skipped ({portal['seconds']:.1f}s)"
        )
    reasons = ", ".join(f"{k} {v}" for k, v in report["skipped_by_reason"].items())
    print(
        f"added {report['added']} to {run.discovered_file}; known {report['known']}; "
        f"skipped {report['skipped']}" + (f" ({reasons})" if reasons else "")
    )
    print(f"report: {run.report_file}")
    return 1 if report["problems"] else 0


def _cmd_query(args: argparse.Namespace) -> int:
    from cnfiscal.query import run_query

    return run_query(args.sql, database=args.database, fmt=args.format)


def _cmd_compact(args: argparse.Namespace) -> int:
    from cnfiscal.settings import get_settings
    from cnfiscal.warehouse.compact import compact_build, compact_published

    settings = get_settings()
    if settings.lake_dir is not None:
        print(
            "compact: the DuckLake warehouse is Parquet files; nothing to compact", file=sys.stderr
        )
        return 2
    done = []
    if settings.build_db.exists():
        done.append(compact_build(settings.build_db))
    if settings.published_db.exists():
        done.append(compact_published(settings.published_db))
    for c in done:
        print(f"{c.path}: {c.bytes_before / 1e6:.1f} MB → {c.bytes_after / 1e6:.1f} MB")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnfiscal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="materialize every asset (the full pipeline)")
    p_run.add_argument("--catalog", help="source catalog file (default: the bundled sample)")
    p_run.add_argument(
        "--force", action="store_true", help="re-fetch and re-parse every report (a backfill)"
    )
    p_run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental marts from scratch (dbt build --full-refresh)",
    )
    p_run.set_defaults(func=_cmd_run)

    p_dis = sub.add_parser(
        "discover", help="walk the portals' lists and add the reports found to the catalog"
    )
    p_dis.add_argument("--portals", help="portals file (default: portals.yaml beside the catalog)")
    p_dis.add_argument("--catalog", help="source catalog file (default: the bundled sample)")
    p_dis.add_argument("--json", action="store_true", help="print the whole run report as JSON")
    p_dis.set_defaults(func=_cmd_discover)

    p_ext = sub.add_parser("extract", help="extract facts from report files into JSON")
    p_ext.add_argument("files", nargs="+")
    p_ext.add_argument("--out", required=True, help="output folder for <stem>.json files")
    p_ext.set_defaults(func=_cmd_extract)

    p_c = sub.add_parser(
        "compact",
        help="rewrite the build and published DuckDB files without their free blocks "
        "(between runs: a run cannot open the build file meanwhile)",
    )
    p_c.set_defaults(func=_cmd_compact)

    p_q = sub.add_parser("query", help="run SQL on the published warehouse (read-only)")
    p_q.add_argument("sql")
    p_q.add_argument("--database", help="DuckDB file (default: the published warehouse)")
    p_q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p_q.set_defaults(func=_cmd_query)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
