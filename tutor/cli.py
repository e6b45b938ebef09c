"""The ``tutor`` command: a thin layer over the core (and the app, imported only to open it)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from tutor import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    def content_option(default, builtin_default) -> argparse.ArgumentParser:
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument(
            "--content",
            action="append",
            default=default,
            metavar="DIR",
            type=Path,
            help="add a folder of content files on top of the built-in content (repeatable; "
            "replaces TUTOR_CONTENT and the config file's folders)",
        )
        parent.add_argument(
            "--builtin",
            action=argparse.BooleanOptionalAction,
            default=builtin_default,
            help="read the built-in content (default); --no-builtin: only the --content folders",
        )
        return parent

    # Before or after the subcommand: the subcommand's option must not reset what was given before it.
    common = content_option(argparse.SUPPRESS, argparse.SUPPRESS)
    p = argparse.ArgumentParser(
        prog="tutor",
        parents=[content_option([], None)],
        description="A terminal tutor for the mathematics of binary cross-entropy.",
    )
    p.add_argument("--version", action="version", version=f"tutor {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("ask", parents=[common], help="answer one question (or one a line from stdin)")
    s.add_argument("question", nargs="*", help="the question; none: read one question a line from stdin")
    s.add_argument("--json", action="store_true", help="print the answer object as JSON")
    s.add_argument(
        "--markdown", action="store_true", help="print plain Markdown even on a terminal (the default in pipes)"
    )
    s.add_argument("--no-plots", action="store_true", help="leave plots out")
    s.add_argument(
        "--screen-reader",
        action="store_true",
        help="describe plots in words and a small table instead of drawing them; no colours or styling",
    )

    s = sub.add_parser("chat", parents=[common], help="a line-based conversation on stdin/stdout")
    s.add_argument("--plain", action="store_true", help="plain text turns (the default without --json)")
    s.add_argument("--json", action="store_true", help="one JSON object a turn")
    s.add_argument("--no-plots", action="store_true", help="leave plots out")
    s.add_argument(
        "--screen-reader", action="store_true", help="describe plots in words and a small table instead of drawing them"
    )

    s = sub.add_parser(
        "export", parents=[common], help="write a lesson summary (or your progress) as Markdown to paste elsewhere"
    )
    s.add_argument("lesson", nargs="?", help="a lesson id (see 'tutor lessons'); none: every lesson's progress")
    s.add_argument("-o", "--output", type=Path, help="the file to write (default: in the data folder; '-' for stdout)")

    s = sub.add_parser("derive", parents=[common], help="a step-by-step derivation")
    s.add_argument("target", nargs="?", help="what to derive (see --list), or an expression such as 'ln(1 - x)'")
    s.add_argument("--list", action="store_true", help="name the targets")
    s.add_argument("--latex", action="store_true", help="print LaTeX")
    s.add_argument("--json", action="store_true", help="print the derivation object as JSON")
    s.add_argument(
        "--wrt", metavar="VAR", help="for a declared formula or an expression: the variable to differentiate by"
    )

    s = sub.add_parser(
        "validate",
        parents=[common],
        help="check content files",
        description="Check content files. Each problem is one 'file:line: message' line (exit 1); "
        "warnings ('file:line: warning: message') are advice and keep exit 0. A FILE is "
        "judged with the content folder it belongs to.",
    )
    s.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all content)")

    s = sub.add_parser(
        "new",
        parents=[common],
        help="start a new node or lesson from a template that validates",
        description="Write a new node (ID.md) or lesson (lessons/ID.toml) into the content folder: "
        "--content DIR, else the first remembered folder (TUTOR_CONTENT, config.toml), "
        "else the current folder. Never overwrites a file.",
    )
    s.add_argument("what", choices=["node", "lesson"], help="what to write")
    s.add_argument("id", help="its id: lowercase letters, digits and '-', such as focal-loss")
    s.add_argument(
        "--node",
        dest="step_node",
        metavar="NODE",
        help="for a lesson: the node its first step shows (default: a node of the content folder)",
    )

    sub.add_parser("lessons", parents=[common], help="list lessons and your progress")
    s = sub.add_parser("lesson", parents=[common], help="open the app on a lesson (the list without ID)")
    s.add_argument("id", nargs="?")

    s = sub.add_parser(
        "eval",
        parents=[common],
        help="measure matching on labelled questions (TSV)",
        description="Measure how often labelled questions reach the right topic. FILE is a TSV with a "
        "header line and the columns concept, also, question (docs/authoring.md).",
    )
    s.add_argument("file", type=Path)
    s.add_argument("--misses", action="store_true", help="list every miss")
    s.add_argument(
        "--cv", action="store_true", help="cross-validate the semantic matcher on FILE (5 folds) with a confusion table"
    )
    s.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="with --cv: the seed of the fold split (figures move a few points between seeds; judge a change on several)",
    )
    s.add_argument(
        "--by-source",
        action="store_true",
        help="with --cv: keep the questions of one source (a GitHub repository, a site; the file's source "
        "column) in one fold, so each fold is answered as questions from new places",
    )
    s.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    s.add_argument(
        "--min-top1",
        type=_percentage,
        metavar="P",
        help="exit 1 when top-1 is below P percent (0 to 100), for an author's CI",
    )

    s = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the app in a browser (textual-serve)",
        description="Serve the app in a browser (textual-serve). Only pages of this server start "
        "sessions: requests must name the served address in their Host header, WebSockets "
        "from any other Origin are refused, and at most 4 sessions run at once.",
    )
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--host",
        default="localhost",
        help="address to listen on (default: localhost, loopback only); another address is also accepted "
        "in Host and Origin headers, so name it only on a network you trust",
    )
    return p


def _percentage(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number; give a percentage such as 85") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not a percentage between 0 and 100")
    if 0 < value < 1 and "%" not in text:
        raise argparse.ArgumentTypeError(
            f"{text} would mean {text} percent; write {value * 100:g} for "
            f"{value * 100:g} percent (or {text}% if you mean it)"
        )
    return value


def _err(message: str) -> None:
    print(f"tutor: {message}", file=sys.stderr)


def _tutor(args: argparse.Namespace, *, quiet: bool = False):
    from tutor.dialogue.engine import Tutor

    t = Tutor(_load(args))
    if not quiet:
        for problem in t.kb.problems:
            _err(f"warning: {problem}")
    return t


def _read_lines(stream: TextIO) -> list[str]:
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8", "replace")
    return data.decode("utf-8", errors="replace").splitlines()


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _load(args: argparse.Namespace, **kw):
    from tutor.content.nodes import load

    return load(args.content, builtin=args.builtin, **kw)


def _choose_content(args: argparse.Namespace) -> bool:
    """Set ``args.content`` and ``args.builtin`` from the flags, ``TUTOR_CONTENT`` and config.toml; False on bad flags."""
    from tutor.content.files import exists, is_dir, short
    from tutor.store.config import choose_content

    for folder in getattr(args, "content", []) or []:
        if not is_dir(folder):
            _err(
                f"no content folder at {short(str(folder), 200)}"
                + (" (it is a file; give the folder that holds it)" if exists(folder) else "")
            )
            return False
    choice = choose_content(getattr(args, "content", []), getattr(args, "builtin", None))
    for notice in choice.notices:
        _err(f"warning: {notice}")
    folders = choice.folders
    if choice.builtin:  # the built-in folder named again would report each of its ids as already used
        from tutor.content.files import builtin_content_dir
        from tutor.store.config import unique_folders

        folders = unique_folders([builtin_content_dir(), *folders])[1:]
    args.content, args.builtin = folders, choice.builtin
    return True


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    cmd = args.command
    if cmd == "new":  # the folder to write into, as named (before the built-in folder is dropped from the list)
        args.target = args.content[0] if args.content else None
    if cmd == "new" and args.content:  # a new pack: its folder may not exist yet
        try:
            args.content[0].mkdir(parents=True, exist_ok=True)
        except OSError as err:
            _err(f"cannot make the content folder {str(args.content[0])[:200]}: {err.strerror or err}")
            return EXIT_USAGE
    if not _choose_content(args):
        return EXIT_USAGE
    if cmd is None:
        return _open_app(args)
    if cmd == "lesson":
        return _open_app(args, lesson=args.id or "")
    if cmd == "serve":
        return _serve(args)
    from tutor.text import safe_output

    with safe_output():  # every plain command's output: no escape from content or a file name reaches the terminal
        return _command(args)


def _command(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "ask":
        return _ask(args)
    if cmd == "chat":
        return _chat(args)
    if cmd == "validate":
        return _validate(args)
    if cmd == "derive":
        return _derive(args)
    if cmd == "lessons":
        return _lessons(args)
    if cmd == "new":
        return _new(args)
    if cmd == "eval":
        from tutor.matching.evaluate import run_cli, run_cv_cli

        if args.cv:
            return run_cv_cli(
                list(_tutor(args).kb.nodes.values()),
                args.file,
                seed=args.seed,
                as_json=args.json,
                min_top1=args.min_top1,
                by_source=args.by_source,
            )
        return run_cli(_tutor(args), args.file, misses=args.misses, as_json=args.json, min_top1=args.min_top1)
    if cmd == "serve":
        return _serve(args)
    if cmd == "export":
        return _export(args)
    return EXIT_USAGE


def _open_app(args: argparse.Namespace, lesson: str | None = None) -> int:
    served = bool(os.environ.get("TEXTUAL_DRIVER"))  # textual-serve runs the app behind pipes
    if not served and not sys.stdout.isatty() and not sys.stdin.isatty():
        _err("the app needs a terminal; use 'tutor ask' or 'tutor chat --plain' in pipes")
        return EXIT_USAGE
    from tutor.ui.app import make_app

    make_app(content=args.content, lesson=lesson, builtin=args.builtin).run()
    return EXIT_OK


def _print_reply(
    reply,
    as_json: bool,
    out: TextIO | None = None,
    *,
    rich: bool = False,
    one_shot: bool = False,
    plots: bool = True,
    words: bool = False,
) -> None:
    out = out or sys.stdout
    if as_json:
        out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
    else:
        from tutor.printing import reply_text
        from tutor.ui.terminal import rich_print

        text = reply_text(reply, with_plot=plots, one_shot=one_shot, words=words)
        if rich:
            rich_print(text, out)
        else:
            out.write(text + "\n")
    out.flush()


USAGE_ASK = (
    'usage: tutor ask "your question"   (or one question a line on stdin: tutor ask < questions.txt)\n'
    'for example: tutor ask "why the minus sign?"'
)


def _ask(args: argparse.Namespace) -> int:
    if not args.question and _tty(sys.stdin):
        print(USAGE_ASK, file=sys.stderr)
        return EXIT_USAGE
    loading = _load_model_early(" ".join(args.question)) if args.question else None
    try:
        return _answer(args, _tutor(args))
    finally:
        if loading is not None:
            loading.join()  # never exit while onnxruntime is still building its session


def _answer(args: argparse.Namespace, t) -> int:
    rich = _tty(sys.stdout) and not (args.json or args.markdown or args.screen_reader)
    show = dict(rich=rich, one_shot=True, plots=not args.no_plots, words=args.screen_reader)
    if args.question:
        reply, _ = t.reply(" ".join(args.question))
        _print_reply(reply, args.json, **show)
        if t.topics.notice:
            _err(t.topics.notice)
        return EXIT_OK if reply.kind != "error" else EXIT_PROBLEMS
    errors = 0
    for line in _read_lines(sys.stdin):
        reply, _ = t.reply(line)
        errors += reply.kind == "error"
        _print_reply(reply, args.json, **show)
        if not args.json:
            sys.stdout.write("\n")
    return EXIT_PROBLEMS if errors else EXIT_OK


def _load_model_early(question: str):
    """A thread loading the embedding model while the content loads, when the question will need it
    (a compute, plot or derive request never loads it). onnxruntime builds its session without
    holding the GIL, so the two overlap; the reply waits for the model if it is not ready yet.
    The thread imports only the embedding module, not the matcher (which imports the content)."""
    import threading

    from tutor.dialogue.intents import asks_about_topics

    if not asks_about_topics(question):
        return None
    from tutor.matching.embedding import Shared

    loading = threading.Thread(target=Shared.get, name="load-model", daemon=True)
    loading.start()
    return loading


def _chat(args: argparse.Namespace) -> int:
    from tutor.dialogue.reply import Context

    t = _tutor(args)
    ctx = Context()
    if not args.json:
        print("tutor: ask about binary cross-entropy; 'help' lists what I can do, 'quit' ends.", flush=True)
    interactive = _tty(sys.stdin) and not args.json
    if interactive:
        try:
            import readline  # noqa: F401  line editing and history for input(), where the platform has it
        except ImportError:
            pass
    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    while True:
        if interactive:
            try:
                line = input("> ")
            except EOFError:
                print()
                break
        else:
            if not args.json:
                sys.stdout.write("> ")
                sys.stdout.flush()
            raw = stream.readline() if stream else sys.stdin.readline().encode()
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if line.strip().lower() in ("quit", "exit", ":q", "bye"):
            break
        reply, ctx = t.reply(line, ctx)
        _print_reply(reply, args.json, plots=not args.no_plots, words=args.screen_reader)
        _store_notice(t)
    store = t.opened_store()
    if store is not None:
        store.close()  # a last try at anything queued
        if store.pending():
            _err(f"{store.pending()} change(s) to your progress could not be saved ({store.path}).")
    return EXIT_OK


def _store_notice(t) -> None:
    """Show the progress store's news (cannot save, saving again) as it happens."""
    from tutor.store.progress import pending_notice

    notice = pending_notice(t)
    if notice:
        _err(notice)


