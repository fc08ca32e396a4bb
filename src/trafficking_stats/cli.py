"""The ``trafficking-stats`` command.

Exit codes (also in README.md):

* 0: success;
* 1: unexpected internal error (a bug: please report it, with the ``--debug`` traceback);
* 2: usage error (unknown command, source or option; a file that does not exist);
* 3: format error: an input file cannot be read as its source's format (``SourceFormatError``);
* 4: validation error: rows that do not normalize or break the schema (``ValidationError``, quarantine);
* 5: download error: offline, HTTP error, or a file whose hash does not match the pinned one (``fetch``);
* 6: the list table cannot give an estimate (``mse``; see ``cli_mse.py``);
* 7: ``build --check``: the processed outputs are out of date with their inputs (or were never built);
* 8: another build is writing the same output folder (``build``; wait for it, then build again).

Problems are printed one per line as ``error: FILE:LINE: column 'NAME': message``; a traceback is shown
only with ``--debug``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import Problem, SourceFormatError, TraffickingStatsError, ValidationError

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_FORMAT, EXIT_VALIDATION, EXIT_FETCH = 0, 1, 2, 3, 4, 5
EXIT_STALE, EXIT_LOCKED = 7, 8  # 6 is cli_mse.EXIT_ESTIMATION


class UsageError(TraffickingStatsError):
    """A command line that cannot be carried out as given."""


def _print_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(f"error: {p}", file=sys.stderr)


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build, stale_inputs

    if args.check:
        try:
            stale = stale_inputs(args.raw, args.out, args.bulk)
        except FileNotFoundError:
            print("not built yet: no manifest.json; run trafficking-stats build", file=sys.stderr)
            return EXIT_STALE
        for line in stale:
            print(line)
        if stale:
            print("outputs are out of date with these inputs: run trafficking-stats build", file=sys.stderr)
            return EXIT_STALE
        print("outputs are up to date with their inputs")
        return EXIT_OK
    res = build(args.raw, args.out, bulk_dir=args.bulk, strict=args.strict)
    for dataset in res.kept:
        print(f"note: no bulk file for {dataset!r}: kept its rows from the previous build", file=sys.stderr)
    out = Path(args.out) if args.out else None
    from .sources import registry

    bulk = {sid for sid, src in registry().items() if src.info.bulk_patterns}
    q = res.quarantine
    for r in q[~q["dataset"].isin(bulk)].itertuples():  # our own data: every row, it must be fixed
        line = "" if r.raw_row is None or r.raw_row != r.raw_row else f":{int(r.raw_row)}"
        print(f"warning: {r.raw_file}{line}: column {r.column!r}: {r.reason} (quarantined)", file=sys.stderr)
    for (dataset, raw_file), n in q[q["dataset"].isin(bulk)].groupby(["dataset", "raw_file"]).size().items():
        print(
            f"note: {raw_file}: {n} publisher rows quarantined with reasons ({dataset}; see quarantine.csv)",
            file=sys.stderr,
        )
    t = res.manifest["totals"]
    where = out if out else "data/processed"
    print(
        f"built {t['rows']} rows from {len(res.manifest['inputs'])} inputs into {where}: "  # type: ignore[index]
        f"{t['quarantined']} quarantined, {t['conflict_lines']} conflict lines, {t['citations']} citations"
    )
    return EXIT_OK


def _cmd_load(args: argparse.Namespace) -> int:
    from . import schema
    from .build import csv_bytes
    from .sources import get

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{args.file}: no such file")
    result = get(args.source).load(path)
    problems = [
        Problem(args.file, None if r.raw_row != r.raw_row else int(r.raw_row), r.column or None, r.reason)
        for r in result.quarantine.itertuples()
    ]
    rows = result.rows.reset_index(drop=True)
    bad = set()
    for idx, p in schema.problems(rows) if len(rows) else []:
        problems.append(Problem(args.file, p.line, p.column, p.message))
        bad.add(idx)
    good = schema.coerce(rows.drop(index=list(bad))) if len(rows) else schema.empty()
    data = csv_bytes(good)
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    _print_problems(sorted(problems, key=lambda p: p.line or 0))
    return EXIT_VALIDATION if problems else EXIT_OK


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .fetch import fetch

    res = fetch(args.source, url=args.url, sha256=args.sha256, cache=args.cache)
    state = (
        "verified against the pinned sha256" if res.pinned else "NOT pinned: check it, then pin this sha256"
    )
    print(f"{res.path}\nsha256 {res.sha256} ({state})")
    return EXIT_OK


def _cmd_sources(args: argparse.Namespace) -> int:
    from .sources import registry

    for sid, src in registry().items():
        i = src.info
        print(
            f"{sid}\n  publisher:     {i.publisher}\n  reporter type: {i.reporter_type}\n"
            f"  years:         {i.years}\n  licence:       {i.licence}\n  description:   {i.description}"
        )
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import paths, schema

    path = Path(args.file) if args.file else paths.processed_dir() / "counts.csv"
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    from .sources._csvfile import read_text

    read_text(path)  # encoding and emptiness checks with clear errors
    df = pd.read_csv(path, dtype="str", keep_default_na=False)
    df = df.astype("object").where(df != "", None)
    found = schema.problems(df)
    problems = [
        Problem(str(path), None if idx is None else int(idx) + 2, p.column, p.message)  # type: ignore[call-overload]
        for idx, p in found
    ]
    if problems:
        _print_problems(problems)
        return EXIT_VALIDATION
    print(f"{path}: {len(df)} rows valid")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="trafficking-stats", description="Cited, normalized human-trafficking statistics."
    )
    from . import __version__

    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "build",
        help="build data/processed/ from data/raw/",
        epilog="examples:\n  trafficking-stats build --strict\n"
        "  trafficking-stats build --bulk ~/publisher-files\n"
        "  trafficking-stats build --check\n\nsources: `trafficking-stats sources` lists them.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--strict", action="store_true", help="fail (and write nothing) if any row is quarantined")
    b.add_argument(
        "--check",
        action="store_true",
        help=f"write nothing; list inputs changed since the last build (exit {EXIT_STALE} if any)",
    )
    b.add_argument("--raw", type=Path, default=None, help="raw folder (default: data/raw)")
    b.add_argument("--out", type=Path, default=None, help="output folder (default: data/processed)")
    b.add_argument(
        "--bulk",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of publisher files (FBI, UNODC, CTDC, UK NRM) to aggregate into the build",
    )
    b.set_defaults(func=_cmd_build)
    ld = sub.add_parser(
        "load",
        help="normalize one FILE with one SOURCE's loader; write the normalized CSV",
        epilog="examples:\n  trafficking-stats load published data/raw/published_figures.csv -o out.csv\n"
        "  trafficking-stats load fbi_cde HT_2019.csv\n\nsources: `trafficking-stats sources` lists them.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ld.add_argument("source", metavar="SOURCE")
    ld.add_argument("file", metavar="FILE")
    ld.add_argument("-o", "--output", metavar="OUT", default=None, help="output CSV (default: stdout)")
    ld.set_defaults(func=_cmd_load)
    f = sub.add_parser(
        "fetch",
        help="download SOURCE's publisher file into the user cache (hash-verified)",
        epilog="examples:\n  trafficking-stats fetch unodc_glotip\n"
        "  trafficking-stats fetch fbi_cde --cache ./cache\n\n"
        "sources: `trafficking-stats sources` lists them.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    f.add_argument("source", metavar="SOURCE")
    f.add_argument("--url", default=None, help="download from this URL instead of the source's own")
    f.add_argument("--sha256", default=None, help="expected sha256 (overrides the pinned one)")
    f.add_argument("--cache", type=Path, default=None, help="cache folder (default: user cache)")
    f.set_defaults(func=_cmd_fetch)
    from .cli_charts import add_parser as _add_charts

    _add_charts(sub)
    from .cli_charts import add_place_parser

    add_place_parser(sub)
    from .cli_site import add_parser as _add_site

    _add_site(sub)
    from .cli_mse import add_parser as _add_mse

    _add_mse(sub)
    s = sub.add_parser(
        "sources",
        help="list the sources with publisher, reporter type, years and licence",
        epilog="example:\n  trafficking-stats sources",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.set_defaults(func=_cmd_sources)
    v = sub.add_parser(
        "validate",
        help="validate a normalized CSV (default: data/processed/counts.csv)",
        epilog="examples:\n  trafficking-stats validate\n  trafficking-stats validate my-normalized.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("file", metavar="FILE", nargs="?", default=None)
    v.set_defaults(func=_cmd_validate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``trafficking-stats`` command; returns the exit code."""
    from .fetch import FetchError
    from .outputs import BuildLockedError
    from .sources import UnknownSourceError

    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, UnknownSourceError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FetchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FETCH
    except BuildLockedError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except SourceFormatError as exc:
        if args.debug:
            raise
        _print_problems(exc.problems)
        return EXIT_FORMAT
    except ValidationError as exc:
        if args.debug:
            raise
        _print_problems(exc.problems)
        return EXIT_VALIDATION
    except Exception as exc:  # a bug: say so plainly, traceback with --debug
        if args.debug:
            raise
        print(
            f"error: internal error: {type(exc).__name__}: {exc} (re-run with --debug for a traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
