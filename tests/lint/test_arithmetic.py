"""Wrong-arithmetic checks: flags the seeds' wrong examples, never their right ones."""

from __future__ import annotations

import time

import pytest

from grimoire.lint.arithmetic import evaluate, find_claims, wrong_claims
from tests.conftest import seed


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("2 + 3 * 4", 14.0),
        (r"\frac{1}{4}", 0.25),
        (r"{1 \over 8}", 0.125),
        (r"\sqrt{16}", 4.0),
        (r"\sqrt[3]{27}", 3.0),
        (r"e^{0}", 1.0),
        (r"\ln(e)", 1.0),
        (r"\log_{2}(8)", 3.0),
        ("10% * 50", 5.0),
        ("2(3 + 4)", 14.0),
        (r"2 \times 3 \cdot 4", 24.0),
        ("3!", 6.0),
        ("100€ * 1.1", 110.00000000000001),
    ],
)
def test_evaluates_numbers_only_expressions(expression: str, value: float) -> None:
    assert evaluate(expression) == pytest.approx(value)


@pytest.mark.parametrize("expression", ["x + 1", r"\sum_i x_i", "P(H|E)", r"\alpha^2", "42", ""])
def test_symbolic_or_bare_numbers_are_not_evaluated(expression: str) -> None:
    assert evaluate(expression) is None


def test_precision_follows_the_stated_digits() -> None:
    assert not wrong_claims(r"$\frac{1}{3} = 0.33$")  # rounded
    assert not wrong_claims(r"$\frac{2}{3} = 0.66$")  # truncated: one unit in the last place
    assert wrong_claims(r"$\frac{2}{3} = 0.62$")
    assert not wrong_claims(r"$\sqrt{2} \approx 1.414$")
    assert wrong_claims("so 2 + 2 = 5 here")
    assert not wrong_claims("so 2 + 2 = 4 here")


def test_symbolic_formulas_are_never_flagged() -> None:
    text = r"$P(H|E) = \frac{P(H) P(E|H)}{P(E)}$ and $f(x) = 2$ and $x_1 = 0.5$ and $a = b = 3$"
    assert list(find_claims(text)) == []


def test_seed_000_flags_the_geometric_mean_total_only() -> None:
    text = seed("000").read_text(encoding="utf-8")
    claims = list(find_claims(text))
    wrong = [c for c in claims if c.wrong]
    right = [c for c in claims if not c.wrong]
    assert len(wrong) == 1
    assert wrong[0].stated == pytest.approx(0.99)
    assert wrong[0].computed == pytest.approx(99.0025)
    # The correct worked examples beside it: the geometric mean root and the harmonic mean.
    assert {round(c.computed, 3) for c in right} >= {0.995, 37.5}


def test_seed_001_flags_the_sigmoid_values() -> None:
    text = seed("001").read_text(encoding="utf-8")
    wrong = wrong_claims(text)
    stated = sorted(c.stated for c in wrong)
    assert stated == [pytest.approx(0.646), pytest.approx(0.938)]
    first = next(c for c in wrong if c.stated == pytest.approx(0.646))
    assert first.computed == pytest.approx(1 / (1 + 2.718281828**3.6), rel=1e-6)


def test_hostile_input_is_bounded() -> None:
    start = time.process_time()  # CPU time: a loaded machine's wait is not the check's cost
    assert evaluate("(" * 5000 + "1" + ")" * 5000) is None
    assert evaluate("9^9^9^9^9") is None
    list(find_claims("1+" * 20000 + "1 = 3"))
    list(find_claims("$" + "{" * 10000 + "$"))
    assert time.process_time() - start < 5  # a generous bound: quadratic blow-up would be minutes


