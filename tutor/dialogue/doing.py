"""Handlers for requests to *do* something: compute a worked example, derive, plot."""

from __future__ import annotations

from dataclasses import replace

from tutor.content.curriculum import DERIVATION_CONCEPTS
from tutor.dialogue.context import Context
from tutor.dialogue.core import Core
from tutor.dialogue.intents import Compute, Derive, Failed, Plot
from tutor.dialogue.reply import Reply
from tutor.maths import computations, formulas, numeric, plots


def compute(core: Core, intent: Compute, ctx: Context) -> tuple[Reply, Context]:
    return compute_named(core, intent.function, intent.args, ctx, assumed=intent.assumed)


def compute_named(
    core: Core, name: str, args: tuple, ctx: Context, assumed: tuple[str, ...] = ()
) -> tuple[Reply, Context]:
    comp = computations.FUNCTIONS[name](*args)
    md = comp.markdown(title=False)
    if assumed:
        md += "\n\n(I assumed " + ", ".join(f"{k} = {numeric.fmt(comp.inputs[k])}" for k in assumed) + ".)"
    concepts = computations.concepts_of(name) or ("log-on-unit-interval",)
    reply = Reply("compute", md, title=comp.title, concepts=concepts, confidence=1.0, computation=comp, node=None)
    return reply, replace(ctx, computation=comp, choices=())


def plot(core: Core, intent: Plot, ctx: Context) -> tuple[Reply, Context]:
    """A named plot, the topic's own ("plot it"), or the learner's expressions with their range and marks;
    right after a typed derivative, "plot it" draws that expression and its derivative."""
    asks_nothing = not intent.name and (intent.request is None or not intent.request.expressions)
    if asks_nothing and ctx.typed is not None:
        return plot_typed(ctx)
    node = core.node(ctx.node)
    default = node.plot if node and node.plot else "bce"
    if asks_nothing:
        default = computed_loss_plot(ctx) or default
    return plot_named(core, intent.name or default, ctx, intent.request)


def computed_loss_plot(ctx: Context) -> str | None:
    """The plot of the loss the learner just had worked out, for its label ("plot it" after the loss for
    y = 0 draws -ln(1 - ŷ), not the older topic's plot); None when the last number was no loss."""
    comp = ctx.computation
    if comp is None or comp.name not in ("bce", "bce_table"):
        return None
    y = comp.inputs.get("y")
    return "bce0" if y == 0 else "neglog" if y == 1 else "bce"  # a label typed as a number, never a list


def plot_named(core: Core, name: str, ctx: Context, request=None) -> tuple[Reply, Context]:
    p = plots.for_request(request, name, marks=plots.learner_marks(ctx))
    concepts = plots.concepts_of(p.name) or ("log-on-unit-interval",)  # a learner's own expression
    reply = Reply("plot", p.markdown(), title=p.title, concepts=concepts, confidence=1.0, plot=p, node=ctx.node)
    return reply, replace(ctx, choices=())


def derive(core: Core, intent: Derive, ctx: Context) -> tuple[Reply, Context]:
    if intent.expression is not None and intent.claim is not None:
        return check_derivative(intent.expression, intent.claim, intent.wrt, ctx, intent.at)
    if intent.expression is not None:
        return derive_expression(intent.expression, intent.wrt, ctx, intent.at)
    return derive_target(core, intent.target, ctx, intent.wrt)


def derive_expression(
    expression: str, wrt: str | None, ctx: Context, at: tuple[str | None, str] | None = None
) -> tuple[Reply, Context]:
    """The derivative of an expression the learner typed, step by step (an ``InputError`` says what is wrong)."""
    from tutor.maths import derive as derivations  # SymPy is imported only here
    from tutor.maths import typed

    d = typed.expression_derivation(expression, wrt, at)
    reply = Reply(
        "derive",
        derivations.to_markdown(d),
        title=d.title,
        concepts=(),  # an expression of the learner's, not a topic of the curriculum
        confidence=1.0,
        derivation=d,
        # its chip draws this expression and its derivative (no topic behind it)
        followups=("plot",) if _plottable(expression, wrt) else (),
    )
    return reply, replace(ctx, choices=(), typed=(expression, wrt), computation=None, shown=ctx.shown - {WHY_GIVEN})


