#!/usr/bin/env bash
# Refresh the console's charting library (uPlot) in emulator/console/static/vendor from the
# npm registry, at the version emulator/console/package.json pins. The files are committed:
# the console works offline and never loads a script from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(python3 -c 'import json; print(json.load(open("emulator/console/package.json"))["dependencies"]["uplot"])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
dest=emulator/console/static/vendor/uplot
mkdir -p "$dest"
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$dest/"
echo "uPlot $version -> $dest"