def test_no_false_flags_in_the_corpora(corpora) -> None:  # type: ignore[no-untyped-def]
    flagged = []
    for path in corpora.rglob("*"):
        if path.suffix in {".md", ".rst", ".html"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            flagged += [(path.name, c.expression) for c in wrong_claims(text)]
    assert flagged == []


@pytest.mark.parametrize(
    "text",
    [
        "```\nmemory: 224*224*64=3.2M\n```",  # magnitude suffixes are units, not digits
        "4096*4096 = 16.7M weights, 64*256 = 16K tokens, 1024*1024*1024 = 1.07B bytes",
        r"$\frac{16 \times 8192}{4096 \times 4096} \approx 0.8\%$",  # a TeX percentage
        r"$\frac{22}{7} \approx 3.1$",  # ≈ allows the rough figure
        "22/7 ≈ 3.2",
    ],
)
def test_units_percentages_and_approximations_are_not_false_alarms(text: str) -> None:
    claims = list(find_claims(text))
    assert claims, text
    assert wrong_claims(text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "224*224*64 = 4.2M",  # off by a million
        r"$\frac{1}{8} = 0.8\%$",  # 12.5%, not 0.8%
        "22/7 ≈ 4",  # ≈ is not anything goes
        "3 * 7 = 20",
    ],
)
def test_wrong_results_with_units_are_still_flagged(text: str) -> None:
    assert len(wrong_claims(text)) == 1, text


def test_a_suffix_scales_the_stated_value() -> None:
    [claim] = find_claims("64*256 = 16K")
    assert claim.stated == 16000 and claim.stated_text == "16K"
    [claim] = find_claims(r"$1/8 \approx 12.5\%$")
    assert claim.approximate and claim.stated == pytest.approx(0.125)


def test_a_suffix_may_be_the_unit_of_the_whole_line() -> None:
    assert wrong_claims("2 experts of 5.6 each: 2 × 5.6 = 11.2B") == []
    assert len(wrong_claims("2 × 5.6 = 12.2B")) == 1


def test_an_expression_equal_to_an_expression_is_no_claim() -> None:
    # A public course's notes: "the order does not matter, like 3 + 2 + 4 = 2 + (4 + 3)" was
    # flagged as "3 + 2 + 4 = 2, but it computes to 9".
    assert list(find_claims("Just like 5 + 1 + 2 = 1 + (2 + 5), the order is free.")) == []
    assert [c.expression for c in wrong_claims("so 40 + 1 = 41, and then 2 + 2 = 5")] == ["2 + 2"]


@pytest.mark.parametrize("expression", ["(-8)^{0.5}", "(-8)^0.5", "(-1)^{1/3}", "2*(-2)^{0.5}"])
def test_a_negative_base_to_a_fractional_power_is_not_real(expression: str) -> None:
    # ** gave a complex number, and every later comparison raised TypeError (audit29).
    assert evaluate(expression) is None
    assert evaluate("(-2)^{3}") == -8


def test_a_log_without_a_base_is_read_to_the_base_that_fits() -> None:
    # A public course's algebra notebook: "log(100) = 2 because 10^2 = 100" was flagged as
    # "computes to 4.60517" (round 30). Base 10 or 2 fit; a claim no base fits is still wrong.
    assert wrong_claims(r"$\log(100) = 2$ because $10^2 = 100$") == []
    assert wrong_claims(r"$\log 8 = 3$ bits") == []
    assert wrong_claims(r"$\log(100) = 4.6052$") == []
    [claim] = wrong_claims(r"$\log(100) = 3$")
    assert claim.computed == 2
    # A natural log, or a log to a written base, is read as written.
    assert len(wrong_claims(r"$\ln(100) = 2$")) == 1
    assert len(wrong_claims(r"$\log_{2}(8) = 2$")) == 1


def test_a_sum_that_counts_its_terms_is_no_wrong_claim() -> None:
    # Soham5454/ml-notes' coin change: "greedy gives 4+1+1 = 3 coins", "3+3 = 2 coins" were two
    # arithmetic findings ("but it computes to 6"); they count coins, not add them.
    note = ("print(coin_change_greedy([1, 3, 4], 6))   # greedy gives 4+1+1 = 3 coins\n"
            "# but the OPTIMAL answer is 3+3 = 2 coins -- greedy gets this WRONG\n")
    assert wrong_claims(note) == []
    # a sum that is wrong stays wrong, with or without a word after it
    assert [c.computed for c in wrong_claims("so 4+1+1 = 7 coins in all")] == [6]
    assert [c.computed for c in wrong_claims("4+1+1 = 3.")] == [6]
    assert [c.computed for c in wrong_claims("2 + 2 = 2 apples")] == []
    assert [c.computed for c in wrong_claims("2 + 3 = 4 apples")] == [5]
