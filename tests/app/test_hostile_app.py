"""A content pack written to attack the app: markup and terminal escapes in titles, a deep keymap."""

from __future__ import annotations

from tutor.ui.app import make_app
from tutor.ui.lessons import LessonListScreen, LessonScreen
from tutor.ui.widgets import Chip, TutorTurn

HOSTILE = "[/] [@click=app.quit]press[/] [b]bold \x1b]0;pwned\x07\x1b]52;c;aGk=\x07 end"


def _pack(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    title = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
    for i in (1, 2):
        (pack / f"evil{i}.md").write_text(
            f'+++\nid = "evil-{i}"\ntitle = "{title} {i}"\nconcepts = ["bce-formula"]\n'
            f'questions = ["what does the zorblax quuxification {i} do"]\n+++\n'
            f"Body {i} with [@click=app.quit]markup[/] and \x1b]0;pwned\x07 an escape.\n",
            encoding="utf-8",
        )
    (pack / "evil.toml").write_text(
        f'id = "evil"\ntitle = "{title}"\nsummary = "[/] summary [@click=app.quit]x[/]"\n[[steps]]\nnode = "evil-1"\n',
        encoding="utf-8",
    )
    return pack


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_markup_and_escapes_in_titles_open_list_and_run(tmp_path):
    app = make_app(content=[_pack(tmp_path)])
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#ask")
        box.value = "zorblax quuxification"
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        turn = app.screen.query(TutorTurn).last()
        labels = [str(c.label) for c in turn.query(Chip)]
        assert any("[@click=app.quit]press[/]" in label for label in labels), (
            labels
        )  # shown as typed, not read as markup
        assert all("\x1b" not in label and "\x07" not in label for label in labels)
        for chip in turn.query(Chip):
            if "press" in str(chip.label):
                await pilot.click(chip)
                await settle(pilot)
                break
        assert app.is_running and app.return_code is None  # no action chosen by the content's author ran
        reply = app.screen.query(TutorTurn).last().reply
        assert "\x1b" not in reply.markdown and "\x1b" not in (reply.title or "")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LessonListScreen)
        options = app.screen.query_one("#lesson-list")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("[@click=app.quit]press[/]" in p for p in prompts), prompts
        index = next(i for i, p in enumerate(prompts) if "press" in p)
        options.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        title = str(app.screen.query_one("#lesson-title").render())
        assert "[@click=app.quit]press[/]" in title and "\x1b" not in title
        await pilot.click("#lesson-title")
        await settle(pilot)
        assert app.is_running and app.return_code is None


async def test_palette_lists_hostile_titles_as_text(tmp_path):
    from tutor.ui.providers import TopicsProvider

    app = make_app(content=[_pack(tmp_path)])
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        app.tutor()
        provider = TopicsProvider(app.screen)
        hits = [hit async for hit in provider.search("press")]
        found = [hit for hit in hits if "press" in hit.text]
        assert found and all("[@click=app.quit]press[/]" in str(hit.prompt) for hit in found)
        discovered = [hit async for hit in provider.discover()]
        assert any("[@click=app.quit]press[/]" in str(hit.prompt) for hit in discovered)
        app.action_command_palette()
        await settle(pilot)
        for ch in "press":
            await pilot.press(ch)
        await settle(pilot)
        await pilot.pause(0.5)
        assert app.is_running and app.return_code is None


async def test_a_keymap_nested_fifty_thousand_deep_still_starts(isolated_data):
    (isolated_data / "keymap.toml").write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.is_running
