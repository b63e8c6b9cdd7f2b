// dugout connection demo: connect with the token from the link, optionally
// join a game, and show what the server sends.  Plain script, no build step:
// `io` is the global from vendor/socket.io.min.js (copied by the setup script).
// Event names and payloads follow the event contract (events.md).
'use strict';

const $ = (id) => document.getElementById(id);

// Token and game come from the fragment (#token=…&game=…), not the query
// string: browsers never send a fragment to the server, so the token stays
// out of access logs and (with the no-referrer meta) out of Referer headers.
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
const gameId = params.get('game');
let role = params.get('role') === 'player' ? 'player' : 'spectator';
let downgraded = false; // asked to play, refused, now a spectator

// Pasting another link only changes the fragment, which does not reload the
// page; reload so the new token and game are used.
window.addEventListener('hashchange', () => location.reload());

// ------------------------------------------------------------ connection state

// The words carry the meaning; the icon's shape and the colour only repeat it,
// so the state reads the same without colour vision or without the icon.
const ICONS = { idle: '–', connecting: '◌', connected: '●', reconnecting: '↻', refused: '✕', disconnected: '○' };

function setStatus(state, text) {
  $('status').dataset.state = state;
  $('status').querySelector('.icon').textContent = ICONS[state];
  $('status-text').textContent = text;
  $('heartbeat').disabled = state !== 'connected';
}

// What a CONNECT_ERROR code means to the person holding the link.
const REFUSALS = {
  AUTH_MISSING: 'no token was sent',
  AUTH_INVALID: 'the token is not valid',
  AUTH_EXPIRED: 'the token has expired',
};

// ------------------------------------------------------------------ event log

const LOG_MAX = 100;

// Show a value as compact JSON; ack callbacks (functions) are not data.
const show = (args) => args.filter((a) => typeof a !== 'function')
  .map((a) => JSON.stringify(a)).join(' ');

// kind 'event' = received from the server; 'local' = the client's own
// lifecycle (connect, disconnect, …), marked so it is not mistaken for one.
function log(name, args, kind = 'event') {
  const li = document.createElement('li');
  li.className = kind;
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  const label = document.createElement('strong');
  label.textContent = kind === 'local' ? `(client) ${name}` : name;
  const body = document.createElement('code');
  body.textContent = show(args);
  li.append(time, ' ', label, ' ', body);
  const list = $('log');
  list.prepend(li);
  while (list.children.length > LOG_MAX) list.lastElementChild.remove();
}

// ---------------------------------------------------------------- game display

// Presence only knows what happened since this page joined: the contract has
// no "who is here" list, just user_connected / user_left / user_disconnected.
const presence = new Map(); // user_id -> "player, here" etc.

function renderPresence() {
  const items = [...presence].map(([user, what]) => {
    const li = document.createElement('li');
    li.textContent = `${user} — ${what}`;
    return li;
  });
  if (items.length === 0) items.push(Object.assign(document.createElement('li'), { textContent: 'nobody yet' }));
  $('presence').replaceChildren(...items);
}

const teamName = (t) => (t ? `${t.name} (${t.abbrev})` : '?');

function showState(s) {
  $('game-state').textContent = JSON.stringify(s, null, 2);
  // The state grows as the game engine lands; show whatever parts are there.
  const parts = [`${teamName(s.away_team)} at ${teamName(s.home_team)}`, `status: ${s.status}`];
  if (s.inning !== undefined) parts.push(`${s.half} ${s.inning}`);
  if (s.score) parts.push(`score ${s.score.away}–${s.score.home}`);
  $('game-summary').textContent = parts.join(' · ');
}

function notice(text) {
  $('game-notice').textContent = text;
  $('game-notice').hidden = !text;
}

// --------------------------------------------------------------------- startup

if (typeof io !== 'function') {
  setStatus('refused', 'cannot start: vendor/socket.io.min.js is missing ' +
    '(copy it from node_modules/socket.io-client/dist/)');
} else if (!token) {
  $('help').hidden = false;
  setStatus('idle', 'not connected: this link has no token');
} else {
  start();
}

