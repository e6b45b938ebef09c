"""The core never imports Textual or Rich; an explanation does not even import SymPy."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import sys, json
from tutor.dialogue.engine import Tutor
from tutor import cli
from tutor.content import nodes as content
from tutor.maths import numeric
from tutor.matching import matcher
from tutor.content import template
from tutor.dialogue import requests
from tutor.maths import plots
from tutor.matching import evaluate
from tutor import printing
t = Tutor.from_folders()
reply, ctx = t.reply("why the minus sign?")
reply2, _ = t.reply("what is the loss if y = 1 and y_hat = 0.3?")
print(json.dumps({m: m in sys.modules for m in ("textual", "rich", "sympy")}))
"""


def test_core_does_not_import_textual_rich_or_sympy():
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    loaded = json.loads(res.stdout.strip().splitlines()[-1])
    assert loaded == {"textual": False, "rich": False, "sympy": False}
