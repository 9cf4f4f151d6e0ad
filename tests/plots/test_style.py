import matplotlib as mpl
import seaborn as sns

from toolkit.plots.style import PALETTE, house_style, styled


def test_house_style_applies_inside_and_restores_outside():
    size = mpl.rcParams["axes.titlesize"]
    with house_style():
        assert mpl.rcParams["axes.grid"] is True
        assert mpl.rcParams["axes.titlesize"] == 11
        assert sns.color_palette()[:3] == sns.color_palette(PALETTE)[:3]
    assert mpl.rcParams["axes.titlesize"] == size


def test_styled_figures_draw_in_the_house_style():
    import matplotlib.pyplot as plt

    @styled
    def draw():
        fig, ax = plt.subplots()
        return fig, ax.xaxis.get_gridlines()[0].get_color(), mpl.rcParams["grid.color"]

    fig, color, expected = draw()
    assert color == expected == "#e3e3e3"
