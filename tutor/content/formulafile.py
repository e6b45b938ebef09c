"""``formulas.toml``: the formulas a content folder declares, read into :class:`tutor.maths.formulas.Formula`.

One table a formula, its variables under ``[name.vars]``::

    [focal]
    title = "focal loss"                  # how learners name it ("plot focal loss", "derive focal loss")
    expr = "-(1 - p)^gamma * ln(p)"       # numbers, variables, + - * / ^, ln log exp sqrt sigma
    wrt = "p"                             # the variable it is plotted against and differentiated by
    symbol = "FL"                         # optional: the left-hand side in worked steps (default: the name)
    curves = { gamma = [0, 1, 2, 5] }     # optional: what "plot it" shows, one curve a value
    concepts = ["focal-loss"]             # optional: the concepts its replies teach
    phrases = ["focal"]                   # optional: more names learners use for it
    [focal.vars]
    p = { range = "(0, 1)", meaning = "predicted probability of the true class" }
    gamma = { range = "[0, inf)", meaning = "focusing parameter", default = 2 }

Every mistake is a :class:`~tutor.content.files.Problem` at its file and line; a formula
with a mistake is left out, the rest still load. SymPy is not used here (``deep`` checks, in
``tutor validate``, derive each formula once).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from tutor.content.curriculum import DERIVATIONS
from tutor.content.files import Problem, parse_toml, read_text, strings
from tutor.content.files import short as cut
from tutor.errors import InputError, TutorError
from tutor.maths import formulas as F
from tutor.maths import plots

FILE_NAME = "formulas.toml"
FORMULA_KEYS = ("title", "expr", "wrt", "vars", "symbol", "concepts", "phrases", "curves")
VARIABLE_KEYS = ("range", "meaning", "default")


def _header(lines: list[str], *parts: str) -> int | None:
    """The 0-based line of the table header ``[a.b]`` (quoted or bare keys), if any."""
    pat = re.compile(
        r"^\s*\[\s*"
        + r"\s*\.\s*".join(rf"""(?:{re.escape(p)}|"{re.escape(p)}"|'{re.escape(p)}')""" for p in parts)
        + r"\s*\]"
    )
    return next((i for i, line in enumerate(lines) if pat.match(line)), None)


def _key_after(lines: list[str], start: int | None, key: str) -> int | None:
    """The 0-based line of ``key = …`` in the table that starts at ``start`` (before the next header)."""
    if start is None:
        return None
    pat = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*[=.]""")
    for i in range(start + 1, len(lines)):
        if re.match(r"^\s*\[", lines[i]):
            return None
        if pat.match(lines[i]):
            return i
    return None


class _Where:
    """Line numbers of a formula's parts in its file."""

    def __init__(self, lines: list[str], name: str) -> None:
        self.lines = lines
        self.name = name
        self.head = _header(lines, name)
        if self.head is None:  # a dotted key or an inline table: "focal.expr = ..." or "focal = {...}"
            self.head = next((i for i, line in enumerate(lines) if re.match(rf"^\s*{re.escape(name)}\s*[.=]", line)), 0)

    def formula(self) -> int:
        return (self.head or 0) + 1

    def key(self, key: str) -> int:
        i = _key_after(self.lines, self.head, key)
        return (i if i is not None else self.head or 0) + 1

    def var(self, var: str, key: str | None = None) -> int:
        table = _header(self.lines, self.name, "vars", var)
        if table is not None:
            i = _key_after(self.lines, table, key) if key else None
            return (i if i is not None else table) + 1
        vars_head = _header(self.lines, self.name, "vars")
        i = _key_after(self.lines, vars_head, var)
        if i is not None:
            return i + 1
        return self.key("vars")


def read_file(
    path: Path, display: str, problems: list[Problem], taken: dict[str, str], concepts: dict[str, str] | None = None
) -> list[F.Formula]:
    """The formulas ``path`` declares; problems with file:line. ``taken``: names already declared, by file."""
    text = read_text(path, display, problems)
    if text is None:
        return []
    return read_text_formulas(text, display, problems, taken, concepts)


def read_text_formulas(
    text: str, display: str, problems: list[Problem], taken: dict[str, str], concepts: dict[str, str] | None = None
) -> list[F.Formula]:
    data = parse_toml(text, display, 1, problems)
    if data is None:
        return []
    lines = text.split("\n")
    out: list[F.Formula] = []
    for name, raw in data.items():
        where = _Where(lines, name)
        if len(out) + len(taken) >= F.MAX_FORMULAS:
            problems.append(
                Problem(display, where.formula(), f"more than {F.MAX_FORMULAS} formulas; the rest are left out")
            )
            break
        before = len(problems)
        formula = _formula(name, raw, display, where, problems, taken, concepts)
        if formula is not None and len(problems) == before:
            taken[name] = display
            out.append(formula)
    return out