function start() {
  // Same origin, so no CORS; polling only, as the server offers no websocket.
  // `auth` is sent in every CONNECT, so reconnects authenticate by themselves.
  const socket = io({ path: '/socket.io/', transports: ['polling'], auth: { token } });
  let lastErrorCode = null; // from `error` events, to explain a server disconnect
  let attempt = 0;          // reconnection attempt, shown while retrying

  setStatus('connecting', 'connecting…');
  if (gameId) {
    $('game').hidden = false;
    renderPresence();
  }

  socket.onAny((event, ...args) => log(event, args));

  // 'connect' fires on the first connection and after every reconnect.  A new
  // socket is in no room, so join the game again each time.
  socket.on('connect', () => {
    log('connect', [socket.id], 'local');
    attempt = 0;
    setStatus('connected', 'connected');
    if (gameId) join(socket);
  });

  socket.on('connected', (p, ack) => {
    setStatus('connected', `connected as ${p && p.user_id}`);
    if (typeof ack === 'function') ack({ ok: true });
  });

  socket.on('disconnect', (reason) => {
    log('disconnect', [reason], 'local');
    // the server drops a gone socket from its rooms, so we are out of the game
    if (gameId) $('game-joined').textContent = socket.active ?
      'Out of the game while reconnecting; will join again.' : 'Not in the game: disconnected.';
    // socket.active: the client will reconnect by itself (transport close,
    // ping timeout, …).  It will not after the server's or our own disconnect.
    if (socket.active) {
      setStatus('reconnecting', `reconnecting (lost: ${reason})…`);
    } else {
      const why = lastErrorCode === 'AUTH_EXPIRED' ? 'the token has expired' : reason;
      setStatus('disconnected', `disconnected: ${why}`);
    }
  });

  socket.on('connect_error', (err) => {
    log('connect_error', err.data ? [err.message, err.data] : [err.message], 'local');
    if (socket.active) {
      // transport trouble (HTTP error, proxy down): retried with backoff
      setStatus('reconnecting', `reconnecting${attempt ? ` (attempt ${attempt})` : ''}: ${err.message}`);
    } else {
      // the server refused the CONNECT; the client does not retry that
      const code = err.data && err.data.code;
      const why = REFUSALS[code] ? ` (${REFUSALS[code]}; get a new link with tools/demo)` : '';
      setStatus('refused', `refused: ${code || err.message}${why}`);
      if (gameId) $('game-joined').textContent = 'Not joined: not connected.';
    }
  });

  socket.io.on('reconnect_attempt', (n) => {
    attempt = n;
    setStatus('reconnecting', `reconnecting (attempt ${n})…`);
  });

  socket.on('error', (e) => { lastErrorCode = e && e.code; });

  socket.on('game_joined', (p) => {
    const extra = downgraded ? ' (asked to play, but you manage neither team)' : '';
    $('game-joined').textContent = `Joined as ${p.role}${extra}. Game id: ${p.game_id}`;
    notice('');
  });
  socket.on('game_state', showState);

  const mine = (p) => p && p.game_id === gameId;
  socket.on('user_connected', (p) => {
    if (mine(p)) { presence.set(p.user_id, `${p.role}, here`); renderPresence(); }
  });
  socket.on('user_left', (p) => {
    if (mine(p)) { presence.delete(p.user_id); renderPresence(); }
  });
  socket.on('user_disconnected', (p) => {
    if (mine(p)) { presence.set(p.user_id, 'disconnected'); renderPresence(); }
  });

  setupHeartbeat(socket);
}

// join_game with an ack, so a refusal is known for sure (the `error` event
// alone does not say which request it answers).
async function join(socket) {
  let res;
  try {
    res = await socket.timeout(5000).emitWithAck('join_game', { game_id: gameId, role });
  } catch (err) {
    // timed out, or the socket dropped; the next 'connect' joins again
    notice(`join_game got no answer: ${err.message}`);
    return;
  }
  if (res && res.ok) return; // game_joined and game_state update the page
  const e = (res && res.error) || {};
  if (e.code === 'NOT_AUTHORIZED' && role === 'player') {
    // Only a manager of one of the two teams may play; anyone may watch.
    // Keep the spectator role so reconnects do not ask again.
    role = 'spectator';
    downgraded = true;
    notice('Not authorized to join as player (NOT_AUTHORIZED): joining as spectator.');
    return join(socket);
  }
  notice(`Could not join the game: ${e.message || 'no reason given'} (${e.code || '?'})`);
}

// The heartbeat button measures the ack's round trip, and separately reports
// the heartbeat_ack event (the server sends both).
function setupHeartbeat(socket) {
  let sentAt = 0;
  let ackText = '';
  let eventText = '';
  const render = () => {
    $('heartbeat-result').textContent = [ackText, eventText].filter(Boolean).join('; ');
  };

  $('heartbeat').addEventListener('click', async () => {
    sentAt = performance.now();
    ackText = 'sent, waiting for the ack…';
    eventText = '';
    render();
    try {
      const res = await socket.timeout(5000).emitWithAck('heartbeat');
      const ms = Math.round(performance.now() - sentAt);
      ackText = `ack ${res && res.ok ? 'ok' : JSON.stringify(res)} in ${ms} ms`;
    } catch (err) {
      ackText = `no ack: ${err.message}`;
    }
    render();
  });

  socket.on('heartbeat_ack', () => {
    const ms = sentAt ? ` ${Math.round(performance.now() - sentAt)} ms after sending` : '';
    eventText = `heartbeat_ack event received${ms}`;
    render();
  });
}