def _validate(args: argparse.Namespace) -> int:
    from tutor.content import authoring

    result = authoring.validate(args.paths, args.content, builtin=args.builtin)
    for problem in [*result.problems, *result.warnings]:
        print(problem)
    counts = f"{len(result.problems)} problem(s), {len(result.warnings)} warning(s)"
    if result.problems:
        print(f"{counts}.", file=sys.stderr)
        return EXIT_PROBLEMS
    kb = result.kb
    print(
        f"ok: {len(kb.nodes)} nodes, {len(kb.lessons)} lessons, {len(kb.concepts)} concepts"
        + (f"; {len(result.warnings)} warning(s)." if result.warnings else "."),
        file=sys.stderr,
    )
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from tutor.content import authoring
    from tutor.errors import TutorError

    target = args.target or (args.content[0] if args.content else Path("."))
    try:
        written = authoring.scaffold(
            args.what, args.id, target, builtin=args.builtin, extra=args.content, step_node=args.step_node
        )
    except TutorError as err:
        _err(err.message)
        return EXIT_USAGE
    except OSError as err:
        _err(f"could not write into {target}: {err.strerror or err}")
        return EXIT_PROBLEMS
    for path, what in written:
        print(f"{what} {path}")
    print(f"next: edit it, then run: tutor validate {written[0][0]}", file=sys.stderr)
    return EXIT_OK