def check_derivative(
    expression: str, claim: str, wrt: str | None, ctx: Context, at: tuple[str | None, str] | None = None
) -> tuple[Reply, Context]:
    """The learner's own derivative of an expression, checked against the one derived step by step: right
    in any form that is the same function; a wrong one gets the mistake named, then the steps."""
    import re

    from tutor.maths import claims
    from tutor.maths import derive as derivations  # SymPy is imported only here

    def check(answer: str) -> claims.Checked:  # a value at a point ("... at 3 is 6"), or a function
        return (
            claims.check_claim(expression, answer, wrt)
            if at is None
            else claims.check_at_point(expression, answer, wrt, at)
        )

    options = [o.strip() for o in re.split(r"\s+or\s+", claim) if o.strip()]
    if 1 < len(options) <= 3:  # "is it 1/(1 - x) or -1/(1 - x)?": each checked, the steps once
        each = [check(o) for o in options]
        verdict = "\n\n".join(
            f"{o}: {c.verdict.removesuffix(' The steps:')}" for o, c in zip(options, each, strict=True)
        )
        verdict += "\n\nThe steps:"
        checked = each[0]
    else:
        each = [check(claim)]
        checked, options = each[0], [claim.strip()]
        verdict = checked.verdict
    d = checked.derivation
    if d is None:  # a number's derivative: 0, with no steps to show
        title = f"The derivative of {expression.strip()[:60]}"
        reply = Reply("derive", verdict.removesuffix("\n\nThe steps:"), title=title, confidence=1.0)
        return reply, replace(ctx, choices=(), computation=None)
    reply = Reply(
        "derive",
        verdict + "\n\n" + derivations.to_markdown(d),
        title=d.title,
        concepts=(),
        confidence=1.0,
        # for programs (tutor ask --json): each answer the learner gave, and whether it is right
        derivation=replace(d, checked=tuple((o, c.right) for o, c in zip(options, each, strict=True))),
        followups=("plot",) if _plottable(expression, wrt) else (),
        lead=verdict,
    )
    return reply, replace(ctx, choices=(), typed=(expression, wrt), computation=None, shown=ctx.shown - {WHY_GIVEN})


def plot_typed(ctx: Context) -> tuple[Reply, Context]:
    """The expression the learner had differentiated and its derivative, on one plot over the stretch of
    its domain the derivation's proofs sampled (an ``InputError`` says what cannot be drawn). With the
    label y in it too (the loss typed out), both are drawn for y = 1, and the plot says so."""
    import sympy as sp

    from tutor.maths import derive as derivations
    from tutor.maths import typed

    assert ctx.typed is not None
    expression, wrt = ctx.typed
    d = typed.expression_derivation(expression, wrt)
    f = typed.expression_formula(expression, wrt)
    var = f.var(f.wrt)
    assert var is not None
    lo, hi = var.range.inside(0.02)
    others = [v.name for v in f.variables if v.name != f.wrt]
    curves, title = [f.display(), derivations.linear(d.result)], f"{f.display()} and its derivative"
    slope_of = f.display()
    if others == [LABEL]:
        y = next(s for s in d.steps[0].expression.free_symbols if s.name == LABEL)
        curves = [derivations.linear(sp.cancel(e.subs(y, 1))) for e in (d.steps[0].expression, d.result)]
        title += f", for {LABEL} = 1"
        slope_of = f"the loss for {LABEL} = 1, {curves[0]}"
    elif others:
        return Reply(
            "error",
            f"{f.display()} has more than one variable ({', '.join(v.symbol for v in f.variables)}), and a plot "
            "has one axis. Put numbers for all but one and ask for its derivative again, then *plot it*.",
            title="I could not draw that",
        ), ctx
    p = plots.expression_plot(
        curves,
        lo,
        hi,
        title=title,
        caption=f"The derivative is the slope of {slope_of}: below 0 where the curve falls, above 0 where it rises.",
    )
    reply = Reply("plot", p.markdown(), title=p.title, concepts=(), confidence=1.0, plot=p, node=ctx.node)
    return reply, replace(ctx, choices=())


