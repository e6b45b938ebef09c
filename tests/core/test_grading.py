"""Grading as a teacher would: every correct form accepted, the mistake named, no keyword or prefix deciding.

Each row is (lesson, step number as the learner sees it, what the learner typed, verdict, words the
feedback must contain). Verdicts: "right", "wrong", or None when the text cannot be read as an answer
(the learner is told what is accepted). The expected values are the mathematics, not the code's output.
"""

from __future__ import annotations

import math

import pytest

W = "wrong"
R = "right"
#: Asked again, neither right nor wrong, and not counted: two values offered, a value in other units, fewer
#: decimals than the prompt asks, a comma that may be a decimal or a thousands separator.
A = "again"

CASES = [
    # a class's answers, walked as a teacher grades them (values in test_the_walked_rows_are_the_mathematics)
    ("why-minus", 3, "0.1005", W, "10 times the value"),  # -ln 0.99 = 0.01005…: the point moved, the digits right
    ("reading-loss", 1, "32.5", W, "100 times the value"),  # 0.325… written as a percentage without %
    ("logistic-gradients", 4, "0.03", W, "One digit is too rough"),  # 0.02689… rounded to one digit
    ("reading-loss", 2, "2", W, "One digit is too rough"),  # 1.806 rounded to the nearest whole number
    ("reading-loss", 2, "1.8", A, "three decimals were asked"),  # two significant digits, rounded right
    ("reading-loss", 5, "16.1", A, "two decimals were asked: give both"),  # 7 ln 10 = 16.118…
    ("reading-loss", 5, "16", A, "give both"),  # two significant digits: asked again, as 16.1 is
    ("reading-loss", 6, "-2.1", A, "three decimals were asked"),  # -2.0918…
    ("reading-loss", 6, "-2", W, "too rough"),  # one significant digit is graded as it stands
    ("reading-loss", 8, "-2.40", R, ""),  # 3(0.2 - 1) = -2.4 exactly: one decimal or two, it is the value
    ("likelihood", 2, "0.27977", R, "The decimals you gave after those are off"),  # 0.2797766: the fifth is 8
    ("why-minus", 7, "0.554", A, "four decimals were asked"),  # 0.553788…
    ("logistic-gradients", 5, "-1", W, "too rough"),  # -0.9933 to one digit
    # the operation named, then its value: the answer is what it is said to be, not the 0 inside ln 0
    ("reading-loss", 4, "0 × -inf is undefined", R, "NaN"),  # 0 · (-∞) has no value: NaN
    ("reading-loss", 4, "0*ln(0) is undefined", R, "NaN"),
    ("reading-loss", 4, "0 × -inf is not undefined, it is 0", W, "does not take limits"),
    ("reading-loss", 3, "ln(0) is undefined so the loss is infinite", R, "∞"),  # -ln 0 = +∞
    ("reading-loss", 3, "-ln 0 is infinite", R, "∞"),
    ("reading-loss", 3, "-ln 0 is undefined", A, "floating point gives a definite value"),
    ("why-minus", 1, "ln(0.5) is undefined", W, "It does have a value"),
    # lesson 1, step 1: ln(0.5) = -ln 2
    ("why-minus", 1, "-0.693", R, ""),
    ("why-minus", 1, "-0.6931", R, ""),
    ("why-minus", 1, "-0.69", A, "right to 2 decimals, but three decimals were asked"),  # rounded right, not finished
    ("why-minus", 1, "-6.9e-1", A, "right to 2 decimals"),  # decimals counted on the value, not the digits typed
    # four decimals asked: four given is right outright, fewer is right and told so (a teacher's read)
    ("logistic-gradients", 5, "-0.9933", R, "Right: -0.993307"),
    ("logistic-gradients", 5, "-0.99", A, "four decimals were asked"),
    ("why-minus", 1, "-ln(2)", R, ""),
    # within 0.001 but wrong at the three decimals asked: the tolerance is half a unit in the last one
    ("why-minus", 1, "-0.694", W, "keeps the last decimal as it is"),  # rounded up where the next digit (1) says down
    ("why-minus", 5, "0.694", W, "keeps the last decimal as it is"),
    ("logistic-gradients", 5, "-0.9934", W, "keeps the last decimal as it is"),  # -0.993307…: the next digit is 0
    ("likelihood", 2, "0.2797", W, "cuts the value off after four decimals instead of rounding"),  # 0.279776…
    ("reading-loss", 2, "1.805", W, "cuts the value off after three decimals"),  # 1.805959…
    ("reading-loss", 2, "1.806", R, ""),
    # more decimals than asked: right only if they round to the right value at the decimals asked
    ("why-minus", 1, "-0.6934", R, ""),
    ("why-minus", 1, "-0.6935", W, "does not round to the right value at the three decimals"),  # -0.694 at three
    ("reading-loss", 6, "-2.0914", W, "does not round to the right value"),  # -2.091 at three, not -2.092
    ("why-minus", 3, "0.01004", W, "does not round to the right value"),  # 0.0100 at four, not 0.0101
    ("why-minus", 3, "0.01010", R, ""),  # 0.0101 with a trailing zero is 0.0101
    ("why-minus", 3, "1.0100e-02", R, ""),
    # an expression is judged by its value, never by the digits in it
    ("why-minus", 3, "1/99", W, "Not quite"),  # ln(1 + x) ≈ x: 0.010101…, not -ln 0.99 to four decimals
    ("logistic-gradients", 5, "sigma(-5) - 1", R, ""),
    ("logistic-gradients", 5, "σ(-5) - 1", R, ""),
    # a decimal comma, and digits grouped by threes
    ("why-minus", 1, "-0,693", R, ""),  # was read as -0 and 693, and told "That is x itself"
    ("why-minus", 5, "0,693", R, ""),
    ("why-minus", 3, "0,0101", R, "Right: "),  # was "Right to the nearest whole number" for 0
    ("reading-loss", 2, "1,806", A, "1.806 or 1806"),  # one comma, three digits: only the writer knows which
    ("reading-loss", 2, "1,805", A, "1.805 or 1805"),
    ("reading-loss", 5, "16,12", R, "Right: "),  # was read as 16 and 12
    ("why-minus", 7, "0.553 788 3", R, ""),
    ("likelihood", 2, "0.279 776 6", R, ""),
    # two values offered are no answer, whichever is right; a negated one is not offered
    ("why-minus", 1, "-0.693 or -0.694", A, "Give just one"),
    ("why-minus", 1, "-0.694 or -0.693", A, "Give just one"),
    ("why-minus", 5, "0.693, 0.692", A, "Give just one"),
    ("reading-loss", 1, "between 0.324 and 0.326", A, "Give just one"),
    ("why-minus", 1, "-0.693, not -0.694", R, ""),
    ("why-minus", 4, "zero or minus one", A, "Give just one"),  # values in words are offered too
    ("reading-loss", 3, "inf or nan", A, "Give just one"),
    ("reading-loss", 4, "NaN or 0", A, "Give just one"),
    ("why-minus", 1, "-ln 2 or -0.7", A, "more than one value"),  # the message quotes no value it misread
    ("why-minus", 3, "for y = 1, 0.0101", R, ""),  # after "=", the last value is the answer
    ("why-minus", 1, "to 3 decimals: -0.693", R, ""),  # "3 decimals" counts places, it states no value
    ("why-minus", 5, "ln 2 is 0.693", R, ""),  # "is" before a value reads like "="
    ("why-minus", 5, "it is 0.693, which is ln 2", R, ""),  # the value after the first "is", not the last number
    ("why-minus", 5, "the answer is 0.693 or 0.694", A, "Give just one"),
    ("why-minus", 3, "-ln 0.99 is about 0.0101", R, ""),
    ("why-minus", 1, "-0.693147 (ln 0.5)", R, ""),  # a value and its source: not -0.693147 · ln 0.5
    ("why-minus", 5, "2 (ln 2)", W, "both branches"),  # a whole number before parentheses still multiplies
    # a log, a loss or a gradient is a plain number, not a percentage
    ("why-minus", 1, "-69.3%", A, "percentage"),
    ("reading-loss", 1, "32.5%", A, "percentage"),
    ("why-minus", 4, "0%", R, ""),  # zero is zero in any unit
    # one unit off where the right value has no more digits is no rounding slip
    ("reading-loss", 8, "-2.41", W, "Not quite"),
    ("why-minus", 1, "-ln 2", R, ""),
    ("why-minus", 1, "-ln2", R, ""),  # no space, as learners type it (found walking the app)
    ("why-minus", 1, "−ln 2", R, ""),
    ("why-minus", 1, "ln(0.5) = -0.693", R, ""),
    ("why-minus", 1, "ln(1/2)", R, ""),
    ("why-minus", 1, "it's about -0.693", R, ""),
    ("why-minus", 1, "0.693", W, "sign"),
    ("why-minus", 1, "ln(0.5) = 0.693", W, "sign"),
    ("why-minus", 1, "-0.301", W, "base 10"),
    ("why-minus", 1, "-1", W, ""),
    ("why-minus", 1, "0.5", W, "x itself"),
    ("why-minus", 1, "-0.7", W, "more decimals"),  # one significant digit is an estimate, not three decimals
    ("why-minus", 1, "minus 0.693", R, ""),  # a spoken sign is the sign (found by a learner walking the app)
    ("why-minus", 1, "negative 0.693", R, ""),
    ("why-minus", 1, "ln(0.5) ≈ -0.693", R, ""),  # "≈" before a rounded value reads like "="
    ("why-minus", 1, "minus 0.7", W, "more decimals"),
    ("why-minus", 1, "0.7", W, "sign"),
    ("why-minus", 1, "banana", None, "number"),
    # step 2: choice, strictly between 0 and 1
    ("why-minus", 2, "2", R, ""),
    ("why-minus", 2, "b", R, ""),
    ("why-minus", 2, "(b)", R, ""),
    ("why-minus", 2, "B.", R, ""),
    ("why-minus", 2, "the second one", R, ""),
    ("why-minus", 2, "strictly between 0 and 1", R, ""),
    ("why-minus", 2, "between 0 and 1", R, "neither 0 nor 1 is included"),  # right, and the ends named
    ("why-minus", 2, "3", W, "labels"),
    ("why-minus", 2, "exactly 0 or 1", W, "labels"),
    ("why-minus", 2, "c", W, "labels"),
    ("why-minus", 2, "4", W, "tanh"),
    ("why-minus", 2, "any real number", W, "squeezes"),
    ("why-minus", 2, "9", W, "1 to 4"),
    ("why-minus", 2, "purple", None, "number"),
    # a range is judged as a range: notation, inequalities, and its ends (found by a learner walking the app)
    ("why-minus", 2, "(0, 1)", R, ""),
    ("why-minus", 2, "0 < ŷ < 1", R, ""),
    ("why-minus", 2, "0 to 1", R, "neither 0 nor 1 is included"),
    ("why-minus", 2, "[0, 1]", W, "ends"),
    ("why-minus", 2, "0 and 1", None, "number"),  # between them, or exactly those two? Asked again (a teacher's read)
    ("why-minus", 2, "0 or 1", W, "labels"),  # the values 0 or 1 themselves: the labels' feedback
    ("why-minus", 2, "0 ≤ ŷ ≤ 1", W, "ends"),
    ("why-minus", 2, "0 < ŷ <= 1", W, "1 is not included"),  # only the end that is wrong is named
    ("why-minus", 2, "between 0 and 1 inclusive", W, "ends"),  # was read as "between -1 and 1", with tanh's feedback
    ("why-minus", 2, "(-1, 1)", W, "tanh"),
    ("why-minus", 2, "(-∞, ∞)", W, "squeezes"),
    ("why-minus", 2, "not exactly 0 or 1", None, "number"),  # negated choice words pick nothing
    # step 3: -ln 0.99 = 0.01005
    ("why-minus", 3, "0.01005", R, ""),
    ("why-minus", 3, "0.0101", R, ""),
    ("why-minus", 3, "-ln(0.99)", R, ""),
    ("why-minus", 3, "-ln(0.99) ≈ 0.0101", R, ""),
    ("why-minus", 3, "-0.01005", W, "ln 0.99 itself"),
    ("why-minus", 3, "-1", W, "log comes first"),
    ("why-minus", 3, "-0.99", W, "-ŷ"),
    ("why-minus", 3, "0.01", W, "approximation"),
    ("why-minus", 3, "0.0044", W, "base 10"),
    # step 4: the loss approaches 0 as ŷ → 1
    ("why-minus", 4, "0", R, ""),
    ("why-minus", 4, "zero", R, ""),
    ("why-minus", 4, "zero, not -1", R, ""),
    ("why-minus", 4, "0, never negative", R, ""),
    ("why-minus", 4, "it goes to 0", R, ""),
    ("why-minus", 4, "0.5", W, ""),
    ("why-minus", 4, "0.001", W, ""),  # the limit is exactly 0 (tolerance 0): a small number is not it
    ("why-minus", 4, "0.0", R, ""),
    ("why-minus", 4, "-1", W, "misconception"),
    ("why-minus", 4, "it goes to -1", W, "misconception"),
    ("why-minus", 4, "minus one", W, "misconception"),
    ("why-minus", 4, "1", W, "ln 1 = 0"),
    ("why-minus", 4, "infinity", W, "ŷ → 0"),
    # step 5: a model stuck at ŷ = 0.5 pays ln 2
    ("why-minus", 5, "0.693", R, ""),
    ("why-minus", 5, "ln 2", R, ""),
    ("why-minus", 5, "ln(2)", R, ""),
    ("why-minus", 5, "ln2", R, ""),
    ("why-minus", 5, "log2", R, ""),  # log is the natural log here; "log2" with nothing after it is log 2
    ("why-minus", 5, "-ln(0.5)", R, ""),
    ("why-minus", 5, "minus ln 0.5", R, ""),
    ("why-minus", 5, "negative ln(0.5)", R, ""),
    ("why-minus", 5, "ln(2) ≈ 0.693", R, ""),
    ("why-minus", 5, "ln(2) ≈ 0.5", W, "ŷ itself"),  # the value after "≈" is the answer given
    ("why-minus", 5, "1.386", W, "both branches"),
    ("why-minus", 5, "2 ln 2", W, "both branches"),
    ("why-minus", 5, "0", W, "neither"),
    ("why-minus", 5, "0.5", W, "ŷ itself"),
    ("why-minus", 5, "-0.693", W, "never negative"),
    # step 6: what tells gradient descent which way to move
    ("why-minus", 6, "the derivative", R, ""),
    ("why-minus", 6, "the derivative of the loss", R, ""),
    ("why-minus", 6, "the gradient of the loss", R, ""),
    ("why-minus", 6, "its slope", R, ""),
    ("why-minus", 6, "dL/dw", R, ""),
    ("why-minus", 6, "the sign of the gradient", R, ""),
    ("why-minus", 6, "the partial derivatives", R, ""),
    ("why-minus", 6, "the minus sign", W, "no direction"),
    ("why-minus", 6, "the sign of the loss", W, "always ≥ 0"),
    ("why-minus", 6, "the loss", W, "how bad"),
    ("why-minus", 6, "gradual", W, ""),  # a prefix of "gradient" is not the word
    ("why-minus", 6, "not the gradient", W, ""),  # negated
    # step 7: one gradient step
    ("why-minus", 7, "0.5538", R, ""),
    ("why-minus", 7, "0.4462", W, "uphill"),
    ("why-minus", 7, "-0.5379", W, "gradient"),
    ("why-minus", 7, "0.5269", W, "x out"),  # 0.5 - 0.1·(σ(1) - 1): the x of (ŷ - y)·x left out
    ("why-minus", 7, "0.7311", W, "prediction"),  # σ(1), the ŷ on the way
    # lesson 2
    ("likelihood", 1, "2", R, ""),
    ("likelihood", 1, "-ln(1 - ŷ)", R, ""),
    # the same formula however it is spelt: judged by SymPy, not by spacing (found walking the app)
    ("likelihood", 1, "-ln(1-ŷ)", R, ""),
    ("likelihood", 1, "-log(1-yhat)", R, ""),
    ("likelihood", 1, "−ln(1 − ŷ)", R, ""),
    ("likelihood", 1, "-ln ŷ", W, "y = 1 branch"),
    ("likelihood", 1, "1", W, "y = 1 branch"),
    ("likelihood", 2, "0.2798", R, ""),
    ("likelihood", 2, "-0.2798", W, "flip the sign"),
    ("likelihood", 2, "0.8393", W, "mean"),
    ("likelihood", 3, "3", R, ""),
    ("likelihood", 3, "it changes where the maximum is", R, ""),
    ("likelihood", 4, "it turns maximising the likelihood into minimising a cost", R, ""),
    ("likelihood", 4, "so the loss is positive", R, ""),
    ("likelihood", 4, "to make it non-negative", R, ""),
    ("likelihood", 4, "it tells gradient descent which direction to go", W, "not a direction"),
    ("likelihood", 4, "so we go the opposite way", W, "not a direction"),
    ("likelihood", 4, "it has nothing to do with direction, it makes the loss positive", R, ""),
    ("likelihood", 6, "2", R, ""),
    ("likelihood", 7, "1", R, ""),
    ("likelihood", 7, "KL(p‖q)", R, ""),
    # lesson 3
    ("logistic-gradients", 1, "(y_hat - y)/(y_hat*(1 - y_hat))", R, ""),
    ("logistic-gradients", 1, "-y/y_hat + (1 - y)/(1 - y_hat)", R, ""),
    ("logistic-gradients", 1, "(ŷ - y)/(ŷ(1 - ŷ))", R, ""),
    ("logistic-gradients", 1, "y_hat - y", W, "∂L/∂z"),
    ("logistic-gradients", 1, "(y - y_hat)/(y_hat*(1 - y_hat))", W, "sign"),
    ("logistic-gradients", 2, "sigma(z)*(1 - sigma(z))", R, ""),
    ("logistic-gradients", 2, "σ(z)(1 - σ(z))", R, ""),
    ("logistic-gradients", 2, "z*(1 - z)", W, "output"),
    ("logistic-gradients", 3, "y_hat - y", R, ""),
    ("logistic-gradients", 3, "ŷ - y", R, ""),
    ("logistic-gradients", 3, "sigma(z) - y", R, ""),
    ("logistic-gradients", 3, "dL/dz = ŷ - y", R, ""),
    ("logistic-gradients", 3, "y - y_hat", W, "flipped"),
    ("logistic-gradients", 3, "(y_hat - y)*y_hat*(1 - y_hat)", W, "squared-error"),
    ("logistic-gradients", 4, "0.0269", R, ""),
    ("logistic-gradients", 4, "-0.0269", W, "uphill"),
    ("logistic-gradients", 5, "-0.9933", R, ""),
    ("logistic-gradients", 5, "0.9933", W, "negative"),
    ("logistic-gradients", 6, "2", R, ""),
    ("logistic-gradients", 6, "BCEWithLogitsLoss on z", R, ""),
    ("logistic-gradients", 6, "3", W, "twice"),
    # lesson 4, step 1: the no-skill baseline for 10% positives is H(0.1), not ln 2
    ("reading-loss", 1, "0.325", R, ""),
    ("reading-loss", 1, "0.33", A, "three decimals were asked"),
    ("reading-loss", 1, "-(0.1*ln(0.1) + 0.9*ln(0.9))", R, ""),
    ("reading-loss", 1, "0.693", W, "balanced"),
    ("reading-loss", 1, "ln 2", W, "balanced"),
    ("reading-loss", 1, "2.303", W, "one positive"),
    ("reading-loss", 1, "2.408", W, "share"),
    ("reading-loss", 1, "0.469", W, "base 2"),
    # step 2: one confident mistake lifts the mean above 1
    ("reading-loss", 2, "1.806", R, ""),
    ("reading-loss", 2, "1.81", A, "three decimals were asked"),
    ("reading-loss", 2, "7.224", W, "sum"),
    ("reading-loss", 2, "0.393", W, "averaged the four predictions"),
    ("reading-loss", 2, "0.25", W, "error rate"),
    ("reading-loss", 2, "1", W, "no ceiling"),
    # step 3: -ln of a ŷ stored as exactly 0
    ("reading-loss", 3, "infinity", R, "∞"),
    ("reading-loss", 3, "∞", R, ""),
    ("reading-loss", 3, "it's infinite", R, ""),
    ("reading-loss", 3, "-inf", W, "minus in front"),
    ("reading-loss", 3, "0", W, "ln 1 = 0"),
    ("reading-loss", 3, "100", W, "PyTorch"),
    ("reading-loss", 3, "nan", W, "next step"),
    ("reading-loss", 3, "-ln(0)", R, ""),  # ln 0 read as its real limit -∞, not SymPy's complex infinity
    ("reading-loss", 3, "-ln 0", R, ""),
    ("reading-loss", 3, "ln(0)", W, "minus in front"),
    ("reading-loss", 3, "undefined", A, "a computer evaluates it to"),  # exact maths: no value; floats: ∞
    # step 4: the switched-off term 0 · ln 0 in floating point
    ("reading-loss", 4, "nan", R, "NaN"),
    ("reading-loss", 4, "NaN", R, ""),
    ("reading-loss", 4, "not a number", R, ""),
    ("reading-loss", 4, "0 * -inf = nan", R, ""),
    ("reading-loss", 4, "0", W, "does not take limits"),
    ("reading-loss", 4, "-inf", W, "multiplies it by 0"),
    ("reading-loss", 4, "0, not nan", W, "does not take limits"),  # the negated NaN does not count
    ("reading-loss", 4, "0 * ln 0", W, "does not take limits"),  # restating the question is not an answer
    # "undefined": right where floating point gives NaN (0 · ∞ has no value); not where it gives ∞ or a number
    ("reading-loss", 4, "it's undefined", R, "NaN"),
    ("reading-loss", 4, "it has no value", R, "NaN"),
    ("reading-loss", 3, "it's undefined", A, "floating point gives a definite value"),  # -ln 0 = ∞ in floats
    ("why-minus", 1, "it does not exist", W, "does have a value"),  # ln 0.5 = -0.693…
    # more decimals than asked: right to the decimals asked, and told the ones after are off
    ("why-minus", 1, "-0.6932", R, "decimals you gave after those are off"),  # ln 0.5 = -0.693147…
    ("why-minus", 1, "-0.6931", R, ""),
    ("reading-loss", 2, "1806", W, "1000 times the value"),  # no comma: a thousand times the mean (1.806)
    # step 5: Keras 3 clips ŷ = 0 to 10⁻⁷
    ("reading-loss", 5, "16.12", R, ""),
    ("reading-loss", 5, "7 ln 10", R, ""),
    ("reading-loss", 5, "-ln(1e-7)", R, ""),  # scientific notation, not 1·e - 7
    ("reading-loss", 5, "-ln 1e-7", R, ""),
    ("reading-loss", 5, "100", W, "PyTorch"),
    ("reading-loss", 5, "inf", W, "bare formula"),
    ("reading-loss", 5, "7", W, "base 10"),
    # step 6: a label of -1 makes the formula negative
    ("reading-loss", 6, "-2.092", R, ""),
    ("reading-loss", 6, "ln(0.1) - 2*ln(0.9)", R, ""),
    ("reading-loss", 6, "2.092", W, "really does come out negative"),
    ("reading-loss", 6, "0.105", W, "y = 0"),
    ("reading-loss", 6, "-2.303", W, "1 - y = 2"),
    # step 7: the least loss against a soft label 0.9 is H(0.9)
    ("reading-loss", 7, "0.325", R, ""),
    ("reading-loss", 7, "-(0.9 ln 0.9 + 0.1 ln 0.1)", R, ""),
    ("reading-loss", 7, "0", W, "above 0"),
    ("reading-loss", 7, "zero", W, "above 0"),
    ("reading-loss", 7, "0.105", W, "hard label"),
    ("reading-loss", 7, "0.0948", W, "only the y term"),
    # step 8: pos_weight scales the gradient ŷ - y
    ("reading-loss", 8, "-2.4", R, ""),
    ("reading-loss", 8, "3*(0.2 - 1)", R, ""),
    ("reading-loss", 8, "-0.8", W, "without the weight"),
    ("reading-loss", 8, "2.4", W, "wrong sign"),
    ("reading-loss", 8, "4.828", W, "loss itself"),
    ("reading-loss", 8, "-5", W, "∂L/∂ŷ"),
]


