"""What every handler works with: the knowledge base, the matcher and the progress store.

Handlers (:mod:`tutor.dialogue.topics`, :mod:`~tutor.dialogue.doing`,
:mod:`~tutor.dialogue.lessons`, :mod:`~tutor.dialogue.talk`) receive a
:class:`Core` and never import the engine, so there is no import cycle.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Self

from tutor.content.nodes import KnowledgeBase, Node
from tutor.dialogue.reply import Alternative, Choice
from tutor.matching.matcher import Match, Matcher
from tutor.matching.semantic import TopicMatcher

if TYPE_CHECKING:
    from tutor.store.progress import Store

#: Topics offered when nothing is near.
STARTERS = ("minus-sign", "bce-formula", "log-on-unit-interval")


class Core:
    """A knowledge base, a matcher over it, and the learner's progress store (opened on first use)."""

    def __init__(self, kb: KnowledgeBase, store: Store | None = None) -> None:
        self.kb = kb
        self.matcher = Matcher([n for n in kb.nodes.values()])
        #: The semantic matcher over the same nodes, with the word matcher as evidence; its model loads on first use.
        self.topics = TopicMatcher(list(kb.nodes.values()), lexical=self.matcher)
        self._store = store

    def store(self) -> Store:
        """The progress store, opened on first use (never at import or start-up)."""
        if self._store is None:
            from tutor.store.progress import open_store

            self._store = open_store()
        return self._store

    def with_store(self, store: Store) -> Self:
        """The same core (knowledge base, matchers, loaded model) over another learner's progress store.

        Building a core costs a content load and an index read; apps that share one (tests,
        several learners in one process) pay it once. Conversations live in ``Context``, not here.
        """
        twin = copy.copy(self)
        twin._store = store
        return twin

    def opened_store(self) -> Store | None:
        """The progress store if something has opened it already, else None (never opens it)."""
        return self._store

    def alternative(self, m: Match) -> Alternative:
        return Alternative(m.node, self.kb.nodes[m.node].title, m.confidence)

    def starters(self) -> tuple[Alternative, ...]:
        return tuple(Alternative(n, self.kb.nodes[n].title, 0.0) for n in STARTERS if n in self.kb.nodes)

    def node(self, node_id: str | None) -> Node | None:
        return self.kb.nodes.get(node_id or "")


def topic_choices(alternatives: tuple[Alternative, ...]) -> tuple[Choice, ...]:
    """Chips that open each alternative's node directly."""
    from tutor.dialogue.intents import Show

    return tuple(Choice(a.title, Show(a.node)) for a in alternatives)
