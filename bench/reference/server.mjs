// bench/reference/server.mjs -- the reference server of the benchmark
// (bench/compare, docs/performance.md): socket.io 4.8.4 on Node, HTTP
// long-polling only, speaking the same tiny app protocol as dugout with
// bench_events = on:
//
//   join_game {game_id, role?}  -> socket.join(game_id); the socket gets
//                                  game_joined {game_id, role: 'spectator'}
//                                  and game_state {game_id} (dugout sends
//                                  both), an ack gets {ok: true, ...joined}
//   bench <any JSON>            -> bench_echo {from: socket.id, payload} to
//                                  every room the socket joined, sender
//                                  included; an ack gets {ok: true};
//                                  outside any room: error {code: NOT_IN_GAME}
//
// No authentication: CONNECT carries no token (the load generator sends
// 40{} when it has no JWT secret).  pingInterval and pingTimeout are
// dugout's defaults (25000, 20000 ms); maxHttpBufferSize is socket.io's
// default (1e6, dugout's max_payload default too).
//
//   node bench/reference/server.mjs [--port 0] [--host 127.0.0.1]
//
// Prints "PORT=<port>" and "PID=<pid>" on stdout once listening; SIGTERM
// or SIGINT closes it.

import { createServer } from 'node:http';
import { Server } from 'socket.io';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const port = Number(arg('--port', process.env.PORT ?? 0));
const host = arg('--host', '127.0.0.1');

const httpServer = createServer();
// a held poll lasts up to pingInterval; Node's defaults would cut
// long-lived keep-alive connections and slow headers
httpServer.keepAliveTimeout = 150_000;
httpServer.headersTimeout = 160_000;
httpServer.requestTimeout = 0;
httpServer.maxConnections = Infinity;

const io = new Server(httpServer, {
  path: '/socket.io/',
  transports: ['polling'],
  allowUpgrades: false,
  pingInterval: 25_000,
  pingTimeout: 20_000,
  serveClient: false,
  cors: undefined,
});

io.on('connection', (socket) => {
  const games = new Set();

  socket.on('join_game', (p, ack) => {
    const gameId = p && typeof p === 'object' ? p.game_id : undefined;
    // any room name: bench/compare gives UUIDs, as dugout's game ids
    if (typeof gameId !== 'string' || gameId === '' || gameId.length > 128) {
      socket.emit('error', { code: 'INVALID_PAYLOAD', field: 'game_id', message: 'game_id: expected a room name' });
      return;
    }
    games.add(gameId);
    socket.join(gameId);
    const joined = { game_id: gameId, role: 'spectator' };
    socket.emit('game_joined', joined);
    if (typeof ack === 'function') ack({ ok: true, ...joined });
    socket.emit('game_state', { game_id: gameId });
  });

  socket.on('bench', (...args) => {
    const ack = typeof args.at(-1) === 'function' ? args.pop() : null;
    const payload = args.length > 0 ? args[0] : null;
    if (games.size === 0) {
      socket.emit('error', { code: 'NOT_IN_GAME', message: 'Not in any game: join_game first' });
      return;
    }
    const echo = { from: socket.id, payload: payload === undefined ? null : payload };
    for (const g of games) io.to(g).emit('bench_echo', echo);
    if (ack) ack({ ok: true });
  });
});

httpServer.listen(port, host, () => {
  process.stdout.write(`PORT=${httpServer.address().port}\nPID=${process.pid}\n`);
});

const stop = () => {
  io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
