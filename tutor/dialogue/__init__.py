"""The conversation: a learner's turn read into an intent, dispatched to a handler, answered with a Reply."""
