"""A learner's turn, read once into a typed intent.

:func:`read` is the only place that decides what a piece of text *means*; the
engine then dispatches the intent to its handler (:mod:`tutor.dialogue.engine`).
The context is an input to the reading: "2" after a clarify is a choice, at a
choice checkpoint an answer, after the lesson list a lesson to open; "hint"
inside a lesson is a command and outside it a question.

The app's chips and the command palette build intents directly; they never
send English to be parsed back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from tutor.dialogue import requests as rq
from tutor.dialogue.context import Context

FollowKind = Literal["why", "example", "simpler", "deeper", "next", "plot", "derive"]
LessonAction = Literal["list", "start", "next", "back", "hint", "leave", "again", "quiz"]
TalkKind = Literal["greeting", "thanks", "bye", "help"]


@dataclass(frozen=True)
class Ask:
    """A question about a topic, in the learner's words."""

    text: str


@dataclass(frozen=True)
class Show:
    """Open one node directly (the command palette, a choice already resolved to a node)."""

    node: str
    section: str | None = None


@dataclass(frozen=True)
class FollowUp:
    """Why? / an example / simpler / deeper / next / plot it / derive it, about what was just discussed,
    or about ``about``: the node of the answer a follow-up chip sits under (an older answer's chip
    follows up that answer, not the latest one)."""

    kind: FollowKind
    about: str | None = None


@dataclass(frozen=True)
class WhatAbout:
    """The same question again with other values: "what about y = 0?"."""

    values: dict = field(hash=False)


@dataclass(frozen=True)
class Choose:
    """A numbered or named choice among the ones the tutor just offered (1-based)."""

    index: int


@dataclass(frozen=True)
class Compute:
    """A worked numeric example: a function of :mod:`tutor.maths.numeric` and its arguments."""

    function: str
    args: tuple
    assumed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derive:
    target: str
    #: The variable to differentiate a declared formula by (None: the one it declares).
    wrt: str | None = None
    #: An expression the learner typed ("ln(1 - x)"), differentiated instead of a named target.
    expression: str | None = None
    #: For an expression: where its derivative's value is asked ("at x = 0.5"), as (variable or None, number).
    at: tuple[str | None, str] | None = None
    #: For an expression: the learner's own derivative of it, to be checked ("... is -1/(1 - x), right?").
    claim: str | None = None


@dataclass(frozen=True)
class Plot:
    """A named plot (``name`` is "" when the request names none: the topic's own plot, or the loss), or the
    learner's own expressions, range and marked values (``request``)."""

    name: str
    request: rq.PlotRequest | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LessonCommand:
    action: LessonAction
    lesson: str | None = None  # for "start": an id, a number or a title as typed
    restart: bool = False


@dataclass(frozen=True)
class CheckpointAnswer:
    """Text given as the answer to the checkpoint the learner is at."""

    text: str


@dataclass(frozen=True)
class SmallTalk:
    kind: TalkKind


@dataclass(frozen=True)
class Unreadable:
    """Text that cannot be a question (empty, too long, binary); ``why`` says so."""

    why: str


@dataclass(frozen=True)
class Failed:
    """A request that was recognised but cannot be carried out as asked (a value out of range...)."""

    message: str


Intent = (
    Ask
    | Show
    | FollowUp
    | WhatAbout
    | Choose
    | Compute
    | Derive
    | Plot
    | LessonCommand
    | CheckpointAnswer
    | SmallTalk
    | Unreadable
    | Failed
)
INTENTS = (
    Ask,
    Show,
    FollowUp,
    WhatAbout,
    Choose,
    Compute,
    Derive,
    Plot,
    LessonCommand,
    CheckpointAnswer,
    SmallTalk,
    Unreadable,
    Failed,
)

#: Messages longer than this are read as questions, never as compute/derive/plot requests.
REQUEST_CHARS = 160

# ------------------------------------------------------------------ the small vocabularies

