"""The Textual app: a thin view over :mod:`tutor.dialogue.engine`. Only this package imports Textual."""
