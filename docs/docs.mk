# docs/docs.mk - the manual page and the files a release tarball should carry
# for people building it (included by Makefile.am).
dist_man_MANS += docs/mxaudit.1
EXTRA_DIST += docs/HACKING.md scripts/install-deps.sh scripts/debian-packages.txt
