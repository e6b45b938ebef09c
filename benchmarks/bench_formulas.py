"""Cost of declared formulas (formulas.toml), printed as figures (never asserted in tests).

    python benchmarks/bench_formulas.py

Reading and checking a declaration, a worked value, a plot, a proven derivation, and the
largest formulas the limits admit (the bound on every step's cost).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.errors import InputError  # noqa: E402
from tutor.maths import derive as D  # noqa: E402
from tutor.maths import formulas as F  # noqa: E402
from tutor.maths import plots  # noqa: E402

FOCAL = "-(1 - p)^gamma * ln(p)"


def timed(label: str, fn, n: int = 20) -> None:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    print(f"{label}: median {statistics.median(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms over {n} runs")


def formula(expr: str, name: str = "f") -> F.Formula:
    tree = F.read(expr, ["p", "gamma"])
    return F.Formula(
        name,
        name,
        expr,
        (F.Variable("p", F.parse_interval("(0, 1)")), F.Variable("gamma", F.parse_interval("[0, 5]"), default=2.0)),
        "p",
        tree=tree,
    )


def main() -> None:
    timed("read and check the focal-loss expression", lambda: F.read(FOCAL, ["p", "gamma"]), 200)
    f = formula(FOCAL, "focal")
    timed("compute focal(p=0.9, gamma=2) with its steps", lambda: f.compute(p=0.9, gamma=2), 200)
    timed(
        "plot focal for gamma = 0, 1, 2 (3 curves x 400 points)",
        lambda: plots.formula_plot(f, {"gamma": [0, 1, 2]}),
        50,
    )
    t = time.perf_counter()
    D._formula_derivation.cache_clear()
    D.formula_derivation(f)
    print(
        f"derive focal by p, every step proven (first call, SymPy imported): {(time.perf_counter() - t) * 1000:.0f} ms"
    )
    timed("derive focal by p (uncached)", lambda: (D._formula_derivation.cache_clear(), D.formula_derivation(f)), 5)
    # The largest formulas the limits admit: 150 symbols, towers of powers, many factors.
    big = [
        (
            "sum of 7 sigmoid-cubed-times-log terms",
            " + ".join(f"sigma({k} * p + gamma) ^ 3 * ln(p + {k})" for k in range(1, 8)),
        ),
        ("product of 12 sigmoids", " * ".join(f"sigma({k} * p - gamma)" for k in range(1, 13))),
        ("tower p^(p^(p^gamma))", "p ^ (p ^ (p ^ gamma))"),
        ("(1 + p)^10 times (2 + p)^10 times (3 + p)^10", "(1 + p)^10 * (2 + p)^10 * (3 + p)^10"),
    ]
    for label, expr in big:
        g = formula(expr)
        t = time.perf_counter()
        try:
            d = D.formula_derivation(g)
            outcome = f"{len(d.steps)} proven steps"
        except InputError as err:
            outcome = f"refused: {err.message[:70]}"
        print(f"derive {label}: {(time.perf_counter() - t) * 1000:.0f} ms, {outcome}")


if __name__ == "__main__":
    main()
