#!/usr/bin/python3
"""bench/compare.py -- the body of bench/compare (run that: it installs
the Debian packages first).  dugout against the reference servers on the
same points, in one go:

  dugout   lighttpd + dugout-fcgi + PostgreSQL, a release build (_bench/),
           started by tools/devstack start DIR PORT --bench --external;
           the rooms are games made by dugoutctl bench-setup, the clients
           authenticate with JWTs signed with the stack's secret
  node     bench/reference/server.mjs: socket.io 4.8.4 (npm ci)
  python   bench/reference/server.py: Debian's python3-socketio on aiohttp

For every point (clients, events/s, room size) and every server, in that
order: a fresh server (the dugout front end is restarted, its PostgreSQL
kept), then one bench/dugout-load run: N polling clients in rooms of R,
one actor per room emitting `bench` at E/s in all, every `bench_echo`
timed; the server's CPU and peak memory sampled from /proc (dugout:
lighttpd, dugout-fcgi and PostgreSQL with their children; a reference:
its one process).  Each run's JSON line, with the server, the point, the
machine and the commit added, is appended to the results file; the table
and the ratios (dugout / reference) are printed at the end.

Points: 'scaling' is 100, 1,000, 3,000 and 10,000 clients at 200 events/s
in rooms of 10; 'rates' is 1,000 clients at 200, 500, 1,000, 2,000, 3,000
and 5,000 events/s (the highest with p99 <= 1 s and no loss is reported;
a server's higher rates are skipped after its first failing one);
'idle' is 100, 1,000 and 3,000 clients with no events (what a parked
poll costs: the memory per client between the first and the last).  The
default is scaling,rates,idle.  --points also takes CLIENTSxRATE or
CLIENTSxRATE@ROOMSIZE items, comma-separated.

After its points, dugout also gets bench/rolls.mjs: --rolls (100)
roll_dice and strikeout rounds of a demo game with nothing else running,
the ack and the room's dice_rolled timed (the reference servers have no
game to roll in).

Exit status: 1 when a run gave no result; with --check (implied by
--quick) also when a run lost, duplicated or failed to connect anything.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVSTACK = os.path.join(REPO, 'tools', 'devstack')
REFDIR = os.path.join(REPO, 'bench', 'reference')
SOCKETIO_VERSION = '4.8.4'

SETS = {
    'scaling': [(100, 200, 10), (1000, 200, 10), (3000, 200, 10),
                (10000, 200, 10)],
    'rates': [(1000, r, 10) for r in (200, 500, 1000, 2000, 3000, 5000)],
    'idle': [(100, 0, 10), (1000, 0, 10), (3000, 0, 10)],
    'quick': [(40, 20, 10)],
}
SERVERS = ('dugout', 'node', 'python')
P99_LIMIT_MS = 1000.0
QUIET_PCT = 15.0        # busier than this before a run: say so
OTHER_CPU_S = 3.0       # more CPU than this to other programs in a run


def say(msg):
    sys.stderr.write('compare: %s\n' % msg)
    sys.stderr.flush()


def die(msg):
    say('error: ' + msg)
    sys.exit(1)


# ------------------------------------------------------------------ points

def parse_points(spec, quick):
    """[{clients, rate, room_size, series: [..]}] in order, deduplicated."""
    if spec is None:
        spec = 'quick' if quick else 'default'
    out, index = [], {}
    for item in [s.strip() for s in spec.split(',') if s.strip()]:
        if item == 'default':
            items = [(n, p) for n in ('scaling', 'rates', 'idle')
                     for p in SETS[n]]
        elif item in SETS:
            items = [(item, p) for p in SETS[item]]
        else:
            m = re.match(r'^(\d+)x(\d+(?:\.\d+)?)(?:@(\d+))?$', item)
            if not m:
                die('--points: %r is not scaling, rates, idle, quick or '
                    'CLIENTSxRATE[@ROOMSIZE]' % item)
            p = (int(m.group(1)), float(m.group(2)), int(m.group(3) or 10))
            if p[0] < 1 or p[2] < 1:
                die('--points: %r: clients and room size start at 1' % item)
            items = [('custom', p)]
        for series, p in items:
            key = (p[0], float(p[1]), p[2])
            if key not in index:
                index[key] = {'clients': p[0], 'rate': float(p[1]),
                              'room_size': p[2], 'series': []}
                out.append(index[key])
            if series not in index[key]['series']:
                index[key]['series'].append(series)
    # a point belongs to every named set that has it, however it was asked
    for p in out:
        key = (p['clients'], int(p['rate']) if p['rate'] == int(p['rate'])
               else p['rate'], p['room_size'])
        named = [n for n in ('scaling', 'rates', 'idle', 'quick')
                 if key in SETS[n]]
        p['series'] = named or ['custom']
    return out


def point_name(p):
    r = p['rate']
    return '%dx%s@%d' % (p['clients'], int(r) if r == int(r) else r,
                         p['room_size'])


# ------------------------------------------------------------------ helpers

def run(cmd, log, **kw):
    """Run cmd with stdout and stderr appended to the log file; raise on
    failure after printing the log's tail."""
    with open(log, 'a') as f:
        f.write('\n$ %s\n' % ' '.join(cmd))
        f.flush()
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, **kw)
    if rc != 0:
        tail(log)
        die('%s failed (exit %d); log: %s' % (' '.join(cmd[:3]), rc, log))