_LESSON_WORDS: dict[str, LessonAction] = {}
for _action, _spellings in {
    "next": ("next", "n", "continue", "go on", "next step", "skip", "next one", "move on", "ok next", "okay next"),
    "back": ("back", "previous", "prev", "go back", "b", "previous step", "step back"),
    "leave": (
        "quit lesson",
        "stop lesson",
        "exit lesson",
        "leave lesson",
        "stop",
        "quit the lesson",
        "leave the lesson",
        "exit the lesson",
        "stop the lesson",
        "end lesson",
        "pause lesson",
        "pause",
    ),
    "again": ("again", "repeat", "show step", "where was i", "resume", "show the step again", "repeat the step"),
    "hint": (
        "hint",
        "a hint",
        "give me a hint",
        "help me",
        "another hint",
        "more hint",
        "more hints",
        "hint please",
        "i need a hint",
        "can i have a hint",
        "can i get a hint",
        "clue",
        "a clue",
        "next hint",
    ),
    "quiz": ("quiz me", "test me"),
}.items():
    for _w in _spellings:
        _LESSON_WORDS[_w] = _action  # type: ignore[assignment]

#: "I don't know" at a checkpoint is a request for the next hint, not a question.
_STUCK = re.compile(
    r"^(?:i )?(?:really )?(?:do ?n[o']?t|dont|dunno|have no|no) ?(?:know|idea|clue|sure)|^no idea|^not sure"
    r"|^(?:i'?m |i am )?stuck|^i give up|^idk$|^\?+$|^no clue|^pass$|^help$"
)
_LIST = re.compile(
    r"^(?:list |show |see |open |all )?(?:the )?(?:lessons|lesson list|list of lessons|guided lessons)"
    r"|^(?:what|which) lessons\b|^lessons? please$|^show me (?:the )?lessons$"
)
_START = re.compile(
    r"^(?P<re>re)?(?:start|begin|open|take|do|resume)(?: the)?(?: lesson)? (?P<a>.+)$|^lesson (?P<b>.+)$"
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings|yo|hi there|hello there"
    r"|hey there)(?: tutor| there| everyone)?$"
)
#: One courtesy: "thanks", "that helped", "makes sense now", "i get it"...
_COURTESY = (
    r"(?:thanks?|thank you|thx|ty|cheers|great|awesome|cool|nice|perfect|got it|ok(?:ay)? got it"
    r"|that helps|that helped|(?:that |it |this )?makes sense|understood|i see|ah i see|oh i see|ok|okay"
    r"|(?:that'?s|this is|that was) (?:clear|helpful|great|very helpful|really helpful)|very helpful|helpful"
    r"|i (?:get|got|understand) it|i understand)(?: (?:a lot|so much|very much|thanks|thank you|now))?"
)
#: Thanks: one to three courtesies, however joined ("thanks, that helped", "got it - thank you").
_THANKS = re.compile(rf"^{_COURTESY}(?:\s*[,;:—-]?\s*(?:and )?{_COURTESY}){{0,2}}$")
#: Yes to the one thing the last reply offered ("You also asked about …: want that next?").
_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|y|sure|please|yes please|sure thing|go on|go ahead|sounds good|why not|do it"
    r"|show me|let'?s|let'?s do it|let'?s see|definitely|of course|ok(?:ay)?|alright|all right"
    r"|ok(?:ay)?,? (?:yes|sure|please|go on))$"
)
_BYE = re.compile(r"^(?:bye|goodbye|see you|see ya|quit|exit|that'?s all)$")
_HELP = re.compile(
    r"^(?:help|\?|what can you do|commands|how do i use (?:this|you)|what do you (?:know|cover|teach)"
    r"|who are you|what are you|what is this(?: app| tool)?)$"
)
#: Words that open a question rather than an answer.
_QUESTION_START = re.compile(
    r"^(?:why|how|what|when|where|which|who|can|could|would|should|does|do|did|is|are|will|explain"
    r"|tell me|show me|i (?:don'?t|do not) (?:get|understand)|what'?s)\b"
)
#: Short answers phrased as a question are still answers: "is it 0?", "it's ln 2?".
_ANSWER_AS_QUESTION = re.compile(r"^(?:is it|it'?s|it is|maybe|i think|i guess|is that|so it'?s|so it is)\b")


def short(text: str) -> str:
    """Lower case, spaces folded, closing punctuation dropped: the form the small vocabularies match."""
    return re.sub(r"\s+", " ", text.strip().lower()).strip(" .!,;")


