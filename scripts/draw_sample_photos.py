"""Draw the demo sample's photos: one small JPEG per photo name used by the corpus.

    .venv/bin/python scripts/draw_sample_photos.py   # needs Pillow (pip install pillow)

The corpus (src/ranknews/sample/corpus) is fictional, so are its photos: each is a simple
illustration of what PHOTOS.md says it shows (a scene chosen by its words: a stage, a field,
a fire, a beach, screens, an object, a street…), placed by its name's digest so the same
name always gives the same picture, with a "예시 사진" mark. They are
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
LISTED = re.compile(r"\s*[-*|]?\s*`([a-z0-9][a-z0-9-]*)(?:\.jpg)?`\s*[:|—–-]\s*(.+)")


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


def draw(name: str, words: str) -> Image.Image:
    """An illustration of ``words`` (what PHOTOS.md says the photo shows): a scene chosen by
    its words, colours and placement by the name's digest."""
    digest = hashlib.sha256(name.encode()).digest()
    text = words.lower()
    scene = next((scene for keys, scene in SCENES if any(k in text for k in keys)), _skyline)
    night = any(k in text for k in ("night", "dark", "neon", "spotlight", "lamps"))
    sky = (28, 34, 64) if night else _tint((150, 185, 215), digest[0])
    ground = _tint((95, 100, 96), digest[1])
    image = Image.new("RGB", SIZE, sky)
    pen = ImageDraw.Draw(image)
    horizon = int(SIZE[1] * (0.58 + digest[2] / 255 * 0.1))
    for y in range(horizon):  # a sky lighter towards the horizon
        t = y / horizon
        pen.line([(0, y), (SIZE[0], y)],
                 fill=tuple(min(255, int(c + (235 - c) * t * 0.6)) for c in sky))
    pen.rectangle([0, horizon, SIZE[0], SIZE[1]], fill=ground)
    scene(pen, digest, horizon, _colour(text, digest))
    _mark(pen)
    return image


def _tint(colour: tuple[int, int, int], byte: int) -> tuple[int, int, int]:
    shift = byte % 40 - 20
    return tuple(max(0, min(255, c + shift)) for c in colour)


def _colour(text: str, digest: bytes) -> tuple[int, int, int]:
    """The first colour the description names, else one from the digest."""
    for word, rgb in COLOURS.items():
        if word in text:
            return rgb
    return list(COLOURS.values())[digest[3] % len(COLOURS)]


