"""Writes small image folders for PruneLab's `images:DIR` tests, with PIL (Debian's
python3-pil), so the files come from another encoder than the one that decodes them.

    make_image_folder.py OUT_DIR

Writes
  OUT_DIR/split/train/{circle,square,stripe}/*.png|*.jpg and OUT_DIR/split/test/...: three
      classes told apart by a bright shape's position; RGB and grey, PNG and JPEG, of several
      sizes (40x30, 24x24, 64x48), so decoding, channel conversion and resizing are all used
  OUT_DIR/flat/{a,b}/*.png: one set without train/test folders, 20 images per class
  OUT_DIR/red/only/red.png: one solid red 10x10 RGB image (for channel order) and a grey copy
"""
import os
import random
import sys

from PIL import Image, ImageDraw

CLASSES = ["circle", "square", "stripe"]
SIZES = [(40, 30), (24, 24), (64, 48)]


def sample(label, size, rng, mode):
    w, h = size
    image = Image.new("RGB", size, (rng.randrange(0, 40),) * 3)
    draw = ImageDraw.Draw(image)
    colour = (255, rng.randrange(150, 255), rng.randrange(0, 100))
    if label == 0:  # a disc in the upper left
        draw.ellipse([w * 0.05, h * 0.05, w * 0.45, h * 0.45], fill=colour)
    elif label == 1:  # a block in the lower right
        draw.rectangle([w * 0.55, h * 0.55, w * 0.95, h * 0.95], fill=colour)
    else:  # a horizontal band through the middle
        draw.rectangle([0, h * 0.4, w - 1, h * 0.6], fill=colour)
    return image.convert(mode)


def write_split(folder, per_class, rng):
    for label, name in enumerate(CLASSES):
        os.makedirs(os.path.join(folder, name), exist_ok=True)
        for i in range(per_class):
            size = SIZES[i % len(SIZES)]
            mode = "L" if i % 4 == 3 else "RGB"
            image = sample(label, size, rng, mode)
            ext = "jpg" if i % 2 else "png"
            image.save(os.path.join(folder, name, f"{i:03d}.{ext}"), quality=95)


def main():
    out = sys.argv[1]
    rng = random.Random(3)
    write_split(os.path.join(out, "split", "train"), 40, rng)
    write_split(os.path.join(out, "split", "test"), 12, rng)
    for name in ["a", "b"]:
        os.makedirs(os.path.join(out, "flat", name), exist_ok=True)
        for i in range(20):
            sample(0 if name == "a" else 1, (32, 32), rng, "RGB").save(
                os.path.join(out, "flat", name, f"{i:02d}.png"))
    os.makedirs(os.path.join(out, "red", "only"), exist_ok=True)
    Image.new("RGB", (10, 10), (255, 0, 0)).save(os.path.join(out, "red", "only", "red.png"))
    Image.new("RGB", (10, 10), (255, 0, 0)).save(os.path.join(out, "red", "only", "red2.png"))
    print("ok")


if __name__ == "__main__":
    main()