def _formula(
    name: str,
    raw: Any,
    display: str,
    where: _Where,
    problems: list[Problem],
    taken: dict[str, str],
    concepts: dict[str, str] | None,
) -> F.Formula | None:
    def problem(line: int, message: str) -> None:
        problems.append(Problem(display, line, f"formula '{cut(name, 40)}': {message}"))

    if not F.NAME.match(name):
        problems.append(
            Problem(
                display,
                where.formula(),
                f"formula name '{cut(name, 40)}' must be lowercase letters, digits and '_', starting with a letter",
            )
        )
        return None
    if not isinstance(raw, dict):
        problem(where.formula(), f"declare it as a table: [{name}] with expr, wrt and [{name}.vars]")
        return None
    clash = (
        "a built-in computation"
        if _builtin_computation(name)
        else "a built-in plot"
        if name in plots.NAMED
        else "a built-in derivation"
        if name in DERIVATIONS
        else "a function formulas use"
        if name in F.RESERVED
        else None
    )
    if clash:
        problem(where.formula(), f"the name is already {clash}; choose another name")
        return None
    if name in taken:
        problem(where.formula(), f"the name is already declared in {taken[name]}")
        return None
    for key in raw:
        if key not in FORMULA_KEYS:
            hint = _did_you_mean(key, FORMULA_KEYS)
            problem(where.key(key), f"unknown key '{cut(key, 30)}'{hint} (known: {', '.join(FORMULA_KEYS)})")
    title = raw.get("title", name.replace("_", " "))
    if not isinstance(title, str) or not title.strip():
        problem(where.key("title"), "'title' must be a non-empty string")
        title = name
    symbol = raw.get("symbol", "")
    if not isinstance(symbol, str) or len(symbol) > 20:
        problem(where.key("symbol"), "'symbol' is a short string such as \"FL\"")
        symbol = ""
    own_concepts = strings(raw.get("concepts", [])) if isinstance(raw.get("concepts", []), list) else None
    if own_concepts is None:
        problem(where.key("concepts"), "'concepts' must be a list of concept ids")
        own_concepts = ()
    for c in own_concepts:
        if concepts is not None and c not in concepts:
            problem(
                where.key("concepts"),
                f"unknown concept id '{cut(c, 40)}' (add it to a concepts.toml: {c} = \"its title\")",
            )
    phrases = strings(raw.get("phrases", [])) if isinstance(raw.get("phrases", []), list) else None
    if phrases is None or any(len(p) > 60 or not re.search(r"[a-z]{3}", p.lower()) for p in phrases):
        problem(where.key("phrases"), "'phrases' must be a list of names learners use, each a few words")
        phrases = ()
    variables = _variables(name, raw.get("vars"), where, problem)
    if variables is None:
        return None
    names = [v.name for v in variables]
    wrt = raw.get("wrt", names[0] if len(names) == 1 else None)
    if not isinstance(wrt, str) or wrt not in names:
        problem(
            where.key("wrt") if "wrt" in raw else where.formula(),
            f"'wrt' names the variable to plot and differentiate by, one of: {', '.join(names)}"
            if "wrt" in raw
            else f"missing 'wrt': which of {', '.join(names)} is it a function of?",
        )
        return None
    curves = _curves(raw.get("curves"), variables, wrt, where, problem)
    expr = raw.get("expr")
    if "expr" not in raw:
        problem(where.formula(), "missing 'expr': the formula, for example \"-(1 - p)^gamma * ln(p)\"")
        return None
    try:
        tree = F.read(expr, names)
    except InputError as err:
        problem(where.key("expr"), err.message)
        return None
    used = {n.id for n in _names(tree)}
    unused = [n for n in names if n not in used]
    if unused:
        problem(where.var(unused[0]), f"variable '{unused[0]}' is declared but the formula does not use it")
        return None
    return F.Formula(
        name,
        title.strip(),
        str(expr).strip(),
        variables,
        wrt,
        symbol.strip(),
        tuple(own_concepts),
        tuple(p.strip() for p in phrases),
        curves,
        display,
        where.formula(),
        tree,
    )