def _words(text: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", text))


def _small_talk(s: str) -> SmallTalk | None:
    s = s.rstrip("?! ")
    if _HELP.match(s):
        return SmallTalk("help")
    if _GREETING.match(s):
        return SmallTalk("greeting")
    if _THANKS.match(s):
        return SmallTalk("thanks")
    if _BYE.match(s):
        return SmallTalk("bye")
    return None


def _lesson_command(s: str, ctx: Context, lesson_named: Callable[[str], bool]) -> LessonCommand | None:
    """Commands that mean the same wherever the learner is: list and start lessons.

    "start lesson 2" and "lesson on the sigmoid" say *lesson*; "do 2" or "open why the minus sign"
    are lesson commands only when they name a lesson (``lesson_named``): "do we maximize the
    likelihood?" is a question, not a lesson called "we maximize the likelihood".
    """
    if _LIST.match(s):
        return LessonCommand("list")
    m = _START.match(s)
    if m:
        name = (m.group("a") or m.group("b") or "").strip().strip("'\"`")
        again = name.endswith((" again", " over")) or name in ("again", "over")
        name = re.sub(r"(?:^| )(?:again|over)$", "", name).strip()
        name = re.sub(r"^(?:on|about|for) (?=.)|(?<=.) lesson$", "", name)  # "the lesson on X", "the X lesson"
        restart = bool(m.group("re")) or again
        # "restart the lesson", "start this lesson again": the lesson the learner is in, or a list to pick from.
        if name in ("", "lesson", "the lesson", "this lesson", "my lesson") or (
            restart and name in ("it", "this", "that")
        ):
            if ctx.lesson is not None:
                return LessonCommand("start", ctx.lesson.lesson, restart=restart)
            return LessonCommand("list") if name else None
        if name not in ("it", "this", "that") and (re.search(r"\blessons?\b", s) or lesson_named(name)):
            return LessonCommand("start", name, restart=restart)
    return None


def is_question(text: str) -> bool:
    """At a checkpoint: is this the learner asking something (the checkpoint waits) rather than answering?"""
    s = short(text)
    if _ANSWER_AS_QUESTION.match(s):
        return False
    opens = bool(_QUESTION_START.match(s))
    return (opens and (text.rstrip().endswith("?") or _words(s) >= 4)) or (
        text.rstrip().endswith("?") and _words(s) >= 5
    )


def read(
    text: str, ctx: Context, *, at_checkpoint: str | None = None, lesson_named: Callable[[str], bool] = lambda _: True
) -> Intent:
    """What ``text`` (already cleaned) asks for, given the conversation so far.

    ``at_checkpoint`` is the kind of the open checkpoint ("numeric", "choice", …) when
    the learner is at an unanswered one, else None. ``lesson_named(name)`` says whether a
    lesson goes by that name (the engine asks the content; by default any name does).
    """
    s = short(text)
    in_lesson = ctx.lesson is not None

    # 0. A pick from the choices the last reply offered (a clarify, a fallback, the lesson list): that
    #    list is the last thing on screen, so "1" picks from it, even at a checkpoint (a "did you mean"
    #    asked inside a lesson), never answers it.
    if ctx.choices:
        k = rq.choice(text, len(ctx.choices))
        if k is None and len(ctx.choices) == 1 and _YES.match(s):  # the one offer, taken
            k = 1
        if k is not None:
            return Choose(k)

    # 1. Lesson commands: in a lesson the small words are commands; anywhere, listing and starting.
    #    At a choice checkpoint a lone letter or digit is a choice ("b" is not "back").
    if at_checkpoint == "choice" and re.fullmatch(r"\(?[a-h1-9][.)]?", s):
        return CheckpointAnswer(text)
    if in_lesson and s in _LESSON_WORDS:
        return LessonCommand(_LESSON_WORDS[s])
    command = _lesson_command(s, ctx, lesson_named)
    if command is not None:
        return command
    if not in_lesson and s in ("quiz me", "test me"):
        return LessonCommand("list")

    # 2. At an open checkpoint, text is an answer unless it is plainly a question or a request.
    if at_checkpoint is not None:
        if _STUCK.match(s):
            return LessonCommand("hint")
        talk = _small_talk(s)
        if talk is not None and talk.kind != "help":
            return talk
        if not is_question(text) and not _is_request(text):
            return CheckpointAnswer(text)

    # 3. A lesson number after the lesson list.
    if ctx.history[-1:] == ("lesson-list",) and re.fullmatch(r"\d{1,2}", s):
        return LessonCommand("start", s)

    talk = _small_talk(s)
    if talk is not None:
        return talk

    # 4. Follow-ups about what was just discussed, and "what about y = 0?".
    follow = rq.follow_up(text)
    if follow and (ctx.node or ctx.computation):
        return FollowUp(follow)  # type: ignore[arg-type]
    about = rq.what_about(text, ctx.computation.name if ctx.computation is not None else None)
    if about is not None and (
        ctx.computation is not None or (set(about) == {"y"} and not isinstance(about["y"], list))
    ):  # with nothing computed yet, "if y = 1 and ŷ = 0.8, …" is a whole request, read below
        return WhatAbout(about)

    # 5. Requests to do something: short messages only; a pasted paragraph is a question.
    request = _request(text)
    if request is not None:
        return request
    if follow:  # a follow-up with nothing to follow
        return FollowUp(follow)  # type: ignore[arg-type]
    return Ask(text)


def asks_about_topics(text: str) -> bool:
    """Whether ``text``, as a first turn with nothing said before, goes to the topic matcher (an
    :class:`Ask`). Needs no content, so ``tutor ask`` can start loading the embedding model while
    the content loads; a name that might be a lesson's counts as a question here."""
    from tutor.matching.language import clean

    try:
        return isinstance(read(clean(text).strip(), Context(), lesson_named=lambda _: False), Ask)
    except Exception:  # a guess made early; the reply itself reads the text again, and reports any problem
        return False


#: Words a learner opens with before the request itself: "wait, the derivative of -ln(x) is -1/x, right?",
#: "hmm, is the derivative of ln x 1/x?", "ok so f(x) = x^2, is f'(x) = 2x?".
_OPENER = re.compile(r"^(?:(?:wait|hm+|um+|uh+|oh|ah|ok(?:ay)?|well|alright|so|and|but|now|sorry)\b[,.!:;]?\s+)+", re.I)


def _without_opener(text: str) -> str | None:
    """``text`` without the words it opens with, or None when it opens with none."""
    m = _OPENER.match(text)
    return text[m.end() :] if m and m.end() < len(text) else None


def _request(text: str) -> Compute | Derive | Plot | Failed | None:
    if len(text) > REQUEST_CHARS:
        return None
    found = _request_as_typed(text)
    rest = _without_opener(text) if found is None else None
    return _request_as_typed(rest) if rest else found


def _request_as_typed(text: str) -> Compute | Derive | Plot | Failed | None:
    from tutor.errors import InputError

    claimed = rq.claimed_derivative(text)  # before a computation: "is d/dx ln(3) = 1/3?" states a derivative
    if claimed is not None:
        return Derive("expression", claimed.wrt, claimed.expression, claimed.at, claim=claimed.claim)
    try:
        comp = rq.compute_request(text)
    except InputError as err:
        return Failed(err.message)
    if comp is not None:
        return Compute(comp.function, comp.args, comp.assumed)
    typed = rq.expression_derivative(text)
    if typed is not None:
        return Derive("expression", typed.wrt, typed.expression, typed.at)
    target = rq.derive_request(text)
    if target is not None:
        return Derive(target, rq.derive_wrt(text, target))
    plot = rq.plot_request(text)
    if plot is not None:
        return Plot(plot.name, plot)
    return None


def _is_request(text: str) -> bool:
    """At a checkpoint, a plot or derive request, or a computation with named values ("loss if y = 1 and ŷ = 0.3"),
    is carried out and the checkpoint waits; a bare expression such as ``-ln(0.99)`` is an answer."""
    if len(text) > REQUEST_CHARS:
        return False
    rest = _without_opener(text)
    if rest and _is_request(rest):
        return True
    if rq.plot_request(text) is not None or rq.derive_request(text) is not None:
        return True
    if rq.expression_derivative(text) is not None or rq.claimed_derivative(text) is not None:
        return True
    from tutor.errors import InputError

    try:
        return bool(rq.assignments(text)) and rq.compute_request(text) is not None
    except InputError:
        return False
