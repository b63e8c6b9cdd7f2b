#!/bin/sh
# tests/install.sh -- `make install DESTDIR=...` from this build (make
# check runs it in the build directory):
#   - installs exactly the expected files: the two programs, every
#     migration of sql/ and every file of www/ (a file forgotten in
#     Makefile.am fails here), socket.io-client's build when the source
#     tree has one, the configuration, the three man pages;
#   - each man page passes `mandoc -Tlint -W warning` and renders with
#     `man -l` without a warning (skipped when mandoc / man are missing);
#   - the installed dugoutctl finds the installed migrations and page;
#   - `make uninstall DESTDIR=...` leaves no file behind.
set -eu

srcdir=${top_srcdir:-.}
srcdir=$(cd "$srcdir" && pwd)
builddir=$(pwd)
dest=$(mktemp -d "${TMPDIR:-/tmp}/dugout-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Our make, without the jobserver of the make check that runs us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

# The installation directories as this build's Makefile has them.
eval "$(mk -s -f "$builddir/Makefile" -f - dugout-print-dirs <<'EOF'
dugout-print-dirs:
	@echo "bindir='$(bindir)' sbindir='$(sbindir)' mandir='$(mandir)'"
	@echo "pkgdatadir='$(pkgdatadir)' sysconfdir='$(sysconfdir)'"
EOF
)"

mk -s install DESTDIR="$dest" >"$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; fail "make install"; }
rm -f "$dest.log"

# ------------------------------------------------------------ the file list
{
	echo "$bindir/dugoutctl"
	echo "$sbindir/dugout-fcgi"
	echo "$mandir/man1/dugoutctl.1"
	echo "$mandir/man5/dugout.conf.5"
	echo "$mandir/man8/dugout-fcgi.8"
	echo "$sysconfdir/dugout/dugout.conf"
	for f in "$srcdir"/sql/[0-9]*.sql; do
		echo "$pkgdatadir/sql/${f##*/}"
	done
	(cd "$srcdir/www" && find . -type f ! -path './vendor/*') |
	    sed "s|^\./|$pkgdatadir/www/|"
	if [ -f "$srcdir/www/vendor/socket.io.min.js" ] ||
	    [ -f "$srcdir/node_modules/socket.io-client/dist/socket.io.min.js" ]; then
		echo "$pkgdatadir/www/vendor/socket.io.min.js"
	fi
} | LC_ALL=C sort >"$dest/.want"
(cd "$dest" && find . -type f ! -name '.want' ! -name '.got') |
    sed 's|^\.||' | LC_ALL=C sort >"$dest/.got"
if ! diff -u "$dest/.want" "$dest/.got"; then
	fail "installed files differ from the expected list (- expected, + installed)"
fi
[ -x "$dest$bindir/dugoutctl" ] && [ -x "$dest$sbindir/dugout-fcgi" ] ||
    fail "the programs are not executable"
cmp -s "$srcdir/conf/dugout.conf" "$dest$sysconfdir/dugout/dugout.conf" ||
    fail "the installed dugout.conf is not the sample"
echo "ok: $(wc -l <"$dest/.got") files installed as expected"

# ------------------------------------------------------------ man pages
for page in "$dest$mandir"/man1/dugoutctl.1 "$dest$mandir"/man5/dugout.conf.5 \
    "$dest$mandir"/man8/dugout-fcgi.8; do
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -W warning "$page" || fail "mandoc -Tlint: $page"
	else
		echo "skip: mandoc -Tlint (no mandoc: apt-get install mandoc)"
	fi
	if command -v man >/dev/null 2>&1; then
		out=$(MANWIDTH=80 man --warnings=w -l "$page" 2>&1 >/dev/null) ||
		    fail "man -l $page"
		[ -z "$out" ] || fail "man -l $page: $out"
		MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q 'SEE ALSO' ||
		    fail "man -l $page renders no SEE ALSO"
	else
		echo "skip: man -l (no man: apt-get install man-db)"
	fi
done
echo "ok: man pages lint clean and render"

# ------------------------------------------------------------ the programs
# No configuration and no database here: check still says what it found.
out=$(env -i PATH="$PATH" DUGOUT_CONFIG= "$dest$bindir/dugoutctl" check \
    --sql-dir "$dest$pkgdatadir/sql" --www-dir "$dest$pkgdatadir/www") && rc=0 || rc=$?
echo "$out"
[ "$rc" = 1 ] || fail "dugoutctl check without a configuration exits $rc, not 1"
echo "$out" | grep -q "^ok: sql dir $dest$pkgdatadir/sql (" ||
    fail "dugoutctl check does not find the installed migrations"
if [ -f "$dest$pkgdatadir/www/vendor/socket.io.min.js" ]; then
	echo "$out" | grep -q "^ok: www dir " || fail "check: the installed page"
else
	echo "$out" | grep -q "^problem: www dir .*socket.io.min.js" ||
	    fail "check does not report the missing socket.io-client build"
fi
echo "$out" | grep -q "^problem: configuration: database is not set" ||
    fail "check does not report the missing database setting"

# ------------------------------------------------------------ uninstall
mk -s uninstall DESTDIR="$dest" >/dev/null 2>&1 || fail "make uninstall"
left=$(cd "$dest" && find . -type f ! -name '.want' ! -name '.got')
[ -z "$left" ] || fail "make uninstall left: $left"
echo "ok: make uninstall removes every file"