def tail(path, n=40):
    try:
        with open(path, errors='replace') as f:
            lines = f.readlines()[-n:]
        sys.stderr.write(''.join('  | ' + l for l in lines))
    except OSError:
        pass


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True,
                              text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ''


def machine():
    cpu = sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1")
    mem = sh("awk '/^MemTotal:/ {printf \"%.1f\", $2 / 1048576}' "
             "/proc/meminfo")
    return {
        'host': platform.node(),
        'cpu': cpu,
        'cpus': os.cpu_count(),
        'mem_gib': float(mem) if mem else None,
        'kernel': platform.release(),
        'debian': sh('cat /etc/debian_version'),
        'node': sh('node --version'),
        'lighttpd': sh("lighttpd -v 2>&1 | sed -n 's/^lighttpd\\/\\([^ ]*\\).*/\\1/p'"),
        'postgresql': sh("ls -d /usr/lib/postgresql/*/bin 2>/dev/null | "
                         "sort -V | tail -n 1 | sed 's|.*/postgresql/\\([^/]*\\)/bin|\\1|'"),
        'python_socketio': sh("dpkg-query -W -f='${Version}' "
                              "python3-socketio 2>/dev/null"),
    }


def srcdir(build_dir):
    """The source tree a configured build compiles (its Makefile's
    abs_top_srcdir), else the repository."""
    try:
        with open(os.path.join(build_dir, 'Makefile')) as f:
            for line in f:
                m = re.match(r'^abs_top_srcdir = (.+)$', line.rstrip('\n'))
                if m:
                    return m.group(1)
    except OSError:
        pass
    return REPO


def commit(src):
    """The commit of the source tree built, -dirty with changes to
    tracked files."""
    rev = sh("git -C '%s' rev-parse --short HEAD 2>/dev/null" % src)
    dirty = sh("git -C '%s' status --porcelain --untracked-files=no "
               "2>/dev/null" % src)
    return rev + ('-dirty' if rev and dirty else '')


# ------------------------------------------------------------------ setup

def build(build_dir, log):
    """Configure (first time) and make a build without sanitizers; the
    tools/devstack rules for out-of-tree builds."""
    if not os.path.exists(os.path.join(build_dir, 'Makefile')):
        if os.path.exists(os.path.join(REPO, 'config.status')):
            die('the source tree is configured in place; run "make '
                'distclean" in %s first' % REPO)
        if not os.access(os.path.join(REPO, 'configure'), os.X_OK):
            say('autoreconf -fi')
            run(['autoreconf', '-fi'], log, cwd=REPO)
        os.makedirs(build_dir, exist_ok=True)
        say('configuring a release build in %s (-O2, no sanitizers)'
            % build_dir)
        run([os.path.join(REPO, 'configure'), '-q'], log, cwd=build_dir)
    say('make -C %s' % build_dir)
    run(['make', '-C', build_dir, '-j2'], log)
    for p in ('src/dugout-fcgi', 'src/dugoutctl', 'bench/dugout-load'):
        if not os.access(os.path.join(build_dir, p), os.X_OK):
            die('the build in %s has no %s' % (build_dir, p))


