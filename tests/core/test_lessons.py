"""Lessons through the core: steps, checkpoints with feedback, hints, progress that survives."""

from __future__ import annotations

import pytest

from tutor.content.checkpoints import ChoiceCheckpoint, NumericCheckpoint
from tutor.dialogue.engine import Tutor
from tutor.dialogue.lessons import ASKED_AGAIN
from tutor.dialogue.reply import Context
from tutor.printing import reply_text
from tutor.store.progress import open_store


def run(tutor: Tutor, lines: list[str], ctx: Context | None = None):
    ctx = ctx or Context()
    replies = []
    for line in lines:
        reply, ctx = tutor.reply(line, ctx)
        replies.append(reply)
    return replies, ctx


@pytest.fixture
def fresh(kb, tmp_path):
    return Tutor(kb, store=open_store(tmp_path / "p.db"))


def test_three_lessons_of_six_to_twelve_steps_with_checkpoints(kb):
    assert len(kb.lessons) >= 3
    for lesson in kb.lessons.values():
        assert 6 <= len(lesson.steps) <= 12
        assert sum(1 for s in lesson.steps if s.checkpoint) >= 4
        assert all(s.node in kb.nodes for s in lesson.steps)


def test_lesson_flow_wrong_feedback_hint_right_next(fresh):
    replies, ctx = run(fresh, ["start lesson why-minus", "0.693", "hint", "hint", "-0.6931", "next"])
    start, wrong, h1, h2, right, nxt = replies
    assert start.kind == "lesson" and start.node == "log-on-unit-interval" and "Checkpoint" in start.markdown
    assert "wrong sign" in wrong.markdown  # feedback for that mistake, not a generic "no"
    assert "Hint 1" in h1.markdown and "Hint 2" in h2.markdown
    assert right.title == "Correct"
    assert nxt.node == "prediction-range"
    assert ctx.lesson.step == 1


def test_misconception_answers_get_their_own_feedback(fresh):
    replies, _ = run(fresh, ["start lesson why-minus", "next", "next", "next", "it goes to -1", "zero"])
    assert "misconception" in replies[4].markdown
    assert replies[5].title == "Correct"


def test_a_question_mid_lesson_is_answered_and_the_lesson_waits(fresh):
    replies, ctx = run(fresh, ["start lesson why-minus", "why is the log of a probability negative?", "-0.693"])
    assert replies[1].kind == "answer"
    assert replies[1].lesson is not None and replies[1].lesson.step == 1  # the lesson waits at step 1
    assert "You are in the lesson" in reply_text(replies[1])
    assert ctx.lesson is not None and ctx.lesson.step == 0
    assert replies[2].title == "Correct"


def test_the_reminder_mid_lesson_offers_the_checkpoint_only_while_it_waits(fresh):
    question = "why is the log of a probability negative?"
    replies, _ = run(fresh, ["start lesson why-minus", question, "-0.6931", question])
    waiting, solved = reply_text(replies[1]), reply_text(replies[3])
    assert replies[2].title == "Correct"
    assert replies[1].lesson.waiting and "answer its checkpoint" in waiting
    assert not replies[3].lesson.waiting and "answer its checkpoint" not in solved and "type next" in solved


def test_progress_resumes_after_restart(kb, tmp_path):
    path = tmp_path / "p.db"
    first = Tutor(kb, store=open_store(path))
    run(first, ["start lesson likelihood", "next", "next"])
    first.store().close()
    again = Tutor(kb, store=open_store(path))
    replies, ctx = run(again, ["start lesson likelihood"])
    assert ctx.lesson.step == 2
    assert "resuming" in replies[0].markdown.lower()
    assert "3/8" in again.store().summary("likelihood", 8) or "steps seen" in again.store().summary("likelihood", 8)


def test_corrupted_progress_file_is_set_aside(tmp_path):
    path = tmp_path / "progress.db"
    path.write_bytes(b"this is not a database" * 100)
    store = open_store(path)
    assert "could not be read" in store.notice
    store.set_position("why-minus", 3)
    assert store.position("why-minus") == 3
    assert list(tmp_path.glob("progress.db.unreadable-*"))


