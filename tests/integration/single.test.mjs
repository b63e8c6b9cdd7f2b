// One request at a time per process (dugout-fcgi --single, as mod_fcgid runs
// it): a held poll waits inline, so lighttpd must route the other requests
// to idle processes.  The same connect / join / broadcast path as under
// FastCGI (design.md decision 5).
import { test, afterEach } from 'node:test';
import { useStack, closeAll, presenceScenario } from './helpers.mjs';

const S = useStack('single', { external: true, single: true, procs: 6 });
afterEach(() => closeAll());

test('one request at a time: connect, join_game, broadcasts, heartbeat, leave_game', { timeout: 120_000 }, () => presenceScenario(S.stack));