def npm_ci(log):
    pkg = os.path.join(REFDIR, 'node_modules', 'socket.io', 'package.json')
    try:
        with open(pkg) as f:
            if json.load(f).get('version') == SOCKETIO_VERSION:
                return
    except (OSError, ValueError):
        pass
    say('npm ci in bench/reference (socket.io %s)' % SOCKETIO_VERSION)
    run(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], log,
        cwd=REFDIR)


def npm_ci_top(log):
    """socket.io-client for bench/rolls.mjs: the repository's own
    node_modules, as the tests have it."""
    if os.path.exists(os.path.join(REPO, 'node_modules', 'socket.io-client',
                                   'package.json')):
        return
    say('npm ci (socket.io-client for bench/rolls.mjs)')
    run(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], log,
        cwd=REPO)


def python_ok():
    return subprocess.call(['/usr/bin/python3', '-c',
                            'import socketio, aiohttp'],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


# ------------------------------------------------------------------ servers

class Dugout:
    name = 'dugout'

    def __init__(self, args, build_dir, log):
        self.args, self.build_dir, self.log = args, build_dir, log
        self.dir = tempfile.mkdtemp(prefix='dugout-bench-', dir='/tmp')
        os.chmod(self.dir, 0o755)
        self.kv = {}
        self.port = None

    def start(self):
        env = dict(os.environ, DUGOUT_BUILD_DIR=self.build_dir)
        for attempt in range(3):
            self.port = free_port()
            cmd = [DEVSTACK, 'start', self.dir, str(self.port), '--bench',
                   '--external', '--procs', str(self.args.procs)]
            with open(self.log, 'a') as f:
                f.write('\n$ %s\n' % ' '.join(cmd))
                f.flush()
                r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=f,
                                   text=True, env=env, timeout=600)
            if r.returncode == 0:
                break
        if r.returncode != 0:
            tail(self.log)
            die('tools/devstack start failed; log: %s' % self.log)
        self.kv = dict(l.split('=', 1) for l in r.stdout.splitlines()
                       if '=' in l)
        self.url = self.kv['URL']

    def roots(self):
        """lighttpd, the dugout-fcgi daemons and the postmaster."""
        pids = []
        for f in ['lighttpd.pid', os.path.join('pg', 'data', 'postmaster.pid')] + \
                [n for n in os.listdir(self.dir)
                 if n.startswith('dugout-fcgi-') and n.endswith('.pid')]:
            try:
                with open(os.path.join(self.dir, f)) as fh:
                    pids.append(int(fh.readline().strip()))
            except (OSError, ValueError):
                pass
        return pids

    def prepare(self, point):
        rooms = math.ceil(point['clients'] / point['room_size'])
        games = os.path.join(self.dir, 'games.txt')
        env = dict(os.environ, DUGOUT_CONFIG=self.kv['CONFIG'])
        with open(games, 'w') as out, open(self.log, 'a') as f:
            rc = subprocess.call([self.kv['DUGOUTCTL'], 'bench-setup',
                                  '--rooms', str(rooms)], stdout=out,
                                 stderr=f, env=env, timeout=120)
        if rc != 0:
            tail(self.log)
            die('dugoutctl bench-setup --rooms %d failed' % rooms)
        return ['--games', games,
                '--jwt-secret-file', os.path.join(self.dir, 'jwt_secret'),
                '--stack', self.dir]

    def sanitizer_reports(self):
        """Files of the stack with an ASan/UBSan report (sanitizer builds
        only ever write one)."""
        bad = []
        for root, _, files in os.walk(self.dir):
            for n in files:
                if not n.endswith('.log'):
                    continue
                try:
                    with open(os.path.join(root, n), errors='replace') as f:
                        text = f.read()
                except OSError:
                    continue
                if re.search(r'ERROR: AddressSanitizer|runtime error:|'
                             r'ERROR: LeakSanitizer', text):
                    bad.append(os.path.join(root, n))
        return bad

    def stop(self, final=False):
        if final:
            with open(self.log, 'a') as err:
                subprocess.call([DEVSTACK, 'stop', self.dir],
                                stdout=subprocess.DEVNULL, stderr=err,
                                timeout=300)
            if not self.args.keep:
                shutil.rmtree(self.dir, ignore_errors=True)
            else:
                say('kept the stack directory %s' % self.dir)


