#!/usr/bin/env python3
"""A fake Huawei API gateway that checks AK/SK (SDK-HMAC-SHA256) signatures.

An implementation independent of the Rust signer (`backup-runtime` `auth::sign`), written from
the project's `shared/reference/auth.md`: section 3 (the algorithm, after the Huawei Cloud "API
Request Signing Guide", hw-go `core/auth/signer/signer.go` and hw-py
`huaweicloudsdkcore/signer/signer.py`) and section 8.3 (how the gateway verifies). Every
request is verified from what was actually received: the raw path and query, the received
header values, the raw body bytes.

Usage:
    python3 aksk_gateway.py --keys AK=SK[,AK2=SK2] --routes ROUTES.json [--log LOG.jsonl]
    python3 aksk_gateway.py --self-test

ROUTES.json is a JSON array of
    {"method": "GET", "path": "/v3/p/backups/b1", "status": 200, "headers": {...}, "body": ...}
(`body` JSON, sent as JSON, or a string, sent as it is). A request is matched on method and
path (the query is ignored); an unmatched one gets 404. A request whose signature does not
verify gets 401 with the gateway's `APIGW.0301` body.

The server binds 127.0.0.1 on a free port and prints `listening on 127.0.0.1:PORT` as its
first line. Each request is logged to LOG as one JSON line: method, path (raw), query (raw),
headers (lower-case names), body (text), verified, reason.

Python 3 standard library only.
"""

import argparse
import datetime
import hashlib
import hmac
import http.server
import json
import re
import sys
import threading
import urllib.parse
import uuid

ALGORITHM = "SDK-HMAC-SHA256"
AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$"
)
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW = datetime.timedelta(minutes=15)
FAILURE_MESSAGE = "Incorrect IAM authentication information: verify aksk signature fail"


def encode(text):
    """Percent-encodes all but A-Z a-z 0-9 - _ . ~ (upper-case hex)."""
    return urllib.parse.quote(text, safe="~")


def canonical_uri(raw_path):
    """Reference 8.3 step 3: each segment decoded then encoded, `/` appended if missing."""
    uri = "/".join(encode(urllib.parse.unquote(seg)) for seg in raw_path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query):
    """Reference 8.3 step 4: parse_qsl, sorted (name, value) pairs, `name=value` joined by `&`."""
    pairs = sorted(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
    return "&".join(encode(name) + "=" + encode(value) for name, value in pairs)


def canonical_headers(signed, header_values):
    """Reference 8.3 step 5: `name:stripped value\\n` for each signed name.

    `header_values(name)` gives the list of received values of a header (a header received
    twice is signed with its stripped values joined by `,`), or an empty list."""
    block = ""
    for name in signed:
        block += name + ":" + ",".join(v.strip() for v in header_values(name)) + "\n"
    return block


def canonical_request(method, raw_path, raw_query, signed, header_values, body):
    """Reference 8.3 steps 3-7: the canonical request from what was received."""
    content_sha = header_values("x-sdk-content-sha256")
    payload_hash = content_sha[0].strip() if content_sha else hashlib.sha256(body).hexdigest()
    return "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            canonical_headers(signed, header_values),
            ";".join(signed),
            payload_hash,
        ]
    )


def string_to_sign(canonical, date):
    return ALGORITHM + "\n" + date + "\n" + hashlib.sha256(canonical.encode()).hexdigest()


def signature(secret_key, sts):
    return hmac.new(secret_key.encode(), sts.encode(), hashlib.sha256).hexdigest()


