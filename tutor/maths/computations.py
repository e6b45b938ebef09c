"""Every worked example by name: the one registry content templates, checkpoints and requests look in.

Each module registers its own computations in its ``FUNCTIONS`` dict beside their code
(:mod:`tutor.maths.numeric` the loss, its derivatives and logs; :mod:`tutor.maths.losses`
baselines, weights, logits and frameworks); this module only joins them.
"""

from __future__ import annotations

from typing import Callable

from tutor.maths import losses, numeric
from tutor.maths.numeric import Computation

FUNCTIONS: dict[str, Callable[..., Computation]] = {**numeric.FUNCTIONS, **losses.FUNCTIONS}
