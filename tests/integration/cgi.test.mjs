// Plain CGI (mod_cgi, one process per request): the same connect / join /
// broadcast path as under FastCGI (design.md decision 5).
import { test, afterEach } from 'node:test';
import { useStack, closeAll, presenceScenario } from './helpers.mjs';

const S = useStack('cgi', { cgi: true });
afterEach(() => closeAll());

test('CGI: connect, join_game, broadcasts, heartbeat, leave_game', { timeout: 120_000 }, () => presenceScenario(S.stack));
