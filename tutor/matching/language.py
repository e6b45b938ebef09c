"""How learners write about this domain, turned into tokens a ranking can compare.

``ŷ``, ``y_hat``, ``y hat``, ``\\hat{y}``, ``a`` or ``p`` inside a log, ``prediction``
and ``output`` all become ``yhat``; ``BCE``, ``log loss`` and ``binary_crossentropy``
become ``bce``; LaTeX commands lose their backslashes; code identifiers are split.
The same :func:`tokens` runs on content questions and on learner text, so both
sides of a comparison speak one vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from snowballstemmer.english_stemmer import EnglishStemmer

MAX_CHARS = 20_000  # longer text is cut here before any work is done

# Phrase rewrites, applied in order to lowercased text. Each maps many ways of
# writing one idea to one canonical word.
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in [
        (r"\\hat\s*\{\s*y\s*\}|\\hat\s+y\b|\by\s*\^\s*\\?hat\b", " yhat "),
        (r"\\(log|ln|exp|sigma|sum|frac|partial|left|right|cdot|mathbb|mathrm|text|operatorname)\b", r" \1 "),
        # Code: module prefixes (np.log, torch.nn.functional.sigmoid) and method calls (.log(), .mean()) go.
        (
            r"\b(?:np|numpy|torch|math|tf|jnp|jax|scipy|keras|k|f|nn)\.(?:(?:math|nn|functional|backend|special)\.)*(?=[a-z])",
            " ",
        ),
        (r"\.(log|log1p|exp|mean|sum|sigmoid|softmax)\s*\(", r" \1 ("),
        (r"ŷ|\by[\s_-]?hat\b|\by_?pred(?:icted|iction)?s?\b|\bp[\s_]?hat\b|\bh_?\{?theta\}?\b|\bhθ\b", " yhat "),
        (r"\by[\s_-]?true\b|\bground[\s-]truth\b|\btargets?\b|\blabels?\b", " label "),
        # The error signal ŷ - y, however it is spelt (a - y, preds - labels, output - target, y - t).
        (
            r"(?<![\w.])(?:yhat|a|p|h|outputs?|preds?|predictions?|probs?|activations?)\s*[-−]\s*(?:y|t|label|actual)(?![\w(])"
            r"|(?<![\w.(])(?:y|t|label)\s*[-−]\s*(?:yhat|a|p|h|outputs?|preds?|predictions?|probs?|activations?)(?![\w(])"
            r"|(?<![\w.(])y\s*[-−]\s*t\b",
            " yhat residual ",
        ),
        (
            r"\b(?:with\s+respect\s+to|w\.?\s?r\.?\s?t\.?)\s+(?:the\s+|an?\s+)?(?:z|logits?|pre[\s-]?activations?|net\s+input)\b",
            " derivative logit ",
        ),
        (
            r"\b(?:with\s+respect\s+to|w\.?\s?r\.?\s?t\.?)\s+(?:the\s+|an?\s+)?(?:w|weights?|theta|θ|b|bias)\b",
            " derivative weight ",
        ),
        (
            r"\b(?:with\s+respect\s+to|w\.?\s?r\.?\s?t\.?)\s+(?:the\s+|an?\s+)?(?:yhat|a|p|outputs?|predictions?)\b",
            " derivative yhat ",
        ),
        (r"\b(log|ln)\s*\(?\s*(?:a|p|q|y_?hat|out)\b", r" \1 yhat "),
        (r"\b1\s*[-−]\s*(?:a|p|q)\b", " 1 - yhat "),
        (
            r"bce\s*with\s*logits?\s*(?:loss)?|binary_cross_?entropy_with_logits|sigmoid_cross_entropy_with_logits",
            " bce logit stable ",
        ),
        (
            r"\bbinary[\s_-]*cross[\s_-]*entropy\b|\bbinary_crossentropy\b|\bbce_?loss\b|\bbce\b|\blog[\s_-]?loss\b"
            r"|\blogistic[\s_-]loss\b|\bbinary[\s_-]?x?ent\b|\blossbinaryxent\b",
            " bce ",
        ),
        (
            r"\bsparse_categorical_crossentropy\b|\bcategorical[\s_-]*cross[\s_-]*entropy\b|\bcce\b"
            r"|\bsoftmax[\s_-]*cross[\s_-]*entropy\b|\bmcxent\b",
            " categorical crossentropy softmax ",
        ),
        (r"\bcross[\s_-]*entropy(?:loss)?\b|\bxent\b|\bce(?:[\s_-]?loss)?\b", " crossentropy "),
        (r"\bkl[\s_-]?div(?:ergence|loss)?\b|\bkullback[\s-]*leibler\b|\bkldivloss\b|\bkl\b", " kl divergence "),
        (r"\bnll_?loss\b|\bnegative[\s-]log[\s-]likelihoods?\b|\bnll\b", " nll likelihood minus "),
        (r"\blog[\s_-]?likelihoods?\b|\bloglik\w*", " log likelihood "),
        (r"\blog_?softmax\b", " log softmax "),
        (
            r"\bmean[\s_-]squared[\s_-]error\b|\bsquared[\s_-]error\b|\bmse_?loss\b|\bquadratic[\s_-]cost\b|\bl2[\s_-]loss\b",
            " mse ",
        ),
        (
            r"1\s*/\s*\(\s*1\s*\+\s*(?:e\s*\^\s*\{?\(?\s*[-−]\s*\w+\s*\)?\}?|exp\s*\(\s*[-−]\s*\w+\s*\))\s*\)",
            " sigmoid ",
        ),
        (r"σ|\bsigma\b|\blogistic[\s_-]function\b|\bexpit\b", " sigmoid "),
        (r"\blog_?2\b|\blog\s*base\s*2\b|\bbits?\b|\b(?:log|ln)\s*\(\s*2\s*\)", " log2 "),
        (r"\blog_?10\b", " log10 "),
        (r"\bnatural[\s-]log(?:arithm)?\b|\bnats?\b", " ln natural "),
        (r"\blogarithms?\b|\blogs\b", " log "),
        # σ'(z) = σ(1 - σ), however it is spelt: da/dz, sigma_prime, a(1 - a), s * (1 - s).
        # Possessive \s*+ throughout: the pieces between them never start with a space, so no split is worth retrying.
        (
            r"\bd\s*+(?:a|yhat|sigmoid|s)\s*+/\s*+d\s*+z\b|\bsigmoid(?:[\s_]?prime\b|\s*+')|\bsigma[\s_]?prime\b"
            r"|\b(?:sigmoid|yhat|a|s)\s*+(?:\(\s*+[zx]\s*+\))?\s*+(?:\*|·|times)?\s*+\(?\s*+(?:1|one)\s*+(?:[-−]|minus)\s*+"
            r"(?:sigmoid|yhat|a|s)\b\s*+(?:\(\s*+[zx]\s*+\))?\s*+\)?|\bx(?:\s*+\*\s*+)?\(\s*+1\s*+[-−]\s*+x\s*+\)",
            " sigmoid derivative ",
        ),
        # dJ/dw, ∂L/∂ŷ, dw, dA: a derivative, and what it is taken with respect to.
        (
            r"(?:\bd|∂)\s*(?:l|j|e|loss|cost)\s*/\s*(?:d|∂)\s*(?:w|theta|θ|b|weights?|bias)\w*|\bd(?:w|b|theta|θ)\d*\b",
            " derivative weight ",
        ),
        (r"(?:\bd|∂)\s*(?:l|j|e|loss|cost)\s*/\s*(?:d|∂)\s*(?:yhat|a|p|out\w*)\b|\bda\d*\b", " derivative yhat "),
        (r"\bdz\d*l?\b|\bd\s*l\s*/\s*d\s*z\b|∂\s*l\s*/\s*∂\s*z\b", " derivative logit "),
        (r"∂|\bd/d\w*|\bd\s*l\s*/\s*d\s*\w+|\bdl_d\w+|\bderivatives?\b|\bdifferentiat\w*", " derivative "),
        (r"[-−]=|:=\s*\w+\s*[-−]", " subtract gradient step "),
        (r"\+=", " add "),
        (
            r"(?:^|\s)[-−]\s*(?=log|ln|sum|\[|\()|(?<==)\s*[-−](?=\s*[a-z(\[])|\b(?:the|this|that|a)\s+[-−](?=\s|$)"
            r"|\bnegat(?:e|es|ed|ing|ion)\b",
            " minus ",
        ),
        (r"\bprobabilistic(?:ally)?\b", " probability "),
        (r"\bcalculat(?:e|es|ed|ing|ion|ions|or)\b", " compute "),  # not "calculus", the nearest index word
        (
            r"\bnegative\s+(?:loss|losses|value|values|cost|bce|crossentropy|bce\s+loss)\b"
            r"|\b(?:loss|cost|bce|crossentropy)(?:\s+\w+)?\s+(?:is|are|was|becomes|became|goes|went|turns|gets|got)\s+(?:\w+\s+)?negative\b",
            " negativeloss ",
        ),
        (r"\bminus[\s-]sign\b|\bnegative[\s-]sign\b|\bsign\b", " minus sign "),
        (r"(?:\bminus|\bnegative|[-−])\s*(?:\binf\b|\binfinity\b|∞)", " minusinfinity "),
        (r"\bnan'?s?\b|\binf\b|\binfinity\b|\binfinite\b|∞", " nan "),
        (r"\b(?:log|ln)\s*(?:of\s+)?\(?\s*(?:0|zero)\s*\)?(?![.\d])", " log nan zero "),
        (r"\bepsilon\b|\bε\b|\beps\b|\bclip(?:ping|ped|s)?\b|\bclamp\w*", " epsilon clip "),
        (r"(?<![\w.])(?:[-−]\s?|minus\s+)1(?!\w|\.\d)", " minusone "),
        (
            r"\b(?:more|bigger|greater|larger|higher|above|over|exceed\w*)\s+(?:than\s+)?(?:1|one)\b(?!\.\d)",
            " aboveone ",
        ),
        (
            r"\b(?:less|lower|smaller)\s+than\s+(?:0|zero)\b(?!\.\d)|\bbelow\s+(?:0|zero)\b(?!\.\d)",
            " negative belowzero ",
        ),
        (r"\bsum\b|σ|∑", " sum "),
        (r"\bavg\b|\baverage\b|\bmean\b", " mean "),
    ]
]

STOPWORDS = frozenset(
    """
