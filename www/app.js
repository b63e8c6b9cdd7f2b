// dugout's game page: entry point.  Reads the link, connects with
// socket.io-client (the global `io` from vendor/socket.io.min.js, polling
// only), joins the game and keeps the screen in step with the server.
// The contract for ids and behaviour is docs/ui.md; events are events.md.

import { $, el, showError, nickname } from './js/util.js';
import * as V from './js/view.js';
import { buildControls, updateControls, syncDecisions, resetDecisions } from './js/controls.js';

// ------------------------------------------------------------ the link

// The token travels in the fragment (never sent to a server).  Move it to
// sessionStorage and rewrite the address without it, so it is not shown,
// bookmarked, copied or sent on as a Referer; a reload finds it there.
const TOKEN_KEY = 'dugout.token';
const params = new URLSearchParams(location.hash.slice(1));
if (params.has('token')) {
  sessionStorage.setItem(TOKEN_KEY, params.get('token'));
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}
const token = sessionStorage.getItem(TOKEN_KEY);
const gameId = params.get('game');
let role = params.get('role') === 'player' ? 'player' : 'spectator';

// The lobby opens a game by changing the fragment; start over with it.
window.addEventListener('hashchange', () => location.reload());

// ------------------------------------------------------------ page state

const app = {
  socket: null,
  state: null,        // the game_state shown
  stale: true,        // true until request_game_state has answered
  myTeams: new Set(), // team ids this user manages (game_joined.team_ids)
  lineups: new Map(), // team id -> lineup_data
  plays: new Map(),   // play_number -> play_resolved
  lastRoll: null,     // the last dice_rolled, for showing a used roll
  maxRollId: 0,
  presence: null,     // Map user -> role when the server has no get_presence
  controls: false,    // manager controls built
  joined: false,
  send,
};

function notice(text) {
  const n = $('notice');
  n.textContent = text || '';
  n.hidden = !text;
}

// ------------------------------------------------------------ connection

// Words carry the meaning; the icon's shape and the colour only repeat it.
const CONN = {
  connecting: ['◌', 'Connecting…'],
  connected: ['●', 'Connected'],
  reconnecting: ['↻', 'Connection lost: reconnecting…'],
  offline: ['○', 'Offline: waiting for the network'],
  refused: ['✕', 'Not connected'],
};

function setConn(state, text) {
  const c = $('conn');
  c.dataset.state = state;
  c.querySelector('.icon').textContent = CONN[state][0];
  $('conn-text').textContent = text ?? CONN[state][1];
}

const REFUSALS = {
  AUTH_MISSING: 'no token was sent. Open the page with the link you were given.',
  AUTH_INVALID: 'the token in your link is not valid. Ask for a new link.',
  AUTH_EXPIRED: 'the token in your link has expired. Ask for a new link.',
};

function connect() {
  // same origin; the web server routes /socket.io/ to dugout
  const socket = io(location.origin, { transports: ['polling'], auth: { token } });
  app.socket = socket;
  socket.on('connect', () => {
    setConn('connected');
    if (gameId) joinGame(); else loadLobby();
  });
  socket.on('disconnect', (reason) => {
    setStale(true);
    if (reason === 'io client disconnect') return;
    if (reason === 'io server disconnect') {
      // the server ended the socket (an expired token does this)
      setConn('refused', 'Disconnected by the server');
      return;
    }
    setConn(navigator.onLine ? 'reconnecting' : 'offline');
  });
  socket.on('connect_error', (err) => {
    const code = err?.data?.code;
    if (code) {
      setConn('refused', `Refused: ${REFUSALS[code] ?? err.message}`);
      notice(`The server refused the connection: ${REFUSALS[code] ?? err.message}`);
      return;
    }
    setConn(navigator.onLine ? 'reconnecting' : 'offline');
  });
  socket.io.on('reconnect_attempt', () => setConn(navigator.onLine ? 'reconnecting' : 'offline'));
  window.addEventListener('offline', () => { if (!socket.connected) setConn('offline'); });
  window.addEventListener('online', () => { if (!socket.connected) setConn('reconnecting'); });
  for (const [event, fn] of Object.entries(HANDLERS)) socket.on(event, fn);
}

// ------------------------------------------------------------ requests

