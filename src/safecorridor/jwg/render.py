"""Rendering of briefing packs: the static map and the trend chart (matplotlib, drawn on the
server, embedded as PNG data), the HTML (Jinja) and the PDF (WeasyPrint).

Packs are rendered by the worker and the CLI as well as the web, and domain packages never
import a face, so packs have their own Jinja environment (templates in ``jwg/templates``),
built with the same i18n installation as the web's (``i18n.install_jinja``): gettext reads
the template's ``locale``, dates and numbers are formatted per locale by Babel.

Fonts: the PDF and the pictures use Noto Sans CJK SC (Debian's fonts-noto-cjk, which
``scripts/ensure-system-packages.sh`` installs) for Chinese and DejaVu Sans as the fallback;
without the CJK font Chinese text comes out as empty boxes, so :func:`cjk_font` is checked by
the tests.

This module imports matplotlib at its top: it is imported only when a pack is built.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from h3.api import basic_int as h3i
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib import font_manager
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

from safecorridor import i18n
from safecorridor.geo import base_map
from safecorridor.jwg.choices import ACTION_STATUS_LABELS
from safecorridor.jwg.pack import MAP_BOX, PackData
from safecorridor.registry.measures import KIND_LABELS, STATE_LABELS
from safecorridor.taxonomy import level_colours

HERE = Path(__file__).parent
LEVEL_COLOURS = level_colours()
#: above this many shaded cells the map draws their parents (one resolution coarser)
MAX_MAP_CELLS = 4000
#: where Debian and other systems keep the CJK fonts
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
CJK_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf")


@cache
def cjk_font() -> str | None:
    """The file of the CJK font, registered with matplotlib (None when it is missing)."""
    for folder in FONT_DIRS:
        root = Path(folder)
        if not root.is_dir():
            continue
        for name in CJK_FILES:
            for found in root.rglob(name):
                font_manager.fontManager.addfont(str(found))
                return str(found)
    return None


def _fonts() -> None:
    cjk_font()
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK SC"]


@cache
def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def map_png(data: PackData, locale: str) -> str:
    """The period's incidents over the threat surface at its end, on the offline base map."""
    _fonts()
    _ = i18n.translations(locale).gettext
    fig, ax = plt.subplots(figsize=(7.2, 6.4), dpi=110)
    ax.set_facecolor("#dfe9f3")
    for kind, rings in base_map():
        for ring in rings:
            ax.fill(
                ring[:, 0],
                ring[:, 1],
                facecolor="#f4f1ea" if kind != "country" else "#ece8df",
                edgecolor="#9a9a9a",
                linewidth=0.4,
                zorder=1,
            )
    surface = data.surface
    if surface is not None and len(surface.cells):
        # the level of every cell at once, as the app's map shows it (bands of the policy's
        # level probability); cells at the lowest level are left clear
        names = [lv for lv in LEVEL_COLOURS if lv in surface.policy.levels["bands"]]
        cell_levels = surface.level_of_cells(np.asarray(surface.cells))
        rank = {name: i for i, name in enumerate(names)}
        index = np.array([rank.get(str(lv), 0) for lv in cell_levels], dtype=np.int64)
        keep = np.flatnonzero(index > 0)
        cells = [int(c) for c in np.asarray(surface.cells)[keep]]
        levels = [int(index[i]) for i in keep.tolist()]
        if len(cells) > MAX_MAP_CELLS:  # a coarser grid for the picture: each parent's highest
            coarse: dict[int, int] = {}
            res = h3i.get_resolution(cells[0]) - 1
            for cell, level in zip(cells, levels, strict=True):
                parent = h3i.cell_to_parent(cell, res)
                coarse[parent] = max(coarse.get(parent, 0), level)
            cells, levels = list(coarse), list(coarse.values())
        if cells:
            polys = [[(lng, lat) for lat, lng in h3i.cell_to_boundary(c)] for c in cells]
            colours = [LEVEL_COLOURS[names[lv]] for lv in levels]
            ax.add_collection(
                PolyCollection(polys, facecolors=colours, alpha=0.55, linewidths=0, zorder=2)
            )
    if data.map_points:
        pts = np.asarray([(p[1], p[0], p[2]) for p in data.map_points], dtype=float)
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=12 + 6 * np.sqrt(pts[:, 2]),
            c="#b00020",
            edgecolors="white",
            linewidths=0.5,
            zorder=4,
            label=_("incidents in the period"),
        )
    if data.map_sites:
        sites = np.asarray([(s[1], s[0]) for s in data.map_sites], dtype=float)
        ax.scatter(
            sites[:, 0],
            sites[:, 1],
            marker="^",
            s=28,
            c="#0b3d91",
            edgecolors="white",
            linewidths=0.5,
            zorder=5,
            label=_("sites"),
        )
    w, s, e, n = MAP_BOX
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1.15)
    ax.set_xticks([])
    ax.set_yticks([])
    handles = [
        Rectangle((0, 0), 1, 1, color=LEVEL_COLOURS[lv], alpha=0.55)
        for lv in ("moderate", "high", "severe", "critical")
    ]
    names = [_(lv) for lv in ("moderate", "high", "severe", "critical")]
    first = ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    ax.add_artist(first)
    ax.legend(handles, names, title=_("threat"), loc="upper right", fontsize=7, title_fontsize=7)
    return _png(fig)


def trend_png(data: PackData, locale: str) -> str:
    """Incidents per month (bars) and fatalities (line), the period shaded."""
    _fonts()
    _ = i18n.translations(locale).gettext
    months = data.trend["months"]
    fig, ax = plt.subplots(figsize=(7.2, 2.8), dpi=110)
    x = np.arange(len(months))
    ax.bar(x, data.trend["incidents"], color="#0b3d91", width=0.7, label=_("incidents"))
    ax.set_ylabel(_("incidents"))
    ax2 = ax.twinx()
    ax2.plot(x, data.trend["fatalities"], color="#b00020", linewidth=1.6, label=_("fatalities"))
    ax2.set_ylabel(_("fatalities"))
    inside = [
        i for i, m in enumerate(months) if data.period_from.replace(day=1) <= m <= data.period_to
    ]
    if inside:
        ax.axvspan(inside[0] - 0.5, inside[-1] + 0.5, color="#ffc000", alpha=0.18, lw=0)
    step = max(1, len(months) // 8)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([i18n.format_month(m, locale) for m in months][::step], fontsize=7)
    ax.spines["top"].set_visible(False)
    ax2.spines["top"].set_visible(False)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper left", fontsize=7)
    return _png(fig)


@cache
def environment() -> Environment:
    """The Jinja environment of the packs (see the module's docstring)."""
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install_jinja(env)
    env.globals.update(
        measure_kinds=KIND_LABELS,
        measure_states=STATE_LABELS,
        action_statuses=ACTION_STATUS_LABELS,
    )
    return env


def pack_html(data: PackData, locale: str) -> str:
    template = environment().get_template("briefing/pack.html")
    return template.render(
        d=data,
        locale=locale,
        tlp=data.tlp,
        map_image=map_png(data, locale),
        trend_image=trend_png(data, locale),
    )


def pack_pdf(html: str) -> bytes:
    """The pack as PDF (WeasyPrint; pages, running marking and fonts from the pack's CSS)."""
    import weasyprint  # heavy: Pango and friends are loaded for the PDF only

    cjk_font()
    pdf: bytes = weasyprint.HTML(string=html, base_url=str(HERE)).write_pdf()
    return pdf
