#!/bin/sh
# tests/fuzz/run.sh -- build the libFuzzer targets with clang and run each
# for a bounded time on its seed corpus.
#
#   run.sh [SECONDS]     (default 60 per target; `make fuzz` passes
#                         FUZZ_SECONDS, tools/test-all a few seconds)
#
# Environment: SRCDIR (the source tree; default: two levels up from here),
# BUILDDIR (holds config.h; default SRCDIR), FUZZ_OUT (work directory:
# binaries, the grown corpus, crash artifacts; default BUILDDIR/fuzz-out),
# CLANG (default clang), FUZZ_TARGETS (default: all four).
#
# The committed seeds in tests/fuzz/corpus/TARGET/ are read only; what a run
# adds goes to FUZZ_OUT/corpus/TARGET/.  A crash, leak or sanitizer report
# stops the run with the input saved as FUZZ_OUT/crash-TARGET-*; make it a
# unit test, fix it, and add the input to the seeds.
# One line per target sums up: executions, coverage (edges), corpus size.
set -eu

SECONDS_PER=${1:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$HERE/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
FUZZ_OUT=${FUZZ_OUT:-$BUILDDIR/fuzz-out}
CLANG=${CLANG:-clang}
TARGETS=${FUZZ_TARGETS:-eio sio valid conf}

command -v "$CLANG" >/dev/null 2>&1 || {
	echo "fuzz: $CLANG not found (Debian: clang libclang-rt-14-dev)" >&2
	exit 1
}
[ -f "$BUILDDIR/config.h" ] || {
	echo "fuzz: no config.h in $BUILDDIR: run configure first" >&2
	exit 1
}
mkdir -p "$FUZZ_OUT"

# what each target links besides itself
sources() {
	case $1 in
	eio)	echo "buf.c eio.c" ;;
	sio)	echo "buf.c eio.c sio.c" ;;
	valid)	echo "buf.c eio.c sio.c valid.c game.c game_json.c" ;;
	conf)	echo "buf.c conf.c auth.c log.c err.c" ;;
	esac
}

CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-DSYSCONFDIR=\"/nonexistent\" -DPKGDATADIR=\"/nonexistent\"
	-I$BUILDDIR -I$SRCDIR/src $(pkg-config --cflags json-c libjwt libsodium)"
LIBS="$(pkg-config --libs json-c libjwt libsodium) -lpthread"

status=0
for t in $TARGETS; do
	srcs=""
	for s in $(sources "$t"); do srcs="$srcs $SRCDIR/src/$s"; done
	bin=$FUZZ_OUT/fuzz_$t
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS -o "$bin" "$HERE/fuzz_$t.c" $srcs $LIBS
	mkdir -p "$FUZZ_OUT/corpus/$t"
	log=$FUZZ_OUT/fuzz_$t.log
	if "$bin" -max_total_time="$SECONDS_PER" -max_len=4096 -timeout=10 \
	    -rss_limit_mb=1024 -print_final_stats=1 \
	    -artifact_prefix="$FUZZ_OUT/crash-$t-" \
	    "$FUZZ_OUT/corpus/$t" "$HERE/corpus/$t" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
		    sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		corp=$(find "$FUZZ_OUT/corpus/$t" "$HERE/corpus/$t" -type f | wc -l)
		printf 'fuzz %-5s ok: %s executions in %ss, %s edges covered, %s inputs in the corpus\n' \
		    "$t" "$execs" "$SECONDS_PER" "$cov" "$corp"
	else
		echo "fuzz $t FAILED: see $log" >&2
		grep -E -A30 'ERROR:|runtime error|deadly signal' "$log" | head -n 60 >&2
		status=1
	fi
done
exit $status
