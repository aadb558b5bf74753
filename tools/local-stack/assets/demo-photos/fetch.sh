#!/usr/bin/env bash
# Regenerates the demo portfolio photos of this folder (see LICENSES.md) from the
# packages they ship in: scikit-image's wheel (PyPI) and Debian's lomiri-wallpapers-16.04.
# The platform never runs this: the JPEGs are committed. A reviewer can, to check that
# each photo is what LICENSES.md says it is: every source is checked by SHA-256, and
# with the pinned Pillow (scripts/python/requirements-photos.txt) the output is the
# committed bytes.
#
# Needs pip (PyPI) and `apt-get download` (Debian's archive; `apt-get update` first).
source "$(dirname "$0")/../../../../scripts/lib.sh"
OUT="$ROOT/tools/local-stack/assets/demo-photos"
SKIMAGE=0.26.0
LOMIRI=20.04.0-2

venv photos
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log "scikit-image $SKIMAGE (its PyPI wheel; only skimage/data is used)"
# Every wheel of a release carries the same data files: pin one, so the download does
# not depend on this machine's Python or architecture.
"$VENVS/photos/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux_2_28_x86_64 --python-version 3.11 -d "$WORK" "scikit-image==$SKIMAGE"
(cd "$WORK" && python3 -m zipfile -e scikit_image-"$SKIMAGE"-*.whl wheel)

log "lomiri-wallpapers-16.04 $LOMIRI (Debian)"
(cd "$WORK" && apt-get download "lomiri-wallpapers-16.04=$LOMIRI" >/dev/null) || {
  echo "apt-get download lomiri-wallpapers-16.04=$LOMIRI failed: run apt-get update; is that version still in the archive?" >&2
  exit 1
}
dpkg-deb -x "$WORK/lomiri-wallpapers-16.04_${LOMIRI}_all.deb" "$WORK/deb"

log "resizing into $OUT"
SK="$WORK/wheel/skimage/data" LW="$WORK/deb/usr/share/backgrounds" OUT="$OUT" "$VENVS/photos/bin/python" - <<'PY'
import hashlib
import os
from PIL import Image

SK, LW, OUT = os.environ["SK"], os.environ["LW"], os.environ["OUT"]
# Output name, source file, SHA-256 of the source file (as in the package).
PHOTOS = [
    ("astronaut.jpg", f"{SK}/astronaut.png", "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
    ("cameraman.jpg", f"{SK}/camera.png", "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a"),
    ("coffee.jpg", f"{SK}/coffee.png", "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"),
    ("cat.jpg", f"{SK}/chelsea.png", "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"),
    ("rocket-launch.jpg", f"{SK}/rocket.jpg", "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"),
    ("fig-bowl.jpg", f"{LW}/Picture_0B_by_freespace.jpg", "c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad"),
    ("paint-brushes.jpg", f"{LW}/Picture_1A_by_freespace.jpg", "89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b"),
    ("living-room.jpg", f"{LW}/Wine_by_Jakkub_Mede.jpg", "d2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74"),
    ("spaniels.jpg", f"{LW}/friends_by_Aitzol_Berasategi.jpg", "cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d"),
    ("dandelions.jpg", f"{LW}/seeding_by_Clements_Engelhardt.jpg", "a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f"),
    ("sunset.jpg", f"{LW}/sunset_by_Aitzol_Berasategi.jpg", "474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18"),
    ("mountain-trail.jpg", f"{LW}/picosdeeuropa_by_Aitzol_Berasategi.jpg", "414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a"),
    ("autumn-hills.jpg", f"{LW}/aitzgorri_by_Aitzol_Berasategi.jpg", "66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36"),
    ("forest-stream.jpg", f"{LW}/life_by_Aitzol_Berasategi.jpg", "4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05"),
]
# Longest side; smaller sources keep their size (never upscaled).
LONGEST = 1024

total = 0
for name, source, want in PHOTOS:
    with open(source, "rb") as f:
        got = hashlib.sha256(f.read()).hexdigest()
    if got != want:
        raise SystemExit(f"{source}: SHA-256 {got}, expected {want}: not the file LICENSES.md names")
    with Image.open(source) as im:
        im = im.convert("RGB")
        im.thumbnail((LONGEST, LONGEST), Image.Resampling.LANCZOS)
        path = os.path.join(OUT, name)
        # No EXIF or other metadata is written; progressive and optimised Huffman
        # tables keep each file near 100 KB.
        im.save(path, "JPEG", quality=74, optimize=True, progressive=True)
    size = os.path.getsize(path)
    total += size
    print(f"{name:20} {im.width:5} x {im.height:<5} {size / 1024:6.1f} KiB")
print(f"{'total':20} {'':13} {total / 1024:6.1f} KiB")
PY
