#!/usr/bin/env bash
# Issue 5 figures (e-mail): inbound messages per second through `onestop mail ingest` (one
# process per message, as an MTA pipe runs it) and through the IMAP poller (dovecot over
# IMAPS on loopback); outbound time from a public reply saved (POST …/comments) to the
# message accepted by the SMTP server (aiosmtpd on loopback); the worker is woken by the request
# (and polls every second for mail queued by other processes). Needs python3-aiosmtpd, dovecot-imapd, openssl (Debian). N=… ingest count, M=… IMAP
# count, K=… replies.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/.cache/onestop-target}"
N="${N:-200}"; M="${M:-500}"; K="${K:-20}"
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p onestop-cli --bin onestop
  BIN="$CARGO_TARGET_DIR/release/onestop"
fi
py=/usr/bin/python3
work=$(mktemp -d)
chmod 755 "$work"  # dovecot's auth process reads the passwd file
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  dovecot -c "$work/dovecot.conf" stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { until $py -c "import socket; socket.create_connection(('127.0.0.1',$1))" 2>/dev/null; do sleep 0.1; done; }
now() { date +%s.%N; }

# SMTP: aiosmtpd writing a Maildir.
smtp=$(port)
$py -m aiosmtpd -n -l "127.0.0.1:$smtp" -c aiosmtpd.handlers.Mailbox "$work/maildir" >/dev/null 2>&1 &
pids+=($!)
# IMAP: dovecot with its own configuration (mail processes as nobody when run as root).
imaps=$(port)
mkdir -p "$work/home" "$work/run"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -addext basicConstraints=critical,CA:FALSE -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
echo 'desk:{PLAIN}secret::::::' > "$work/passwd"
uid=$(id -u); gid=$(id -g); users="default_internal_user = $(id -un)
default_login_user = $(id -un)"
if [ "$uid" = 0 ]; then uid=65534; gid=65534; users=""; chown 65534:65534 "$work/home"; fi
cat > "$work/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $work/run
state_dir = $work/state
log_path = $work/dovecot.log
ssl = yes
ssl_cert = <$work/cert.pem
ssl_key = <$work/key.pem
auth_mechanisms = plain
first_valid_uid = 0
mail_location = maildir:$work/home/%u/Maildir
$users
passdb {
  driver = passwd-file
  args = scheme=PLAIN $work/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$work/home/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
  chroot =
}
service anvil {
  chroot =
}
CONF
dovecot -c "$work/dovecot.conf"
waitport "$smtp"; waitport "$imaps"

mkdir -p "$work/data"
http=$(port)
base=http://127.0.0.1:$http
export ONESTOP_MAIL_FROM="Desk <desk@desk.bench.example>" ONESTOP_MAIL_SMTP_HOST=127.0.0.1 \
  ONESTOP_MAIL_SMTP_PORT=$smtp ONESTOP_MAIL_SMTP_TLS=none ONESTOP_MAIL_OUTBOX_SECS=1
"$BIN" serve --data-dir "$work/data" --listen "127.0.0.1:$http" >"$work/serve1.log" 2>&1 &
pids+=($!); serve=$!
until curl -sf -o /dev/null "$base/readyz"; do sleep 0.1; done
tok=$("$BIN" admin token create --data-dir "$work/data" --username admin)
api() { curl -sf -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
api -X POST "$base/api/v1/customers" -d '{"name":"Bench","domains":["bench.example"]}' >/dev/null
total() { api "$base/api/v1/tickets?per_page=1" | $py -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
msg() { printf 'From: user%s@bench.example\r\nTo: desk@desk.bench.example\r\nSubject: Bench %s\r\nMessage-ID: <%s@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nディスクがいっぱいです。 message %s\r\n' "$1" "$1" "$2" "$1"; }

echo "== inbound: onestop mail ingest, one process per message ($N messages, SQLite, server running)"
t0=$(now)
for i in $(seq 1 "$N"); do msg "$i" "ingest$i" | "$BIN" mail ingest --data-dir "$work/data" >/dev/null; done
t1=$(now)
echo "ingest: $(echo "$N / ($t1 - $t0)" | bc -l | xargs printf '%.1f') messages/s"

echo "== inbound: IMAP poller ($M messages appended over IMAPS first, then the poller started)"
$py - "$imaps" "$work/cert.pem" "$M" <<'PY'
import imaplib, ssl, sys
port, ca, m = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = imaplib.IMAP4_SSL("localhost", port, ssl_context=ssl.create_default_context(cafile=ca))
c.login("desk", "secret")
for i in range(m):
    raw = (f"From: imap{i}@bench.example\r\nSubject: IMAP {i}\r\nMessage-ID: <imap{i}@bench.example>\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\nサーバー停止 {i}\r\n").encode()
    c.append("INBOX", None, None, raw)
c.logout()
PY
kill "$serve"; wait "$serve" 2>/dev/null || true
export ONESTOP_MAIL_IMAP_HOST=localhost ONESTOP_MAIL_IMAP_PORT=$imaps ONESTOP_MAIL_IMAP_USER=desk \
  ONESTOP_MAIL_IMAP_PASSWORD=secret ONESTOP_MAIL_IMAP_CA="$work/cert.pem" ONESTOP_MAIL_IMAP_POLL_SECS=5
t0=$(now)
"$BIN" serve --data-dir "$work/data" --listen "127.0.0.1:$http" >"$work/serve2.log" 2>&1 &
pids+=($!)
until curl -sf -o /dev/null "$base/readyz"; do sleep 0.05; done
target=$((N + M))
until [ "$(total)" -ge "$target" ]; do sleep 0.1; done
t1=$(now)
echo "imap: $(echo "$M / ($t1 - $t0)" | bc -l | xargs printf '%.1f') messages/s (server start to the last ticket)"

echo "== outbound: reply saved → accepted by SMTP ($K replies; the worker is woken by the request)"
tid=$(api "$base/api/v1/tickets?per_page=1" | $py -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
count() { ls "$work/maildir/new" 2>/dev/null | wc -l; }
# Let the acknowledgements of the tickets above drain first.
until [ "$(api "$base/api/v1/tickets/$tid/mail" | $py -c 'import json,sys; print(all(m["status"]!="pending" for m in json.load(sys.stdin)["outgoing"]))')" = True ]; do sleep 0.2; done
sleep 2
lat=()
for i in $(seq 1 "$K"); do
  c0=$(count)
  t0=$(now)
  api -X POST "$base/api/v1/tickets/$tid/comments" -d "{\"body\":\"reply $i\",\"visibility\":\"public\"}" >/dev/null
  until [ "$(count)" -gt "$c0" ]; do sleep 0.005; done
  t1=$(now)
  lat+=("$(echo "($t1 - $t0) * 1000" | bc -l)")
done
printf '%s\n' "${lat[@]}" | sort -n | $py -c 'import sys; v=[float(x) for x in sys.stdin]; print(f"reply→SMTP accepted: median {v[len(v)//2]:.0f} ms, min {v[0]:.0f} ms, max {v[-1]:.0f} ms")'
"$BIN" audit verify --data-dir "$work/data" | tail -1
