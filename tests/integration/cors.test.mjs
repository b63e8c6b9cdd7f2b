// CORS (protocol.md §9): the allow list from the configuration, the OPTIONS
// preflight, credentials for an allowed Origin, nothing for another one;
// and code 3 for a request whose EIO does not match its session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, http, eioUrl } from './helpers.mjs';

const ALLOWED = 'https://league.example';
const S = useStack('cors', { env: { DUGOUT_CORS_ORIGINS: `${ALLOWED}, https://other.example` } });
const url = () => S.stack.url;

test('an allowed Origin is echoed, with credentials and Vary', async () => {
  const r = await http(eioUrl(url()), { headers: { Origin: ALLOWED } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), ALLOWED);
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  assert.match(r.headers.get('vary') ?? '', /Origin/);
});

test('an Origin not in the list gets no CORS headers (the browser hides the answer)', async () => {
  const r = await http(eioUrl(url()), { headers: { Origin: 'https://evil.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  assert.equal(r.headers.get('access-control-allow-credentials'), null);
});

test('a malformed Origin is refused with code 3', async () => {
  const r = await http(eioUrl(url()), { headers: { Origin: 'javascript:alert(1)' } });
  assert.equal(r.status, 400);
  assert.deepEqual(JSON.parse(r.body), { code: 3, message: 'Bad request' });
});

test('OPTIONS preflight: 204 with methods, the requested headers and max-age, even for an unknown sid', async () => {
  for (const sid of [null, 'AAAAAAAAAAAAAAAAAAAA']) {
    const r = await http(eioUrl(url(), sid), {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(r.headers.get('access-control-allow-headers'), 'authorization, content-type');
    assert.ok(Number(r.headers.get('access-control-max-age')) > 0);
  }
});

test('a poll and a post on an allowed Origin carry the CORS headers too', async () => {
  const h = await http(eioUrl(url()), { headers: { Origin: ALLOWED } });
  const { sid } = JSON.parse(h.body.slice(1));
  const p = await http(eioUrl(url(), sid), { method: 'POST', body: '40', headers: { Origin: ALLOWED } });
  assert.equal(p.body, 'ok');
  assert.equal(p.headers.get('access-control-allow-origin'), ALLOWED);
  const g = await http(eioUrl(url(), sid), { headers: { Origin: ALLOWED } });
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('access-control-allow-origin'), ALLOWED);
  assert.equal(g.headers.get('cache-control'), 'no-store');
});

test('a request whose EIO differs from its session: 400 code 3', async () => {
  const h = await http(eioUrl(url()));
  const { sid } = JSON.parse(h.body.slice(1));
  const r = await http(`${url()}/socket.io/?EIO=3&transport=polling&sid=${sid}`);
  assert.equal(r.status, 400);
  assert.deepEqual(JSON.parse(r.body), { code: 3, message: 'Bad request' });
});