// Every request carries an ack; a refusal ({ok: false, error}) is shown in
// the error slot of the control that sent it.  The server also sends the
// refusal as an event (error, outcome_rejected, …): remembered here so the
// event is not shown a second time as a page notice.
const ERROR_SLOT = {
  defense: 'defense-error', offense: 'offense-error', roll: 'roll-error',
  outcome: 'outcome-error', sub: 'sub-error', box: 'box-status',
};
let inflight = 0;
const recentRefusals = [];

function plain(error) {
  if (!error) return 'The server refused this.';
  if (error.code === 'RATE_LIMITED') return 'Too many requests: wait a moment and try again.';
  return error.message || `Refused (${error.code})`;
}

// kind: a key of ERROR_SLOT, or null for requests the page makes itself.
function send(kind, event, payload) {
  return new Promise((resolve) => {
    if (!app.socket?.connected) {
      if (kind) showError(ERROR_SLOT[kind], 'Not connected: wait for the connection to come back.');
      resolve(null);
      return;
    }
    inflight += 1;
    app.socket.timeout(20_000).emit(event, payload, (err, res) => {
      inflight -= 1;
      if (err) {
        if (kind) showError(ERROR_SLOT[kind], 'No answer from the server: check the connection and try again.');
        resolve(null);
        return;
      }
      if (res && res.ok === false) {
        recentRefusals.push({ message: res.error?.message, at: Date.now() });
        if (recentRefusals.length > 20) recentRefusals.shift();
        if (kind) showError(ERROR_SLOT[kind], plain(res.error));
        resolve(kind ? false : res);
        return;
      }
      resolve(kind ? true : res);
    });
  });
}

// A refusal event that no request of ours is waiting for (or has been
// answered for) is not tied to a control: it goes to the page notice.
function untied(p) {
  if (inflight > 0) return false;
  return !recentRefusals.some((r) => r.message === p?.message && Date.now() - r.at < 10_000);
}

// ------------------------------------------------------------ joining

async function joinGame() {
  setStale(true);
  $('game').hidden = false;
  let ack = await send(null, 'join_game', { game_id: gameId, role });
  if (ack?.ok === false && role === 'player' && ack.error?.code === 'NOT_AUTHORIZED') {
    notice('You do not manage either team in this game, so you are watching as a spectator.');
    role = 'spectator';
    ack = await send(null, 'join_game', { game_id: gameId, role });
  }
  if (!ack || ack.ok === false) {
    notice(`Could not join the game: ${plain(ack?.error) || 'no answer from the server'}`);
    return;
  }
  app.joined = true;
  if (Array.isArray(ack.team_ids)) app.myTeams = new Set(ack.team_ids);
  setupRole();
  await resync();
}

// Spectators get no controls at all (absent, not disabled).  A manager's
// decision and substitution panels need to know which team is theirs.
function setupRole() {
  if (role !== 'player') {
    for (const id of ['defense-panel', 'offense-panel', 'outcome-panel', 'sub-panel']) $(id)?.remove();
    $('you-manage').textContent = 'You are watching as a spectator.';
    return;
  }
  if (app.controls) return;
  app.controls = true;
  const known = app.myTeams.size > 0;
  buildControls(app, known);
  if (!known)
    notice('The server did not say which team you manage, so the decision and substitution panels are hidden. You can still roll and submit outcomes.');
}

async function resync() {
  const res = await send(null, 'request_game_state', { game_id: gameId });
  if (res && res.ok !== false && res.state) onSync(res);
}

function onSync(p) {
  if (!p?.state || p.state.game_id !== gameId) return;
  for (const play of p.recent_plays ?? []) app.plays.set(play.play_number, play);
  V.renderPlays(app.plays);
  const wasStale = app.stale;
  app.stale = false;
  applyState(p.state, true);
  setStale(false);
  if (wasStale) {
    refreshLineups();
    refreshPresence();
    refreshBox();
  }
}

function setStale(on) {
  app.stale = on;
  $('game').dataset.stale = String(on);
  $('stale-note').hidden = !on;
  $('stale-note').textContent = on ? 'Updating the game… (what you see may be out of date)' : '';
  updateControls();
}

// ------------------------------------------------------------ game state

// Never show a state older than the one on screen: plays only add up, and
// roll ids only grow.  (Events on one connection arrive in order; this
// guards the seams between connections.)
function isNewer(s, cur) {
  if (!cur) return true;
  if ((s.play_count ?? 0) < (cur.play_count ?? 0)) return false;
  if (s.pending_roll && s.pending_roll.roll_id < app.maxRollId) return false;
  return true;
}