def _checkpoint(kb, lesson: str, step: int):
    cp = kb.lessons[lesson].steps[step - 1].checkpoint
    assert cp is not None, (lesson, step)
    return cp


@pytest.mark.parametrize(
    ("lesson", "step", "text", "verdict", "says"), CASES, ids=[f"{c[0]}-{c[1]}:{c[2][:28]}" for c in CASES]
)
def test_grading_table(kb, lesson, step, text, verdict, says):
    cp = _checkpoint(kb, lesson, step)
    fb = cp.check(text)
    if verdict is None:
        assert fb is None
        assert says in cp.unreadable()
        return
    assert fb is not None, f"{text!r} was not read as an answer"
    assert fb.correct == (verdict == R), fb.message
    assert fb.attempt == (verdict != A), fb.message
    assert says in fb.message


def test_a_range_with_its_ends_said_or_a_full_answer_gets_no_remark_on_them(kb):
    choice, numeric = _checkpoint(kb, "why-minus", 2), _checkpoint(kb, "why-minus", 1)
    for text in ("strictly between 0 and 1", "(0, 1)", "0 < ŷ < 1", "2", "b"):
        fb = choice.check(text)
        assert fb is not None and fb.correct and fb.message == "Right.", (text, fb)
    for text in ("-0.693", "-0.6931", "-ln 2"):  # within the tolerance: no "to N decimals"
        fb = numeric.check(text)
        assert fb is not None and fb.correct and fb.message.startswith("Right: "), (text, fb)


