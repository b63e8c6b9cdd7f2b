#!/bin/sh
# tests/valgrind.sh -- run every unit test under valgrind (memcheck) and
# fail on any error or definite leak.
#
#   tests/valgrind.sh BUILDDIR
#
# BUILDDIR must be a build WITHOUT sanitizers (ASan and valgrind do not
# mix) in which `make check` has built the unit tests.  Check runs each
# test in a child process by default; CK_FORK=no keeps them in the process
# valgrind watches.  One line per test program sums up.
set -eu

B=${1:?usage: tests/valgrind.sh BUILDDIR}
command -v valgrind >/dev/null 2>&1 || {
	echo "valgrind: not installed (Debian: valgrind)" >&2
	exit 1
}
status=0
for t in "$B"/tests/unit/check_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case $t in *.o|*.log|*.trs) continue ;; esac
	log=$t.valgrind.log
	if CK_FORK=no CK_DEFAULT_TIMEOUT=600 top_srcdir=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)} \
	    valgrind --quiet --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    --log-file="$log" "$t" >"$t.valgrind.out" 2>&1; then
		printf 'valgrind %-22s ok: 0 errors, 0 definite leaks (%s)\n' \
		    "$(basename "$t")" "$(tail -n 1 "$t.valgrind.out")"
	else
		echo "valgrind $(basename "$t") FAILED:" >&2
		cat "$log" "$t.valgrind.out" | head -n 80 >&2
		status=1
	fi
done
exit $status