def _person(pen: ImageDraw.ImageDraw, x: int, foot: int, size: int, colour: tuple) -> None:
    head = size // 3
    pen.ellipse([x - head // 2, foot - size - head, x + head // 2, foot - size], fill=colour)
    pen.rounded_rectangle([x - head, foot - size, x + head, foot], radius=head // 2, fill=colour)


def _crowd(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    for i in range(9):
        x = 30 + i * 52 + digest[4 + i] % 20
        _person(pen, x, horizon + 40 + digest[13 + i] % 30, 70 + digest[i] % 30,
                (40 + i * 7, 40 + i * 5, 50) if i % 3 else colour)


def _stage(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width = SIZE[0]
    for i, x in enumerate((80, width // 2, width - 80)):  # spotlights
        spread = 70 - i * 30
        pen.polygon([(x - 8, 0), (x + 8, 0), (x + spread, horizon), (x - spread, horizon)],
                    fill=(250, 240, 190))
    pen.rectangle([0, horizon - 12, width, horizon + 8], fill=colour)
    for i in range(1 + digest[5] % 4):
        _person(pen, width // 2 + (i - 1) * 60, horizon, 110, (30, 30, 40))


def _object(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width, height = SIZE
    pen.rectangle([0, 0, width, height], fill=(238, 238, 232))
    pen.ellipse([width // 2 - 120, height - 70, width // 2 + 120, height - 40],
                fill=(210, 210, 205))
    if digest[6] % 2:  # a round vessel
        pen.ellipse([width // 2 - 70, 60, width // 2 + 70, height - 55], fill=colour)
        pen.rectangle([width // 2 - 25, 40, width // 2 + 25, 80], fill=colour)
    else:  # a device
        pen.rounded_rectangle([width // 2 - 55, 40, width // 2 + 55, height - 55], radius=22,
                              fill=colour, outline=(60, 60, 60), width=3)
        pen.line([(width // 2 - 55, height // 2 - 10), (width // 2 + 55, height // 2 - 10)],
                 fill=(60, 60, 60), width=3)


def _field(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width, height = SIZE
    pen.rectangle([0, horizon, width, height], fill=(70, 140, 70))
    pen.rectangle([0, horizon - 40, width, horizon], fill=(90, 90, 110))  # the stand
    for i in range(40):
        x, y = (digest[i % 32] * 7 + i * 37) % width, horizon - 36 + (i * 13) % 32
        pen.ellipse([x, y, x + 6, y + 6], fill=(200, 200, 210) if i % 2 else colour)
    for i in range(1 + digest[7] % 3):
        _person(pen, width // 3 + i * 90, horizon + 110, 90, colour)


def _fire(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    pen.rectangle([60, horizon - 90, 300, horizon], fill=(120, 120, 125))  # the plant
    for x in (90, 150, 210):
        pen.rectangle([x, horizon - 150, x + 18, horizon - 90], fill=(100, 100, 105))
    for i in range(7):  # smoke
        r = 30 + i * 9
        x, y = 160 + i * 28 + digest[i] % 20, horizon - 150 - i * 22
        pen.ellipse([x - r, y - r, x + r, y + r], fill=(45 + i * 6,) * 3)
    if digest[8] % 2:
        for i in range(3):  # fire engines
            x = 40 + i * 150
            pen.rectangle([x, horizon + 30, x + 120, horizon + 80], fill=(200, 30, 30))
            pen.ellipse([x + 10, horizon + 70, x + 35, horizon + 95], fill=(30, 30, 30))
            pen.ellipse([x + 85, horizon + 70, x + 110, horizon + 95], fill=(30, 30, 30))


def _beach(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width, height = SIZE
    _skyline(pen, digest, horizon - 40, (120, 130, 150))
    pen.rectangle([0, horizon - 40, width, horizon + 20], fill=(40, 110, 170))
    pen.rectangle([0, horizon + 20, width, height], fill=(225, 205, 150))
    for i in range(8):
        x, y = 30 + i * 58, horizon + 60 + (digest[i] % 3) * 25
        hue = list(COLOURS.values())[digest[i + 8] % len(COLOURS)]
        pen.pieslice([x - 28, y - 20, x + 28, y + 20], 180, 360, fill=hue)
        pen.line([(x, y), (x, y + 35)], fill=(80, 80, 80), width=2)


def _screens(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width, height = SIZE
    pen.rectangle([0, 0, width, height], fill=(30, 34, 44))
    pen.rectangle([40, 30, width - 40, 150], fill=(10, 10, 16))
    points = [(50 + i * 38, 130 - (digest[i] % 40) - i * 6) for i in range(11)]
    pen.line(points, fill=(230, 50, 50), width=4)
    for row in range(2):
        for i in range(6):
            x, y = 30 + i * 72, 175 + row * 55
            pen.rectangle([x, y, x + 60, y + 40], fill=(40, 90, 140), outline=(120, 120, 120))


def _plane(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width = SIZE[0]
    pen.polygon([(0, horizon), (120, horizon - 90), (240, horizon), (330, horizon - 70),
                 (width, horizon)], fill=(110, 120, 140))  # mountains
    pen.rectangle([0, horizon + 40, width, horizon + 70], fill=(60, 60, 64))  # the runway
    pen.rounded_rectangle([110, horizon + 5, 330, horizon + 35], radius=14, fill=(235, 235, 240))
    pen.polygon([(200, horizon + 20), (260, horizon - 30), (280, horizon - 30),
                 (250, horizon + 20)], fill=(200, 200, 210))
    pen.polygon([(300, horizon + 10), (330, horizon - 30), (345, horizon - 30),
                 (335, horizon + 15)], fill=colour)


def _rocket(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    x = SIZE[0] // 2
    for i in range(6):  # the plume
        r = 18 + i * 10
        pen.ellipse([x - r, horizon - 30 + i * 12 - r // 2, x + r, horizon - 30 + i * 12 + r // 2],
                    fill=(250, 230 - i * 20, 150 - i * 15))
    pen.polygon([(x - 14, horizon - 60), (x + 14, horizon - 60), (x + 14, horizon - 200),
                 (x, horizon - 235), (x - 14, horizon - 200)], fill=(240, 240, 245))
    pen.rectangle([x - 80, horizon - 10, x - 60, horizon], fill=(90, 90, 90))


def _portrait(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    width, height = SIZE
    pen.rectangle([0, 0, width, height], fill=colour)
    x = width // 2
    pen.ellipse([x - 45, 50, x + 45, 150], fill=(235, 205, 180))
    pen.pieslice([x - 50, 40, x + 50, 120], 180, 360, fill=(30, 30, 30))  # hair
    pen.rounded_rectangle([x - 100, 160, x + 100, height + 40], radius=50, fill=(200, 180, 150))


def _street(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    _skyline(pen, digest, horizon, (110, 110, 120))
    pen.rectangle([0, horizon, SIZE[0], SIZE[1]], fill=(150, 150, 150))
    _crowd(pen, digest, horizon, colour)


def _skyline(pen, digest, horizon, colour) -> None:  # noqa: ANN001
    x, i = 6, 0
    while x < SIZE[0]:
        w, h = 24 + digest[i % 32] % 40, 40 + digest[(i + 9) % 32] % 120
        pen.rectangle([x, horizon - h, x + w, horizon], fill=_tint((70, 74, 86), digest[i % 32]))
        for wy in range(horizon - h + 8, horizon - 8, 14):
            pen.rectangle([x + 6, wy, x + 10, wy + 5], fill=(240, 230, 170))
        x, i = x + w + 6, i + 1


def _mark(pen: ImageDraw.ImageDraw) -> None:
    font = ImageFont.truetype(str(FONT), 14) if FONT.exists() else None
    width = SIZE[0]
    pen.rounded_rectangle([width - 92, 10, width - 10, 36], radius=6, fill=(20, 20, 20))
    pen.text((width - 82, 14), "예시 사진", fill=(255, 255, 255), font=font)


COLOURS = {"red": (200, 40, 40), "blue": (40, 80, 180), "green": (50, 140, 90),
           "mint": (150, 220, 200), "orange": (235, 140, 50), "pink": (230, 120, 170),
           "gold": (210, 170, 60), "silver": (190, 190, 200), "yellow": (230, 200, 60),
           "grey": (130, 130, 130), "white": (240, 240, 240), "beige": (215, 195, 160)}
SCENES = [(("rocket",), _rocket), (("airliner", "plane", "runway"), _plane),
          (("smoke", "fire engine", "fire truck"), _fire), (("beach", "parasols"), _beach),
          (("monitor", "departure board", "dealing room"), _screens),
          (("portrait",), _portrait),
          (("pitcher", "footballer", "golfer", "stadium", "mound"), _field),
          (("stage", "lectern", "microphones", "neon", "film still", "spotlight"), _stage),
          (("vase", "phone", "wafer", "shelf", "terminal"), _object),
          (("street", "queue", "pedestrians", "road", "pavement", "hall", "steps"), _street)]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    names = photo_names()
    names.setdefault("sample", "A city skyline")
    for name, words in sorted(names.items()):
        draw(name, words).save(OUT / f"{name}.jpg", "JPEG", quality=72, optimize=True,
                               progressive=True)
    total = sum(p.stat().st_size for p in OUT.glob("*.jpg"))
    print(f"{len(names)} photos, {total / 1024:.0f} KiB in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
