# tests/lib/tls_pki.sh - a throw-away PKI and SMTP servers for the TLS tests
# (source it after testlib.sh).
#
#   pki_init                     CA in $PKI/ca.pem, $PKI/ca.key
#   pki_leaf NAME DNSNAME [DAYS] $PKI/NAME.pem/.key signed by the CA
#                                (PKI_EXTRA_SAN="DNS:a,DNS:b" adds names)
#   pki_expired NAME DNSNAME     valid in 2020 only
#   pki_selfsigned NAME DNSNAME  no CA
#   pki_spki_sha256 NAME         hex SHA-256 of the certificate's public key (TLSA 3 1 1)
#   smtp_start NAME ARGS...      tests/lib/smtp_server.py, sets SMTP_PORT
#   bad_peer_start MODE          tests/lib/bad_smtp_peer.py, sets BAD_PORT
#
# Keys are EC P-256: quick to make, and every run gets new ones.

PKI="$TEST_TMPDIR/pki"

pki_init() {
	mkdir -p "$PKI" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 30 -subj "/CN=mxaudit throw-away test CA" \
		-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		>"$PKI/log" 2>&1 || { diag "$(cat "$PKI/log")"; return 1; }
	printf '[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index.txt\nnew_certs_dir = %s\nserial = %s/serial\n' \
		"$PKI" "$PKI" "$PKI" >"$PKI/ca.cnf"
	printf 'default_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n' >>"$PKI/ca.cnf"
	: >"$PKI/index.txt"
	echo 1000 >"$PKI/serial"
}

_pki_csr() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$PKI/$1.key" \
		-out "$PKI/$1.csr" -subj "/CN=$2" >>"$PKI/log" 2>&1
	printf 'subjectAltName=DNS:%s%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$2" \
		"${PKI_EXTRA_SAN:+,$PKI_EXTRA_SAN}" >"$PKI/$1.ext"
}

pki_leaf() {
	_pki_csr "$1" "$2" &&
		openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
			-days "${3:-60}" -extfile "$PKI/$1.ext" -out "$PKI/$1.pem" >>"$PKI/log" 2>&1
}

pki_expired() {
	_pki_csr "$1" "$2" &&
		openssl ca -batch -config "$PKI/ca.cnf" -cert "$PKI/ca.pem" -keyfile "$PKI/ca.key" -notext \
			-startdate 20200101000000Z -enddate 20200201000000Z -extfile "$PKI/$1.ext" \
			-in "$PKI/$1.csr" -out "$PKI/$1.pem" >>"$PKI/log" 2>&1
}

pki_selfsigned() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$PKI/$1.key" \
		-out "$PKI/$1.pem" -days 60 -subj "/CN=$2" -addext "subjectAltName=DNS:$2" >>"$PKI/log" 2>&1
}

pki_spki_sha256() {
	openssl x509 -in "$PKI/$1.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -hex | sed 's/^.*= *//'
}

# _tls_server NAME SCRIPT ARGS...: start a python server that writes its
# port to a file; wait for it (10 s); set _tls_port.
_tls_server() {
	local name=$1 script=$2 portfile="$TEST_TMPDIR/$1.port" pid i
	shift 2
	_tls_port=
	rm -f "$portfile"
	"$PYTHON" "$script" "$portfile" "$_tl_test_pid" "$@" </dev/null >"$TEST_TMPDIR/$name.log" 2>&1 &
	pid=$!
	at_exit "_tl_kill $pid"
	for ((i = 0; i < 100; i++)); do
		if [ -s "$portfile" ]; then
			_tls_port=$(cat "$portfile")
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "$name did not start: $(cat "$TEST_TMPDIR/$name.log" 2>/dev/null)"
	return 1
}

smtp_start() {
	local name=$1
	shift
	_tls_server "smtp-$name" "$top_srcdir/tests/lib/smtp_server.py" "$@" || return 1
	SMTP_PORT=$_tls_port
}

bad_peer_start() {
	_tls_server "bad-$1" "$top_srcdir/tests/lib/bad_smtp_peer.py" "$1" || return 1
	BAD_PORT=$_tls_port
}
