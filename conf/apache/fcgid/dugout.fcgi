#!/bin/sh
# dugout.fcgi -- mod_fcgid runs this for /socket.io/ (see .htaccess).
#
# Put it next to .htaccess in the web directory, executable (chmod 755), not
# writable by group or others (suexec refuses it otherwise).  Set the two
# paths below: the dugout-fcgi binary and its dugout.conf, both outside the
# web directory.  mod_fcgid starts this with the FastCGI socket on fd 0 and
# an almost empty environment; whatever dugout-fcgi needs from the
# environment is set here, since FcgidInitialEnv is not allowed in
# .htaccess.
#
# --single: mod_fcgid sends each process one request at a time, and starts
# another process when all are busy; a held poll waits inside its process.

DUGOUT_FCGI=/home/USER/dugout/bin/dugout-fcgi
DUGOUT_CONFIG=/home/USER/dugout/dugout.conf
export DUGOUT_CONFIG

exec "$DUGOUT_FCGI" --single --config "$DUGOUT_CONFIG"
