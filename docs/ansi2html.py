#!/usr/bin/env python3
"""ansi2html.py - turn `tmux capture-pane -e -p` output into a static HTML page.

    ansi2html.py COLS ROWS < screen.ansi > screen.html

Understands the SGR sequences tmux emits: reset, bold, dim, italic,
underline, reverse, the 8/16 colours, 256-colour and true-colour forms.
Used by docs/screenshots.sh; the page is sized to exactly COLS x ROWS cells.
"""
import html
import re
import sys

BASE16 = [
    "#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
    "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
]
DEFAULT_FG, DEFAULT_BG = "#d0d0d0", "#1c1c1c"


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


class State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def apply(self, params):
        p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
        i = 0
        while i < len(p):
            c = p[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(p):
                if p[i + 1] == 5 and i + 2 < len(p):
                    col = color256(p[i + 2])
                    i += 2
                elif p[i + 1] == 2 and i + 4 < len(p):
                    col = "#%02x%02x%02x" % tuple(p[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                if c == 38:
                    self.fg = col
                else:
                    self.bg = col
            i += 1

    def style(self):
        fg, bg = self.fg or DEFAULT_FG, self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        s = ["color:" + fg, "background:" + bg]
        if self.bold:
            s.append("font-weight:bold")
        if self.dim:
            s.append("opacity:0.7")
        if self.italic:
            s.append("font-style:italic")
        if self.underline:
            s.append("text-decoration:underline")
        return ";".join(s)


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def convert(lines, cols, rows):
    st = State()
    out = []
    for line in lines[:rows]:
        spans, pos, width = [], 0, 0
        for m in SGR.finditer(line):
            text = line[pos:m.start()]
            if text:
                spans.append('<span style="%s">%s</span>' % (st.style(), html.escape(text)))
                width += len(text)
            st.apply(m.group(1))
            pos = m.end()
        text = line[pos:]
        if text:
            spans.append('<span style="%s">%s</span>' % (st.style(), html.escape(text)))
            width += len(text)
        if width < cols:  # tmux drops trailing blanks: pad in the current colours
            spans.append('<span style="%s">%s</span>' % (st.style(), " " * (cols - width)))
        out.append('<div class="l">%s</div>' % "".join(spans))
    return out


def main():
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    lines = sys.stdin.read().split("\n")
    body = "".join(convert(lines, cols, rows))  # no newlines: <pre> would show them
    print("""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mxaudit</title><style>
html, body { margin: 0; background: %s; }
pre { margin: 0; padding: 12px; font: 15px/18px "DejaVu Sans Mono", monospace; color: %s; }
.l { height: 18px; white-space: pre; overflow: hidden; }
</style></head><body><pre>%s</pre></body></html>""" % (DEFAULT_BG, DEFAULT_FG, body))


if __name__ == "__main__":
    main()
