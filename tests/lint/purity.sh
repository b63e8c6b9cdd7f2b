#!/bin/sh
# purity.sh -- style.md R12: pure modules include no I/O headers, and only
# db.c and notify.c include libpq, only front.c libfcgi.
top=${top_srcdir:-.}
cd "$top" || exit 1
rc=0
pure="src/eio.c src/sio.c src/http.c src/valid.c src/buf.c src/err.c src/game.c src/game_json.c src/metrics.c src/authz.c src/memo.c"
if grep -nE '#include [<"](fcgiapp|libpq-fe|unistd|time|sys/socket|poll|db|notify|park|front|service|emit|log)\.h[>"]' $pure; then
	echo "purity: a pure module includes an I/O header" >&2
	rc=1
fi
if grep -ln '#include.*libpq-fe\.h' src/*.c src/*.h | grep -vE '^src/(db|notify)\.c$'; then
	echo "purity: libpq outside db.c / notify.c" >&2
	rc=1
fi
if grep -ln '#include.*fcgiapp\.h' src/*.c src/*.h | grep -v '^src/front\.c$'; then
	echo "purity: libfcgi outside front.c" >&2
	rc=1
fi
# SQL statements live in query.c (migrate.c holds only the bootstrap DDL).
if grep -nE '"(SELECT|INSERT|UPDATE|DELETE) ' src/*.c | grep -v '^src/query\.c:'; then
	echo "purity: SQL outside query.c" >&2
	rc=1
fi
[ $rc -eq 0 ] && echo "purity: ok"
exit $rc
