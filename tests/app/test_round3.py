"""Issue 14, third round: a light first paint, cheap answers, and what a learner read at 60×20 and 80×24."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from piloting import ask, follow, settle
from rich.cells import cell_len
from rich.console import Console
from rich.markdown import Markdown as RichMarkdown
from textual.app import App, ComposeResult
from textual.widgets import Button

from tutor.dialogue.intents import FollowUp
from tutor.ui.app import SHORT_SUB_TITLE, TutorApp
from tutor.ui.glue import GLUE, glue, unglue
from tutor.ui.lessons import LessonScreen, fit_title
from tutor.ui.widgets import Chip, PlotView, Rendered, TutorTurn

# ------------------------------------------------------------------ first paint: what is imported before it

#: Modules the first screen does not need; each costs tens of milliseconds to import.
HEAVY = ("numpy", "plotext", "rich.markdown", "markdown_it", "tutor.dialogue.intents", "tutor.content.nodes", "sympy")


def imported_by(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_app_module_imports_nothing_the_first_screen_does_not_need():
    loaded = imported_by("from tutor.ui.app import make_app; make_app()")
    assert "textual.app" in loaded  # the check itself sees imports
    assert [m for m in HEAVY if m in loaded] == []


def test_the_tutor_command_chooses_its_content_without_the_loader():
    code = "import tutor.cli as c\na = c._parser().parse_args([])\nassert c._choose_content(a)\nprint(a.content)"
    loaded = imported_by(code)
    assert "tutor.content.files" in loaded
    assert [m for m in HEAVY if m in loaded] == []


# ------------------------------------------------------------------ formulas kept whole when wrapped


def rendered_lines(markdown: str, width: int) -> list[str]:
    console = Console(width=width, color_system=None, highlight=False)
    lines = console.render_lines(Rendered(markdown), console.options.update_width(width), pad=False)
    return ["".join(s.text for s in line).rstrip() for line in lines]


@pytest.mark.parametrize("width", range(24, 61, 3))
def test_an_inline_formula_is_never_split_across_lines(width):
    text = (
        "Differentiate each term, using d(ln u)/du = 1/u and the chain rule for ln(1 - ŷ): "
        "the result is ŷ - y over ŷ(1 - ŷ) > 0, and the loss is -ln 0.99 for a sure right answer; "
        "a probability lies in (0, 1], its log in (-∞, 0]."
    )
    lines = rendered_lines(text, width)
    for formula in ("d(ln u)/du", "ln(1 - ŷ)", "ŷ - y", "ŷ(1 - ŷ) > 0", "-ln 0.99", "(0, 1]", "(-∞, 0]"):
        assert any(formula in line for line in lines), (formula, lines)
    # nothing lost or added: the same words, in order, and no glue character left on screen
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())
    assert not any(GLUE in line for line in lines)


def test_prose_in_brackets_still_wraps():
    assert glue("(the learning rate)") == "(the learning rate)"
    assert glue("the log of a probability") == "the log of a probability"
    assert glue("(1 - ŷ)") == f"(1{GLUE}-{GLUE}ŷ)"


@pytest.mark.parametrize(("first", "second", "shown"), [("1.", "2.", "2"), ("-", "-", "•"), ("*", "*", "•")])
def test_a_list_item_whose_text_starts_with_an_operator_is_still_an_item(first, second, shown):
    # "2. = -1/0.3 + ..." had its marker glued to "=", so Rich read it as text of the item before
    text = f"{first} a = b\n{second} = -1/0.3 + 0/0.7\n"
    lines = [line.strip() for line in rendered_lines(text, 60) if line.strip()]
    assert len(lines) == 2
    assert lines[1] == f"{shown} = -1/0.3 + 0/0.7"  # its own item, the marker drawn as a marker


def test_a_displayed_formula_wider_than_the_screen_breaks_between_terms():
    formula = "∂L/∂ŷ = -y/ŷ + (1 - y)/(1 - ŷ) = (ŷ - y) / (ŷ (1 - ŷ))"
    lines = [line.strip() for line in rendered_lines(f"The slope:\n\n    {formula}\n", 50) if line.strip()]
    assert " ".join(lines[1:]) == formula  # all of it, in order
    assert "(ŷ (1 - ŷ))" in lines[-1] and len(lines) == 3  # broken at a space between terms, not inside one


def test_a_formula_longer_than_the_line_is_folded_not_cut():
    formula = "L = -[y ln ŷ + (1 - y) ln(1 - ŷ)]"
    lines = rendered_lines(f"The loss is {formula}.", 20)
    assert "".join(lines).replace(" ", "") == f"The loss is {formula}.".replace(" ", "")


def test_rendered_markdown_is_rich_markdown_laid_out_once_per_width():
    text = "# Title\n\nSome *words* and a list:\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    console = Console(width=40, color_system=None)
    plain = list(console.render(RichMarkdown(text)))
    md = Rendered(text)
    assert list(console.render(md)) == plain
    laid_out = md._lines.copy()
    assert list(console.render(md)) == plain and md._lines == laid_out  # the second render reused the lines
    assert unglue([s for s in plain]) == plain


# ------------------------------------------------------------------ chips built cheaply, the same buttons


async def test_a_chip_is_the_compact_button_textual_would_build():
    class Two(App):
        def compose(self) -> ComposeResult:
            yield Button("why?", compact=True, classes="chip")
            yield Chip("why?", FollowUp("why"))

    async with Two().run_test() as pilot:
        button, chip = pilot.app.query(Button)
        assert chip.classes == button.classes
        for name in ("variant", "flat", "compact", "label", "action"):
            assert getattr(chip, name) == getattr(button, name), name
        assert chip.region.size == button.region.size
        chip.press()
        await pilot.pause()


# ------------------------------------------------------------------ the learner's walk


async def test_simpler_after_the_derivative_says_it_moves_to_a_simpler_topic(new_app):
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await ask(pilot, "what is the derivative of the loss")
        turn = await follow(pilot, first, "simpler")
        assert turn.reply.node != first.reply.node  # another topic answers it ...
        body = turn.query_one(".body").content.markup
        assert "simpler topic" in body and first.reply.title in body  # ... and the reply says so


async def test_what_about_y_0_after_a_topic_offers_follow_ups(new_app):
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        topic = await ask(pilot, "why the minus sign?")
        turn = await ask(pilot, "what about y = 0?")
        assert turn.reply.kind == "compute"
        chips = list(turn.query(Chip))
        assert chips, "no follow-up chips"
        # they follow the topic it was asked under, even after another question
        assert all(c.intent == FollowUp(c.intent.kind, about=topic.reply.node) for c in chips)


async def test_a_plot_says_its_marked_value_beside_the_picture(new_app):
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        turn = await ask(pilot, "plot -ln ŷ and mark 0.99")
        view = turn.query_one(PlotView)
        words = str(view.query_one(".marks").render())
        assert "0.99" in words and f"{-math.log(0.99):.6g}" in words  # the value, computed here independently
        assert view.query_one(".marks").region.y < view.query_one(".canvas").region.y  # above the curves: in view


def test_a_lesson_title_is_shortened_at_a_word_and_keeps_its_step():
    title = "Gradients of logistic regression"
    assert fit_title("Step 3/7 · ", title, "", 60) == "Step 3/7 · " + title
    for width in range(14, 60):
        for prefix, suffix in (("Step 3/7 · ", ""), ("Paused at step 3/7 · ", " (Esc to leave)")):
            line = fit_title(prefix, title, suffix, width)
            assert line.startswith(prefix)
            if cell_len(prefix) + 2 <= width:
                assert cell_len(line) <= width, (width, line)
            shown = line[len(prefix) :].removesuffix(suffix).removesuffix("…")
            assert title.startswith(shown)
            first_word_fits = cell_len(prefix + title.split()[0]) + 1 <= width
            assert shown == title or title[len(shown)] == " " or not first_word_fits  # cut between words


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_the_headers_fit_a_small_terminal(new_app, tutor, size):
    app = new_app(lesson="")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lesson = max(tutor.kb.lessons.values(), key=lambda lesson: len(lesson.title))
        app.open_lesson(lesson.id)
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        header = str(app.screen.query_one("#lesson-title").render())
        assert header.startswith(f"Step 1/{len(lesson.steps)} · ")
        assert cell_len(header) <= app.screen.query_one("#lesson-title").size.width
        assert app.sub_title == (TutorApp.SUB_TITLE if size[0] >= 72 else SHORT_SUB_TITLE)


async def test_older_answers_keep_their_follow_ups_as_links(new_app):
    from tutor.ui.chat import LIVE_TURNS

    app = new_app()
    async with app.run_test(size=(100, 40)) as pilot:
        first = await ask(pilot, "what is the sigmoid")
        labels = [c.label_text for c in first.query(Chip)]
        assert "an example" in labels
        for question in ["why the minus sign?", "I get a negative loss", "why not mean squared error?"] * 2:
            await ask(pilot, question)
        turns = list(app.screen.query(TutorTurn))
        assert all(not t.query(Chip) for t in turns[: -LIVE_TURNS - 1])  # older answers: no buttons ...
        assert all(t.query(Chip) for t in turns[-LIVE_TURNS:])  # ... the latest keep theirs
        links = first.query_one(".links")
        text = str(links.render())
        assert [label for label in labels if label in text] == labels  # every follow-up is still offered
        # clicking "an example" under the first answer gives an example of the sigmoid, not of the latest topic
        links.scroll_visible(animate=False, immediate=True)
        await pilot.pause()
        await pilot.click(links, offset=(text.index("an example") + 1, 0))
        await settle(pilot)
        last = app.screen.query(TutorTurn).last()
        assert last is not turns[-1] and last.reply.node == first.reply.node


def test_a_long_post_and_its_short_sentences_embed_as_they_would_alone():
    """The embedder batches texts of similar length only (less padding): the vectors are the same."""
    np = pytest.importorskip("numpy")
    from tutor.matching.embedding import Embedder, ModelUnavailable

    try:
        embedder = Embedder()
    except ModelUnavailable:
        pytest.skip("no embedding model here")
    texts = [
        "My teacher wrote the loss on the board and I followed the algebra, but I still don't get the "
        "intuition behind it, and I would like to understand where each piece comes from.",
        "Why the minus?",
        "What about y = 0?",
        "Could you show what the derivative looks like for a single example?",
    ]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
