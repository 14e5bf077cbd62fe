"""Write images/favicon.ico, the bitmap twin of images/favicon.svg.

Browsers ask for /favicon.ico on pages that name no icon, such as the redirect page
jupyter-book writes as index.html; the build copies this file to the site's root
(`html_extra_path` in _config.yml). Run once after changing the SVG:
`python tools/favicon.py`.
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256  # drawn large, scaled down by the ICO writer
S = SIZE / 32  # the SVG's viewBox is 32 x 32


def bezier(p0, p1, p2, p3, n: int = 64) -> list[tuple[float, float]]:
    """Points on the cubic curve of the SVG's path, in pixels."""
    points = []
    for i in range(n + 1):
        t = i / n
        x, y = (
            (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * d
            for a, b, c, d in zip(p0, p1, p2, p3)
        )
        points.append((x * S, y * S))
    return points


image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
draw = ImageDraw.Draw(image)
draw.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=6 * S, fill="#1f4e79")
draw.line(bezier((5, 6), (9, 24), (14, 26), (27, 26)), fill="#ffffff", width=round(3 * S), joint="curve")
draw.ellipse(((11 - 2.5) * S, (19.5 - 2.5) * S, (11 + 2.5) * S, (19.5 + 2.5) * S), fill="#f4a259")
image.save(Path(__file__).resolve().parent.parent / "images" / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
