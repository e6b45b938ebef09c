"""Which node answers a question: normalisation, lexical and semantic ranking, evaluation."""
