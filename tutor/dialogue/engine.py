"""The one entry point: a learner's text and the conversation so far in, a :class:`Reply` out.

The CLI, ``tutor chat --plain`` and the Textual app all call :meth:`Tutor.reply`.
Requests to *do* something (choose, follow up, compute, derive, plot, lessons)
are recognised before topics; a topic is answered only when the matcher is
confident, otherwise the tutor asks which topic was meant or says plainly that
it does not cover the question.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from tutor.maths import numeric
from tutor.maths import plots
from tutor.dialogue import requests as rq
from tutor.content.nodes import KnowledgeBase, Node, load
from tutor.content.curriculum import COMPUTATION_CONCEPTS, DERIVATION_CONCEPTS, PLOT_CONCEPTS
from tutor.errors import TutorError
from tutor.matching.language import MAX_CHARS, clean
from tutor.matching.matcher import Match, Matcher
from tutor.matching.semantic import TopicMatcher
from tutor.dialogue.reply import Alternative, Context, Reply, choices_markdown

if TYPE_CHECKING:
    from tutor.store.progress import Store

#: A refused question lists the nearest topics only when they are at least this likely.
NEAR_AT = 0.10
#: Messages longer than this are read as questions, never as compute/derive/plot requests.
REQUEST_CHARS = 160
#: Topics offered when nothing is near.
STARTERS = ("minus-sign", "bce-formula", "log-on-unit-interval")
SCOPE = ("I teach binary cross-entropy and the mathematics around it: the log on (0, 1), the minus sign, "
         "the loss and the cost, their derivatives, the sigmoid, why this loss and not squared error, "
         "and numerical stability.")


HELP = "\n".join([
    SCOPE, "",
    "- **Ask in your own words**: *why the minus sign?*, *why is the loss 0 and not -1 when ŷ is near 1?*",
    "- **Follow up**: *why?*, *an example*, *simpler*, *go deeper*, *next*, *what about y = 0?*, or a number "
    "to pick one of the choices I offer",
    "- **Compute**: *loss if y = 1 and ŷ = 0.3*, *cost for y=[1,0,1] and ŷ=[0.9,0.2,0.6]*, *-log(0.99)*, "
    "*one gradient step with w=0.5, x=2, y=1, lr=0.1*",
    "- **Derive**: *derive the derivative of the loss*, *how do you get ŷ - y?*",
    "- **Plot**: *plot -log(ŷ)*, *show me the graph of log*, *plot the loss for y = 0*",
    "- **Lessons**: *lessons*, *start lesson why-minus*, then *next*, *back*, *hint*, *quit lesson*",
])


def _junk(text: str) -> str | None:
    """Why ``text`` cannot be a question, or None."""
    if not text.strip():
        return "Type a question, for example: why the minus sign?"
    if len(text) > MAX_CHARS:
        return f"That is {len(text):,} characters; I read questions of up to {MAX_CHARS:,} characters. Paste the part you are stuck on."
    bad = sum(1 for ch in text if ch == "\ufffd" or (not ch.isprintable() and ch not in "\n\t\r"))
    if bad > max(2, len(text) // 10):
        return "That does not look like text (it is mostly unreadable or control characters). Type your question in words."
    return None


INTERNAL_ERROR = "Something went wrong on my side"
#: The internal-error log is started afresh beyond this size.
ERROR_LOG_BYTES = 1_000_000


def _log_internal_error() -> str:
    """Append the current exception's traceback to ``errors.log`` in the data folder; its path, or "" if unwritable."""
    import traceback

    from tutor.store.progress import data_dir

    try:
        path = data_dir() / "errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > ERROR_LOG_BYTES else "a"
        with path.open(mode, encoding="utf-8") as f:
            f.write(traceback.format_exc() + "\n")
        return str(path)
    except OSError:
        return ""


