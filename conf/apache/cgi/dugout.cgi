#!/bin/sh
# dugout.cgi -- Apache runs this for /socket.io/ as a CGI program (see
# .htaccess): one process per request.
#
# Put it next to .htaccess in the web directory, executable (chmod 755), not
# writable by group or others (suexec refuses it otherwise).  Set the two
# paths below: the dugout-fcgi binary and its dugout.conf, both outside the
# web directory.  dugout-fcgi sees no FastCGI socket on fd 0 and runs as
# plain CGI: it answers the one request (a poll waits inline) and exits.

DUGOUT_FCGI=/home/USER/dugout/bin/dugout-fcgi
DUGOUT_CONFIG=/home/USER/dugout/dugout.conf
export DUGOUT_CONFIG

exec "$DUGOUT_FCGI" --config "$DUGOUT_CONFIG"