def _curves(raw: Any, variables: tuple[F.Variable, ...], wrt: str, where: _Where, problem) -> tuple:
    """``curves = { gamma = [0, 1, 2] }``: one variable (not ``wrt``), at most ``plots.MAX_CURVES`` values in its range."""
    from tutor.maths.plots import MAX_CURVES

    if raw is None:
        return ()
    usage = f"'curves' names one variable and its values, e.g. curves = {{ {next((v.name for v in variables if v.name != wrt), 'a')} = [0, 1, 2] }}"
    if not isinstance(raw, dict) or len(raw) != 1:
        problem(where.key("curves"), usage)
        return ()
    ((var, values),) = raw.items()
    v = next((v for v in variables if v.name == var), None)
    if v is None or var == wrt:
        problem(where.key("curves"), f"{usage} (a declared variable other than {wrt})")
        return ()
    if (
        not isinstance(values, list)
        or not 1 <= len(values) <= MAX_CURVES
        or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in values)
    ):
        problem(where.key("curves"), f"{usage}: a list of 1 to {MAX_CURVES} numbers")
        return ()
    outside = [x for x in values if x not in v.range]
    if outside:
        problem(where.key("curves"), f"the value {outside[0]} of {var} lies outside its range {v.range}")
        return ()
    return ((var, tuple(float(x) for x in values)),)


def _names(tree):
    import ast

    return [n for n in ast.walk(tree) if isinstance(n, ast.Name)]


def _builtin_computation(name: str) -> bool:
    from tutor.maths.computations import BUILTIN

    return name in BUILTIN


def _variables(name: str, raw: Any, where: _Where, problem) -> tuple[F.Variable, ...] | None:
    if raw is None:
        problem(
            where.formula(), f'missing [{name}.vars]: each variable with its range, e.g. p = {{ range = "(0, 1)" }}'
        )
        return None
    if not isinstance(raw, dict) or not raw:
        problem(where.key("vars"), "'vars' is a table of variables, each with a range: p = { range = \"(0, 1)\" }")
        return None
    if len(raw) > F.MAX_VARIABLES:
        problem(where.key("vars"), f"at most {F.MAX_VARIABLES} variables")
        return None
    out = []
    ok = True
    for var, spec in raw.items():
        if not F.VARIABLE.match(var) or var in F.RESERVED:
            problem(
                where.var(var),
                f"variable name '{cut(var, 30)}' must be lowercase letters, digits and '_' "
                f"and not one of: e, pi, inf, {', '.join(F.FUNCTIONS)}",
            )
            ok = False
            continue
        if isinstance(spec, str):
            spec = {"range": spec}
        if not isinstance(spec, dict):
            problem(where.var(var), f'variable \'{var}\' is a table: {var} = {{ range = "(0, 1)", meaning = "..." }}')
            ok = False
            continue
        for key in spec:
            if key not in VARIABLE_KEYS:
                problem(
                    where.var(var, key),
                    f"variable '{var}': unknown key '{cut(key, 30)}'{_did_you_mean(key, VARIABLE_KEYS)} "
                    f"(known: {', '.join(VARIABLE_KEYS)})",
                )
                ok = False
        if "range" not in spec:
            problem(where.var(var), f'variable \'{var}\' has no range: add range = "(0, 1)" (or "[0, inf)", ...)')
            ok = False
            continue
        try:
            interval = F.parse_interval(spec["range"])
        except InputError as err:
            problem(where.var(var, "range"), f"variable '{var}': {err.message}")
            ok = False
            continue
        meaning = spec.get("meaning", "")
        if not isinstance(meaning, str) or len(meaning) > 200:
            problem(where.var(var, "meaning"), f"variable '{var}': 'meaning' is a short string")
            ok = False
            meaning = ""
        default = spec.get("default")
        if default is not None:
            if isinstance(default, bool) or not isinstance(default, (int, float)) or not math.isfinite(default):
                problem(where.var(var, "default"), f"variable '{var}': 'default' is a number")
                ok = False
                default = None
            elif default not in interval:
                problem(
                    where.var(var, "default"),
                    f"variable '{var}': the default {default} lies outside its range {interval}",
                )
                ok = False
                default = None
        out.append(F.Variable(var, interval, meaning.strip(), float(default) if default is not None else None))
    return tuple(out) if ok and out else None


def _did_you_mean(key: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def deep_check(formula: F.Formula, problems: list[Problem]) -> None:
    """What ``tutor validate`` adds: the formula differentiates with proven steps, and computes at its defaults."""
    from tutor.maths.derive import formula_derivation  # SymPy: only tutor validate comes here

    try:
        formula_derivation(formula)
    except TutorError as err:
        problems.append(Problem(formula.path, formula.line, f"formula '{formula.name}': {err.message}"))
    except (RecursionError, MemoryError, ValueError, TypeError, ZeroDivisionError, OverflowError) as err:
        problems.append(
            Problem(
                formula.path,
                formula.line,
                f"formula '{formula.name}': SymPy cannot differentiate it ({type(err).__name__})",
            )
        )
