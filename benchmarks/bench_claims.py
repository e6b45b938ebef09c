"""Hostile stated derivatives ("the derivative of ... is ..., right?"): time and memory of each reply.

    python benchmarks/bench_claims.py               # every input, 10 s limit each
    python benchmarks/bench_claims.py --timeout 30

The engine is loaded once; each input then runs in a forked child (POSIX only) under the time limit and a
3 GiB address-space limit, so one that hangs or eats memory is reported (``> limit``) and the rest still
run. Prints the seconds, the growth of the child's peak memory over the loaded engine's, the reply's kind
and its first line. Uses a temporary data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: (what it attacks, the learner's text)
INPUTS = [
    ("baseline right", "the derivative of ln(1-x) is -1/(1-x), right?"),
    ("baseline wrong", "the derivative of ln(1-x) is 1/(1-x), right?"),
    ("exp tower claim", "the derivative of x^2 is exp(exp(exp(exp(exp(exp(x)))))), right?"),
    ("σ tower expression", "the derivative of sigma(sigma(sigma(sigma(x)))) is 1, right?"),
    ("σ tower claim", "the derivative of x^2 is sigma(sigma(sigma(sigma(sigma(x))))), right?"),
    ("power of a long sum", "the derivative of x^2 is (1+x+x^2+x^3+x^4+x^5+x^6+x^7+x^8+x^9+x^10)^10, right?"),
    ("power of a long sum, derived", "the derivative of (1+x+x^2+x^3+x^4+x^5+x^6+x^7)^10 is 0, right?"),
    ("nested roots", "the derivative of sqrt(1-sqrt(1-sqrt(1-sqrt(1-x)))) is 0, right?"),
    ("nested ln", "the derivative of ln(1-ln(1-ln(1-x))) is 0, right?"),
    ("right only for x > 0", "the derivative of ln(x^2) is 2/sqrt(x^2), right?"),
    ("right only for x > 0, far", "the derivative of ln(x*(x+50)) is (2*sqrt(x^2)+50)/(x*(x+50)), right?"),
    (
        "off by 1 in 10^30",
        "the derivative of ((x+1)^10-(x-1)^10)^10 is 10((x+1)^10-(x-1)^10)^9 (10(x+1)^9-10(x-1)^9)+1, right?",
    ),
    ("off by 1e-300", "the derivative of x^2 is 2x+1e-300, right?"),
    ("unprovable but right", "the derivative of ln(1-x) is ln(exp(-1/(1-x))), right?"),
    ("real at one point", "the derivative of sqrt(-x^2) is 0, right?"),
    ("python payload", "the derivative of x^2 is __import__('os').system('true'), right?"),
    ("huge integer", "the derivative of x^2 is 9999999999999999999999*x, right?"),
    ("exponent limit", "the derivative of x^2 is 2x + 9^9^9, right?"),
    ("deep parentheses", "the derivative of x^2 is " + "(" * 54 + "2x" + ")" * 54 + ", right?"),
    ("U+2212 minus", "the derivative of ln(1\u2212x) is \u22121/(1\u2212x), right?"),
    ("zero-width and RTL", "the derivative of ln(1-x) is \u202e-1/(1\u200b-x)\u202c, right?"),
    ("NUL", "the derivative of ln(1-x)\x00 is -1/(1-x)\x00, right?"),
    ("many 'is'", "the derivative of x " + "is x " * 27 + ", right?"),
    ("value: e^(e^(e^x)) at 100", "the derivative of exp(exp(exp(x))) at 100"),
    ("value: x^x at 1e12", "the derivative of x^x at 1e12"),
    ("value: x^(1/x) at 1e-12", "the derivative of x^(1/x) at 1e-12"),
    ("value: σ'(0)", "the derivative of sigma(z) at 0"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    os.environ["TUTOR_DATA_DIR"] = tempfile.mkdtemp(prefix="tutor-bench-")
    from tutor.content.nodes import load
    from tutor.dialogue.engine import Tutor

    tutor = Tutor(load())
    tutor.reply("the derivative of x^2 is 3x, right?")  # SymPy and the checker loaded, as in a session
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for label, text in INPUTS:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
            t = time.perf_counter()
            reply, _ = tutor.reply(text)
            took = time.perf_counter() - t
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            first = reply.markdown.splitlines()[0] if reply.markdown else ""
            os.write(w, json.dumps([took, peak, reply.kind, first[:110]]).encode())
            os._exit(0)
        os.close(w)
        start = time.perf_counter()
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.perf_counter() - start > args.timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.01)
        data = os.read(r, 4096)
        os.close(r)
        if not data:
            print(f"{label:30s}  > {args.timeout:.0f} s (or out of memory)")
            continue
        took, peak, kind, first = json.loads(data)
        print(f"{label:30s} {took:6.2f} s  +{max(0, peak - base) // 1024:4d} MB  {kind:7s} {first}")


if __name__ == "__main__":
    main()
