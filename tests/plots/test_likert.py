import pandas as pd
import pytest

from tests.plots.conftest import texts
from toolkit.errors import OptionError
from toolkit.plots import data
from toolkit.plots.likert import likert


@pytest.fixture(scope="module")
def shares(results, instrument):
    items = data.likert_items(instrument)[:7] + data.likert_items(instrument)[-7:]
    return data.likert_shares(results.design, instrument, items)


def test_one_answer_panel_and_one_missing_panel_per_domain(shares, instrument):
    fig = likert(shares, instrument=instrument)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles[::2] == ["Practical-technical", "Bureaucratic"]
    assert [ax.get_title() for ax in fig.axes[1::2]] == ["Missing answers"] * 2
    assert "Not at all like me" in texts(fig) and "Don't know" in texts(fig)
    da = likert(shares, instrument=instrument, lang="da")
    assert "Passer slet ikke på mig" in texts(da) and "Manglende svar" in texts(da)


def test_low_answers_go_left_of_zero(instrument):
    shares = pd.DataFrame({"item": "prac_01", "answer": ["1", "2", "3", "4", "5"], "kind": "answer",
                           "estimate": [0.1, 0.1, 0.2, 0.3, 0.3]})
    ax = likert(shares, instrument=instrument).axes[0]
    bars = [p for p in ax.patches if p.get_width() > 0]
    assert bars[0].get_x() == pytest.approx(-0.3)
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(0.7)


def test_suppressed_missing_answers_are_marked(shares, instrument):
    assert shares["suppressed"].any()
    fig = likert(shares, instrument=instrument)
    crosses = [line for ax in fig.axes[1::2] for line in ax.get_lines() if line.get_marker() == "X"]
    assert crosses


def test_items_of_two_answer_sets_are_refused(results, instrument):
    shares = data.likert_shares(results.design, instrument, ["prac_01", "motiv_01"])
    with pytest.raises(OptionError, match="one response set"):
        likert(shares, instrument=instrument)