def test_reset_forgets_progress(tmp_path):
    store = open_store(tmp_path / "p.db")
    store.set_position("x", 2)
    store.mark_seen("x", 0)
    store.reset("x")
    assert store.position("x") is None and store.seen_count("x") == 0


def test_two_stores_on_one_file_keep_each_others_writes(tmp_path):
    a, b = open_store(tmp_path / "p.db"), open_store(tmp_path / "p.db")
    for i in range(50):
        a.mark_seen("la", i)
        b.mark_seen("lb", i)
    assert a.seen_count("lb") == 50 and b.seen_count("la") == 50


@pytest.mark.parametrize(
    "answer,correct,says",
    [
        ("(y_hat - y)/(y_hat*(1 - y_hat))", True, "Right"),
        ("-y/ŷ + (1-y)/(1-ŷ)", True, "Right"),
        ("(y - y_hat)/(y_hat*(1 - y_hat))", False, "minus in front"),
        ("y/y_hat - (1 - y)/(1 - y_hat)", False, "log-likelihood"),
    ],
)
def test_expression_checkpoint(kb, answer, correct, says):
    cp = kb.lessons["logistic-gradients"].steps[0].checkpoint
    fb = cp.check(answer)
    assert fb.correct is correct and says in fb.message


def test_expression_checkpoint_never_evaluates_code(kb):
    cp = kb.lessons["logistic-gradients"].steps[0].checkpoint
    assert cp.check("__import__('os').system('echo hacked')") is None


@pytest.mark.parametrize("answer", ["e", "exp(1) * y_hat", "e^2 - y", "(y_hat - y) / e"])
def test_expression_answers_with_euler_s_number_get_feedback(kb, answer):
    # SymPy's cmath printer fails on E (found by the long fuzz run): a wrong answer, not a crash
    cp = kb.lessons["logistic-gradients"].steps[0].checkpoint
    fb = cp.check(answer)
    assert fb is not None and fb.correct is False and fb.message


def test_missing_sigma_prime_feedback(kb):
    cp = kb.lessons["logistic-gradients"].steps[2].checkpoint
    assert "σ'(z)" in cp.check("(ŷ - y)/(ŷ(1 - ŷ))").message
    assert cp.check("ŷ - y").correct


def test_choice_and_numeric_checks():
    cp = ChoiceCheckpoint("p", 2, choices=("a", "b", "c"), feedback=((1, "not a"),))
    assert cp.check("2").correct and cp.check("b").correct
    assert cp.check("1").message == "not a"
    num = NumericCheckpoint("p", "neglog(0.99)", tolerance=1e-4, feedback=(("negative", "sign!"),))
    assert num.check("0.01005").correct
    assert num.check("-0.01005").message == "sign!"
    assert num.check("no number here") is None


def test_a_misconception_shown_in_a_lesson_is_referred_back_to_later(fresh):
    """The learner read the minus as a direction; later, the topic on the gradient's sign says so."""
    replies, _ = run(fresh, ["start lesson why-minus", "next", "next", "next", "next", "next", "the minus sign"])
    assert replies[-1].verdict == "wrong"
    assert fresh.store().misconceptions()["sign-is-not-direction"] == ("why-minus", 5)
    later, _ = fresh.reply("what does the sign of the gradient tell me?")
    assert later.node == "gradient-sign-direction"
    assert later.markdown.startswith("*Earlier, in the lesson “Why the minus sign?” (step 6), your answer")
    unrelated, _ = fresh.reply("why a logarithm?")
    assert "Earlier" not in unrelated.markdown


