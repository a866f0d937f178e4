"""Draw the demo sample's photos: one small JPEG per photo name used by the corpus.

    .venv/bin/python scripts/draw_sample_photos.py   # needs Pillow (pip install pillow)

The corpus (src/ranknews/sample/corpus) is fictional, so are its photos: each is a simple
illustration drawn from its name (the same name always gives the same picture), with the
words of PHOTOS.md (or of the first caption that uses it) and a "예시 사진" mark. They are
written to src/ranknews/web/static/sample/photos/, where the board serves them; the demo
points the figures there (sample/bundle.py). ``sample.jpg`` stands in for a photo name that
has no file.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "src" / "ranknews" / "sample" / "corpus"
OUT = ROOT / "src" / "ranknews" / "web" / "static" / "sample" / "photos"
FONT = Path("/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf")  # Debian fonts-nanum
SIZE = (480, 300)
LISTED = re.compile(r"\s*[-*|]?\s*`?([a-z0-9][a-z0-9-]*)(?:\.jpg)?`?\s*[:|—–-]\s*(.+)")
PALETTES = [((40, 70, 110), (120, 160, 200), (230, 200, 120)),
            ((60, 90, 60), (150, 190, 140), (240, 230, 200)),
            ((90, 50, 60), (200, 140, 130), (250, 220, 180)),
            ((50, 50, 70), (110, 110, 150), (200, 200, 230)),
            ((30, 80, 90), (90, 170, 170), (240, 240, 210)),
            ((80, 70, 40), (190, 170, 110), (250, 240, 220))]


def photo_names() -> dict[str, str]:
    """Photo name → what it shows: PHOTOS.md first, then the first caption that uses it."""
    described: dict[str, str] = {}
    listing = CORPUS / "PHOTOS.md"
    if listing.exists():
        for line in listing.read_text(encoding="utf-8").splitlines():
            found = LISTED.match(line)
            if found:
                described[found.group(1)] = found.group(2).strip(" |")
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for block in json.loads(line).get("blocks") or []:
                url = block.get("image_url", "")
                if block.get("kind") == "figure" and "/photos/" in url:
                    name = Path(url).stem
                    described.setdefault(name, block.get("caption", ""))
    return described


def draw(name: str, words: str, font_path: Path = FONT) -> Image.Image:
    digest = hashlib.sha256(name.encode()).digest()
    dark, mid, light = PALETTES[digest[0] % len(PALETTES)]
    width, height = SIZE
    image = Image.new("RGB", SIZE, mid)
    pen = ImageDraw.Draw(image)
    horizon = int(height * (0.55 + digest[1] / 255 * 0.15))
    for y in range(horizon):  # sky: light at the horizon
        t = y / horizon
        pen.line([(0, y), (width, y)], fill=tuple(int(light[i] * t + mid[i] * (1 - t))
                                                   for i in range(3)))
    pen.rectangle([0, horizon, width, height], fill=dark)
    _scene(pen, digest, horizon, dark, light)
    _label(pen, words, font_path, light, dark)
    return image


def _scene(pen: ImageDraw.ImageDraw, digest: bytes, horizon: int,
           dark: tuple, light: tuple) -> None:
    """Buildings, people or a round sign, chosen and placed by the name's digest."""
    width = SIZE[0]
    kind = digest[2] % 3
    x = 10
    for i in range(3, 3 + 12):
        if kind == 0:  # a skyline
            w, h = 20 + digest[i] % 40, 30 + digest[i + 12] % 120
            pen.rectangle([x, horizon - h, x + w, horizon], fill=dark)
            for wy in range(horizon - h + 8, horizon - 6, 14):
                pen.rectangle([x + 5, wy, x + 9, wy + 5], fill=light)
            x += w + 6
        elif kind == 1:  # a crowd
            r = 8 + digest[i] % 6
            cx = 20 + i * (width - 40) // 15
            pen.ellipse([cx - r, horizon - 4 * r, cx + r, horizon - 2 * r], fill=dark)
            pen.rounded_rectangle([cx - r - 4, horizon - 2 * r, cx + r + 4, horizon + 2 * r],
                                  radius=r, fill=dark)
        else:  # a podium with a round emblem
            cx, r = width // 2 + (digest[i] % 80) - 40, 40 + digest[3] % 20
            pen.ellipse([cx - r, horizon - 3 * r, cx + r, horizon - r], outline=dark, width=6)
            pen.rectangle([cx - 60, horizon - 50, cx + 60, horizon + 10], fill=dark)
            break
        if x > width:
            break


def _label(pen: ImageDraw.ImageDraw, words: str, font_path: Path,
           light: tuple, dark: tuple) -> None:
    width, height = SIZE
    font = ImageFont.truetype(str(font_path), 17) if font_path.exists() else None
    small = ImageFont.truetype(str(font_path), 14) if font_path.exists() else None
    text = words if len(words) <= 26 else words[:25] + "…"
    pen.rectangle([0, height - 34, width, height], fill=(20, 20, 20))
    pen.text((12, height - 27), text, fill=(245, 245, 245), font=font)
    pen.rounded_rectangle([width - 92, 10, width - 10, 36], radius=6, fill=(20, 20, 20))
    pen.text((width - 82, 14), "예시 사진", fill=(255, 255, 255), font=small)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    names = photo_names()
    names.setdefault("sample", "예시 사진")
    for name, words in sorted(names.items()):
        draw(name, words).save(OUT / f"{name}.jpg", "JPEG", quality=72, optimize=True,
                               progressive=True)
    total = sum(p.stat().st_size for p in OUT.glob("*.jpg"))
    print(f"{len(names)} photos, {total / 1024:.0f} KiB in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
