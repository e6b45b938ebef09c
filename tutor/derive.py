"""Step-by-step derivations (the math engine's SymPy half)."""

from tutor.errors import NotAvailable


def derive(target: str):
    raise NotAvailable("Step-by-step derivations are not available yet in this build.")
