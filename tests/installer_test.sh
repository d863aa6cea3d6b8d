#!/usr/bin/env bash
# Packages the build with CPack (DEB and TGZ), unpacks the .deb with dpkg-deb -x into a
# temporary directory, and runs the unpacked binaries.
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$build"
cpack -G DEB -B "$work/pkg" > "$work/cpack-deb.log" || { cat "$work/cpack-deb.log"; exit 1; }
cpack -G TGZ -B "$work/pkg" > "$work/cpack-tgz.log" || { cat "$work/cpack-tgz.log"; exit 1; }
deb="$(ls "$work"/pkg/*.deb)"
tgz="$(ls "$work"/pkg/*.tar.gz)"

dpkg-deb -x "$deb" "$work/root"
depends="$(dpkg-deb -f "$deb" Depends)"
for dep in libtorch1.13 libopenblas0-pthread libqt6widgets6 libqcustomplot2.1-qt6; do
    grep -q "$dep" <<< "$depends" || { echo "Depends lacks $dep: $depends"; exit 1; }
done
for file in usr/bin/prunelab usr/bin/prunelab-cli usr/share/applications/prunelab.desktop \
            usr/share/icons/hicolor/scalable/apps/prunelab.svg; do
    test -f "$work/root/$file" || { echo "package lacks $file"; exit 1; }
done

version="$("$work/root/usr/bin/prunelab-cli" --version)"
echo "$version"
grep -q "^prunelab-cli [0-9]" <<< "$version"
info="$("$work/root/usr/bin/prunelab-cli" info convnet)"
echo "$info"
grep -q "conv2 .*Conv2d" <<< "$info"
grep -q "21,840" <<< "$info"

tar -tzf "$tgz" | grep -q "bin/prunelab-cli$" || { echo "TGZ lacks bin/prunelab-cli"; exit 1; }
echo "installer test passed: $(basename "$deb"), $(basename "$tgz")"
