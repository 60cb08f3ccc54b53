#!/usr/bin/env python3
"""A TCP relay on a free loopback port in front of a real server: the network
cable of the offline tests. Pulling it (kill) refuses every new connection
and cuts the open ones, as a dropped network does.

Usage: relay.py TARGET_PORT STATEDIR   (writes STATEDIR/port when listening;
stops when STATEDIR/stop exists, or after 600 s)
"""
import os
import socket
import sys
import threading
import time

TARGET, STATE = int(sys.argv[1]), sys.argv[2]


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    tmp = os.path.join(STATE, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, os.path.join(STATE, "port"))
    end = time.time() + 600
    while time.time() < end and not os.path.exists(os.path.join(STATE, "stop")):
        try:
            client, _ = srv.accept()
        except socket.timeout:
            continue
        upstream = socket.create_connection(("127.0.0.1", TARGET))
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()


main()