def _derive(args: argparse.Namespace) -> int:
    from tutor.content.curriculum import DERIVATIONS
    from tutor.errors import TutorError

    declared = {}
    if args.list or not args.target or args.target not in DERIVATIONS:
        from tutor.content.nodes import load

        declared = load(args.content).formulas  # formulas.toml: declared formulas derive too
    if args.list or not args.target:
        for name, what in DERIVATIONS.items():
            print(f"{name:12} {what}")
        for name, f in declared.items():
            print(f"{name:12} the derivative of {f.title}, {f.lhs} = {f.display()}, by {f.wrt} (declared in {f.path})")
        return EXIT_OK if args.list else EXIT_USAGE
    from tutor.maths import formulas

    typed = args.target not in DERIVATIONS and args.target not in declared
    if typed and not formulas.expression_variables(args.target) and not re.search(r"\w\s*\(", args.target):
        _err(
            f"unknown target '{args.target[:60]}'; 'tutor derive --list' names them, "
            "or give an expression such as 'ln(1 - x)'"
        )
        return EXIT_USAGE
    from tutor.maths import derive

    if args.wrt is not None and args.target in DERIVATIONS:
        _err(f"the derivation '{args.target}' has its own variables; --wrt is for formulas and expressions")
        return EXIT_USAGE
    try:
        if typed:  # an expression: "tutor derive 'ln(1 - x)'", "tutor derive 'x^2 ln x' --wrt x"
            from tutor.maths import typed as typed_expression

            d = typed_expression.expression_derivation(args.target, args.wrt)
        elif args.target in declared:
            d = derive.formula_derivation(declared[args.target], args.wrt)
        else:
            d = derive.derive(args.target)
    except TutorError as err:
        _err(err.message)
        return EXIT_PROBLEMS
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False))
    elif args.latex:
        print(derive.to_latex(d))
    else:
        print(derive.to_text(d))
    return EXIT_OK