function applyState(s, force = false) {
  if (s.game_id !== gameId) return;
  if (!force && !isNewer(s, app.state)) return;
  const prev = app.state;
  app.state = s;
  if (s.pending_roll) app.maxRollId = Math.max(app.maxRollId, s.pending_roll.roll_id);
  V.renderScore(s);
  V.renderLinescore(s, app.box?.team_stats && { away: app.box.team_stats.away.h, home: app.box.team_stats.home.h },
    app.box?.team_stats && { away: app.box.team_stats.away.e, home: app.box.team_stats.home.e });
  V.renderBases(s);
  V.renderMatchup(s);
  V.renderTurn(s);
  V.renderDice(s.pending_roll ?? app.lastRoll, Boolean(s.pending_roll));
  renderLineups();
  renderYouManage(s);
  document.title = `${s.away_team?.abbrev} ${s.score?.away}, ${s.home_team?.abbrev} ${s.score?.home} — ${V.inningLabel(s)} · dugout`;
  // a new plate appearance starts with the default calls
  if (prev && prev.play_count !== s.play_count) resetDecisions();
  // lineup_data.pitching_change says whether the pitcher may be changed
  // *now*: ask again once a play is over (or a roll expired), between plays
  if (prev && !s.pending_roll && (prev.play_count !== s.play_count || prev.pending_roll)) refreshLineups();
  syncDecisions(s);
  updateControls();
}

function renderYouManage(s) {
  const hint = role === 'player' ? V.turnHint(s, app.myTeams) : '';
  if ($('turn-hint').textContent !== hint) $('turn-hint').textContent = hint;
  if (role !== 'player' || !app.myTeams.size) return;
  const names = [s.away_team, s.home_team].filter((t) => app.myTeams.has(t?.id)).map((t) => t.name);
  $('you-manage').textContent = `You manage the ${names.join(' and the ')}.`;
}

// ------------------------------------------------------------ lineups, box, presence

let lineupTimer = null;
function refreshLineups() {
  clearTimeout(lineupTimer);
  lineupTimer = setTimeout(() => {
    const s = app.state;
    if (!s) return;
    for (const t of [s.away_team, s.home_team]) send(null, 'get_lineup', { game_id: gameId, team_id: t.id });
  }, 250);
}

function renderLineups() {
  const s = app.state;
  if (!s) return;
  V.renderLineup('away', s.away_team, app.lineups.get(s.away_team.id), s);
  V.renderLineup('home', s.home_team, app.lineups.get(s.home_team.id), s);
}

let boxTimer = null;
function refreshBox() {
  // plays can come in bursts: ask once for the lot
  clearTimeout(boxTimer);
  boxTimer = setTimeout(() => {
    $('box-status').textContent = 'Loading…';
    send('box', 'get_box_score', { game_id: gameId });
  }, 300);
}

let presenceTimer = null;
function refreshPresence() {
  clearTimeout(presenceTimer);
  presenceTimer = setTimeout(async () => {
    if (app.presence) { showPresenceFallback(); return; }
    const res = await send(null, 'get_presence', { game_id: gameId });
    if (res?.ok === false && res.error?.code === 'UNKNOWN_EVENT') {
      // an older server: only what happened since we joined is known
      app.presence = new Map([[app.userId, role]]);
      showPresenceFallback();
    }
  }, 200);
}

function showPresenceFallback() {
  V.renderPresence([...app.presence].map(([user_id, r]) => ({ user_id, role: r })));
}

function presenceEvent(p, gone) {
  if (p?.game_id && p.game_id !== gameId) return;
  if (app.presence) {
    if (gone) app.presence.delete(p.user_id); else app.presence.set(p.user_id, p.role ?? 'spectator');
    showPresenceFallback();
    return;
  }
  refreshPresence();
}

// ------------------------------------------------------------ events

