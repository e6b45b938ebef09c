"""Reading a learner's turn: (context, text) → intent, the context deciding what the same words mean."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tutor.dialogue import intents as it
from tutor.dialogue.context import Context, LessonState
from tutor.maths.numeric import bce

FRESH = Context()
AFTER_ANSWER = Context(node="minus-sign")
AFTER_CLARIFY = Context(choices=(it.Show("why-log"), it.Show("log-on-unit-interval"), it.Show("log-base")))
AFTER_OFFER = Context(node="framework-losses", choices=(it.Show("minus-sign"),))
AFTER_LESSONS = Context(choices=(it.LessonCommand("start", "why-minus"), it.LessonCommand("start", "likelihood")))
AFTER_COMPUTE = Context(computation=bce(1, 0.3))
IN_LESSON = Context(node="minus-sign", lesson=LessonState("why-minus", 2, solved=True))
AT = Context(node="log-on-unit-interval", lesson=LessonState("why-minus", 0))
# At a checkpoint, after a question in the lesson was answered with "did you mean 1, 2?"
AT_AFTER_CLARIFY = Context(
    node="log-on-unit-interval", lesson=LessonState("why-minus", 0), choices=AFTER_CLARIFY.choices
)

# (context, checkpoint kind or None, text, expected intent)
CASES = [
    # questions and small talk
    (FRESH, None, "why the minus sign?", it.Ask("why the minus sign?")),
    (FRESH, None, "hello", it.SmallTalk("greeting")),
    (FRESH, None, "Hi there!", it.SmallTalk("greeting")),
    (FRESH, None, "thanks!", it.SmallTalk("thanks")),
    (AFTER_ANSWER, None, "thank you so much", it.SmallTalk("thanks")),
    # thanks with praise, in either order (found by a learner: "thanks, that helped" was refused)
    (AFTER_ANSWER, None, "thanks, that helped", it.SmallTalk("thanks")),
    (AFTER_ANSWER, None, "that helped, thanks!", it.SmallTalk("thanks")),
    (AFTER_ANSWER, None, "got it - thank you, that makes sense now", it.SmallTalk("thanks")),
    (AFTER_ANSWER, None, "thanks, why the minus sign?", it.Ask("thanks, why the minus sign?")),
    # yes to the one thing offered ("You also asked about …: want that next?"); yes to a list picks nothing
    (AFTER_OFFER, None, "yes", it.Choose(1)),
    (AFTER_OFFER, None, "Yes please!", it.Choose(1)),
    (AFTER_OFFER, None, "sure", it.Choose(1)),
    (AFTER_OFFER, None, "1", it.Choose(1)),
    (AFTER_OFFER, None, "ok", it.Choose(1)),  # right after "want that next?", ok is yes (a learner's walk)
    (AFTER_OFFER, None, "Okay.", it.Choose(1)),
    (AFTER_OFFER, None, "ok thanks", it.SmallTalk("thanks")),
    (AFTER_CLARIFY, None, "ok", it.SmallTalk("thanks")),  # several choices: ok picks none of them
    (AFTER_CLARIFY, None, "yes", it.Ask("yes")),
    (FRESH, None, "help", it.SmallTalk("help")),
    (FRESH, None, "what can you do?", it.SmallTalk("help")),
    (FRESH, None, "who are you?", it.SmallTalk("help")),  # was refused (found by a learner)
    (FRESH, None, "hint", it.Ask("hint")),  # outside a lesson "hint" is not a command
    # follow-ups need something to follow
    (AFTER_ANSWER, None, "why?", it.FollowUp("why")),
    (AFTER_ANSWER, None, "an example please", it.FollowUp("example")),
    (AFTER_ANSWER, None, "simpler", it.FollowUp("simpler")),
    (AFTER_ANSWER, None, "go deeper", it.FollowUp("deeper")),
    (AFTER_ANSWER, None, "I still don't get it", it.FollowUp("simpler")),
    (AFTER_ANSWER, None, "show me the graph", it.FollowUp("plot")),
    (AFTER_ANSWER, None, "derive it", it.FollowUp("derive")),
    (FRESH, None, "why?", it.FollowUp("why")),  # nothing to follow: the handler says so
    (AFTER_COMPUTE, None, "what about y = 0?", it.WhatAbout({"y": 0.0})),
    (FRESH, None, "what about y = 0?", it.WhatAbout({"y": 0.0})),
    (AFTER_COMPUTE, None, "and if ŷ = 0.9?", it.WhatAbout({"y_hat": 0.9})),
    (FRESH, None, "if ŷ = 0.999, shouldn't the loss be -1?", it.Ask("if ŷ = 0.999, shouldn't the loss be -1?")),
    # choices: the same "2" means different things
    (AFTER_CLARIFY, None, "2", it.Choose(2)),
    (AFTER_CLARIFY, None, "the second one", it.Choose(2)),
    (AFTER_CLARIFY, None, "#3", it.Choose(3)),
    (AFTER_CLARIFY, None, "7", it.Ask("7")),  # no seventh choice
    (AFTER_LESSONS, None, "1", it.Choose(1)),
    (FRESH, None, "2", it.Ask("2")),
    # requests
    (FRESH, None, "loss if y = 1 and y_hat = 0.3", it.Compute("bce", (1.0, 0.3))),
    (FRESH, None, "what's -log(0.99)?", it.Compute("neglog", (0.99,))),
    (FRESH, None, "cost for y=[1,0,1] and ŷ=[0.9,0.2,0.6]", it.Compute("cost", ([1.0, 0.0, 1.0], [0.9, 0.2, 0.6]))),
    (FRESH, None, "derive the derivative of the loss", it.Derive("bce")),
    (FRESH, None, "how do you get ŷ - y?", it.Derive("logit")),
    # "how to get" derives only when something mathematical follows (found by a learner: a GPU question was derived)
    (FRESH, None, "how to get my GPU working with pytorch", it.Ask("how to get my GPU working with pytorch")),
    (FRESH, None, "how do I get the loss down?", it.Ask("how do I get the loss down?")),
    (FRESH, None, "how do you get the derivative of the sigmoid?", it.Derive("sigmoid")),
    (FRESH, None, "plot -log(ŷ)", it.Plot("")),  # the learner's own expression: see the request
    (FRESH, None, "show me the graph of log", it.Plot("ln")),
    (FRESH, None, "loss for y = 1 and y_hat = 1.7", it.Compute("bce", (1.0, 1.7))),  # the handler refuses the range
    # lesson commands
    (FRESH, None, "lessons", it.LessonCommand("list")),
    (FRESH, None, "list lessons", it.LessonCommand("list")),
    (FRESH, None, "start lesson why-minus", it.LessonCommand("start", "why-minus")),
    (FRESH, None, "restart lesson 2", it.LessonCommand("start", "2", restart=True)),
    (FRESH, None, "quiz me", it.LessonCommand("list")),
    (IN_LESSON, None, "next", it.LessonCommand("next")),
    (IN_LESSON, None, "restart the lesson", it.LessonCommand("start", "why-minus", restart=True)),
    (IN_LESSON, None, "start this lesson again", it.LessonCommand("start", "why-minus", restart=True)),
    (FRESH, None, "restart the lesson", it.LessonCommand("list")),
    (FRESH, None, "restart lesson likelihood", it.LessonCommand("start", "likelihood", restart=True)),
    (IN_LESSON, None, "back", it.LessonCommand("back")),
    (IN_LESSON, None, "hint", it.LessonCommand("hint")),
    (IN_LESSON, None, "quit lesson", it.LessonCommand("leave")),
    (IN_LESSON, None, "again", it.LessonCommand("again")),
    (IN_LESSON, None, "why?", it.FollowUp("why")),
    # at a checkpoint: answers, questions, hints
    (AT, "choice", "2", it.CheckpointAnswer("2")),
    # ...but a number right after a list of choices picks from that list (the list is the last thing on screen)
    (AT_AFTER_CLARIFY, "numeric", "1", it.Choose(1)),
    (AT_AFTER_CLARIFY, "choice", "the second", it.Choose(2)),
    (AT_AFTER_CLARIFY, "numeric", "0.01005", it.CheckpointAnswer("0.01005")),
    (AT, "choice", "between 0 and 1", it.CheckpointAnswer("between 0 and 1")),
    (AT, "choice", "ln 2", it.CheckpointAnswer("ln 2")),
    (AT, "choice", "b", it.CheckpointAnswer("b")),
    (AT, "numeric", "-ln(2)", it.CheckpointAnswer("-ln(2)")),
    (AT, "numeric", "ln(0.5) = -0.693", it.CheckpointAnswer("ln(0.5) = -0.693")),
    (AT, "numeric", "-0.693", it.CheckpointAnswer("-0.693")),
    (AT, "numeric", "is it -0.69?", it.CheckpointAnswer("is it -0.69?")),
    (AT, "expression", "-ln(1 - y_hat)", it.CheckpointAnswer("-ln(1 - y_hat)")),
    (AT, "expression", "sigma(z) - y", it.CheckpointAnswer("sigma(z) - y")),
    (AT, "text", "zero, not -1", it.CheckpointAnswer("zero, not -1")),
    (AT, "text", "the derivative of the loss", it.CheckpointAnswer("the derivative of the loss")),
    (AT, "numeric", "I don't know", it.LessonCommand("hint")),
    (AT, "numeric", "no idea", it.LessonCommand("hint")),
    (AT, "text", "idk", it.LessonCommand("hint")),
    (AT, "numeric", "next", it.LessonCommand("next")),
    (AT, "numeric", "hint", it.LessonCommand("hint")),
    (AT, "numeric", "why is the log of a probability negative?", it.Ask("why is the log of a probability negative?")),
    (AT, "choice", "what does sigma do?", it.Ask("what does sigma do?")),
    (AT, "numeric", "plot ln x", it.Plot("")),
    (AT, "numeric", "loss if y = 1 and ŷ = 0.3", it.Compute("bce", (1.0, 0.3))),
    (AT, "numeric", "thanks", it.SmallTalk("thanks")),
    (AT, "choice", "lessons", it.LessonCommand("list")),
]


@pytest.mark.parametrize(
    ("ctx", "checkpoint", "text", "expected"), CASES, ids=[f"{c[1] or 'chat'}:{c[2][:30]}" for c in CASES]
)
def test_a_turn_is_read_into_its_intent(ctx, checkpoint, text, expected):
    got = it.read(text, ctx, at_checkpoint=checkpoint)
    if isinstance(expected, it.Compute):
        assert isinstance(got, it.Compute) and got.function == expected.function
        assert got.args == pytest.approx(expected.args)
    else:
        assert got == expected


def test_a_plot_of_the_learners_own_expressions_carries_them():
    got = it.read("plot ln(x) and -ln(x) from 0 to 3", FRESH)
    assert isinstance(got, it.Plot) and got.request is not None
    assert got.request.expressions == ("ln(x)", "-ln(x)") and (got.request.lo, got.request.hi) == (0, 3)
    named = it.read("show me the graph of the sigmoid", FRESH)
    assert isinstance(named, it.Plot) and named.name == "sigmoid"


def test_the_table_is_large_enough_and_covers_every_intent():
    assert len(CASES) >= 40
    kinds = {type(c[3]) for c in CASES}
    assert kinds >= {
        it.Ask,
        it.FollowUp,
        it.WhatAbout,
        it.Choose,
        it.Compute,
        it.Derive,
        it.Plot,
        it.LessonCommand,
        it.CheckpointAnswer,
        it.SmallTalk,
    }


def test_the_engine_reads_and_dispatches_every_intent_kind(tutor):
    """Every intent the reader can produce has a handler (a missing one would be a KeyError at run time)."""
    from tutor.dialogue.engine import HANDLERS

    for kind in it.INTENTS:
        if kind is not it.Choose:  # a choice is replaced by the intent it was offered as
            assert kind in HANDLERS, kind


UI = Path(__file__).resolve().parents[2] / "tutor" / "ui"


def test_the_app_never_sends_english_to_be_parsed_back():
    """Chips, keys and the palette send intents: no call in tutor/ui passes a string literal to reply() or Send()."""
    offenders = []
    for path in UI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("reply", "Send", "send") and node.args:
                first = node.args[0]
                if isinstance(first, (ast.Constant, ast.JoinedStr)) and not (
                    isinstance(first, ast.Constant) and not isinstance(first.value, str)
                ):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_chips_of_every_reply_carry_intents(tutor):
    from tutor.dialogue.reply import Reply

    ctx = Context()
    for text in ["log", "how do I pick adam's beta2?", "lessons", "hello"]:
        reply, ctx = tutor.reply(text, Context())
        assert isinstance(reply, Reply)
        for choice in reply.choices:
            assert isinstance(choice.intent, it.INTENTS), (text, choice)
        assert ctx.choices == tuple(c.intent for c in reply.choices)


def test_no_import_cycles_in_the_package():
    """Deferred and type-only imports count too: the layers really are layers."""
    root = Path(__file__).resolve().parents[2] / "tutor"
    mods = {}
    for f in root.rglob("*.py"):
        rel = f.relative_to(root.parent).with_suffix("")
        parts = rel.parts[:-1] if f.name == "__init__.py" else rel.parts
        mods[".".join(parts)] = f
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        base = m.split(".") if f.name == "__init__.py" else m.split(".")[:-1]
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mod = (
                    ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
                    if node.level
                    else (node.module or "")
                )
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            edges[m] |= {t for t in names if t in mods and t != m}

    def reaches(a: str, b: str) -> bool:
        todo, seen = [a], {a}
        while todo:
            for k in edges[todo.pop()]:
                if k == b:
                    return True
                if k not in seen:
                    seen.add(k)
                    todo.append(k)
        return False

    cycles = sorted({f"{a} <-> {b}" for a in mods for b in edges[a] if a < b and reaches(b, a)})
    assert not cycles, cycles


def test_a_follow_up_chip_under_an_older_answer_follows_that_answer(tutor):
    """Found by a learner in tmux: "an example" under the first answer gave an example of the latest one."""
    first, ctx = tutor.reply("why the minus sign?")
    second, ctx = tutor.reply("what is the sigmoid function?", ctx)
    assert first.node != second.node
    reply, ctx = tutor.reply(it.FollowUp("example", about=first.node), ctx)
    assert reply.node == first.node and reply.section == "example"
    reply, _ = tutor.reply("why?", ctx)  # typed, it follows what was discussed last: now the first answer's topic
    assert reply.node == first.node and reply.section == "why"


# Compute requests as learners write them: lists in words, plain words for ŷ and y, "mean" as a noun.
WORDED = [
    ("average loss over labels 1, 0, 1 with predictions 0.9, 0.2, 0.6", "cost", ([1, 0, 1], [0.9, 0.2, 0.6])),
    ("the mean loss for labels 1 and 0 with predictions 0.7 and 0.4", "cost", ([1, 0], [0.7, 0.4])),
    ("mean BCE for y = [1,0] and p = [0.8, 0.3]", "cost", ([1, 0], [0.8, 0.3])),
    ("loss for y = 1, 0 and 1 and ŷ = 0.9, 0.2 and 0.6", "cost", ([1, 0, 1], [0.9, 0.2, 0.6])),
    ("what is the loss when the model says 0.1 but the answer is 1", "bce", (1, 0.1)),
    ("the true label is 0 and the model predicts 0.8, what's the loss?", "bce", (0, 0.8)),
    ("y = 1, ŷ = 0.3", "bce", (1, 0.3)),
    ("if the label is 1 and I predict 0.8 what is the loss", "bce", (1, 0.8)),  # "if …": whole, not a what-about
    ("the label is 1 but my model gave 0.2, how big is the loss", "bce", (1, 0.2)),
    # several examples, each as its own pair; one label at several predictions (found walking the app)
    ("compute the loss for y=1,ŷ=0.9; y=0,ŷ=0.9; y=1,ŷ=0.1", "cost", ([1, 0, 1], [0.9, 0.9, 0.1])),
    ("loss when y = 1 and ŷ is 0.9, 0.5 and 0.1?", "bce_table", (1, [0.9, 0.5, 0.1])),
    # a name misspelt by one letter right before its value
    ("whats the los wen yhat is 0.2 and the lable is 0", "bce", (0, 0.2)),
    ("predction = 0.3 and y = 1", "bce", (1, 0.3)),
]


@pytest.mark.parametrize(("text", "function", "args"), WORDED, ids=[w[0][:40] for w in WORDED])
def test_compute_requests_in_the_learners_words(text, function, args):
    got = it.read(text, FRESH)
    assert isinstance(got, it.Compute) and got.function == function, got
    assert [list(a) if isinstance(a, list) else a for a in got.args] == [
        pytest.approx(list(a)) if isinstance(a, list) else pytest.approx(a) for a in args
    ]


@pytest.mark.parametrize(
    "text",
    [
        "what does y_hat = 0.5 mean?",
        "what does it mean when the loss is 0.69",
        "my answer is 0.69",
        "the table is 0 and yhat is 0.2",  # two letters from "label": not a misspelling of it
    ],
)
def test_mean_as_a_verb_and_a_lone_value_stay_questions(text):
    assert isinstance(it.read(text, FRESH), it.Ask)


def test_a_verb_that_starts_lessons_starts_one_only_when_it_names_one(tutor):
    # "do"/"open"/"take" + words is a lesson command when the words name a lesson or say "lesson";
    # otherwise it is the learner's question ("do we maximize the likelihood?").
    read = lambda text: tutor.read(text, FRESH)
    assert isinstance(read("do we maximize or minimize the log likelihood when training"), it.Ask)
    assert isinstance(read("open the loss in the notebook"), it.Ask)
    assert read("do 2") == it.LessonCommand("start", "2")
    assert read("take the lesson on likelihood") == it.LessonCommand("start", "likelihood")
    assert read("open the zebra lesson") == it.LessonCommand("start", "zebra")  # says lesson: the handler says no
    from tutor.dialogue import lessons

    for lesson in tutor.kb.lessons.values():  # each lesson by its title, with no word "lesson"
        got = read(f"start {lesson.title}")
        assert isinstance(got, it.LessonCommand) and lessons.find(tutor, got.lesson or "") == lesson.id


@pytest.mark.parametrize(
    ("opener", "ctx", "checkpoint"),
    [(o, c, k) for o in ("wait, ", "hmm, ", "ok ", "ok so ", "um, ") for c, k in ((FRESH, None), (AT, "numeric"))],
)
def test_a_derivative_after_an_opening_word_is_still_read_and_checked(tutor, opener, ctx, checkpoint):
    # the words before it ("wait,") had made it a question for the matcher, in a lesson too
    got = it.read(f"{opener}the derivative of -ln(x) is -1/x, right?", ctx, at_checkpoint=checkpoint)
    assert got == it.Derive("expression", None, "-ln(x)", None, claim="-1/x")
    asked = it.read(f"{opener}what is the derivative of ln(1-x)?", ctx, at_checkpoint=checkpoint)
    assert isinstance(asked, it.Derive) and asked.expression == "ln(1-x)" and asked.claim is None
    # d/dx (-ln x) = -1/x: right; d/dx ln(1 - x) = -1/(1 - x), so 1/(1 - x) is wrong
    reply, _ = tutor.reply(f"{opener}the derivative of -ln(x) is -1/x, right?")
    assert reply.derivation.checked == (("-1/x", True),)
    reply, _ = tutor.reply(f"{opener}the derivative of ln(1-x) is 1/(1-x), right?")
    assert reply.derivation.checked == (("1/(1-x)", False),)


def test_an_opening_word_alone_or_before_a_question_is_not_a_request():
    assert it.read("wait", FRESH) == it.Ask("wait")
    assert it.read("so why the minus sign?", FRESH) == it.Ask("so why the minus sign?")
    assert it.read("hmm, 0.693", AT, at_checkpoint="numeric") == it.CheckpointAnswer("hmm, 0.693")