def test_the_table_is_large():
    assert len(CASES) >= 80


def test_the_expected_values_are_the_mathematics(kb):
    """The right answers above, computed independently of the tutor's numeric code."""
    sigma = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert round(math.log(0.5), 3) == -0.693
    assert round(-math.log(0.99), 4) == 0.0101
    assert round(-(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3, 4) == 0.2798
    assert round(-(math.log(0.9) + math.log(0.8) + math.log(0.6)), 4) == 0.8393
    g = (sigma(1.0) - 1) * 2
    assert round(0.5 - 0.1 * g, 4) == 0.5538 and round(0.5 + 0.1 * g, 4) == 0.4462
    assert round(0 - 0.1 * (sigma(1.0) - 1), 4) == 0.0269
    assert round(sigma(-5) - 1, 4) == -0.9933
    assert round(math.log10(0.5), 3) == -0.301
    j = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3  # cut off, not rounded: 0.2797 is not J to 4 decimals
    assert math.trunc(j * 1e4) / 1e4 == 0.2797 and abs(0.2797 - j) > 0.00005
    four = -(3 * math.log(0.9) + math.log(0.001)) / 4  # lesson 4, step 2: 1.805959…, 1.806 rounded, 1.805 cut off
    assert round(four, 3) == 1.806 and math.trunc(four * 1e3) / 1e3 == 1.805
    assert abs(-0.694 - math.log(0.5)) < 0.001 and round(math.log(0.5), 3) != -0.694  # the old tolerance's hole


def test_the_rounding_rows_are_the_mathematics():
    """The rows on more decimals, expressions and rounding slips, computed with math and decimal alone."""
    from decimal import ROUND_HALF_UP, Decimal

    def at(x, places):  # rounded half away from zero, as a teacher rounds
        return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)

    ln_half = math.log(0.5)
    assert at(-0.6934, 3) == at(ln_half, 3) == Decimal("-0.693") and abs(-0.6934 - ln_half) < 0.0005
    assert at(-0.6935, 3) == Decimal("-0.694") and abs(-0.6935 - ln_half) < 0.0005  # near, yet wrong at three
    neg = -((-1) * math.log(0.1) + 2 * math.log(0.9))
    assert at(-2.0914, 3) == Decimal("-2.091") != at(neg, 3) == Decimal("-2.092") and abs(-2.0914 - neg) < 0.0005
    loss = -math.log(0.99)
    assert at(0.01004, 4) == Decimal("0.0100") != at(loss, 4) == Decimal("0.0101")
    assert at(0.0101, 4) == at(loss, 4) and abs(0.0101 - loss) <= 0.00005
    assert abs(1 / 99 - loss) > 0.00005  # 1/99 is ln(1 + 1/99)'s first-order term, more than half a unit off
    assert at(1 / (1 + math.exp(5)) - 1, 4) == Decimal("-0.9933")
    # "rounded the wrong way": the digit after the last one asked is below 5, and the learner raised the last
    assert int(abs(ln_half) * 1e4) % 10 == 1 and at(ln_half, 3) == Decimal("-0.693")  # so -0.694 is raised
    assert int(abs(1 / (1 + math.exp(5)) - 1) * 1e5) % 10 == 0  # -0.99330…: -0.9934 is raised too
    assert math.isclose(3 * (0.2 - 1), -2.4) and at(3 * (0.2 - 1), 2) == Decimal("-2.40")  # exact: -2.41 is just off
    batch = (3 * -math.log(0.9) - math.log(0.001)) / 4
    assert at(batch, 3) == Decimal("1.806") and math.trunc(batch * 1e3) / 1e3 == 1.805  # "1,805" is cut off
    assert at(7 * math.log(10), 2) == Decimal("16.12")
    j = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3
    assert at(j, 7) == Decimal("0.2797766") and at(0.5 - 0.1 * 2 * (1 / (1 + math.exp(-1)) - 1), 7) == Decimal(
        "0.5537883"
    )
    assert at(math.log(2), 3) == Decimal("0.693") and at(0.1 * -math.log(0.1) + 0.9 * -math.log(0.9), 3) == Decimal(
        "0.325"
    )


