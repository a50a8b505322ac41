"""A proxy in front of moto for the collection tests: injects throttling, and mends
one answer moto gets wrong.

Usage: proxy.py PORT UPSTREAM_URL COUNT_FILE [RULE...]

Each RULE is ACTION=N: the first N requests for that API action are answered with
the service's throttling error instead of being forwarded (N = "always" for every
one). ACTION is the operation name as the wire names it: `Action=` of Query
protocols (EC2, IAM, RDS...) or the operation of an `X-Amz-Target` header (JSON
protocols: KMS, CloudTrail...). Everything else is forwarded unchanged. COUNT_FILE
receives one line per throttled request, so the test can tell retries happened.

Two more rules, for what moto does not check (it accepts any AssumeRole):
  record=ACTION  appends "ACTION <the request's form, URL-encoded>" to COUNT_FILE for
                 each request of ACTION (forwarded as usual): what went on the wire.
  deny=TEXT      answers AccessDenied to every AssumeRole whose form contains TEXT, in
                 the words AWS uses, naming the caller: a principal of the service's
                 own account (999988887777), which a tenant must never be shown.

The mend: moto 5.1.22 answers AWS Config's BatchGetResourceConfig with its timestamps
as text ("2026-11-23 08:16:49.98+00:00") where the API has epoch seconds, which the
AWS SDK rightly refuses; the proxy turns them into numbers, nothing else.
"""
import datetime
import json
import http.client
import http.server
import sys
import threading
import urllib.parse

PORT, UPSTREAM, COUNTS = int(sys.argv[1]), urllib.parse.urlparse(sys.argv[2]), sys.argv[3]
RULES, RECORD, DENY = {}, set(), []
for rule in sys.argv[4:]:
    action, n = rule.split("=", 1)
    if action == "record":
        RECORD.add(n)
    elif action == "deny":
        DENY.append(n)
    else:
        RULES[action] = None if n == "always" else int(n)
SERVICE_PRINCIPAL = "arn:aws:iam::999988887777:user/securebase-service"
LOCK = threading.Lock()
SEEN = {}


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1], "json"
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return form.get("Action", [None])[0], "query"


def mend_config_items(data):
    doc = json.loads(data)
    for item in doc.get("baseConfigurationItems", []):
        for key in ("configurationItemCaptureTime", "resourceCreationTime"):
            if isinstance(item.get(key), str):
                item[key] = datetime.datetime.fromisoformat(item[key]).timestamp()
    return json.dumps(doc).encode()


class Proxy(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action, protocol = action_of(self.headers, body)
        form = body.decode("utf-8", "replace")
        if action in RECORD:
            with LOCK, open(COUNTS, "a") as f:
                f.write(f"{action} {form}\n")
        if action == "AssumeRole" and any(urllib.parse.quote(t, safe="") in form or t in form for t in DENY):
            role = urllib.parse.parse_qs(form).get("RoleArn", ["?"])[0]
            message = f"User: {SERVICE_PRINCIPAL} is not authorized to perform: sts:AssumeRole on resource: {role}"
            self.reply(403, "text/xml",
                       (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
                        f"</Error><RequestId>deny</RequestId></ErrorResponse>").encode(), {})
            return
        with LOCK:
            throttle = action in RULES and (RULES[action] is None or SEEN.get(action, 0) < RULES[action])
            if throttle:
                SEEN[action] = SEEN.get(action, 0) + 1
                with open(COUNTS, "a") as f:
                    f.write(f"{action}\n")
        if throttle:
            if protocol == "json":
                self.reply(400, "application/x-amz-json-1.1",
                           b'{"__type":"ThrottlingException","message":"Rate exceeded"}',
                           {"x-amzn-ErrorType": "ThrottlingException"})
            else:
                self.reply(503, "text/xml",
                           b"<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                           b"<Message>Request limit exceeded.</Message></Error></Errors>"
                           b"<RequestID>throttle</RequestID></Response>", {})
            return
        upstream = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        resp = upstream.getresponse()
        data = resp.read()
        if action == "BatchGetResourceConfig" and resp.status == 200:
            data = mend_config_items(data)
        extra = {k: v for k, v in resp.getheaders()
                 if k.lower() not in ("connection", "content-length", "transfer-encoding", "content-type")}
        self.reply(resp.status, resp.getheader("Content-Type") or "application/octet-stream", data, extra)
        upstream.close()

    def reply(self, status, content_type, data, headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
