#!/bin/bash
# man-finding-ids.sh - every finding id the checks emit is listed in the
# man page's FINDING IDS section (CONVENTIONS.md: "the full list lives in the
# man page") with a meaning and its usual status in brackets, every check has
# its own section (.SS NAME), and every listed id still exists in the sources.
# A missing id fails: there is no TODO.
. "$top_srcdir/tests/lib/testlib.sh"

man="$top_srcdir/docs/mxaudit.1"
[ -r "$man" ] || skip_all "no docs/mxaudit.1"

timeout 30 "$PYTHON" - "$top_srcdir" "$man" <<'EOF'
import glob, os, re, sys

top, man = sys.argv[1], sys.argv[2]
checks = ["spf", "dkim", "dmarc", "ptr", "mx", "tls", "blocklists"]
idre = re.compile(r'"((?:%s)\.[a-z0-9]+(?:-[a-z0-9]+)*)"' % "|".join(checks))

# Ids passed literally to check_add_finding() (the call may span lines), and
# id-shaped literals elsewhere (tables of ids handed to it through a variable).
emitted, candidates = {}, {}
for path in sorted(glob.glob(os.path.join(top, "checks", "*.c"))):
    src = open(path, encoding="utf-8", errors="replace").read()
    # Drop comments so examples in them do not count.
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    for m in re.finditer(r"check_add_finding\s*\((.*?)\)\s*;", src, flags=re.S):
        for i in idre.findall(m.group(1)):
            emitted.setdefault(i, os.path.basename(path))
    for i in idre.findall(src):
        if not re.search(r"\.(h|c|conf|txt|zone)$", i):
            candidates.setdefault(i, os.path.basename(path))

text = open(man, encoding="utf-8").read()
sect = text.split(".SH FINDING IDS", 1)
if len(sect) < 2:
    print("1..1\nnot ok 1 - the man page has a FINDING IDS section")
    sys.exit(0)
body = re.split(r"^\.SH ", sect[1], maxsplit=1, flags=re.M)[0]
sections = set(re.findall(r"^\.SS (\S+)", body, flags=re.M))
# Each entry: ".TP", ".B id", then its text up to the next macro that ends it.
entries = {}
lines = body.split("\n")
for k, line in enumerate(lines):
    m = re.match(r"^\.B ([a-z]+\.[a-z0-9-]+)\s*$", line)
    # A ".B id" not after ".TP" is a mention in running text, not an entry.
    if not m or k == 0 or lines[k - 1] != ".TP":
        continue
    desc = []
    for nxt in lines[k + 1:]:
        if re.match(r"^\.(TP|PP|SS|SH)\b", nxt):
            break
        desc.append(nxt)
    entries[m.group(1)] = " ".join(desc)
listed = set(entries)
status_re = re.compile(r"\[(pass|warn|fail|error|skip)\b")

n = 0
def tap(ok, name):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))

for c in checks:
    tap(c in sections, "the man page has a '.SS %s' section" % c)
    ids = sorted(i for i in set(emitted) | set(candidates) if i.startswith(c + "."))
    for i in ids:
        where = emitted.get(i) or candidates.get(i)
        tap(i in listed, "%s (%s) is in the man page" % (i, where))
for i in sorted(listed):
    tap(i in emitted or i in candidates, "listed id %s still exists in checks/" % i)
    desc = entries[i]
    tap(status_re.search(desc) is not None and len(status_re.sub("", desc).strip(" ]")) > 3,
        "%s has a [status] and a meaning" % i)
tap(len(emitted) > 0, "found finding ids in the sources (%d)" % len(emitted))
print("1..%d" % n)
EOF
