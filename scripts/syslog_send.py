#!/usr/bin/env python3
"""Syslog load for scripts/bench-syslog.sh.

gen N FILE: write N octet-counted RFC 5424 messages (RFC 6587) to FILE: a mix of sshd, kernel,
nginx, cron and postfix lines from 20 hosts with varying values, so that the receiver decodes,
routes and mines real-looking traffic.
send FILE HOST PORT [CONNS]: send FILE over CONNS TCP connections (the file split at frame
boundaries), as fast as the receiver takes it; prints the seconds spent sending.
"""
import random
import socket
import sys
import threading
import time

LINES = [
    (38, "sshd", "Accepted publickey for {user} from 10.{a}.{b}.{c} port {port} ssh2: RSA SHA256:{hex}"),
    (38, "sshd", "Failed password for invalid user {user} from 192.0.2.{c} port {port} ssh2"),
    (86, "sudo", "{user} : TTY=pts/{a} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"),
    (3, "kernel", "EXT4-fs error (device sd{d}1): ext4_find_entry:{port}: inode #{b}: comm {user}: reading directory lblock 0"),
    (4, "kernel", "e1000e: eth{a} NIC Link is Down"),
    (22, "postfix/smtp", "{hex}: to=<{user}@example.jp>, relay=mx{a}.example.jp[203.0.113.{c}]:25, delay={a}.{b}, status=sent (250 ok)"),
    (30, "nginx", "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 198.51.100.{c}, request: \"GET /api/{a} HTTP/1.1\""),
    (78, "CRON", "({user}) CMD (/usr/local/bin/backup.sh --target /srv/{user} --level {a})"),
    (30, "systemd", "Started Session {port} of user {user}."),
    (27, "ntpd", "time reset +0.{port} s"),
]
USERS = ["root", "alice", "bob", "carol", "deploy", "backup", "www-data", "oracle"]


def gen(n, path):
    rnd = random.Random(7)
    with open(path, "wb") as f:
        for i in range(n):
            pri, app, text = LINES[rnd.randrange(len(LINES))]
            msg = text.format(
                user=rnd.choice(USERS), a=rnd.randrange(256), b=rnd.randrange(256),
                c=rnd.randrange(256), d="abcd"[rnd.randrange(4)], port=rnd.randrange(1024, 65535),
                hex="%012x" % rnd.getrandbits(48))
            frame = "<%d>1 2026-11-26T00:%02d:%02d.%06dZ host%02d %s %d - - %s" % (
                pri, (i // 60000) % 60, (i // 1000) % 60, i % 1000000, i % 20, app, 1000 + i % 5000, msg)
            b = frame.encode()
            f.write(b"%d %s" % (len(b), b))


def split_frames(data, parts):
    """Split an octet-counted stream into `parts` pieces at frame boundaries."""
    offsets, pos = [0], 0
    target = len(data) // parts
    while pos < len(data):
        sp = data.index(b" ", pos)
        pos = sp + 1 + int(data[pos:sp])
        if pos - offsets[-1] >= target and len(offsets) < parts:
            offsets.append(pos)
    offsets.append(len(data))
    return [data[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def send(path, host, port, conns):
    data = open(path, "rb").read()
    chunks = split_frames(data, conns)

    def one(chunk):
        s = socket.create_connection((host, port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        view = memoryview(chunk)
        for off in range(0, len(chunk), 1 << 16):
            s.sendall(view[off:off + (1 << 16)])
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # wait for the receiver to close: it has read everything
        s.close()

    t0 = time.time()
    threads = [threading.Thread(target=one, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("%.3f" % (time.time() - t0))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
    else:
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 1)
