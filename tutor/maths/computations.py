"""Every worked example by name: the one registry content templates, checkpoints and requests look in.

Each module registers its own computations in its ``FUNCTIONS`` dict beside their code
(:mod:`tutor.maths.numeric` the loss, its derivatives and logs; :mod:`tutor.maths.losses`
baselines, weights, logits and frameworks); this module only joins them, and after them the
formulas content declares (:mod:`tutor.maths.formulas`, each called with its values by name
or in declared order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from tutor.maths import formulas, losses, numeric
from tutor.maths.numeric import Computation

#: The computations written in Python, and the concepts each teaches.
BUILTIN: dict[str, Callable[..., Computation]] = {**numeric.FUNCTIONS, **losses.FUNCTIONS}
CONCEPTS: dict[str, tuple[str, ...]] = {**numeric.CONCEPTS, **losses.CONCEPTS}


def concepts_of(name: str) -> tuple[str, ...]:
    """What a computation teaches: its own entry, else what its declared formula says (empty if neither)."""
    return CONCEPTS.get(name) or formulas.concepts_of(name) or ()


class _Registry(Mapping[str, Callable[..., Computation]]):
    """The built-in computations, then the declared formulas (a declared name never hides a built-in one)."""

    def __getitem__(self, name: str) -> Callable[..., Computation]:
        if name in BUILTIN:
            return BUILTIN[name]
        formula = formulas.find(name)
        if formula is None:
            raise KeyError(name)
        return formula.compute

    def __iter__(self) -> Iterator[str]:
        yield from BUILTIN
        yield from (name for name in formulas.declared() if name not in BUILTIN)

    def __len__(self) -> int:
        return len(BUILTIN) + sum(1 for name in formulas.declared() if name not in BUILTIN)

    def __contains__(self, name: object) -> bool:
        return name in BUILTIN or formulas.find(name) is not None


FUNCTIONS: Mapping[str, Callable[..., Computation]] = _Registry()
