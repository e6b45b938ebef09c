"""Command-palette providers: every topic and every lesson, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

if TYPE_CHECKING:
    from tutor.ui.host import TutorHost


def plain_highlight(matcher: Matcher, candidate: str) -> Content:
    """``matcher.highlight`` without reading ``candidate`` as markup: titles are content, never markup."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class TopicsProvider(Provider):
    @property
    def tutor_app(self) -> TutorHost:
        return cast("TutorHost", self.app)

    def _entries(self) -> list[tuple[str, str, Callable[[], None]]]:
        tutor = self.tutor_app.loaded_tutor()
        if tutor is None:
            return []
        out: list[tuple[str, str, Callable[[], None]]] = []
        for node in tutor.kb.inside():
            # A question the topic answers, in a learner's words: never the internal ids.
            out.append(
                (
                    f"Topic: {node.title}",
                    f"answers: {node.questions[0]}" if node.questions else "",
                    partial(self._show, node.id),
                )
            )
        for lid, lesson in tutor.kb.lessons.items():
            out.append((f"Lesson: {lesson.title}", lesson.summary, partial(self.tutor_app.open_lesson, lid)))
        return out

    def _show(self, node: str) -> None:
        self.tutor_app.show_node(node)

    async def discover(self) -> Hits:
        for title, help_text, action in self._entries():
            yield DiscoveryHit(Content(title), action, text=title, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, title), action, text=title, help=escape(help_text))