def test_the_walked_rows_are_the_mathematics():
    """The class's answers at the top of the table, checked with math and decimal alone."""
    from decimal import ROUND_HALF_UP, Decimal

    def at(x, places):
        return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)

    sigma = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    loss = -math.log(0.99)
    assert at(loss * 10, 4) == Decimal("0.1005")  # "0.1005": ten times -ln 0.99, to four decimals
    base = 0.1 * -math.log(0.1) + 0.9 * -math.log(0.9)
    assert at(base * 100, 1) == Decimal("32.5")
    b_new = -0.1 * (sigma(1.0) - 1)
    assert at(b_new, 2) == Decimal("0.03") and at(b_new, 4) == Decimal("0.0269")
    batch = (3 * -math.log(0.9) - math.log(0.001)) / 4
    assert at(batch, 0) == Decimal("2") and at(batch, 1) == Decimal("1.8") and at(batch * 1000, 0) == Decimal("1806")
    keras = -math.log(1e-7)
    assert at(keras, 1) == Decimal("16.1") and at(keras, 0) == Decimal("16") and at(keras, 2) == Decimal("16.12")
    neg = math.log(0.1) - 2 * math.log(0.9)
    assert at(neg, 1) == Decimal("-2.1") and at(neg, 0) == Decimal("-2")
    j = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3
    assert at(j, 4) == at(0.27977, 4) == Decimal("0.2798") and at(j, 5) == Decimal("0.27978")  # its fifth is off
    w_new = 0.5 - 0.1 * 2 * (sigma(1.0) - 1)
    assert at(w_new, 3) == Decimal("0.554")
    assert at(sigma(-5) - 1, 0) == Decimal("-1")
    assert math.isnan(0.0 * -math.inf) and -math.log(1e-300) > 690  # 0 · (-∞) is NaN; -ln ŷ grows without limit