class Tutor:
    """The tutor's core: a knowledge base, a matcher, and the rules of a conversation."""

    def __init__(self, kb: KnowledgeBase, store: "Store | None" = None) -> None:
        self.kb = kb
        self.matcher = Matcher([n for n in kb.nodes.values()])
        self.topics = TopicMatcher(list(kb.nodes.values()), lexical=self.matcher)  # loads its model on first use
        self._store = store

    def store(self) -> "Store":
        """The progress store, opened on first use (never at import or start-up)."""
        if self._store is None:
            from tutor.store.progress import open_store

            self._store = open_store()
        return self._store

    @classmethod
    def from_folders(cls, extra: Iterable[Path] = (), store: "Store | None" = None) -> "Tutor":
        return cls(load(extra), store=store)

    # ------------------------------------------------------------------ the entry point

    def reply(self, text: str, context: Context | None = None) -> tuple[Reply, Context]:
        ctx = context or Context()
        why = _junk(text if isinstance(text, str) else "")
        if why:
            return Reply("error", why, title="I could not read that"), ctx
        try:
            # Control characters and terminal escapes never travel further than here.
            reply, new_ctx = self._reply(clean(text).strip(), ctx)
        except TutorError as err:
            return Reply("error", err.message, title="I could not do that"), ctx
        except Exception:  # a bug of ours: a plain message and the conversation kept, never a traceback
            where = _log_internal_error()
            return Reply("error", "Something went wrong on my side while answering that. The conversation and your "
                         "progress are kept; try asking another way." + (f" (Details for the developers: {where}.)" if where else ""),
                         title=INTERNAL_ERROR), ctx
        state = new_ctx.lesson
        if state is not None and reply.kind != "lesson" and state.lesson in self.kb.lessons:
            lesson = self.kb.lessons[state.lesson]
            reply = replace(reply, markdown=reply.markdown + f"\n\n*You are in the lesson {lesson.title}, step "
                            f"{state.step + 1}: type next to go on, again to see the step, or answer its checkpoint.*")
        return reply, new_ctx

    def _reply(self, text: str, ctx: Context) -> tuple[Reply, Context]:
        if ctx.choices:
            k = rq.choice(text, len(ctx.choices))
            if k is not None:
                return self.explain(ctx.choices[k - 1], ctx, confidence=1.0)
        if (ctx.lesson is not None or ctx.history[-1:] == ("lesson-list",)
                or re.match(r"^\s*(lessons?|list lessons|show lessons|quiz me|(re)?start\b|open lesson)", text, re.I)):
            from tutor.dialogue.lessons import lesson_turn  # lessons are only loaded when used

            handled = lesson_turn(self, text, ctx)
            if handled is not None:
                return handled
        if re.fullmatch(r"\s*(help|\?|what can you do\??|commands)\s*", text, re.I):
            return self.help(), ctx
        follow = rq.follow_up(text)
        if follow and (ctx.node or ctx.computation):
            return self.follow_up(follow, ctx)
        about = self.what_about(text, ctx)
        if about is not None:
            return about
        # A pasted paragraph that happens to hold a formula or a number is a question
        # about a topic; only a short message is read as a request to compute, derive or plot.
        request = len(text) <= REQUEST_CHARS
        comp = rq.compute_request(text) if request else None
        if comp is not None:
            return self.compute(comp.function, comp.args, ctx, assumed=comp.assumed)
        target = rq.derive_request(text) if request else None
        if target is not None:
            return self.derive(target, ctx)
        plot = rq.plot_request(text) if request else None
        if plot is not None:
            if not plot:
                node = self.kb.nodes.get(ctx.node or "")
                plot = node.plot if node and node.plot else "bce"
            return self.plot(plot, ctx)
        if follow:  # a follow-up with nothing to follow
            return Reply("fallback", "Ask me a question first, then I can give the why, an example, a simpler or a deeper version.",
                         title="Nothing to follow up yet", alternatives=self._starters()), ctx
        return self.answer(text, ctx)

    # ------------------------------------------------------------------ topics

    def answer(self, text: str, ctx: Context) -> tuple[Reply, Context]:
        if not re.search(r"[^\W\d_]", text):
            return Reply("error", "I could not find any words in that. Ask a question, or type 'help' to see what I can do.",
                         title="I could not read that"), ctx
        d = self.topics.decide(text)
        inside = [m for m in d.matches if not self.kb.nodes[m.node].outside]
        if d.kind == "answer":
            reply, new_ctx = self.explain(d.matches[0].node, ctx, confidence=d.confidence)
            if d.also is not None:
                reply = replace(reply, markdown=reply.markdown + f"\n\nYou also asked about **{self.kb.nodes[d.also.node].title}**: want that next? (type 1)")
                return replace(reply, alternatives=(self._alt(d.also),)), replace(new_ctx, choices=(d.also.node,))
            return replace(reply, alternatives=tuple(self._alt(m) for m in inside[1:4])), new_ctx
        if d.kind == "clarify":
            return self.clarify(list(d.choices), ctx)
        outside = self.kb.nodes[d.outside] if d.outside else None
        return self.fallback(text, [m for m in inside if m.confidence >= NEAR_AT], ctx, outside=outside)

    def _alt(self, m: Match) -> Alternative:
        return Alternative(m.node, self.kb.nodes[m.node].title, m.confidence)

    def _starters(self) -> tuple[Alternative, ...]:
        return tuple(Alternative(n, self.kb.nodes[n].title, 0.0) for n in STARTERS if n in self.kb.nodes)

    def followups_of(self, node: Node, shown: frozenset[str] = frozenset()) -> tuple[str, ...]:
        out = []
        for name in ("why", "example", "simpler", "deeper"):
            if (name in node.sections and name not in shown) or node.links.get(name):
                out.append(name)
        if node.plot:
            out.append("plot")
        if node.derive:
            out.append("derive")
        if node.links.get("next"):
            out.append("next")
        return tuple(out)

    def explain(self, node_id: str, ctx: Context, *, confidence: float, section: str | None = None) -> tuple[Reply, Context]:
        node = self.kb.nodes[node_id]
        shown = (ctx.shown | {section}) if (section and ctx.node == node_id) else frozenset({section} if section else ())
        body = node.markdown(section)
        title = node.title if section is None else f"{node.title}: {section}"
        plot = plots.make(node.plot) if node.plot and section is None else None
        reply = Reply("answer", body, title=title, node=node.id, concepts=node.concepts, confidence=confidence,
                      plot=plot, followups=self.followups_of(node, shown), section=section)
        return reply, Context(node=node.id, shown=shown, lesson=ctx.lesson)

    def clarify(self, rivals: list[Match], ctx: Context) -> tuple[Reply, Context]:
        alts = tuple(self._alt(m) for m in rivals)
        lines = ["I am not sure which of these you mean. Type its number:", ""]
        lines.append(choices_markdown(alts))
        reply = Reply("clarify", "\n".join(lines), title="Did you mean…", confidence=rivals[0].confidence, alternatives=alts)
        return reply, replace(ctx, choices=tuple(a.node for a in alts))

    def fallback(self, text: str, near: list[Match], ctx: Context, outside: Node | None = None) -> tuple[Reply, Context]:
        alts = tuple(self._alt(m) for m in near[:3]) or self._starters()
        lines = []
        if outside is not None:
            lines += [f"**{outside.title}** is outside what I cover.", "", outside.markdown(), ""]
        else:
            lines += ["I don't cover that.", ""]
        lines += [SCOPE, "", ("The nearest topics I do cover" if near else "Some topics I do cover") + " (type a number):", ""]
        lines.append(choices_markdown(alts))
        reply = Reply("fallback", "\n".join(lines), title="Not something I cover",
                      confidence=0.0, alternatives=alts)
        return reply, replace(ctx, choices=tuple(a.node for a in alts))

    def help(self) -> Reply:
        return Reply("answer", HELP, title="What I can do")

    # ------------------------------------------------------------------ follow-ups

    def follow_up(self, kind: str, ctx: Context) -> tuple[Reply, Context]:
        node = self.kb.nodes.get(ctx.node or "")
        if node is None:  # only a computation in context
            return Reply("fallback", "Ask about a topic first, and I can follow it up.", title="Nothing to follow up"), ctx
        if kind == "plot":
            return self.plot(node.plot or "bce", ctx)
        if kind == "derive":
            return self.derive(node.derive or "bce", ctx)
        order = {"why": ("why", "deeper"), "deeper": ("deeper", "why"), "example": ("example",),
                 "simpler": ("simpler",), "next": ()}[kind]
        for section in order:
            if section in node.sections and section not in ctx.shown:
                return self.explain(node.id, ctx, confidence=1.0, section=section)
        links = {"why": ("why", "deeper"), "deeper": ("deeper", "why"), "example": ("example",),
                 "simpler": ("simpler", "prerequisites"), "next": ("next", "see_also")}[kind]
        for rel in links:
            for target in node.links.get(rel, ()):
                if target != node.id and target in self.kb.nodes:
                    return self.explain(target, ctx, confidence=1.0)
        for section in order:  # shown before: show again rather than nothing
            if section in node.sections:
                return self.explain(node.id, ctx, confidence=1.0, section=section)
        alts = tuple(Alternative(t, self.kb.nodes[t].title, 0.0) for t in node.links.get("see_also", ()) if t in self.kb.nodes)
        return (Reply("fallback", f"I have nothing more under '{kind}' for *{node.title}*." +
                      (" Related topics: " + ", ".join(a.title for a in alts) if alts else ""),
                      title="That is all I have there", node=node.id, concepts=node.concepts, alternatives=alts),
                replace(ctx, choices=tuple(a.node for a in alts)))

    def what_about(self, text: str, ctx: Context) -> tuple[Reply, Context] | None:
        """``what about y = 0?``: the same question again with other values."""
        lead = re.match(r"^\s*(?:and\s+)?(?:what|how)\s+(?:about|if)\b|^\s*(?:and\s+)?if\b|^\s*now (?:with|for)\b", text, re.I)
        if not lead:
            return None
        new = rq.assignments(text)
        # "if ŷ = 0.999, shouldn't the loss be -1?" is a question about a topic, not new values.
        if not new or rq.doubtful(text[lead.end():]):
            return None
        if ctx.computation is not None:
            comp = ctx.computation  # the same computation, its inputs (in order) with the new values
            values = {**comp.inputs, **new}
            return self.compute(comp.name, tuple(values[k] for k in comp.inputs), ctx)
        if "y" in new and not isinstance(new["y"], list):
            y = new["y"]
            if "y_hat" in new:
                return self.compute("bce", (y, new["y_hat"]), ctx)
            comp = numeric.bce_table(y, [0.01, 0.1, 0.5, 0.9, 0.99])
            branch = "-ln ŷ" if y == 1 else "-ln(1 - ŷ)" if y == 0 else "-[y ln ŷ + (1 - y) ln(1 - ŷ)]"
            md = (f"With y = {numeric.fmt(y)} the loss is **{branch}**: it is 0 where ŷ equals the label "
                  f"and grows as ŷ moves away from it.\n\n" + "\n".join(numeric.markdown_table(comp.table)))
            plot = plots.make("bce0" if y == 0 else "neglog" if y == 1 else "bce")
            reply = Reply("compute", md, title=f"The loss when y = {numeric.fmt(y)}", node=ctx.node,
                          concepts=COMPUTATION_CONCEPTS["bce_table"], confidence=1.0, computation=comp, plot=plot)
            return reply, replace(ctx, computation=comp, choices=())
        return None

    # ------------------------------------------------------------------ doing

    def compute(self, name: str, args: tuple, ctx: Context, assumed: tuple[str, ...] = ()) -> tuple[Reply, Context]:
        comp = numeric.FUNCTIONS[name](*args)
        md = comp.markdown(title=False)
        if assumed:
            md += "\n\n(I assumed " + ", ".join(f"{k} = {numeric.fmt(comp.inputs[k])}" for k in assumed) + ".)"
        concepts = COMPUTATION_CONCEPTS.get(name, ("log-on-unit-interval",))
        reply = Reply("compute", md, title=comp.title, concepts=concepts, confidence=1.0, computation=comp, node=None)
        return reply, replace(ctx, computation=comp, choices=())

    def plot(self, name: str, ctx: Context) -> tuple[Reply, Context]:
        p = plots.make(name)
        reply = Reply("plot", p.caption, title=p.title, concepts=PLOT_CONCEPTS[name], confidence=1.0, plot=p,
                      node=ctx.node)
        return reply, replace(ctx, choices=())

    def derive(self, target: str, ctx: Context) -> tuple[Reply, Context]:
        from tutor.maths import derive as derivations  # SymPy is imported only here

        d = derivations.derive(target)
        reply = Reply("derive", derivations.to_markdown(d), title=d.title, concepts=DERIVATION_CONCEPTS[target], confidence=1.0,
                      derivation=d, node=ctx.node)
        return reply, replace(ctx, choices=())

