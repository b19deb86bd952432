#!/usr/bin/env bash
# Builds the Debian package of the workbench from a release binary, with dpkg-deb: the binary in
# /usr/bin, the .desktop entry, the icon in the hicolor sizes, and the runtime GL/X11/Wayland
# libraries declared as dependencies.
#   scripts/package-deb.sh BINARY OUTDIR
set -euo pipefail

binary=$1
out=$2
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
id=$(sed -n 's/^ *ID *= *"\(.*\)"/\1/p' FyneApp.toml)
arch=$(dpkg --print-architecture)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

install -D -m 0755 "$binary" "$root/usr/bin/coap-workbench"
for size in 16 24 32 48 64 128 256 512; do
  dir="$root/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  convert assets/icon.png -resize "${size}x${size}" "$dir/$id.png"
done
install -D -m 0644 assets/icon.svg "$root/usr/share/icons/hicolor/scalable/apps/$id.svg"
install -d "$root/usr/share/applications"
cat > "$root/usr/share/applications/$id.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=CoAP Workbench
GenericName=CoAP device workbench
Comment=Explore, observe and diagnose Starfish CoAP device meshes
Exec=coap-workbench
Icon=$id
Terminal=false
Categories=Development;Network;
Keywords=coap;iot;starfish;gateway;nic;
DESKTOP
install -d "$root/DEBIAN"
size=$(du -sk "$root/usr" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: coap-workbench
Version: $version-$build
Architecture: $arch
Maintainer: CoAP Workbench <coap-workbench@users.noreply.github.com>
Installed-Size: $size
Depends: libc6, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1, libwayland-client0, libwayland-cursor0, libwayland-egl1, libxkbcommon0
Recommends: libcoap3-bin
Section: net
Priority: optional
Homepage: https://github.com/coap-workbench/coap-workbench
Description: desktop workbench for Starfish CoAP device meshes
 A resource tree of a whole mesh behind a CoAP gateway, a request composer with
 every knob of coap-client, live Observe charts, a request history, a NIC
 diagnosis for support staff, and an embedded gateway-lite with a simulated mesh.
CONTROL
mkdir -p "$out"
deb="$out/coap-workbench_${version}-${build}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