a about above after again against all am an and any are aren't as at be because been before being below between
both but by can could did do does doing don't down during each few for from further had has have having he her
here hers herself him himself his how i i'm if in into is isn't it it's its itself just let me more most my myself
no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that
the their theirs them themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves also get got im ive
whats hows hi hello thanks thank please anyone someone know think understand question questions could would might may really
one use used using like want wondering make sure see seem seems way thing things tell explain help function functions
""".split()
)

# Question words that matter for telling requests apart are kept out of STOPWORDS on purpose.
_WORD = re.compile(r"[a-z][a-z0-9]*|[0-9]+(?:\.[0-9]+)?")
_QUOTES = re.compile(r"[`\"“”„«»]")
_SPACES = re.compile(r"\s+")
_stemmer = EnglishStemmer()  # the English module alone: the package imports every language


def fingerprint() -> str:
    """What the tokens depend on, for cache keys: an index built under other rules is stale."""
    return repr(([p.pattern for p, _ in _REWRITES], [r for _, r in _REWRITES], sorted(STOPWORDS), _WORD.pattern))


def is_format(ch: str) -> bool:
    """An invisible format character (zero-width space or joiner, a direction mark): dropped, not refused."""
    return unicodedata.category(ch) == "Cf"


def clean(text: str) -> str:
    """NFKC-normalised text without control characters, cut to :data:`MAX_CHARS`.

    Invisible format characters (zero-width spaces and joiners, direction marks) are
    dropped, so ``min\u200bus`` reads as ``minus``; other control characters become spaces.
    """
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch in "\n\t" else "" if unicodedata.category(ch) == "Cf" else " " for ch in text
    )


def squeeze(text: str) -> str:
    """Every run of white space as one space.

    The rewrites' ``\\s*`` then see at most one character each, so no pattern can try
    the many ways of splitting a long run of spaces between its parts: the time of
    every pattern stays linear in the length of the text (benchmarks/bench_adversarial.py).
    """
    return _SPACES.sub(" ", text)


def canonical(text: str) -> str:
    """Lowercased text with the domain's many spellings rewritten to one each."""
    text = squeeze(clean(text))
    # Quotes and code backticks only wrap words: `-np.log(p)` is -np.log(p).
    text = squeeze(_QUOTES.sub(" ", text.lower()))
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
        if "  " in text:  # a rewrite can leave spaces side by side ("np.np.np." becomes spaces)
            text = _SPACES.sub(" ", text)
    return text.replace("_", " ")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


#: Texts up to this long have their tokens remembered: node texts are read by the word matcher,
#: the semantic index and training, and again by every core built in the same process.
CACHED_CHARS = 1_000


def tokens(text: str) -> list[str]:
    """Stemmed content words of ``text``, in the domain's canonical vocabulary."""
    if len(text) <= CACHED_CHARS:
        return list(_remembered_tokens(text, id(_REWRITES), len(_REWRITES)))  # rules replaced: not remembered
    return _tokens(text)


@lru_cache(maxsize=20_000)
def _remembered_tokens(text: str, rules: int, n_rules: int) -> tuple[str, ...]:
    return tuple(_tokens(text))


def _tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(canonical(text)) if not (w in STOPWORDS or w[0].isdigit() or len(w) < 2)]