const HANDLERS = {
  connected: (p) => { app.userId = p?.user_id; },
  game_joined: (p) => {
    if (p?.game_id !== gameId) return;
    if (Array.isArray(p.team_ids)) app.myTeams = new Set(p.team_ids);
  },
  game_state: (s) => { if (!app.stale) applyState(s); },
  game_state_sync: (p) => onSync(p),
  dice_rolled: (d) => {
    if (d?.game_id !== gameId) return;
    app.lastRoll = d;
    app.maxRollId = Math.max(app.maxRollId, d.roll_id);
  },
  play_resolved: (p) => {
    if (p?.game_id !== gameId) return;
    app.plays.set(p.play_number, p);
    V.renderPlays(app.plays);
    refreshBox();
  },
  defensive_decision_submitted: () => {},
  offensive_decision_submitted: () => {},
  outcome_accepted: () => showError('outcome-error', ''),
  outcome_rejected: (p) => { if (untied(p) && $('outcome-error')) showError('outcome-error', plain(p)); },
  substitution_error: (p) => { if (untied(p) && $('sub-error')) showError('sub-error', plain(p)); },
  player_substituted: () => refreshLineups(),
  substitution_confirmed: () => showError('sub-error', ''),
  lineup_data: (p) => {
    if (p?.game_id !== gameId) return;
    app.lineups.set(p.team_id, p);
    renderLineups();
    updateControls();
  },
  box_score_data: (p) => {
    if (p?.game_id !== gameId) return;
    app.box = p.box_score;
    V.renderBox(p.box_score, app.state);
    $('box-status').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    if (app.state) applyState(app.state, true);
  },
  presence_data: (p) => { if (p?.game_id === gameId) V.renderPresence(p.members ?? []); },
  user_connected: (p) => presenceEvent(p, false),
  user_left: (p) => presenceEvent(p, true),
  user_disconnected: (p) => presenceEvent(p, true),
  games_list: (p) => renderLobby(p.games ?? []),
  error: (p) => {
    if (p?.code === 'AUTH_EXPIRED') {
      setConn('refused', 'Your link has expired');
      notice('Your token has expired: ask for a new link.');
      return;
    }
    if (untied(p)) notice(plain(p));
  },
};

// ------------------------------------------------------------ lobby

async function loadLobby() {
  $('lobby').hidden = false;
  const res = await send(null, 'list_games', {});
  if (res?.ok === false)
    $('lobby-status').textContent = res.error?.code === 'UNKNOWN_EVENT'
      ? 'This server cannot list games yet: open a game with the link you were given.'
      : `Could not list the games: ${plain(res.error)}`;
}

function renderLobby(games) {
  const body = $('lobby-table').querySelector('tbody');
  $('lobby-status').textContent = games.length ? `${games.length} game${games.length === 1 ? '' : 's'}` : 'No games to show.';
  $('lobby-table').hidden = games.length === 0;
  body.replaceChildren(...games.map((g) => {
    const mine = [g.away_team, g.home_team].filter((t) => (g.my_team_ids ?? []).includes(t?.id));
    const links = [];
    if (mine.length) links.push(el('a', { href: `#game=${encodeURIComponent(g.game_id)}&role=player` }, 'Open'), ' ');
    links.push(el('a', { href: `#game=${encodeURIComponent(g.game_id)}` }, 'Watch'));
    const inning = g.status === 'final' ? 'Final' : g.status === 'pending' ? 'Not started'
      : `${g.half === 'top' ? 'Top' : 'Bottom'} ${g.inning}, ${V.outsLabel(g.outs ?? 0)}`;
    return el('tr', {},
      el('th', { scope: 'row' }, `${g.away_team?.name ?? '?'} at ${g.home_team?.name ?? '?'}`),
      el('td', {}, g.status),
      el('td', {}, `${g.away_team?.abbrev ?? ''} ${g.score?.away ?? 0} – ${g.score?.home ?? 0} ${g.home_team?.abbrev ?? ''}`),
      el('td', {}, inning),
      el('td', {}, mine.length ? mine.map((t) => nickname(t)).join(', ') : '—'),
      el('td', {}, links));
  }));
}

// ------------------------------------------------------------ start

function start() {
  $('box-refresh').addEventListener('click', () => {
    showError('box-status', '');
    $('box-status').hidden = false;
    refreshBox();
  });
  if (!token) {
    setConn('refused', 'No token');
    $('help').hidden = false;
    return;
  }
  if (typeof io !== 'function') {
    setConn('refused', 'Not connected');
    notice('The page could not load its connection library (vendor/socket.io.min.js). Run the setup script, then reload.');
    return;
  }
  setConn('connecting');
  connect();
}

start();
