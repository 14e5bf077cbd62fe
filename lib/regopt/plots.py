"""Figures with one look across the book.

Every helper labels its axes and takes a ``title`` that should state the
finding ("Momentum reaches the minimum in 5x fewer steps"), not the setup.
Figures have a white background and use the Okabe-Ito colours, which stay
distinguishable for colour-blind readers and readable in the site's dark
mode. Nothing here changes global matplotlib state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import animation
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._checks import check_positive_int
from .landscapes import Landscape

__all__ = [
    "COLORS", "subplots", "moving_average", "loss_curves", "seed_band",
    "seed_dots", "contour", "trajectories", "animate_trajectories",
]

COLORS = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#000000", "#F0E442",
]


def subplots(
    nrows: int = 1,
    ncols: int = 1,
    *,
    width: float = 4.2,
    height: float = 3.4,
    **kwargs,
):
    """``plt.subplots`` with panel sizes that read on a phone and a
    white background.
    """
    check_positive_int("nrows", nrows)
    check_positive_int("ncols", ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows),
        layout="constrained", facecolor="white", **kwargs,
    )
    return fig, axes


def moving_average(values: Sequence[float], width: int) -> list[float]:
    """Mean of each window of ``width`` consecutive values
    (``len(values) - width + 1`` points), to show the trend of a noisy
    per-step curve.
    """
    check_positive_int("width", width)
    if width > len(values):
        raise ValueError(
            f"Invalid width: {width} (longer than the {len(values)} values)"
        )
    v = np.asarray(values, dtype=float)
    sums = np.cumsum(np.concatenate([[0.0], v]))
    return ((sums[width:] - sums[:-width]) / width).tolist()


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else subplots()[1]


def _finish(ax: Axes, *, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize="medium")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, fontsize="small")
    ax.grid(alpha=0.3)


def loss_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    ax: Axes | None = None,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str = "",
    logy: bool = False,
    styles: Mapping[str, str] | None = None,
) -> Axes:
    """One line per entry of ``curves`` (label -> values), on one
    labelled axis.
    """
    ax = _axes(ax)
    for k, (label, values) in enumerate(curves.items()):
        style = (styles or {}).get(label, "-")
        ax.plot(
            np.arange(len(values)), np.asarray(values, dtype=float), style,
            color=COLORS[k % len(COLORS)], label=label,
        )
    if logy:
        ax.set_yscale("log")
    _finish(ax, xlabel=xlabel, ylabel=ylabel, title=title)
    return ax


def seed_band(
    curves: np.ndarray | Sequence[Sequence[float]],
    *,
    ax: Axes | None = None,
    x: Sequence[float] | None = None,
    label: str = "",
    color: str | None = None,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str = "",
    logy: bool = False,
) -> Axes:
    """One curve per seed (rows of ``curves``, shape (k, T)) as the mean
    over seeds, a band from the lowest to the highest seed, and a thin line
    for each seed.

    Call it once per method on the same ``ax``; ``color`` defaults to the
    next of ``COLORS``.
    """
    values = np.asarray(curves, dtype=float)
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(
            "Invalid curves: expected shape (seeds, points), got "
            f"{values.shape}"
        )
    ax = _axes(ax)
    steps = (
        np.arange(values.shape[1])
        if x is None
        else np.asarray(x, dtype=float)
    )
    if len(steps) != values.shape[1]:
        raise ValueError(
            f"Invalid x: {len(steps)} points for curves of "
            f"{values.shape[1]} points"
        )
    color = (
        color
        or COLORS[len(ax.lines) // (values.shape[0] + 1) % len(COLORS)]
    )
    for row in values:
        ax.plot(steps, row, color=color, linewidth=0.6, alpha=0.35)
    ax.fill_between(
        steps, values.min(axis=0), values.max(axis=0), color=color,
        alpha=0.15, linewidth=0,
    )
    n = values.shape[0]
    ax.plot(
        steps, values.mean(axis=0), color=color, linewidth=2,
        label=f"{label} (mean of {n} seeds)" if label else None,
    )
    if logy:
        ax.set_yscale("log")
    _finish(ax, xlabel=xlabel, ylabel=ylabel, title=title)
    return ax


def seed_dots(
    results: Mapping[str, Sequence[float]],
    *,
    ax: Axes | None = None,
    ylabel: str = "",
    title: str = "",
) -> Axes:
    """Per-seed values of several methods side by side (label -> one value
    per seed, e.g. a ``seeds.Spread``'s ``values``): a dot per seed and a
    bar at the mean.
    """
    ax = _axes(ax)
    for k, (label, values) in enumerate(results.items()):
        v = np.asarray(getattr(values, "values", values), dtype=float)
        jitter = (
            np.linspace(-0.12, 0.12, len(v)) if len(v) > 1 else np.zeros(1)
        )
        color = COLORS[k % len(COLORS)]
        ax.plot(k + jitter, v, "o", color=color, markersize=5, alpha=0.8)
        ax.plot(
            [k - 0.25, k + 0.25], [v.mean(), v.mean()], color=color,
            linewidth=2.5,
        )
    ax.set_xticks(
        range(len(results)), list(results),
        rotation=20 if len(results) > 4 else 0,
    )
    ax.set_xlim(-0.6, len(results) - 0.4)
    _finish(ax, xlabel="", ylabel=ylabel, title=title)
    return ax


def contour(
    landscape: Landscape,
    *,
    ax: Axes | None = None,
    n: int = 200,
    levels: int = 25,
) -> Axes:
    """Contour lines of a 2-D landscape, its minimum marked with a star."""
    ax = _axes(ax)
    X, Y, Z = landscape.grid(n)
    if landscape.log_levels:
        lo = max(Z.min(), 1e-3)
        level_values = np.logspace(np.log10(lo), np.log10(Z.max()), levels)
    else:
        level_values = np.linspace(Z.min(), Z.max(), levels)
    ax.contour(
        X, Y, Z, levels=level_values, cmap="Greys_r", linewidths=0.7,
        alpha=0.8,
    )
    if landscape.minimum is not None:
        ax.plot(
            *landscape.minimum, marker="*", markersize=12, color="black",
            linestyle="none",
        )
    ax.set_xlim(landscape.xlim)
    ax.set_ylim(landscape.ylim)
    return ax


def trajectories(
    landscape: Landscape,
    paths: Mapping[str, torch.Tensor | np.ndarray],
    *,
    ax: Axes | None = None,
    title: str = "",
) -> Axes:
    """Optimizer paths (label -> points of shape (T, 2)) over the
    landscape's contours.
    """
    ax = contour(landscape, ax=ax)
    for k, (label, points) in enumerate(paths.items()):
        pts = np.asarray(points, dtype=float)
        ax.plot(
            pts[:, 0], pts[:, 1], "o-", markersize=2.5, linewidth=1.2,
            color=COLORS[k % len(COLORS)], label=label,
        )
    _finish(ax, xlabel="$x$", ylabel="$y$", title=title or landscape.name)
    ax.grid(False)
    return ax


# matplotlib's player draws its buttons with Font Awesome icons fetched from
# a CDN; the same buttons as plain characters work offline and load nothing.
_PLAYER_ICONS = {
    "fa fa-minus": "\u2212", "fa fa-plus": "+",
    "fa fa-fast-backward": "\u23ee", "fa fa-fast-forward": "\u23ed",
    "fa fa-step-backward": "\u25c2", "fa fa-step-forward": "\u25b8",
    "fa fa-play fa-flip-horizontal": "\u25c0", "fa fa-play": "\u25b6",
    "fa fa-pause": "\u23f8",
}


def _offline_player(html: str) -> str:
    """``html`` from ``to_jshtml`` without the Font Awesome stylesheet,
    icons as characters.
    """
    html = re.sub(
        r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">', "", html
    )
    return re.sub(
        r'<i class="([^"]+)"></i>',
        lambda m: _PLAYER_ICONS.get(m.group(1), "?"), html,
    )


def animate_trajectories(
    landscape: Landscape,
    paths: Mapping[str, torch.Tensor | np.ndarray],
    *,
    frames: int = 40,
    interval: int = 100,
    title: str = "",
    dpi: int = 72,
):
    """An HTML animation (JavaScript player, frames embedded) of optimizers
    walking the landscape.

    Works in Jupyter and on the static site. At most ``frames`` frames are
    drawn, evenly spaced over the longest path, at ``dpi`` dots per inch,
    which keeps the page small.
    """
    from IPython.display import HTML

    check_positive_int("frames", frames)
    arrays = {
        label: np.asarray(p, dtype=float) for label, p in paths.items()
    }
    longest = max(len(a) for a in arrays.values())
    shown = np.unique(
        np.linspace(0, longest - 1, min(frames, longest))
        .round()
        .astype(int)
    )
    fig, ax = subplots(width=4.8, height=4.0, dpi=dpi)
    contour(landscape, ax=ax)
    lines = {}
    for k, label in enumerate(arrays):
        (lines[label],) = ax.plot(
            [], [], "o-", markersize=2.5, linewidth=1.2,
            color=COLORS[k % len(COLORS)], label=label,
        )
    _finish(ax, xlabel="$x$", ylabel="$y$", title=title or landscape.name)
    ax.grid(False)
    counter = ax.text(
        0.02, 0.96, "", transform=ax.transAxes, va="top", fontsize="small"
    )

    def draw(t: int):
        for label, pts in arrays.items():
            upto = pts[: min(t, len(pts) - 1) + 1]
            lines[label].set_data(upto[:, 0], upto[:, 1])
        counter.set_text(f"step {t}")
        return [*lines.values(), counter]

    anim = animation.FuncAnimation(
        fig, draw, frames=shown, interval=interval, blit=True
    )
    html = HTML(_offline_player(anim.to_jshtml(default_mode="once")))
    plt.close(fig)
    return html