def test_lesson_4_expected_values_are_the_mathematics(kb):
    """Lesson 4's right answers computed with math alone, checked against what each checkpoint expects."""
    lesson = kb.lessons["reading-loss"]
    expected = [cp.right_value() for cp in (s.checkpoint for s in lesson.steps)]

    def h(p):  # binary entropy in nats
        return -(p * math.log(p) + (1 - p) * math.log(1 - p))

    # 1. always predicting the base rate 0.1: 10% pay -ln 0.1, 90% pay -ln 0.9
    baseline = 0.1 * -math.log(0.1) + 0.9 * -math.log(0.9)
    assert math.isclose(expected[0], baseline, rel_tol=1e-12) and round(baseline, 3) == 0.325
    assert baseline < math.log(2)  # ln 2 is the bar only for balanced classes
    # 2. three positives at 0.9 and one at 0.001: the mean loss passes 1
    batch = (3 * -math.log(0.9) - math.log(0.001)) / 4
    assert math.isclose(expected[1], batch, rel_tol=1e-12) and batch > 1 and round(batch, 3) == 1.806
    # 3. -ln 0 in IEEE arithmetic: ln 0 is -inf (its limit), negated
    assert expected[2] == -(-math.inf) == math.inf  # noqa: B002 - the negation of -inf, written out
    # 4. 0 · ln 0 in IEEE arithmetic is 0 × (-inf), which is NaN; the limit x ln x → 0 is what maths intends
    assert math.isnan(0.0 * -math.inf) and math.isnan(expected[3])
    assert abs(1e-300 * math.log(1e-300)) < 1e-290
    # 5. Keras clips ŷ = 0 to ε = 1e-7, so y = 1 costs -ln 1e-7 = 7 ln 10
    assert math.isclose(expected[4], 7 * math.log(10), rel_tol=1e-6) and round(7 * math.log(10), 2) == 16.12
    # 6. y = -1, ŷ = 0.1: -[(-1) ln 0.1 + 2 ln 0.9] = ln 0.1 - 2 ln 0.9 < 0
    neg = -((-1) * math.log(0.1) + (1 - (-1)) * math.log(1 - 0.1))
    assert math.isclose(expected[5], neg, rel_tol=1e-12) and neg < 0 and round(neg, 3) == -2.092

    # 7. the least BCE against y = 0.9: scan ŷ, the minimum is at ŷ = 0.9 and equals H(0.9), not 0
    def soft(q):
        return -(0.9 * math.log(q) + 0.1 * math.log(1 - q))

    grid = [i / 10000 for i in range(1, 10000)]
    best = min(grid, key=soft)
    assert math.isclose(best, 0.9, abs_tol=1e-4) and math.isclose(soft(best), h(0.9), rel_tol=1e-9)
    assert math.isclose(expected[6], h(0.9), rel_tol=1e-12) and math.isclose(h(0.9), h(0.1), rel_tol=1e-12)
    # 8. L = -3 ln σ(z) for a positive at σ(z) = 0.2: dL/dz by a central difference equals 3(ŷ - y)
    z = math.log(0.2 / 0.8)
    loss = lambda t: -3 * math.log(1 / (1 + math.exp(-t)))  # noqa: E731
    slope = (loss(z + 1e-6) - loss(z - 1e-6)) / 2e-6
    assert math.isclose(slope, 3 * (0.2 - 1), rel_tol=1e-6) and math.isclose(expected[7], 3 * (0.2 - 1), rel_tol=1e-12)