def test_back_then_next_over_an_answered_checkpoint_is_not_a_skip(fresh):
    """Found walking the app: answer step 1 right, next, back, next said "(Skipped step 1's checkpoint…)"."""
    replies, ctx = run(fresh, ["start lesson why-minus", "-0.6931", "next", "back"])
    _, right, _, back = replies
    assert right.verdict == "right"
    assert back.lesson.step == 1 and "Checkpoint" not in back.markdown  # answered: its explanation, not the question
    replies, ctx = run(fresh, ["next"], ctx)
    assert "Skipped" not in replies[0].markdown
    replies, _ = run(fresh, ["back", "back"], ctx)  # an unanswered step is still asked
    unanswered = run(fresh, ["start lesson likelihood"])[0][0]
    assert "Checkpoint" in unanswered.markdown


def test_after_the_worked_answer_next_is_not_a_skip_and_another_hint_is_not_a_repeat(fresh, kb):
    lesson = kb.lessons["why-minus"]
    step = next(i for i, s in enumerate(lesson.steps) if s.checkpoint and len(s.checkpoint.hints) > 2)
    _, ctx = run(fresh, ["start lesson why-minus"] + ["next"] * step)
    n = len(lesson.steps[step].checkpoint.hints)
    replies, ctx = run(fresh, ["hint"] * n, ctx)
    assert "Worked answer" in replies[-1].markdown
    again, ctx = fresh.reply("hint", ctx)
    assert again.title == "No more hints" and "Worked answer" not in again.markdown
    moved, _ = fresh.reply("next", ctx)
    assert "Skipped" not in moved.markdown  # the answer was shown, not skipped
    assert moved.lesson is not None and moved.lesson.step == step + 2  # shown 1-based


def test_the_summary_names_the_command_that_retries(fresh, kb):
    lesson = kb.lessons["why-minus"]
    replies, ctx = run(fresh, ["start lesson why-minus"] + ["next"] * len(lesson.steps))
    assert "Type *restart lesson why-minus* to retry them." in replies[-1].markdown
    again, _ = fresh.reply("restart lesson why-minus", ctx)
    assert again.lesson is not None and again.lesson.step == 1


def test_why_follows_the_why_link_before_the_deeper_section(kb, tutor):
    # A node with a deeper section and a why link, but no why section of its own: "why?" is the why link's
    # topic (said to be another topic), not the deeper section (found by a learner walking the app).
    from tutor.dialogue.intents import FollowUp, Show

    node = next(
        n
        for n in kb.nodes.values()
        if "why" not in n.sections and "deeper" in n.sections and n.links.get("why") and n.links["why"][0] in kb.nodes
    )
    _, ctx = tutor.reply(Show(node.id))
    why, _ = tutor.reply(FollowUp("why"), ctx)
    assert why.node == node.links["why"][0] and "another topic" in why.markdown
    deeper, _ = tutor.reply(FollowUp("deeper"), ctx)
    assert deeper.node == node.id and deeper.section == "deeper"


@pytest.mark.parametrize("number", ["0.69", "0", "-3"])
def test_a_number_alone_gets_questions_that_the_tutor_answers(tutor, number):
    import re

    reply, _ = tutor.reply(number)
    assert reply.kind == "error" and reply.title == "What is that number?"
    for suggestion in re.findall(r"\*“([^*”]+)”\*", reply.markdown):  # every question it suggests is answered
        answered, _ = tutor.reply(suggestion)
        assert answered.kind in ("answer", "compute"), (suggestion, answered.kind, answered.title)


def test_two_values_offered_are_asked_about_again_and_are_no_attempt(fresh):
    """ "0.693 or 0.694" is no single answer: the learner is asked for one, and neither an attempt nor
    a wrong answer is recorded (a teacher's read)."""
    replies, ctx = run(fresh, ["start lesson why-minus", "-0.693 or -0.694", "-69.3%"])
    assert replies[1].title == ASKED_AGAIN and "Give just one" in replies[1].markdown
    assert replies[2].title == ASKED_AGAIN and "percentage" in replies[2].markdown
    assert ctx.lesson is not None and ctx.lesson.attempts == 0 and not ctx.lesson.solved
    rows = fresh.store().conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    assert rows == 0
    replies, ctx = run(fresh, ["-0.693"], ctx)
    assert replies[0].title == "Correct"
