"""The mathematics: NumPy worked examples, SymPy derivations, plots and safe expression parsing."""