def _lessons(args: argparse.Namespace) -> int:
    from tutor.store.progress import open_store

    kb = _load(args)
    store = open_store()
    if store.notice:
        _err(store.notice)
    for lesson in kb.lessons.values():
        state = store.summary(lesson.id, len(lesson.steps))
        print(f"{lesson.id:24} {lesson.title:40} {state}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from tutor import export
    from tutor.store.progress import open_store

    kb = _load(args)
    if args.lesson and args.lesson not in kb.lessons:
        _err(f"no lesson '{args.lesson}'; 'tutor lessons' lists them")
        return EXIT_USAGE
    store = open_store()
    text = export.lesson_markdown(kb, store, args.lesson) if args.lesson else export.progress_markdown(kb, store)
    if args.output is not None and str(args.output) == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        path = export.write(text, args.output, stem=f"lesson-{args.lesson}" if args.lesson else "lessons")
    except OSError as err:
        _err(f"could not write {args.output or 'the export'}: {err.strerror or err}")
        return EXIT_PROBLEMS
    print(path)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from tutor.ui.serve import serve

    try:
        serve(args.content, args.host, args.port, builtin=args.builtin)
    except ImportError:
        _err(
            "serving needs textual-serve, this project's 'serve' extra: pip install 'loss-tutor[serve]' "
            "(in a checkout: pip install -e '.[serve]')"
        )
        return EXIT_PROBLEMS
    return EXIT_OK
