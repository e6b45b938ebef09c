"""tutor: a terminal tutor for the mathematics of loss functions.

The core (everything outside ``tutor.ui``) never imports Textual or Rich.
"""

__version__ = "0.1.0"