class Reference:
    """A reference server: one process, PORT= and PID= on its stdout."""

    def __init__(self, name, cmd, log):
        self.name, self.cmd, self.log = name, cmd, log
        self.proc = None
        self.tmpfiles = []

    def start(self):
        with open(self.log, 'a') as f:
            f.write('\n$ %s\n' % ' '.join(self.cmd))
        with open(self.log, 'a') as err:
            self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                         stderr=err, cwd=REFDIR,
                                         start_new_session=True)
        fd, got, deadline = self.proc.stdout.fileno(), b'', time.time() + 60
        kv = {}
        while 'PORT' not in kv or 'PID' not in kv:
            left = deadline - time.time()
            if left <= 0 or self.proc.poll() is not None:
                tail(self.log)
                die('%s did not start' % self.name)
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                got += chunk
                kv = dict(l.split('=', 1) for l in
                          got.decode(errors='replace').splitlines()
                          if '=' in l)
        self.port, self.pid = int(kv['PORT']), int(kv['PID'])
        self.url = 'http://127.0.0.1:%d' % self.port

    def roots(self):
        return [self.pid]

    def prepare(self, point):
        # room names like dugout's game ids (UUIDs): the same bytes on
        # the wire
        rooms = math.ceil(point['clients'] / point['room_size'])
        fd, games = tempfile.mkstemp(prefix='bench-rooms-', suffix='.txt')
        with os.fdopen(fd, 'w') as f:
            f.write(''.join('%s\n' % uuid.uuid4() for _ in range(rooms)))
        self.tmpfiles.append(games)
        return ['--games', games, '--server-pids', str(self.pid)]

    def stop(self, final=False):
        for f in self.tmpfiles:
            try:
                os.unlink(f)
            except OSError:
                pass
        self.tmpfiles = []
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ------------------------------------------------------------------ runs

def loadgen_procs(clients):
    return 1 if clients <= 5000 else 2


def cpu_times():
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + (v[4] if len(v) > 4 else 0)


def tree_cpu(roots):
    """utime + stime, in seconds, of the processes roots and all their
    descendants alive now."""
    procs = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                st = f.read()
        except OSError:
            continue
        f2 = st[st.rindex(')') + 2:].split()
        procs[int(d)] = (int(f2[1]), int(f2[11]) + int(f2[12]))
    want, total = set(r for r in roots if r in procs), 0
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _) in procs.items():
            if ppid in want and pid not in want:
                want.add(pid)
                changed = True
    for pid in want:
        total += procs[pid][1]
    return total / os.sysconf('SC_CLK_TCK')


def machine_busy(seconds=1.0):
    """Percent of all CPUs busy over the next seconds (None if
    /proc/stat is unreadable)."""
    try:
        t0, i0 = cpu_times()
        time.sleep(seconds)
        t1, i1 = cpu_times()
    except (OSError, ValueError, IndexError):
        return None
    return round(100.0 * (1 - (i1 - i0) / max(1, t1 - t0)), 1)


def quiet(args):
    """How busy the machine is before a run, our server idle: the server
    and the load generator share it, so anything else running skews the
    figures (--wait-quiet: wait for it to calm down first)."""
    busy = machine_busy()
    deadline = time.time() + args.wait_quiet
    while busy is not None and busy > QUIET_PCT and time.time() < deadline:
        say('the CPUs are %.0f%% busy: waiting (--wait-quiet)' % busy)
        time.sleep(5)
        busy = machine_busy(2)
    return busy


