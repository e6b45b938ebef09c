"""Handlers for questions about topics: answer, clarify, refuse, follow up, open a node.

A topic is answered only when the matcher is confident; otherwise the tutor asks
which topic was meant, or says plainly that it does not cover the question.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tutor.dialogue import doing
from tutor.dialogue.context import Context
from tutor.dialogue.core import Core, topic_choices
from tutor.dialogue.intents import Ask, FollowUp, Show, WhatAbout
from tutor.dialogue.reply import Alternative, Reply
from tutor.matching.matcher import Match
from tutor.maths import computations, losses, numeric, plots

#: A refused question lists the nearest topics only when they are at least this likely
#: (the answer and clarify thresholds are learned with the matcher: see tutor.matching.semantic).
NEAR_AT = 0.10
#: How many topics are offered as choices beside an answer or a refusal.
OFFERED = 3

SCOPE = (
    "I teach binary cross-entropy and the mathematics around it: the log on (0, 1), the minus sign, "
    "the loss and the cost, their derivatives, the sigmoid, why this loss and not squared error, "
    "and numerical stability."
)


def _a_number_alone(number: str) -> Reply:
    """What to ask about a number typed on its own, with questions the tutor answers."""
    compute = "to compute a loss, *“loss if y = 1 and ŷ = 0.3”*"
    value = float(number)
    if value > 0:
        say = f"If it is a loss, ask *“is a loss of {number} good?”*; {compute}; for its log, *“ln({number})”*."
    elif value == 0:
        say = f"If it is a loss, ask *“what does a loss of 0 mean?”*; {compute}."
    else:
        say = (
            "Binary cross-entropy is never below 0 while y is in [0, 1] and ŷ in (0, 1): "
            f"ask *“why is my loss negative?”*; {compute}."
        )
    return Reply("error", f"A number on its own: tell me what it is. {say}", title="What is that number?")


def answer(core: Core, intent: Ask, ctx: Context) -> tuple[Reply, Context]:
    """Answer, clarify between near-tied topics, or refuse plainly: the matcher decides."""
    text = intent.text
    if re.fullmatch(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*[?.!]*\s*", text):  # a number alone, outside a checkpoint
        return _a_number_alone(text.strip(" ?.!")), ctx
    if not re.search(r"[^\W\d_]", text):
        return Reply(
            "error",
            "I could not find any words in that. Ask a question, or type 'help' to see what I can do.",
            title="I could not read that",
        ), ctx
    d = core.topics.decide(text)
    inside = [m for m in d.matches if not core.kb.nodes[m.node].outside]
    if d.kind == "answer":
        reply, new_ctx = explain(core, d.matches[0].node, ctx, confidence=d.confidence)
        if d.also is not None:  # a post that asks two things: the second is offered next
            also = core.alternative(d.also)
            reply = replace(
                reply,
                markdown=reply.markdown + f"\n\nYou also asked about **{also.title}**: want that next?",
                alternatives=(also,),
                also=also,
                choices=topic_choices((also,)),
            )
            return reply, new_ctx
        return replace(reply, alternatives=tuple(core.alternative(m) for m in inside[1 : 1 + OFFERED])), new_ctx
    if d.kind == "clarify":
        return clarify(core, list(d.choices), ctx)
    return fallback(core, [m for m in inside if m.confidence >= NEAR_AT], ctx, outside=d.outside)


def followups_of(core: Core, node_id: str, shown: frozenset[str] = frozenset()) -> tuple[str, ...]:
    node = core.kb.nodes[node_id]
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


def recall(core: Core, node_id: str) -> str:
    """A line that refers back to a misconception the learner showed in a lesson, when this topic corrects it.

    Only read when the progress store is already open (the app, a lesson): a one-shot ``tutor ask`` does not
    open the store for it.
    """
    store = core.opened_store()
    if store is None:
        return ""
    node = core.kb.nodes[node_id]
    related = set(node.concepts) | {
        c
        for rel in ("see_also", "prerequisites", "why", "deeper")
        for t in node.links.get(rel, ())
        if t in core.kb.nodes
        for c in core.kb.nodes[t].concepts[:1]
    }
    for concept, (lesson_id, step) in store.misconceptions().items():
        if concept in related and core.kb.nodes_for(concept):
            corrects = core.kb.nodes_for(concept)[0]
            lesson = core.kb.lessons.get(lesson_id)
            where = f", in the lesson “{lesson.title}” (step {step + 1})," if lesson else ""
            return (
                f"*Earlier{where} your answer showed the trap that “{corrects.title}” is about; "
                "this topic builds on it.*\n\n"
            )
    return ""


def explain(
    core: Core, node_id: str, ctx: Context, *, confidence: float, section: str | None = None
) -> tuple[Reply, Context]:
    node = core.kb.nodes[node_id]
    shown = (ctx.shown | {section}) if (section and ctx.node == node_id) else frozenset({section} if section else ())
    title = node.title if section is None else f"{node.title}: {section}"
    plot = plots.make(node.plot, marks=plots.learner_marks(ctx)) if node.plot and section is None else None
    body = (recall(core, node_id) if section is None else "") + node.markdown(section)
    reply = Reply(
        "answer",
        body,
        title=title,
        node=node.id,
        concepts=node.concepts,
        confidence=confidence,
        plot=plot,
        followups=followups_of(core, node.id, shown),
        section=section,
    )
    return reply, Context(node=node.id, shown=shown, lesson=ctx.lesson)


def show(core: Core, intent: Show, ctx: Context) -> tuple[Reply, Context]:
    if intent.node not in core.kb.nodes:
        return Reply("error", f"There is no topic '{intent.node}'.", title="No such topic"), ctx
    return explain(core, intent.node, ctx, confidence=1.0, section=intent.section)


def clarify(core: Core, rivals: list[Match], ctx: Context) -> tuple[Reply, Context]:
    alts = tuple(core.alternative(m) for m in rivals)
    reply = Reply(
        "clarify",
        "I am not sure which of these you mean.",
        title="Did you mean…",
        confidence=rivals[0].confidence,
        alternatives=alts,
        choices=topic_choices(alts),
    )
    return reply, replace(ctx, choices=tuple(a.node for a in alts))


def fallback(core: Core, near: list[Match], ctx: Context, outside: str | None = None) -> tuple[Reply, Context]:
    alts = tuple(core.alternative(m) for m in near[:OFFERED]) or core.starters()
    lines = []
    if outside is not None:
        node = core.kb.nodes[outside]
        lines += [f"**{node.title}** is outside what I cover.", "", node.markdown(), ""]
    else:
        lines += ["I don't cover that.", ""]
    lines += [SCOPE, "", "The nearest topics I do cover:" if near else "Some topics I do cover:"]
    reply = Reply(
        "fallback",
        "\n".join(lines),
        title="Not something I cover",
        confidence=0.0,
        alternatives=alts,
        choices=topic_choices(alts),
    )
    return reply, replace(ctx, choices=tuple(a.node for a in alts))


# ------------------------------------------------------------------ follow-ups

#: Where each follow-up looks, in order: the node's own section of that name, else the topic its link
#: of that name leads to, then the nearest other kind ("why?" with no why of its own and no why link
#: gets the deeper section: the reason is often there).
_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "why": (("section", "why"), ("link", "why"), ("section", "deeper"), ("link", "deeper")),
    "deeper": (("section", "deeper"), ("link", "deeper"), ("section", "why"), ("link", "why")),
    "example": (("section", "example"), ("link", "example")),
    "simpler": (("section", "simpler"), ("link", "simpler"), ("link", "prerequisites")),
    "next": (("link", "next"), ("link", "see_also")),
}


#: What a follow-up answered by a linked topic says first, by the link followed.
_MOVING = {
    "why": "The why of “{title}” is another topic:",
    "deeper": "Going deeper than “{title}”, to another topic:",
    "example": "An example, from a topic next to “{title}”:",
    "simpler": "Moving to a simpler topic than “{title}”:",
    "prerequisites": "Moving to a simpler topic, one that “{title}” builds on:",
    "next": "Moving on from “{title}” to the next topic:",
    "see_also": "Moving on from “{title}” to a related topic:",
}


def _with_starters(core: Core, markdown: str, title: str) -> Reply:
    """A fallback that offers the topics to start with, to pick by number."""
    return Reply(
        "fallback", markdown, title=title, alternatives=core.starters(), choices=topic_choices(core.starters())
    )


def follow_up(core: Core, intent: FollowUp, ctx: Context) -> tuple[Reply, Context]:
    kind = intent.kind
    if kind == "plot" and intent.about is None and ctx.typed is not None:  # the chip under a typed derivative
        return doing.plot_typed(ctx)
    if kind == "why" and intent.about is None and ctx.typed is not None:  # why that derivative, not the topic before it
        if doing.WHY_GIVEN not in ctx.shown:
            return doing.why_typed(ctx)
        if ctx.node is not None:  # asked again: the topic's own why, as before the derivative
            ctx = replace(ctx, typed=None)
    if kind == "example" and intent.about is None and ctx.typed is not None:  # that derivative at a simple point
        return doing.example_typed(ctx)
    if kind in ("simpler", "deeper", "why") and intent.about is None and ctx.typed is not None and ctx.node is None:
        return _with_starters(
            core,
            "After a derivative of yours I can say *why* (the rule of each step), give *an example* (its value at "
            "a point, and what its sign says) or *plot it*; a simpler or a deeper version follows a topic I have "
            "explained.",
            "What follows a derivative of yours",
        ), ctx
    if intent.about and intent.about != ctx.node and intent.about in core.kb.nodes:
        ctx = replace(ctx, node=intent.about, shown=frozenset())  # a chip under an older answer follows that answer
    computed = doing.computed_loss_plot(ctx) if kind == "plot" and intent.about is None else None
    if computed:  # "plot it" after a loss worked out: that loss's curve (a chip: its topic's plot, below)
        return doing.plot_named(core, computed, ctx)
    node = core.node(ctx.node)
    if node is None:
        if ctx.computation is None:
            return _with_starters(
                core,
                "The why, an example, a simpler or a deeper version follow a topic I have explained "
                "(a derivation or a number of yours is no topic): ask me about one first.",
                "Nothing to follow up yet",
            ), ctx
        # a number of the learner's: its follow-ups are those of the topic behind it (a sum typed whole has none)
        behind = tuple(
            Alternative(n, core.kb.nodes[n].title, 0.0)
            for n in computations.concepts_of(ctx.computation.name)
            if n in core.kb.nodes
        )
        said = (
            "That number was worked out from your request; the topic behind it is below: open it, and I can "
            "follow it up."
            if behind
            else "That was a sum of yours, worked out step by step: it has no topic of its own to follow up. "
            "Ask about what is in it (for example *why is ln 0.9 negative?*), or open a topic below."
        )
        offered = behind or core.starters()
        return Reply(
            "fallback", said, title="Nothing to follow up", alternatives=offered, choices=topic_choices(offered)
        ), ctx
    if kind == "plot":
        return doing.plot_named(core, node.plot or "bce", ctx)
    if kind == "derive":
        return doing.derive_target(core, node.derive or "bce", ctx)
    for where, name in _ORDER[kind]:
        if where == "section" and name in node.sections and name not in ctx.shown:
            return explain(core, node.id, ctx, confidence=1.0, section=name)
        for target in node.links.get(name, ()) if where == "link" else ():
            if target != node.id and target in core.kb.nodes:
                # Another topic answers it: said, so the learner knows the subject changed and from where.
                reply, new_ctx = explain(core, target, ctx, confidence=1.0)
                lead = _MOVING[name].format(title=node.title)
                return replace(reply, markdown=f"*{lead}*\n\n{reply.markdown}"), new_ctx
    order = [name for where, name in _ORDER[kind] if where == "section"]
    for section in order:  # shown before: show again rather than nothing
        if section in node.sections:
            return explain(core, node.id, ctx, confidence=1.0, section=section)
    alts = tuple(
        Alternative(t, core.kb.nodes[t].title, 0.0) for t in node.links.get("see_also", ()) if t in core.kb.nodes
    )
    return (
        Reply(
            "fallback",
            f"I have nothing more under '{kind}' for *{node.title}*." + (" Related topics:" if alts else ""),
            title="That is all I have there",
            node=node.id,
            concepts=node.concepts,
            alternatives=alts,
            choices=topic_choices(alts),
        ),
        replace(ctx, choices=tuple(a.node for a in alts)),
    )


BCE_TABLE_AT = (0.01, 0.1, 0.5, 0.9, 0.99)


#: "what about y = …?" under a derivative topic: its table, its symbol, and what it says for y = 1, y = 0
#: and a soft label (each statement checked by a mathematics teacher's read; the values are computed).
_DERIVATIVE_TABLES = {
    "bce-derivative": (
        numeric.dbce_table,
        "∂L/∂ŷ",
        {
            1: "With y = 1, **∂L/∂ŷ = -1/ŷ**: negative for every ŷ, so raising ŷ always lowers the loss, "
            "and largest in size where ŷ is far from 1.",
            0: "With y = 0, **∂L/∂ŷ = 1/(1 - ŷ)**: positive for every ŷ, so lowering ŷ always lowers the loss, "
            "and largest in size where ŷ is far from 0.",
            None: "With y = {y}, **∂L/∂ŷ = (ŷ - y)/(ŷ(1 - ŷ))**: negative where ŷ is below y (raising ŷ lowers the "
            "loss), 0 at ŷ = y, positive above it, and growing in size as ŷ moves away from y on either side, "
            "without bound near 0 and 1.",
        },
    ),
    "logit-gradient": (
        numeric.dlogit_table,
        "∂L/∂z",
        {
            1: "With y = 1, **∂L/∂z = ŷ - 1**: negative for every ŷ, so raising z always lowers the loss; "
            "near 0 when ŷ is near 1, near -1 when the model is confidently wrong.",
            0: "With y = 0, **∂L/∂z = ŷ**: positive for every ŷ, so lowering z always lowers the loss; "
            "near 0 when ŷ is near 0, near 1 when the model is confidently wrong.",
            None: "With y = {y}, **∂L/∂z = ŷ - y**: the error itself, negative where ŷ is below y (raising z lowers "
            "the loss), 0 at ŷ = y, positive above it, and never more than 1 in size.",
        },
    ),
}


def what_about(core: Core, intent: WhatAbout, ctx: Context) -> tuple[Reply, Context]:
    """``what about y = 0?``: the same computation with new values, or the loss for that label."""
    reply, new_ctx = _what_about(core, intent, ctx)
    # The topic it was asked under can still be followed up (why?, an example, …); the reply draws its own plot.
    node = core.node(ctx.node)
    if node is not None and not reply.followups:
        follow = tuple(f for f in followups_of(core, node.id, ctx.shown) if f != "plot")
        reply = replace(reply, followups=follow, node=reply.node or node.id)
    return reply, new_ctx


def _what_about(core: Core, intent: WhatAbout, ctx: Context) -> tuple[Reply, Context]:
    new = intent.values
    if ctx.computation is not None:
        comp = ctx.computation  # the same computation, its inputs (in order) with the new values
        values = {**comp.inputs, **new}
        return doing.compute_named(core, comp.name, tuple(values[k] for k in comp.inputs), ctx)
    y = new["y"]
    if "y_hat" in new:
        return doing.compute_named(core, "bce", (y, new["y_hat"]), ctx)
    node = core.node(ctx.node)
    concepts = set(node.concepts) if node is not None else set()
    under = next((c for c in _DERIVATIVE_TABLES if c in concepts), None)
    if under is not None:  # under a derivative, the same derivative for this label
        table, symbol, said = _DERIVATIVE_TABLES[under]
        comp = table(y, list(BCE_TABLE_AT))
        lead = said[y] if y in (0, 1) else said[None].format(y=numeric.fmt(y))
        title, plot = f"{symbol} when y = {numeric.fmt(y)}", None
    else:
        comp = numeric.bce_table(y, list(BCE_TABLE_AT))
        if y in (0, 1):
            branch = "-ln ŷ" if y == 1 else "-ln(1 - ŷ)"
            lead = (
                f"With y = {numeric.fmt(y)} the loss is **{branch}**: it is 0 where ŷ equals the label "
                "and grows as ŷ moves away from it."
            )
        else:  # a soft label: the least loss is the label's entropy, not 0
            least = losses.binary_entropy(y).results["value"]
            lead = (
                f"With y = {numeric.fmt(y)} the loss is **-[y ln ŷ + (1 - y) ln(1 - ŷ)]**: it is smallest at "
                f"ŷ = {numeric.fmt(y)}, where it equals the entropy H({numeric.fmt(y)}) = {numeric.fmt(least)} "
                "(not 0), and grows as ŷ moves away from y."
            )
        title = f"The loss when y = {numeric.fmt(y)}"
        plot = plots.make("bce0" if y == 0 else "neglog" if y == 1 else "bce")
    md = lead + "\n\n" + "\n".join(numeric.markdown_table(comp.table))
    reply = Reply(
        "compute",
        md,
        title=title,
        node=ctx.node,
        concepts=computations.concepts_of(comp.name),
        confidence=1.0,
        computation=comp,
        plot=plot,
    )
    return reply, replace(ctx, computation=comp, choices=())
