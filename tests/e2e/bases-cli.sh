#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Description: vigil bases keygen/root/build/sign/verify/log and vigil update over https (TLS verified, size cap, timeout, fallback), as a user sees them
set -u
vigil=$VIGIL_BUILD/vigil
source_dir=$VIGIL_SOURCE
work=$(mktemp -d)
server_pids=()
cleanup() { for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
# expect STATUS REASON-OR-EMPTY COMMAND...: exit status and the one `vigil:' line.
expect() {
	local want=$1 reason=$2 rc
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ $rc -eq "$want" ] || fail "$*: exit $rc, want $want; stderr: $(cat "$work/err")"
	if [ -n "$reason" ]; then
		grep -Fxq "vigil: $reason" "$work/err" || fail "$*: stderr '$(cat "$work/err")', want 'vigil: $reason'"
	fi
}
cd "$work"

# keygen: secret 0600 created exclusively, public 0644; never overwrites.
for key in alice bob carol; do expect 0 "" "$vigil" bases keygen --out $key.key; done
[ "$(stat -c %a alice.key)" = 600 ] || fail "secret key mode $(stat -c %a alice.key)"
[ "$(stat -c %a alice.key.pub)" = 644 ] || fail "public key mode"
grep -q '^vigil-public-key-v1 [0-9a-f]\{64\} alice$' alice.key.pub || fail "public key file: $(cat alice.key.pub)"
before=$(sha256sum alice.key)
expect 2 "alice.key: File exists" "$vigil" bases keygen --out alice.key
[ "$(sha256sum alice.key)" = "$before" ] || fail "keygen overwrote a secret key"
expect 2 "" "$vigil" bases keygen
expect 2 "" "$vigil" bases nonsense

# root: thresholds are checked against distinct keys.
expect 1 "threshold 2 with 1 distinct release keys (want 1..1)" \
	"$vigil" bases root --threshold 2 --expires 2099-01-01T00:00:00Z --out r alice.key.pub alice.key.pub
expect 1 "threshold 0 with 3 distinct release keys (want 1..3)" \
	"$vigil" bases root --threshold 0 --expires 2099-01-01T00:00:00Z --out r alice.key.pub bob.key.pub carol.key.pub
expect 2 "bad --expires \`2099-01-01' (want YYYY-MM-DDTHH:MM:SSZ)" \
	"$vigil" bases root --threshold 1 --expires 2099-01-01 --out r alice.key.pub
expect 0 "" "$vigil" bases root --threshold 2 --expires 2099-01-01T00:00:00Z --out root alice.key.pub bob.key.pub carol.key.pub
expect 0 "" "$vigil" bases sign --key alice.key root
expect 0 "" "$vigil" bases sign --key alice.key root
grep -q 'already signed by alice' "$work/out" || fail "second signature by one key: $(cat "$work/out")"

# build, sign, verify.
printf '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n' >main.hdb
printf 'Test.Body:0:*:414243\n' >main.ndb
expect 2 "" "$vigil" bases build --version 1 --expires 2099-01-01T00:00:00Z --out b1 main.hdb
expect 0 "" "$vigil" bases build --version 1 --expires 2099-01-01T00:00:00Z --first --root root --out b1 main.hdb main.ndb
expect 1 "bundle is not signed (root version 1 requires 2 signatures)" "$vigil" bases verify --root root b1
expect 0 "" "$vigil" bases sign --key alice.key b1
expect 1 "below threshold: 1 valid signatures by release keys of root version 1, 2 required" "$vigil" bases verify --root root b1
expect 0 "" "$vigil" bases sign --key bob.key b1
expect 0 "" "$vigil" bases verify --root root b1
grep -q '^b1: OK: version 1, channel stable, 2 files, root version 1, digest [0-9a-f]\{64\}, signed by ' "$work/out" ||
	fail "verify output: $(cat "$work/out")"
grep -q alice "$work/out" && grep -q bob "$work/out" || fail "verify does not name the signers"
expect 1 "trust root version 1 expired at 2099-01-01T00:00:00Z" "$vigil" bases verify --at 2099-06-01T00:00:00Z --root root b1
expect 1 "wrong channel: bundle is for \`stable', this client follows \`beta'" "$vigil" bases verify --channel beta --root root b1
expect 1 "not a bundle (this is a trust root)" "$vigil" bases verify --root root root
expect 2 "" "$vigil" bases verify b1
expect 1 "payload name \`.hidden' is not a plain file name" \
	"$vigil" bases build --version 1 --expires 2099-01-01T00:00:00Z --first --out bad "$(printf '.hidden' >.hidden; echo .hidden)"

# A release history: b1 -> b2 -> b3, then a fork and a gap.
for v in 2 3; do
	expect 0 "" "$vigil" bases build --version $v --expires 2099-01-01T00:00:00Z --previous b$((v - 1)) --out b$v main.hdb
	"$vigil" bases sign --key bob.key b$v >/dev/null && "$vigil" bases sign --key carol.key b$v >/dev/null
