"""The Textual app: a thin view over :mod:`tutor.engine`. Only this package imports Textual."""
