"""The ``trafficking-stats`` command.

Exit codes (also in README.md):

* 0: success;
* 1: unexpected internal error (a bug: please report it, with the ``--debug`` traceback);
* 2: usage error (unknown command, source or option; a file that does not exist);
* 3: format error: an input file cannot be read as its source's format (``SourceFormatError``);
* 4: validation error: rows that do not normalize or break the schema (``ValidationError``, quarantine);
  ``build``: a figure that would fall or disappear without ``--accept-changes``, two files claiming the
  same vintage;
* 5: download error: offline, HTTP error, or a file whose hash does not match the pinned one (``fetch``);
* 6: the list table cannot give an estimate (``mse``; see ``cli_mse.py``);
* 7: ``build --check``: the processed outputs are out of date with their inputs (or were never built);
* 8: another build is writing the same output folder (``build``; wait for it, then build again).

Problems are printed one per line as ``error: FILE:LINE: column 'NAME': message``; a traceback is shown
only with ``--debug``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, SourceFormatError, TraffickingStatsError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_FORMAT, EXIT_VALIDATION, EXIT_FETCH = 0, 1, 2, 3, 4, 5
EXIT_STALE, EXIT_LOCKED = 7, 8  # 6 is cli_mse.EXIT_ESTIMATION


class UsageError(TraffickingStatsError):
    """A command line that cannot be carried out as given."""


def _not_a(path: Path, kind: str = "file") -> str | None:
    """Why ``path`` cannot be read as a ``kind`` ("file" or "folder"), or None when it can.

    Says "no such file", "is a directory", "is not a folder", "is a symlink loop" or "is a broken symlink"
    rather than one message for all.
    """
    import errno
    import os

    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{path}: is a symlink loop (the link points, in the end, back to itself)"
        if os.path.islink(path):
            return f"{path}: is a broken symlink (it points to {os.readlink(path)!r}, which does not exist)"
        return f"{path}: no such {'folder' if kind == 'folder' else 'file'}"
    if kind == "file" and path.is_dir():
        return f"{path}: is a directory, not a file (give one file inside it)"
    if kind == "file" and not path.is_file():
        return f"{path}: is not a regular file"
    if kind == "folder" and not path.is_dir():
        return f"{path}: is a file, not a folder"
    return None


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
    for folder in (args.bulk, args.raw):
        if folder is not None and (why := _not_a(folder, "folder")):
            raise UsageError(why)
    res = build(
        args.raw,
        args.out,
        bulk_dir=args.bulk,
        strict=args.strict,
        strict_raw=args.strict_raw,
        accept_changes=args.accept_changes,
    )
    if args.bulk is None:
        for dataset in res.kept:
            note = f"note: no bulk file for {dataset!r}: kept its rows from the previous build"
            print(note, file=sys.stderr)
    else:  # one line per bulk dataset: added, replaced, unchanged, kept, ignored
        for line in res.summary:
            print(f"note: {line}", file=sys.stderr)
    from .guards import describe_drop

    for d in res.accepted_changes:
        print(f"note: accepted change (recorded in manifest.json): {describe_drop(d)}", file=sys.stderr)
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


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def reason_kind(reason: str) -> str:
    """The kind of a quarantine reason: its text with quoted values and numbers blanked, so that
    "breakdown 'age=adult' is at least 12" and "breakdown 'sex=male' is at least 7" are one kind."""
    return re.sub(r"#(?:, #)+", "#", _NUMBER.sub("#", _QUOTED.sub("'…'", reason)))


def quarantine_summary(quarantine: pd.DataFrame, file: str) -> list[str]:
    """One line per kind of reason: the rows' count, the first three locations and the first row's reason
    (one row: the plain ``FILE:LINE: column 'NAME': message`` line)."""
    import pandas as pd

    lines = []
    q = quarantine.reset_index(drop=True)
    kinds = q["reason"].astype("str").map(reason_kind)
    for _, grp in q.groupby(kinds, sort=False):
        first = grp.iloc[0]
        where = [str(int(r)) for r in grp["raw_row"].head(3) if r is not None and not pd.isna(r)]
        loc = f"{file}:{','.join(where)}" if where else file
        if len(grp) > 3:
            loc += f" (+{len(grp) - 3} more rows)"
        col = f"column {first['column']!r}: " if first["column"] else ""
        lines.append(f"{loc}: {col}{first['reason']}" + (f" [{len(grp)} rows]" if len(grp) > 1 else ""))
    return lines


def _cmd_load(args: argparse.Namespace) -> int:
    from . import schema
    from .build import csv_bytes, quarantine_invalid
    from .sources import get

    path = Path(args.file)
    if args.engine != "duckdb" and args.source != "fbi_nibrs":
        raise UsageError("--engine applies to fbi_nibrs only")
    source = get(args.source)
    if args.source == "fbi_nibrs":  # a bundle: a zip, or a folder of its CSV tables or of many bundles
        if why := _not_a(path, "folder" if path.is_dir() else "file"):
            raise UsageError(why)
        result = source.load(path, engine=args.engine)
    else:
        check_path(path, "file")
        result = source.load(path)
    citations = set(result.rows["citation"].astype("str")) if len(result.rows) else set()
    quarantine_invalid(result, citations)  # schema, vocabulary and plausibility: as the build does
    good = schema.coerce(result.rows) if len(result.rows) else schema.empty()
    data = csv_bytes(good)
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    q = result.quarantine
    if args.quarantine:
        Path(args.quarantine).write_bytes(csv_bytes(q))
    for line in quarantine_summary(q, args.file) if len(q) else []:
        print(f"error: {line}", file=sys.stderr)
    return EXIT_VALIDATION if len(q) else EXIT_OK


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
    check_path(path, "file")
    from .sources._csvfile import read_text

    read_text(path)  # encoding and emptiness checks with clear errors
    try:
        df = pd.read_csv(path, dtype="str", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        msg = f"not a CSV file of the normalized table ({type(exc).__name__}: {str(exc).strip()})"
        raise SourceFormatError(Problem(str(path), None, None, msg)) from None
    from .metadata import STORED_COLUMNS, is_stored, unfold

    if not (set(schema.COLUMN_NAMES) <= set(df.columns) or set(STORED_COLUMNS) <= set(df.columns)):
        msg = (
            "not a table of counts: its header has none of the columns the normalized table needs "
            if not set(df.columns) & set(schema.COLUMN_NAMES)
            else "not a complete table of counts: "
        ) + f"missing {', '.join(c for c in schema.COLUMN_NAMES if c not in df.columns)}"
        raise SourceFormatError(Problem(str(path), 1, None, msg))
    df = df.astype("object").where(df != "", None)
    if is_stored(df.columns):  # the stored form: join the key tables beside it
        df = unfold(df, path.parent)
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


#: (command, argument) -> what the path must be: ``file`` (an existing readable file), ``dir`` (an existing
#: folder), ``new_dir`` (a folder, created if missing: must not be a file), ``new_file`` (a file to write:
#: not a folder, in an existing folder). Checked before the command runs, so a user's mistake is one line
#: naming the path and exit 2, never a traceback or "internal error".
PATH_ARGS: dict[tuple[str, str], str] = {
    ("build", "raw"): "dir",
    ("build", "out"): "new_dir",
    ("build", "bulk"): "dir",
    # ("load", "file") is checked by _cmd_load: a file for most sources, a file or a folder for fbi_nibrs
    ("load", "output"): "new_file",
    ("load", "quarantine"): "new_file",
    ("validate", "file"): "file",
    ("charts", "out"): "new_dir",
    ("mse", "file"): "file",
    ("fetch", "cache"): "new_dir",
}


def check_path(value: str | Path, kind: str) -> None:
    """Raise :class:`UsageError` naming ``value`` when it is not the kind of path ``kind`` says."""
    p = Path(value)
    if kind in ("file", "dir") and (why := _not_a(p, "file" if kind == "file" else "folder")):
        raise UsageError(why)  # no such path, a folder for a file, a symlink loop, a broken symlink
    if kind == "file":
        try:
            with open(p, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            raise UsageError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
    elif kind == "new_dir":
        if p.exists() and not p.is_dir():
            raise UsageError(f"{p}: exists and is a file; expected a folder (or a path that does not exist)")
    elif kind == "new_file":
        if str(value) == "-":
            return
        if p.is_dir():
            raise UsageError(f"{p}: is a folder; expected a file to write")
        if not p.parent.is_dir():
            raise UsageError(f"{p}: the folder {p.parent} does not exist")


def _check_paths(args: argparse.Namespace) -> None:
    for (command, name), kind in PATH_ARGS.items():
        value = getattr(args, name, None)
        if args.command == command and value is not None:
            check_path(value, kind)


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
        epilog="examples:\n  trafficking-stats build --strict-raw\n"
        "  trafficking-stats build --bulk ~/publisher-files\n"
        "  trafficking-stats build --check\n\nsources: `trafficking-stats sources` lists them.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument(
        "--strict",
        action="store_true",
        help="fail (and write nothing) if any row of any input is quarantined: data/raw, the publisher "
        "files of --bulk, and the publisher rows kept from the previous build (the committed UNODC file "
        "has quarantined rows, so the committed data do not pass it)",
    )
    b.add_argument(
        "--strict-raw",
        action="store_true",
        help="fail (and write nothing) if any row of the hand-transcribed data/raw files is quarantined; "
        "publisher files' quarantined rows are kept in quarantine.csv and reported (what make run uses)",
    )
    b.add_argument(
        "--accept-changes",
        action="store_true",
        help="let a bulk dataset's national total fall by more than 10%% from the previous build, a year "
        "disappear, or a replacing file hold far fewer records (recorded in manifest.json)",
    )
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
    ld.add_argument(
        "--quarantine",
        metavar="FILE",
        default=None,
        help="write every quarantined row (file, line, column, text, reason) to this CSV",
    )
    ld.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="fbi_nibrs: query engine (spark needs the `spark` extra and Java 17)",
    )
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
        _check_paths(args)
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
    except OSError as exc:  # a path the user gave that the system refuses (permissions, a full disk, ...)
        if args.debug or exc.filename is None:
            raise
        print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
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