def ramp_timeout(clients):
    """Seconds every client has to connect and join: 30, or 1 s per 100
    clients past 3,000 (a handshake, a CONNECT and a join each)."""
    return max(30, clients // 100)


def run_point(server, point, args, loadgen, log, stamp):
    """One dugout-load run against a started server; its record."""
    label = '%s %s' % (server.name, point_name(point))
    cmd = [loadgen, '--url', server.url + '/socket.io/',
           '--clients', str(point['clients']),
           '--room-size', str(point['room_size']),
           '--rate', ('%g' % point['rate']),
           '--duration', ('%g' % args.duration),
           '--warmup', ('%g' % args.warmup),
           '--drain', ('%g' % args.drain),
           '--procs', str(loadgen_procs(point['clients'])),
           '--ramp-timeout', str(ramp_timeout(point['clients'])),
           '--label', label] + server.prepare(point)
    limit = ramp_timeout(point['clients']) + args.warmup + args.duration + \
        args.drain + 5 + 120
    busy_before = quiet(args)
    with open(log, 'a') as f:
        f.write('\n$ %s\n' % ' '.join(cmd))
        f.flush()
        c0, t0, s0 = cpu_times(), time.time(), tree_cpu(server.roots())
        # its own process group: on a timeout its workers go too
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=f,
                                text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=limit)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            rc = 'timeout after %d s' % limit
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        f.write(out or '')
        out = out or ''
        c1, t1, s1 = cpu_times(), time.time(), tree_cpu(server.roots())
    rec = None
    for line in reversed(out.splitlines()):
        if line.startswith('{'):
            try:
                rec = json.loads(line)
                break
            except ValueError:
                pass
    base = {'server': server.name, 'point': point_name(point),
            'series': point['series']}
    base.update(stamp)
    if rec is None:
        return dict(base, error='dugout-load gave no JSON (exit %s)' % rc,
                    clients=point['clients'], rate=point['rate'],
                    room_size=point['room_size'])
    # dugout-load's per-process breakdown is "server_procs" ("server" in
    # its first versions); "server" is ours: the server's name
    if isinstance(rec.get('server'), dict):
        rec.setdefault('server_procs', rec.pop('server'))
    rec.update(base)
    rec['machine_busy_pct_before'] = busy_before
    # CPU the whole machine spent during the whole run (ramp to close),
    # the server's and the load generator's in that time, and what is
    # left: anything else that ran (a few tenths of a second when
    # nothing did)
    hz = os.sysconf('SC_CLK_TCK')
    rec['run_s'] = round(t1 - t0, 1)
    rec['machine_cpu_s'] = round(((c1[0] - c0[0]) - (c1[1] - c0[1])) / hz, 2)
    rec['server_cpu_run_s'] = round(s1 - s0, 2)
    rec['other_cpu_s'] = round(rec['machine_cpu_s'] - (s1 - s0) -
                               (rec.get('loadgen_cpu_total_s') or 0), 2)
    if rc != 0:
        rec['loadgen_exit'] = rc
    return rec


def run_rolls(server, args, log, stamp):
    """bench/rolls.mjs against the dugout stack: unloaded roll_dice."""
    cmd = ['node', os.path.join(REPO, 'bench', 'rolls.mjs'), '--url',
           server.url, '--dugoutctl', server.kv['DUGOUTCTL'], '--config',
           server.kv['CONFIG'], '--rolls', str(args.rolls)]
    base = {'server': 'dugout', 'point': 'roll_dice', 'series': ['rolls'],
            'machine_busy_pct_before': quiet(args)}
    base.update(stamp)
    with open(log, 'a') as f:
        f.write('\n$ %s\n' % ' '.join(cmd))
        f.flush()
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=f,
                               text=True, timeout=60 + args.rolls)
            out, rc = r.stdout, r.returncode
        except subprocess.TimeoutExpired:
            out, rc = '', 'timeout'
        f.write(out)
    for line in reversed(out.splitlines()):
        if line.startswith('{'):
            try:
                return dict(json.loads(line), **base)
            except ValueError:
                pass
    return dict(base, error='bench/rolls.mjs gave no JSON (exit %s)' % rc)


def failed(rec):
    """Why a run does not count as clean (None when it does)."""
    if 'error' in rec:
        return rec['error']
    if rec.get('point') == 'roll_dice':
        return None
    why = []
    if rec.get('connected', 0) < rec.get('clients', 0):
        why.append('%d of %d clients connected' % (rec.get('connected', 0),
                                                  rec['clients']))
    if rec.get('loss', 0) > 0:
        why.append('%d deliveries lost' % rec['loss'])
    if rec.get('duplicates', 0) > 0:
        why.append('%d duplicates' % rec['duplicates'])
    if rec.get('rate', 0) > 0 and rec.get('deliveries', 0) == 0:
        why.append('no delivery at all')
    return ', '.join(why) or None


def over_limit(rec):
    return failed(rec) is not None or \
        (rec.get('p99_ms') or 0) > P99_LIMIT_MS


# ------------------------------------------------------------------ report

