#!/bin/bash
# docs/screenshots.sh - render the demo's screens to PNG for the README.
#
#   docs/screenshots.sh [MXAUDIT_BINARY] [OUTPUT_DIR]
#
# Runs `mxaudit --demo` in a private tmux server, drives it to each screen,
# captures the pane with its colours (capture-pane -e), turns the escape
# sequences into HTML and lets headless Chromium photograph the page.
# Needs tmux, python3, chromium and a monospace font (Debian: tmux python3
# chromium fonts-dejavu-core).  Writes dashboard.png, detail.png,
# walkthrough.png, high-contrast.png.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=${1:-./mxaudit}
out=${2:-$src/docs/screenshots}
cols=${COLS:-110}
rows=${ROWS:-32}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -x "$bin" ] || { echo "screenshots: no mxaudit at $bin (give the built binary)" >&2; exit 1; }
[ -n "$chromium" ] || { echo "screenshots: chromium not found (apt-get install chromium)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$out"
out=$(cd "$out" && pwd)

tmp=$(mktemp -d)
sock="shots$$"
export TMUX_TMPDIR="$tmp"
unset TMUX NO_COLOR
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# The source tree's data and themes (relative, so the pictures show
# "data/demo-blocklists.conf" and not this machine's paths), a private history.
cd "$src"
export MXAUDIT_DATADIR=data MXAUDIT_THEMEDIR=themes
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"

start() { # start THEME
	tmux -L "$sock" kill-server 2>/dev/null || true
	LC_ALL=C.UTF-8 tmux -L "$sock" -u -f /dev/null start-server \; set -g default-terminal xterm-256color \; \
		set -g status off \; new-session -d -s shot -x "$cols" -y "$rows" \
		env TERM=xterm-256color LC_ALL=C.UTF-8 MXAUDIT_NO_MOUSE=1 "$bin" --demo --theme "$1"
	tmux -L "$sock" set -t shot window-size manual >/dev/null
	wait_for 'done'
}
keys() { tmux -L "$sock" send-keys -t shot "$@"; sleep 0.4; }
wait_for() { # wait until the screen shows REGEX (the demo finishes in seconds)
	for _ in $(seq 100); do
		tmux -L "$sock" capture-pane -p -t shot | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshots: '$1' never appeared" >&2
	return 1
}
shot() { # shot NAME: capture with escapes, render HTML, photograph it
	local name=$1
	tmux -L "$sock" capture-pane -e -p -t shot >"$tmp/$name.ansi"
	python3 "$here/ansi2html.py" "$cols" "$rows" <"$tmp/$name.ansi" >"$tmp/$name.html"
	# 0.6 em per column and 1.2 em per row at 15 px, plus the padding
	local w h
	w=$(awk -v c="$cols" 'BEGIN { printf "%d", c * 15 * 0.6021 + 24 }')
	h=$(awk -v r="$rows" 'BEGIN { printf "%d", r * 18 + 24 }')
	"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
		--window-size="$w,$h" --screenshot="$out/$name.png" "file://$tmp/$name.html" >/dev/null 2>&1
	echo "wrote $out/$name.png"
}

start default
shot dashboard
keys 2 Enter
shot detail
keys Escape s
shot walkthrough
keys Escape
start high-contrast
shot high-contrast