done
expect 0 "" "$vigil" bases log --root root b3 b1 b2
[ "$(grep -c '^version ' "$work/out")" = 3 ] || fail "log lists $(grep -c '^version ' "$work/out") bundles"
head -n 1 "$work/out" | grep -q '^version 1 ' || fail "log is not in version order"
grep -q 'one unbroken history' "$work/out" || fail "log summary: $(cat "$work/out")"
expect 1 "rollback: offered version 1 is lower than installed version 3" "$vigil" bases verify --root root --installed b3 b1
printf 'other\n' >other.hdb
"$vigil" bases build --version 2 --expires 2099-01-01T00:00:00Z --previous b1 --out b2x other.hdb >/dev/null
"$vigil" bases sign --key alice.key b2x >/dev/null && "$vigil" bases sign --key carol.key b2x >/dev/null
expect 1 "release history has 2 breaks" "$vigil" bases log --root root b1 b2 b2x b3
grep -q '^FORK    version 2 has two bundles' "$work/out" || fail "no version fork reported: $(cat "$work/out")"
grep -q 'both follow' "$work/out" || fail "no previous-link fork reported"
expect 1 "release history has 1 break" "$vigil" bases log --root root b1 b3
grep -q '^GAP     version 3 follows' "$work/out" || fail "no gap reported: $(cat "$work/out")"
expect 1 "EQUIVOCATION: version 2 is installed as $(sed -n 's/.*digest \([0-9a-f]\{16\}\).*/\1/p' <("$vigil" bases verify --root root b2)) and offered as $(sed -n 's/.*digest \([0-9a-f]\{16\}\).*/\1/p' <("$vigil" bases verify --root root b2x))" \
	"$vigil" bases verify --root root --installed b2 b2x

# The built-in default bundle: test root yes, production root never.
expect 0 "" "$vigil" bases verify --root "$source_dir/bases/test-keys/test-root" "$VIGIL_BUILD/default-bases.vbundle"
expect 1 "below threshold: 0 valid signatures by release keys of root version 1, 2 required" \
	"$vigil" bases verify --root "$source_dir/bases/production-root" "$VIGIL_BUILD/default-bases.vbundle"

# vigil update over https: a private CA the client is told about.
if ! command -v openssl >/dev/null; then
	echo "openssl not installed: https part skipped"
	echo ok
	exit 0
fi
mkdir -p www/good www/bad
cp b3 www/good/stable.vbundle
head -c 3000000 /dev/zero >www/bad/stable.vbundle
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	-keyout tls.key -out tls.crt 2>/dev/null || fail "openssl req"
cat >server.py <<'PY'
import http.server, ssl, sys, time

class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/endless/") and self.path.endswith(".vbundle"):
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"A" * 65536)
            except OSError:
                return
        if self.path.startswith("/slow/") and self.path.endswith(".vbundle"):
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b"A")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                return
            return
        return super().do_GET()

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
(cd www && exec python3 ../server.py "$work/tls.crt" "$work/tls.key" >../port 2>/dev/null) &
server_pids+=($!)
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
[ -n "$port" ] || fail "https server did not start"
url=https://localhost:$port

expect 0 "" "$vigil" update --from "$url/good" --cacert tls.crt --state-dir state --root root
grep -q "^installed version 3 " "$work/out" || fail "https install: $(cat "$work/out")"
expect 0 "" "$vigil" update --from "$url/good/" --cacert tls.crt --state-dir state --root root
grep -q "already installed" "$work/out" || fail "second https update: $(cat "$work/out")"
# Without the CA the certificate does not verify: an I/O error, nothing changes.
before=$(readlink state/current)
expect 2 "" "$vigil" update --from "$url/good" --state-dir state2 --root root
grep -q "^vigil: $url/good/.*certificate" "$work/err" || fail "TLS failure line: $(cat "$work/err")"
[ ! -e state2/current ] || fail "installed over unverified TLS"
expect 2 "http://localhost/: plain http is not accepted; use https://" "$vigil" update --from http://localhost/ --state-dir state2 --root root
# Endless data is cut at --max-size and the next mirror is used (it must verify too).
expect 0 "" "$vigil" update --from "$url/endless" --from "$url/good" --cacert tls.crt --max-size 1000000 --state-dir state3 --root root
grep -q "^installed version 3 " "$work/out" || fail "fallback after endless mirror: $(cat "$work/out")"
grep -q '"decision":"fetch-failed"' state3/decisions.jsonl || fail "endless mirror not recorded"
expect 2 "$url/endless/stable.vbundle: larger than 1000000 bytes" \
	"$vigil" update --from "$url/endless" --cacert tls.crt --max-size 1000000 --state-dir state4 --root root
# A slow mirror times out.
expect 2 "" "$vigil" update --from "$url/slow" --cacert tls.crt --timeout 2 --state-dir state4 --root root
grep -qi "timed out\|timeout" "$work/err" || fail "slow mirror: $(cat "$work/err")"
# A mirror serving garbage is refused and the next one is used.
expect 0 "" "$vigil" update --from "$url/bad" --from "$url/good" --cacert tls.crt --state-dir state5 --root root
[ "$(readlink state/current)" = "$before" ] || fail "state changed"

# Started as root for a state folder owned by another user, update runs as that user.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$work"
	chmod 644 root tls.crt
	mkdir owned && chown nobody owned
	expect 0 "" "$vigil" update --from "$url/good" --cacert tls.crt --state-dir owned --root root
	[ "$(stat -c %U owned/current/bundle.vbundle)" = nobody ] || fail "installed as $(stat -c %U owned/current/bundle.vbundle)"
	[ "$(stat -c %U owned/decisions.jsonl)" = nobody ] || fail "decision recorded as root"
fi
echo ok
