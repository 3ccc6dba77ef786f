"""Figures for a paper: SVG and 300 dpi PNG saved, and shown in the page as a numbered HTML
<figure> with alt text, at a size where a 9 pt label is 9 pt."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import coprodlib as cp  # noqa: E402
from coprodlib import plots  # noqa: E402
from coprodlib.workbook import figures  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh():
    figures.reset_figure_numbers()
    yield
    plt.close("all")


def bars():
    shares = pd.DataFrame(
        {"role_group": ["citizen", "citizen"], "family": ["avoidance", "balancing"],
         "share": [0.4, 0.6]}
    )  # fmt: skip
    return plots.family_bars(shares).figure


def shown(monkeypatch):
    """The bundles show_figure displays."""
    out = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: out.append(obj))
    return out


def test_the_front_door_offers_the_moved_functions():
    assert cp.show_figure is figures.show_figure
    assert cp.save_figure is figures.save_figure


def test_saved_as_svg_and_png_at_300_dpi(tmp_path):
    fig = bars()
    png = figures.save_figure(fig, "bars", tmp_path)
    assert (tmp_path / "figures" / "bars.png").read_bytes() == png
    with Image.open(io.BytesIO(png)) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)  # from the pHYs chunk
        width = image.size[0]
    assert width >= 0.9 * fig.get_figwidth() * 300  # rendered at 300 dpi, not 100
    svg = (tmp_path / "figures" / "bars.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert figures.save_figure(bars(), "again", tmp_path) == png  # no date or stamp inside
    assert (tmp_path / "figures" / "again.svg").read_text(encoding="utf-8") == svg


def test_nothing_is_saved_without_an_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert figures.save_figure(bars(), "bars", None).startswith(b"\x89PNG")
    assert list(tmp_path.iterdir()) == []


def test_show_figure_is_a_numbered_figure_with_alt_and_caption(tmp_path, monkeypatch):
    out = shown(monkeypatch)
    figures.show_figure(bars(), "one", tmp_path, caption="Strategies by role")
    figures.show_figure(bars(), "two", tmp_path, caption="Again", alt="Two bars")
    first, second = out
    assert first["text/plain"] == "Figure 1. Strategies by role"  # stable: no pixels
    assert second["text/plain"] == "Figure 2. Again"
    page = first["text/html"]
    assert page.startswith("<figure") and page.endswith("</figure>")
    assert "<figcaption><strong>Figure 1.</strong> Strategies by role</figcaption>" in page
    assert re.search(r'alt="Chart[^"]*horizontal axis: share[^"]*vertical axis: role group"', page)
    assert 'alt="Two bars"' in second["text/html"]
    assert not plt.get_fignums()  # closed after showing
    figures.reset_figure_numbers()
    figures.show_figure(bars(), "three", tmp_path)
    assert out[-1]["text/plain"] == "Figure 1."


def test_caption_and_alt_text_are_escaped(tmp_path, monkeypatch):
    out = shown(monkeypatch)
    figures.show_figure(bars(), "x", tmp_path, caption="<script>x</script> & co",
                        alt='say "hi" <b>')  # fmt: skip
    page = out[0]["text/html"]
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in page
    assert 'alt="say &quot;hi&quot; &lt;b&gt;"' in page


def test_the_page_shows_a_figure_at_its_size_in_inches(tmp_path, monkeypatch):
    """96 CSS pixels to the inch: a 9 pt label (1/8 inch) is 9 pt on the page, whatever the
    extra room a legend outside the axes takes."""
    out = shown(monkeypatch)
    fig = bars()
    png = figures.save_figure(fig, "bars", None)
    figures.show_figure(fig, "bars", tmp_path)
    width = int(re.search(r'width="(\d+)"', out[0]["text/html"])[1])
    inches = figures.png_size(png)[0] / 300
    assert width == pytest.approx(inches * 96, abs=1)
    points_per_pixel = 72 / 96  # CSS: 1px = 1/96 in, 1pt = 1/72 in
    displayed = 9 * (width * points_per_pixel) / (inches * 72)
    assert displayed == pytest.approx(9, abs=0.1)


def test_png_size_reads_the_header():
    buf = io.BytesIO()
    Image.new("RGB", (17, 5)).save(buf, format="PNG")
    assert figures.png_size(buf.getvalue()) == (17, 5)
    with pytest.raises(ValueError, match="not a PNG"):
        figures.png_size(b"GIF89a" + bytes(30))


def test_dollar_signs_in_labels_are_text_in_a_notebook_session():
    """A role or label such as 'cit $\\undefinedmacro$' crashed matplotlib's mathtext."""
    import matplotlib as mpl
    import pandas as pd

    import coprodlib as cp

    before = mpl.rcParams["text.parse_math"]
    try:
        cp.setup_notebook()
        shares = pd.DataFrame(
            {"role": ["cit $\\undefinedmacro$", "Ten $^^$"], "family": ["a", "a"], "share": [1, 1]}
        )
        ax = cp.plots.family_bars(shares, y="role", hue="family")
        ax.figure.canvas.draw()  # mathtext would raise here
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "cit $\\undefinedmacro$" in labels
    finally:
        mpl.rcParams["text.parse_math"] = before