#: Marks in ``Context.shown`` that "why?" has been answered for the derivative typed: asked once more, the
#: why is the topic's from before it (its own rules were just given); a new derivative clears it.
WHY_GIVEN = "typed:why"

#: The label's variable: a typed loss is drawn for y = 1 (a positive example).
LABEL = "y"


def _plottable(expression: str, wrt: str | None) -> bool:
    """Whether *plot it* can draw a typed expression: one variable, or the one differentiated by and the label."""
    from tutor.maths import typed

    f = typed.expression_formula(expression, wrt)
    return [v.name for v in f.variables if v.name != f.wrt] in ([], [LABEL])


def example_typed(ctx: Context) -> tuple[Reply, Context]:
    """ "an example" right after a derivative the learner typed: its value at a simple point of the domain
    (1/2 where it can), substituted exactly, with what its sign says there."""
    from tutor.maths import typed

    assert ctx.typed is not None
    expression, wrt = ctx.typed
    point = typed.example_point(expression, wrt)
    if point is None:
        return Reply("fallback", "I found no simple point where this derivative is defined.", title="No example"), ctx
    return derive_expression(expression, wrt, ctx, (None, point))


def why_typed(ctx: Context) -> tuple[Reply, Context]:
    """ "why?" right after a derivative the learner typed, checked or plotted: the rule each step uses, in a
    few lines (the formulas are in the derivation just shown), not the topic asked about before it."""
    from tutor.maths import derive as derivations
    from tutor.maths import typed

    assert ctx.typed is not None
    expression, wrt = ctx.typed
    d = typed.expression_derivation(expression, wrt)
    shown = typed.expression_formula(expression, wrt).display()
    lhs = d.steps[-1].lhs or "the derivative"
    result = derivations.linear(d.result).replace("*", "·")
    rules = [s for s in d.steps if s.rule != "definition"]
    lines = [f"It comes from {'one rule' if len(rules) == 1 else 'one rule a step'}:", ""]
    lines += [f"{i}. **{s.rule}**: {s.why}" for i, s in enumerate(rules, 1)]
    lines += [
        "",
        f"Each step's formula is in the derivation above (ask *derivative of {shown}* to see it again). "
        "Why a rule itself holds is for a calculus course; how the loss is differentiated, step by step, "
        "is here: ask *derive bce*.",
    ]
    reply = Reply("answer", "\n".join(lines), title=f"Why {lhs} = {result}", concepts=(), confidence=1.0)
    return reply, replace(ctx, choices=(), shown=ctx.shown | {WHY_GIVEN})


def derive_target(core: Core, target: str, ctx: Context, wrt: str | None = None) -> tuple[Reply, Context]:
    from tutor.maths import derive as derivations  # SymPy is imported only here

    formula = formulas.find(target)
    d = derivations.formula_derivation(formula, wrt) if formula is not None else derivations.derive(target)
    concepts = DERIVATION_CONCEPTS.get(target) or formulas.concepts_of(target) or ("log-on-unit-interval",)
    reply = Reply(
        "derive",
        derivations.to_markdown(d),
        title=d.title,
        concepts=concepts,
        confidence=1.0,
        derivation=d,
        node=ctx.node,
    )
    return reply, replace(ctx, choices=())


def failed(core: Core, intent: Failed, ctx: Context) -> tuple[Reply, Context]:
    return Reply("error", intent.message, title="I could not do that"), ctx