def verify(keys, method, raw_path, raw_query, header_values, body, now=None):
    """Verifies one request as reference 8.3 describes.

    Returns (verified, reason, canonical request or None)."""
    authorization = header_values("authorization")
    if not authorization:
        return False, "no Authorization header", None
    match = AUTHORIZATION.match(authorization[0])
    if not match:
        return False, "Authorization does not match the SDK-HMAC-SHA256 form", None
    access, signed_text, given = match.groups()
    signed = signed_text.split(";")
    if signed != sorted(signed) or any(n != n.lower() for n in signed):
        return False, "SignedHeaders not lower case and sorted: " + signed_text, None
    if "x-sdk-date" not in signed:
        return False, "x-sdk-date is not signed", None
    for name in ("x-project-id", "x-security-token"):
        if header_values(name) and name not in signed:
            return False, name + " sent but not signed", None
    for name in signed:
        if not header_values(name):
            return False, "signed header " + name + " was not received", None
    date = header_values("x-sdk-date")[0].strip()
    try:
        when = datetime.datetime.strptime(date, DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return False, "X-Sdk-Date is not YYYYMMDDTHHMMSSZ: " + date, None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if abs(now - when) > MAX_SKEW:
        return False, "X-Sdk-Date " + date + " is more than 15 minutes from now", None
    if access not in keys:
        return False, "unknown access key " + access, None
    canonical = canonical_request(method, raw_path, raw_query, signed, header_values, body)
    expected = signature(keys[access], string_to_sign(canonical, date))
    if not hmac.compare_digest(expected, given):
        return False, "signature mismatch", canonical
    return True, "ok", canonical


def values_of(headers):
    """`header_values` for a list of (name, value) pairs."""

    def header_values(name):
        return [value for key, value in headers if key.lower() == name]

    return header_values


class Gateway(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, keys, routes, log_path):
        super().__init__(("127.0.0.1", 0), Handler)
        self.keys = keys
        self.routes = routes
        self.log_path = log_path
        self.log_lock = threading.Lock()

    def log_request_line(self, entry):
        if not self.log_path:
            return
        with self.log_lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            log.flush()

    def route(self, method, raw_path):
        decoded = urllib.parse.unquote(raw_path)
        for route in self.routes:
            if route.get("method", "GET").upper() != method.upper():
                continue
            if route.get("path") in (raw_path, decoded):
                return route
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeApiGateway/1.0"

    def log_message(self, format, *args):  # noqa: A002 - silence the default access log
        pass

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        body = self.read_body()
        raw_path, _, raw_query = self.path.partition("?")
        received = [(name, value) for name, value in self.headers.items()]
        header_values = values_of(received)
        verified, reason, canonical = verify(
            self.server.keys, self.command, raw_path, raw_query, header_values, body
        )
        logged_headers = {}
        for name, value in received:
            key = name.lower()
            logged_headers[key] = (logged_headers[key] + "," + value) if key in logged_headers else value
        self.server.log_request_line(
            {
                "method": self.command,
                "path": raw_path,
                "query": raw_query,
                "headers": logged_headers,
                "body": body.decode("utf-8", errors="replace"),
                "verified": verified,
                "reason": reason,
                "canonical_request": canonical,
            }
        )
        request_id = uuid.uuid4().hex
        if not verified:
            self.answer(
                401,
                {"Content-Type": "application/json"},
                json.dumps(
                    {"error_msg": FAILURE_MESSAGE, "error_code": "APIGW.0301", "request_id": request_id}
                ).encode(),
                request_id,
            )
            return
        route = self.server.route(self.command, raw_path)
        if route is None:
            self.answer(
                404,
                {"Content-Type": "application/json"},
                json.dumps(
                    {
                        "error_msg": "No route for " + self.command + " " + raw_path,
                        "error_code": "APIGW.0101",
                        "request_id": request_id,
                    }
                ).encode(),
                request_id,
            )
            return
        payload = route.get("body")
        headers = {}
        if isinstance(payload, str):
            data = payload.encode()
            headers["Content-Type"] = "text/plain; charset=utf-8"
        elif payload is None:
            data = b""
        else:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        headers.update(route.get("headers") or {})
        self.answer(int(route.get("status", 200)), headers, data, request_id)

    def answer(self, status, headers, data, request_id):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.send_header("X-Request-Id", request_id)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


# Self-test: vectors A-D of reference section 3.2, each as (name, AK, SK, method, raw path,
# raw query, headers, body, expected Authorization).
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PID = "0123456789abcdef0123456789abcdef"
VECTORS = [
    (
        "A test1 (hw-go signer_test.go)",
        "AccessKey", "SecretKey", "GET", "/path", "limit=1",
        [("X-Sdk-Date", "20060102T150405Z"), ("TEST_UNDERSCORE", "TEST_VALUE")],
        b"",
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "
        "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
    ),
    (
        "A test2 (hw-go, body ends with a newline, Content-Type not signed)",
        "AccessKey", "SecretKey", "POST", "/path", "key=value",
        [
            ("X-Sdk-Date", "20060102T150405Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
            ("Content-Type", "application/json"),
        ],
        b'{"Name":"test","Id":1}\n',
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "
        "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
    ),
    (
        "B test_signer1 (hw-py test_signer.py)",
        "AccessKey", "SecretKey", "GET", "/resources", "size=1",
        [
            ("Host", "service.endpoint.myhuaweicloud.com"),
            ("X-Sdk-Date", "20200608T023900Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
        ],
        b"",
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842",
    ),
    (
        "B test_signer2 (hw-py)",
        "AccessKey", "SecretKey", "POST", "/resources", "size=1",
        [
            ("Host", "service.endpoint.myhuaweicloud.com"),
            ("X-Sdk-Date", "20200608T023900Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
        ],
        b'{"name":"test","id":1}',
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
        "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f",
    ),
    (
        "C (API Request Signing Guide)",
        "QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", "GET",
        "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        [
            ("Content-Type", "application/json"),
            ("Host", "service.region.example.com"),
            ("X-Sdk-Date", "20191115T033655Z"),
        ],
        b"",
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "
        "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    ),
    (
        "D GET, host signed (derived)",
        "AKEXAMPLE", "SKEXAMPLE", "GET", "/v3/" + PID + "/backups",
        "limit=10&resource_type=OS%3A%3ACinder%3A%3AVolume",
        [
            ("Host", "cbr.eu-de.otc.t-systems.com"),
            ("X-Project-Id", PID),
            ("X-Sdk-Date", "20250101T000000Z"),
        ],
        b"",
        "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=host;x-project-id;x-sdk-date, "
        "Signature=cc4fda36af9394f6813db7bcc0675d7951460132b44e1c38e12e7b66623aedb8",
    ),
    (
        "D GET, Go style (derived)",
        "AKEXAMPLE", "SKEXAMPLE", "GET", "/v3/" + PID + "/backups",
        "limit=10&resource_type=OS::Cinder::Volume",
        [
            ("Host", "cbr.eu-de.otc.t-systems.com"),
            ("X-Project-Id", PID),
            ("X-Sdk-Date", "20250101T000000Z"),
        ],
        b"",
        "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=x-project-id;x-sdk-date, "
        "Signature=e8592772c101b5343256d5280a8dcdaa4af52305dd139b29abf281b2a36d94e3",
    ),
    (
        "D POST (derived)",
        "AKEXAMPLE", "SKEXAMPLE", "POST", "/v3/" + PID + "/vaults/v-1/backup", "",
        [
            ("Content-Type", "application/json"),
            ("Host", "127.0.0.1:8443"),
            ("X-Project-Id", PID),
            ("X-Sdk-Date", "20250101T000000Z"),
        ],
        b'{"backup":{"parameters":{"auto_trigger":false}}}',
        "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=0934bad055cc31442c173fb32dc87f259c83abc87c579611bfc1f35c3e6b353d",
    ),
]


def self_test():
    failures = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + ((": " + detail) if detail and not ok else ""))
        if not ok:
            failures.append(name)

    for name, ak, sk, method, path, query, headers, body, expected in VECTORS:
        date = dict((k.lower(), v) for k, v in headers)["x-sdk-date"]
        when = datetime.datetime.strptime(date, DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
        received = headers + [("Authorization", expected)]
        ok, reason, canonical = verify({ak: sk}, method, path, query, values_of(received), body, when)
        check(name, ok, reason + "\n" + (canonical or ""))
        # Recomputed from scratch, the signature is the published one.
        signed = AUTHORIZATION.match(expected).group(2).split(";")
        canonical = canonical_request(method, path, query, signed, values_of(headers), body)
        sig = signature(sk, string_to_sign(canonical, date))
        check(name + ": recomputed signature", expected.endswith("Signature=" + sig), sig)
        # Tampering is caught: another body, another query, another signed header value.
        tampered = verify({ak: sk}, method, path, query + "&x=1", values_of(received), body, when)
        check(name + ": a changed query fails", not tampered[0])
        tampered = verify({ak: sk}, method, path, query, values_of(received), body + b" ", when)
        check(name + ": a changed body fails", not tampered[0])
        late = when + datetime.timedelta(minutes=16)
        check(name + ": 16 minutes late fails", not verify({ak: sk}, method, path, query, values_of(received), body, late)[0])
        check(name + ": a wrong key fails", not verify({ak: sk + "x"}, method, path, query, values_of(received), body, when)[0])

    # Vector A test1: the canonical request and its hash as derived in the reference.
    canonical = canonical_request(
        "GET", "/path", "limit=1", ["x-sdk-date"], values_of([("X-Sdk-Date", "20060102T150405Z")]), b""
    )
    check(
        "A test1 canonical request",
        canonical == "GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n" + EMPTY_SHA256
        and hashlib.sha256(canonical.encode()).hexdigest()
        == "85c3b7730f308aee452b16138a42a914397e43a8f0d732dfa521c0ef2afa98a4",
        repr(canonical),
    )
    # Vector A test2 without the trailing newline gives the other signature (the trap).
    canonical = canonical_request(
        "POST", "/path", "key=value", ["x-sdk-date"], values_of([("X-Sdk-Date", "20060102T150405Z")]),
        b'{"Name":"test","Id":1}',
    )
    sig = signature("SecretKey", string_to_sign(canonical, "20060102T150405Z"))
    check("A test2 without the newline differs", sig.startswith("83599e52") and sig.endswith("7a35"), sig)
    # Vector C: the canonical request and the string to sign of the Signing Guide.
    c_headers = [
        ("Content-Type", "application/json"),
        ("Host", "service.region.example.com"),
        ("X-Sdk-Date", "20191115T033655Z"),
    ]
    canonical = canonical_request(
        "GET", "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        ["content-type", "host", "x-sdk-date"], values_of(c_headers), b"",
    )
    check(
        "C canonical request and string to sign",
        canonical
        == "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n"
        "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"
        "content-type:application/json\nhost:service.region.example.com\n"
        "x-sdk-date:20191115T033655Z\n\ncontent-type;host;x-sdk-date\n" + EMPTY_SHA256
        and string_to_sign(canonical, "20191115T033655Z")
        == "SDK-HMAC-SHA256\n20191115T033655Z\n"
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a",
        repr(canonical),
    )
    # The published canonical-query check (hw-go TestSigner_canonicalQueryString).
    query = urllib.parse.urlencode(
        [("limit", 1), ("enable", "true"), ("test", "一 (&=?!#%.*)"), ("path", "/tmp/123"),
         ("multi", 3), ("multi", 1), ("multi", 2)],
        quote_via=urllib.parse.quote,
    )
    got = canonical_query(query)
    check(
        "published canonical query",
        got == "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123"
        "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
        got,
    )
    check("D canonical query", canonical_query("limit=10&resource_type=OS::Cinder::Volume")
          == "limit=10&resource_type=OS%3A%3ACinder%3A%3AVolume")
    check("canonical URI", canonical_uri("/v1/a b+c/%2B%20x") == "/v1/a%20b%2Bc/%2B%20x/" and canonical_uri("") == "/")
    check("no plus", canonical_query("q=a+b%2B") == "q=a%20b%2B")
    # Unsigned x-sdk-date, or a project id sent but not signed, are refused.
    headers = [("X-Sdk-Date", "20250101T000000Z"), ("X-Project-Id", PID)]
    when = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    for signed_list, why in ((["x-project-id"], "x-sdk-date not signed"), (["x-sdk-date"], "x-project-id not signed")):
        canonical = canonical_request("GET", "/", "", signed_list, values_of(headers), b"")
        auth = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=%s, Signature=%s" % (
            ";".join(signed_list), signature("SK", string_to_sign(canonical, "20250101T000000Z")))
        ok = verify({"AK": "SK"}, "GET", "/", "", values_of(headers + [("Authorization", auth)]), b"", when)[0]
        check("refused: " + why, not ok)

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", help="AK=SK[,AK2=SK2]")
    parser.add_argument("--routes", help="a JSON array of routes")
    parser.add_argument("--log", help="append one JSON line per request here")
    parser.add_argument("--self-test", action="store_true", help="check the verifier against vectors A-D")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.keys or not args.routes:
        parser.error("--keys and --routes are required (or --self-test)")
    keys = {}
    for pair in args.keys.split(","):
        access, sep, secret = pair.partition("=")
        if not sep or not access:
            parser.error("--keys takes AK=SK pairs separated by commas")
        keys[access] = secret
    with open(args.routes, encoding="utf-8") as routes_file:
        routes = json.load(routes_file)
    server = Gateway(keys, routes, args.log)
    host, port = server.server_address[:2]
    print("listening on %s:%d" % (host, port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
