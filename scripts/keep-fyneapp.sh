#!/usr/bin/env bash
# Runs a command (fyne package) and puts FyneApp.toml back as it was: fyne package --release
# rewrites the file and bumps its Build number, which is the project's to decide, in a commit.
set -uo pipefail
kept=$(mktemp)
cp FyneApp.toml "$kept"
"$@"
status=$?
cp "$kept" FyneApp.toml
rm -f "$kept"
exit $status