def fmt(v, spec='%.1f'):
    return '-' if v is None else spec % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return '-'
    return '%.2f' % (a / b)


def parked_mb(rec):
    """The memory that holds parked polls: for dugout its front end
    (lighttpd and dugout-fcgi; PostgreSQL's share, a row per session, is
    lost in the noise of its shared buffers), else the whole server."""
    procs = rec.get('server_procs') or {}
    if rec.get('server') == 'dugout' and procs:
        return sum((procs.get(c) or {}).get('peak_mb', 0)
                   for c in ('lighttpd', 'dugout-fcgi'))
    return rec.get('server_rss_mb') or 0


def report(points, servers, recs):
    by = {(r['server'], r['point']): r for r in recs}
    rolls = by.get(('dugout', 'roll_dice'))
    hdr = ('%-16s %-7s %9s %8s %8s %8s %7s %5s %10s %8s %8s'
           % ('point', 'server', 'connected', 'p50 ms', 'p99 ms', 'max ms',
              'loss', 'dup', 'deliv/s', 'cpu %', 'mem MB'))
    print()
    print(hdr)
    print('-' * len(hdr))
    for p in points:
        for s in servers:
            r = by.get((s, point_name(p)))
            if r is None:
                continue
            if 'error' in r:
                print('%-16s %-7s %s' % (point_name(p), s, r['error']))
                continue
            print('%-16s %-7s %9s %8s %8s %8s %7d %5d %10s %8s %8s' % (
                point_name(p), s, '%d/%d' % (r['connected'], r['clients']),
                fmt(r.get('p50_ms')), fmt(r.get('p99_ms')),
                fmt(r.get('max_ms')), r.get('loss', 0),
                r.get('duplicates', 0), fmt(r.get('deliveries_per_s')),
                fmt(r.get('server_cpu_pct')), fmt(r.get('server_rss_mb'))))
    refs = [s for s in servers if s != 'dugout']
    if 'dugout' in servers and refs:
        print()
        print('ratios, dugout / reference (below 1: dugout needs less)')
        hdr = '%-16s %-7s %8s %8s %8s %10s' % (
            'point', 'vs', 'p50', 'p99', 'cpu', 'mem')
        print(hdr)
        print('-' * len(hdr))
        for p in points:
            d = by.get(('dugout', point_name(p)))
            for s in refs:
                r = by.get((s, point_name(p)))
                if d is None or r is None or 'error' in d or 'error' in r:
                    continue
                print('%-16s %-7s %8s %8s %8s %10s' % (
                    point_name(p), s, ratio(d.get('p50_ms'), r.get('p50_ms')),
                    ratio(d.get('p99_ms'), r.get('p99_ms')),
                    ratio(d.get('server_cpu_s'), r.get('server_cpu_s')),
                    ratio(d.get('server_rss_mb'), r.get('server_rss_mb'))))
    rate_points = [p for p in points if 'rates' in p['series']]
    if rate_points:
        print()
        print('highest rate with p99 <= %g ms and no loss (%d clients):'
              % (P99_LIMIT_MS, rate_points[0]['clients']))
        for s in servers:
            ok = [p['rate'] for p in rate_points
                  if (s, point_name(p)) in by
                  and not over_limit(by[(s, point_name(p))])]
            tried = [p['rate'] for p in rate_points
                     if (s, point_name(p)) in by]
            print('  %-7s %s (tried %s)' % (
                s, '%g events/s' % max(ok) if ok else 'none',
                ', '.join('%g' % t for t in tried) or 'none'))
    idle = sorted((p for p in points if p['rate'] == 0),
                  key=lambda p: p['clients'])
    if len(idle) >= 2:
        lo, hi = idle[0], idle[-1]
        print()
        print('parked polls, no events: memory per parked client between '
              '%d and %d clients; CPU with %d parked'
              % (lo['clients'], hi['clients'], hi['clients']))
        for s in servers:
            a, b = by.get((s, point_name(lo))), by.get((s, point_name(hi)))
            if a is None or b is None or 'error' in a or 'error' in b:
                continue
            per = (parked_mb(b) - parked_mb(a)) * 1024 / \
                (b['clients'] - a['clients'])
            print('  %-7s %.1f KB per parked client%s; %s %% of a core'
                  % (s, per, ' (lighttpd + dugout-fcgi)' if s == 'dugout'
                     else '', fmt(b.get('server_cpu_pct'))))
    if rolls is not None and 'error' not in rolls:
        print()
        print('unloaded roll_dice (dugout, %d rolls): ack p50 %s ms, p99 %s '
              'ms, max %s ms; dice_rolled reaching a spectator p50 %s ms, '
              'p99 %s ms' % (rolls['rolls'], rolls['ack_p50_ms'],
                             rolls['ack_p99_ms'], rolls['ack_max_ms'],
                             rolls['room_p50_ms'], rolls['room_p99_ms']))


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(
        prog='bench/compare',
        description='dugout against socket.io 4.8.4 (Node) and '
        'python-socketio on the same load (docs/performance.md)')
    ap.add_argument('--quick', action='store_true',
                    help='smoke run: 40 clients in rooms of 10 at 20 '
                    'events/s for 3 s; implies --check')
    ap.add_argument('--points', help='scaling, rates, idle, quick, default '
                    '(scaling,rates) or CLIENTSxRATE[@ROOMSIZE] items, '
                    'comma-separated')
    ap.add_argument('--servers', default=','.join(SERVERS),
                    help='which of dugout,node,python (default: all three)')
    ap.add_argument('--duration', type=float, help='seconds measured per '
                    'run (default 10; 3 with --quick)')
    ap.add_argument('--warmup', type=float, help='seconds of events before '
                    'the window (default 2; 1 with --quick)')
    ap.add_argument('--drain', type=float, help='at most seconds to wait '
                    'for the last deliveries (default 5; 10 with --quick)')
    ap.add_argument('--rolls', type=int, help='unloaded roll_dice rounds '
                    'against dugout (default 100; 10 with --quick; 0: none)')
    ap.add_argument('--procs', type=int, default=1,
                    help='dugout-fcgi processes (default 1)')
    ap.add_argument('--build-dir', help='use this build (configured '
                    'already, e.g. _build) instead of the release build in '
                    '_bench/')
    ap.add_argument('--results', help='append the JSON lines here (default '
                    'bench/results/DATE.jsonl; with --quick '
                    'BUILD/bench-quick.jsonl)')
    ap.add_argument('--check', action='store_true',
                    help='exit 1 when a run lost, duplicated or failed to '
                    'connect anything')
    ap.add_argument('--wait-quiet', type=float, default=0, metavar='S',
                    help='before each run, wait up to S seconds for the '
                    'CPUs to be less than 15%% busy (a shared machine)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the dugout stack directory')
    args = ap.parse_args()
    if args.quick:
        args.check = True
    args.duration = args.duration or (3 if args.quick else 10)
    args.warmup = args.warmup if args.warmup is not None else \
        (1 if args.quick else 2)
    # the drain ends as soon as every delivery is in: a long one costs
    # nothing, and keeps a smoke run on a busy machine from counting late
    # deliveries as lost
    args.drain = args.drain if args.drain is not None else \
        (10 if args.quick else 5)
    if args.rolls is None:
        args.rolls = 10 if args.quick else 100
    points = parse_points(args.points, args.quick)
    servers = [s.strip() for s in args.servers.split(',') if s.strip()]
    for s in servers:
        if s not in SERVERS:
            die('--servers: %r is not one of %s' % (s, ', '.join(SERVERS)))

    build_dir = os.path.abspath(args.build_dir or os.path.join(REPO,
                                                               '_bench'))
    os.makedirs(build_dir, exist_ok=True)
    log = os.path.join(build_dir, 'bench-compare.log')
    with open(log, 'w') as f:
        f.write('bench/compare %s\n' % ' '.join(sys.argv[1:]))
    say('log: %s' % log)
    nofile = raise_nofile()
    if max(p['clients'] for p in points) > 5000 and nofile < 20000:
        say('warning: ulimit -n is %d; 10,000 clients need about 20,000'
            % nofile)

    build(build_dir, log)
    loadgen = os.path.join(build_dir, 'bench', 'dugout-load')
    if 'node' in servers:
        npm_ci(log)
    if 'dugout' in servers and args.rolls > 0:
        npm_ci_top(log)
    if 'python' in servers and not python_ok():
        say('python3-socketio or python3-aiohttp is missing (install them '
            'as root: tools/devstack deps); leaving python out')
        servers.remove('python')

    now = datetime.datetime.now(datetime.timezone.utc)
    src = srcdir(build_dir)
    stamp = {'date': now.strftime('%Y-%m-%dT%H:%M:%SZ'),
             'commit': commit(src), 'machine': machine()}
    if src != REPO:
        stamp['source'] = src
    if args.results:
        results = os.path.abspath(args.results)
    elif args.quick:
        results = os.path.join(build_dir, 'bench-quick.jsonl')
    else:
        results = os.path.join(REPO, 'bench', 'results',
                               now.strftime('%Y-%m-%d') + '.jsonl')
    os.makedirs(os.path.dirname(results), exist_ok=True)
    say('%d point(s) x %s; results appended to %s'
        % (len(points), ', '.join(servers), results))

    recs, bad = [], []
    for sname in servers:
        if sname == 'dugout':
            server = Dugout(args, build_dir, log)
        elif sname == 'node':
            server = Reference('node', ['node', os.path.join(
                REFDIR, 'server.mjs'), '--port', '0'], log)
        else:
            server = Reference('python', ['/usr/bin/python3', os.path.join(
                REFDIR, 'server.py'), '--port', '0'], log)
        stop_rates = False
        try:
            for p in points:
                if stop_rates and p['series'] == ['rates']:
                    say('%-7s %-16s skipped: a lower rate already failed'
                        % (sname, point_name(p)))
                    continue
                server.start()
                try:
                    rec = run_point(server, p, args, loadgen, log, stamp)
                finally:
                    server.stop()
                recs.append(rec)
                with open(results, 'a') as f:
                    f.write(json.dumps(rec, sort_keys=False) + '\n')
                why = failed(rec)
                if 'error' in rec:
                    say('%-7s %-16s FAILED: %s' % (sname, point_name(p),
                                                   rec['error']))
                else:
                    say('%-7s %-16s p50 %s ms, p99 %s ms, loss %d, '
                        'cpu %s s, mem %s MB, busy before %s%%%s' % (
                            sname, point_name(p), fmt(rec.get('p50_ms')),
                            fmt(rec.get('p99_ms')), rec.get('loss', 0),
                            fmt(rec.get('server_cpu_s'), '%.2f'),
                            fmt(rec.get('server_rss_mb')),
                            fmt(rec['machine_busy_pct_before'], '%.0f'),
                            ' (%s)' % why if why else ''))
                    if rec.get('other_cpu_s', 0) > OTHER_CPU_S:
                        say('warning: %.1f s of CPU went to other programs '
                            'during this run' % rec['other_cpu_s'])
                    if (rec['machine_busy_pct_before'] or 0) > QUIET_PCT:
                        say('warning: the CPUs were %.0f%% busy before this '
                            'run: something else is using the machine'
                            % rec['machine_busy_pct_before'])
                if 'error' in rec or (args.check and why):
                    bad.append('%s %s: %s' % (sname, point_name(p), why))
                if 'rates' in p['series'] and over_limit(rec):
                    stop_rates = True
                time.sleep(1)
            if sname == 'dugout' and args.rolls > 0:
                server.start()
                rec = run_rolls(server, args, log, stamp)
                recs.append(rec)
                with open(results, 'a') as f:
                    f.write(json.dumps(rec) + '\n')
                if 'error' in rec:
                    say('dugout  roll_dice         FAILED: %s' % rec['error'])
                    bad.append('dugout roll_dice: %s' % rec['error'])
                else:
                    say('dugout  roll_dice         %d rolls: ack p50 %s ms, '
                        'p99 %s ms; dice_rolled to the room p50 %s ms, '
                        'p99 %s ms' % (rec['rolls'], rec['ack_p50_ms'],
                                       rec['ack_p99_ms'], rec['room_p50_ms'],
                                       rec['room_p99_ms']))
        finally:
            server.stop(final=False)
            if isinstance(server, Dugout):
                for f in server.sanitizer_reports():
                    tail(f, 60)
                    bad.append('dugout: a sanitizer report in %s' % f)
            server.stop(final=True)

    report(points, servers, recs)
    print('\nresults: %s' % results)
    if bad:
        for b in bad:
            say('FAILED: ' + b)
        sys.exit(1)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        say('interrupted')
        sys.exit(130)