def test_lesson_4_floating_point_premises_hold_in_float32():
    """Steps 3 and 4 say what float32 arithmetic does; NumPy's float32 does exactly that."""
    import numpy as np

    f = np.float32
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        assert -np.log(f(0)) == np.inf  # step 3: -ln 0 is +inf, not an error and not NaN
        y_hat = f(1) / (f(1) + np.exp(-f(40)))
        assert y_hat == f(1)  # step 4: σ(40) is stored as exactly 1 in float32
        y = f(1)
        loss = -(y * np.log(y_hat) + (f(1) - y) * np.log(f(1) - y_hat))
        assert np.isnan(loss)  # a confident right answer gets a NaN loss from the formula
        z = f(40)  # the stable formula from the logit gives the true, tiny loss
        assert np.isfinite(max(z, f(0)) - z * y + np.log1p(np.exp(-abs(z))))


def test_every_checkpoint_has_three_graded_hints_the_last_a_worked_answer(kb):
    for lesson in kb.lessons.values():
        for i, step in enumerate(lesson.steps, 1):
            if step.checkpoint is not None:
                assert len(step.checkpoint.hints) >= 3, (lesson.id, i)


def test_a_checkpoint_comes_before_the_text_that_answers_it(kb, tmp_path):
    """Predict, then reveal: the step shows the question, and the node's explanation only after the answer."""
    from tutor.dialogue.context import Context
    from tutor.dialogue.engine import Tutor
    from tutor.store.progress import open_store

    tutor = Tutor(kb, store=open_store(tmp_path / "p.db"))
    for lesson in kb.lessons.values():
        ctx = Context()
        reply, ctx = tutor.reply(f"start lesson {lesson.id}", ctx)
        for i, step in enumerate(lesson.steps):
            node = kb.nodes[step.node]
            first_paragraph = node.markdown().split("\n\n")[0]
            if step.checkpoint is not None:
                assert "Checkpoint" in reply.markdown
                assert first_paragraph not in reply.markdown, (lesson.id, i + 1)
                assert reply.title != node.title  # a node's title can give the answer away: the heading is neutral
            else:
                assert first_paragraph in reply.markdown
            reply, ctx = tutor.reply("next", ctx)


def test_no_result_is_typed_by_hand_in_a_lesson(kb):
    """What a learner reads in a lesson (intros, prompts, hints, explanations, feedback, recap) takes its results
    from placeholders: a number with four or more decimals outside ``{{ }}`` was typed by hand."""
    import re

    from tutor.content.template import blank

    for lesson in kb.lessons.values():
        texts = [*lesson.recap]
        for step in lesson.steps:
            texts.append(step.intro)
            cp = step.checkpoint
            if cp is not None:
                texts += [cp.prompt, cp.explanation, *cp.hints, *cp.choices, *(say for _, say in cp.feedback)]
        for text in texts:
            typed = re.findall(r"(?<![\w.])\d+\.\d{4,}", blank(text))
            assert not typed, f"{lesson.id}: typed numbers {typed} in {text[:60]!r}"
