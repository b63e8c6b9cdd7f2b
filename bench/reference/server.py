#!/usr/bin/python3
"""bench/reference/server.py -- the third column of the benchmark
(bench/compare, docs/performance.md): Debian's python3-socketio (5.7.2 on
Debian 12, over python3-engineio 4.3.4) on aiohttp, HTTP long-polling
only, with the same app protocol as bench/reference/server.mjs and dugout
with bench_events = on:

  join_game {game_id, role?}  -> enter the room game_id; the socket gets
                                 game_joined {game_id, role: 'spectator'}
                                 and game_state {game_id}; an ack gets
                                 {ok: true, ...joined}
  bench <any JSON>            -> bench_echo {from: sid, payload} to every
                                 room the socket joined, sender included;
                                 an ack gets {ok: true}; outside any room:
                                 error {code: NOT_IN_GAME}

No authentication.  ping_interval 25 s and ping_timeout 20 s (dugout's
defaults), max_http_buffer_size 1,000,000 (the default), no HTTP
compression (dugout and the Node reference send none to a client that
does not ask; this keeps the three alike).

  /usr/bin/python3 bench/reference/server.py [--port 0] [--host 127.0.0.1]

Prints "PORT=<port>" and "PID=<pid>" once listening; SIGTERM stops it.
It runs on Debian's Python (/usr/bin/python3), where the packages are.
"""
import argparse
import asyncio
import os
import signal
import socket
import sys

import socketio
from aiohttp import web

def make_app():
    sio = socketio.AsyncServer(async_mode='aiohttp', transports=['polling'],
                               allow_upgrades=False, ping_interval=25,
                               ping_timeout=20, http_compression=False,
                               cors_allowed_origins=None, logger=False,
                               engineio_logger=False)
    games = {}      # sid -> set of game ids

    @sio.event
    async def connect(sid, environ, auth=None):
        games[sid] = set()

    @sio.event
    async def disconnect(sid):
        games.pop(sid, None)

    @sio.event
    async def join_game(sid, data=None):
        game_id = data.get('game_id') if isinstance(data, dict) else None
        # any room name: bench/compare gives UUIDs, as dugout's game ids
        if not isinstance(game_id, str) or not 0 < len(game_id) <= 128:
            await sio.emit('error', {'code': 'INVALID_PAYLOAD',
                                     'field': 'game_id',
                                     'message': 'game_id: expected a room '
                                     'name'}, to=sid)
            return None
        games.setdefault(sid, set()).add(game_id)
        sio.enter_room(sid, game_id)
        joined = {'game_id': game_id, 'role': 'spectator'}
        await sio.emit('game_joined', joined, to=sid)
        await sio.emit('game_state', {'game_id': game_id}, to=sid)
        return {'ok': True, **joined}

    @sio.event
    async def bench(sid, data=None):
        rooms = games.get(sid)
        if not rooms:
            await sio.emit('error', {'code': 'NOT_IN_GAME',
                                     'message': 'Not in any game: '
                                     'join_game first'}, to=sid)
            return None
        echo = {'from': sid, 'payload': data}
        for g in list(rooms):
            await sio.emit('bench_echo', echo, room=g)
        return {'ok': True}

    app = web.Application()
    sio.attach(app, socketio_path='socket.io')
    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=int(os.environ.get('PORT', 0)))
    ap.add_argument('--host', default='127.0.0.1')
    a = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((a.host, a.port))
    sock.listen(4096)
    sock.setblocking(False)
    port = sock.getsockname()[1]

    async def run():
        runner = web.AppRunner(make_app(), access_log=None,
                               keepalive_timeout=150)
        await runner.setup()
        site = web.SockSite(runner, sock, backlog=4096)
        await site.start()
        sys.stdout.write('PORT=%d\nPID=%d\n' % (port, os.getpid()))
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for s in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(s, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(run())


if __name__ == '__main__':
    main()
