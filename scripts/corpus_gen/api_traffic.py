"""Legitimate API traffic of the shapes that rules written for web servers misjudge.

Each generator returns `(kind, method, path, query, extra_headers, body,
content_type)` for one request; `body` is text or bytes. Kinds:
path values (emails, domains, versions, host names in path segments), a
Stripe-like payments API (form bodies with `metadata[...]`, `expand[]`,
tokens, free-text descriptions, search queries with quotes, idempotency
keys), query languages carried in parameters (OData, SCIM, JSON Patch,
Elasticsearch DSL, Mongo-style filters), binary wire formats (protobuf,
gRPC, MessagePack, CBOR), large JSON documents, gzip/deflate bodies, and
requests shaped like other public APIs (GitHub issues in Markdown, Slack
mrkdwn, Twilio SMS, SendGrid HTML mail, chat-completion prompts, Shopify
`body_html`, PromQL, Kubernetes config maps holding shell scripts).
"""
import base64
import gzip
import json
import struct
import urllib.parse
import uuid
import zlib

FIRST = ["ann", "bob", "chen", "dana", "emeka", "fatima", "gus", "hiro", "ines", "jonas", "kofi", "lena",
         "mike.o'neil", "nora", "omar", "pia", "quinn", "rosa", "sven", "tara"]
LAST = ["smith", "o'brien", "garcia", "nguyen", "muller", "kowalski", "dubois", "rossi", "tanaka", "silva"]
DOMAINS = ["example.com", "example.org", "shop.example.co.uk", "mail.example.net", "example.io",
           "sub.example.dev", "example.com.br", "xn--bcher-kva.example", "cdn.example.app", "example.exe.example"]
WORDS = ["coffee", "beans", "arabica", "grinder", "filter", "kettle", "mug", "select", "blend", "union",
         "drop", "roast", "table", "sample", "order", "where", "gift", "card", "script", "shell"]


def _email(rng):
    return "%s.%s@%s" % (rng.choice(FIRST).split("'")[0], rng.choice(LAST).replace("'", ""), rng.choice(DOMAINS))


def _id(rng, prefix, n=14):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(rng.choice(alphabet) for _ in range(n))


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _form(pairs):
    return urllib.parse.urlencode(pairs)


# ---------------------------------------------------------------- path values

def path_values(rng):
    email = _email(rng)
    domain = rng.choice(DOMAINS)
    choice = rng.randrange(9)
    if choice == 0:
        return "GET", "/api/v1/users/" + urllib.parse.quote(email, safe=""), "", [], None, None
    if choice == 1:
        return "GET", "/users/%s/preferences" % email, "", [], None, None
    if choice == 2:
        return "GET", "/v2/domains/" + domain, "", [], None, None
    if choice == 3:
        return "GET", "/v2/domains/%s/records" % domain, "type=A&per_page=50", [], None, None
    if choice == 4:
        pkg = rng.choice(["lodash/4.17.21", "react/18.3.1", "serde/1.0.203", "numpy/2.0.0", "@types%2Fnode/20.14.2"])
        return "GET", "/api/packages/" + pkg, "", [], None, None
    if choice == 5:
        return "GET", "/repos/acme/api/releases/tags/v%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 99)), "", [], None, None
    if choice == 6:
        host = "db-%02d.internal.%s" % (rng.randint(1, 40), domain)
        return "DELETE", "/api/v1/hosts/" + host, "", [], None, None
    if choice == 7:
        return "GET", "/v1/certificates/*.%s" % domain, "", [], None, None
    body = json.dumps({"email": email, "role": rng.choice(["viewer", "editor", "admin"])})
    return "PUT", "/api/v1/teams/%d/members/%s" % (rng.randint(1, 999), urllib.parse.quote(email, safe="@")), "", [], body, "application/json"


# ---------------------------------------------------------------- payments

def _stripe_headers(rng, idempotent):
    headers = [["Authorization", "Bearer " + _id(rng, "sk_test_", 24)],
               ["Stripe-Version", rng.choice(["2024-06-20", "2023-10-16", "2022-11-15"])],
               ["User-Agent", rng.choice(["Stripe/v1 PythonBindings/10.1.0", "Stripe/v1 NodeBindings/15.12.0",
                                          "Stripe/v1 RubyBindings/12.0.0"])],
               ["X-Stripe-Client-User-Agent", json.dumps({"bindings_version": "10.1.0", "lang": "python",
                                                           "publisher": "stripe", "uname": "Linux 6.5.0 x86_64"})]]
    if idempotent:
        headers.append(["Idempotency-Key", _uuid(rng)])
    return headers


DESCRIPTIONS = [
    "Order #{n} - Ann's coffee beans (2 x 250g)", "Select Blend subscription -- monthly",
    "Refund 1 of 2 items; customer said: 'box arrived crushed'", "Invoice {n} / drop-ship to O'Connell St",
    "Gift card: \"Happy birthday!\" <3", "Union Coffee Roasters - wholesale order {n}",
    "Table reservation deposit (4 or 5 guests)", "Plan upgrade: Basic -> Pro", "Donation -- thank you!",
    "Replacement for order {n} & free shipping", "Script workshop ticket (1/2 day)",
]


def _desc(rng):
    return rng.choice(DESCRIPTIONS).replace("{n}", str(rng.randint(1000, 99999)))


def payments(rng):
    choice = rng.randrange(10)
    cus, amount = _id(rng, "cus_"), str(rng.choice([500, 1299, 2000, 4999, 15000]))
    if choice == 0:
        pairs = [("amount", amount), ("currency", rng.choice(["usd", "eur", "gbp"])), ("customer", cus),
                 ("payment_method", rng.choice(["pm_card_visa", _id(rng, "pm_", 24)])), ("confirm", "true"),
                 ("description", _desc(rng)), ("metadata[order_id]", str(rng.randint(1000, 99999))),
                 ("metadata[cart]", "sku-%d,sku-%d" % (rng.randint(1, 99), rng.randint(100, 999))),
                 ("expand[]", "latest_charge"), ("expand[]", "customer"),
                 ("payment_method_types[]", "card"), ("receipt_email", _email(rng))]
        return "POST", "/v1/payment_intents", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"
    if choice == 1:
        name = "%s %s" % (rng.choice(FIRST).title(), rng.choice(LAST).title())
        pairs = [("email", _email(rng)), ("name", name), ("phone", "+1 415-555-%04d" % rng.randint(0, 9999)),
                 ("address[line1]", "%d O'Connell St" % rng.randint(1, 300)), ("address[line2]", "Apt #%d" % rng.randint(1, 40)),
                 ("address[city]", rng.choice(["Dublin", "San Francisco", "Zürich", "São Paulo"])),
                 ("address[postal_code]", str(rng.randint(10000, 99999))), ("address[country]", rng.choice(["IE", "US", "CH", "BR"])),
                 ("description", _desc(rng)), ("metadata[crm_id]", _uuid(rng)), ("preferred_locales[]", "en")]
        return "POST", "/v1/customers", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"
    if choice == 2:
        pairs = [("amount", amount), ("currency", "usd"), ("source", rng.choice(["tok_visa", "tok_mastercard", _id(rng, "tok_", 24)])),
                 ("description", _desc(rng)), ("statement_descriptor_suffix", "ORDER %d" % rng.randint(100, 999))]
        return "POST", "/v1/charges", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"
    if choice == 3:
        pairs = [("charge", _id(rng, "ch_", 24)), ("reason", "requested_by_customer"),
                 ("metadata[note]", "Customer said: item arrived damaged -- refund 1 of 2"), ("amount", amount)]
        return "POST", "/v1/refunds", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"
    if choice == 4:
        q = rng.choice(["email:'%s'" % _email(rng), "metadata['tier']:'gold' AND created>1700000000",
                        "name~'o''brien' OR email:'ann@example.com'", "-status:'canceled' AND currency:'usd'"])
        return "GET", "/v1/customers/search", _form([("query", q), ("limit", "20")]), _stripe_headers(rng, False), None, None
    if choice == 5:
        query = _form([("limit", str(rng.choice([10, 25, 100]))), ("created[gte]", str(rng.randint(1690000000, 1720000000))),
                       ("starting_after", _id(rng, "ch_", 24)), ("expand[]", "data.customer")])
        return "GET", "/v1/charges", query, _stripe_headers(rng, False), None, None
    if choice == 6:
        pairs = [("mode", "payment"), ("line_items[0][price]", _id(rng, "price_", 24)), ("line_items[0][quantity]", "2"),
                 ("success_url", "https://shop.example.com/success?session_id={CHECKOUT_SESSION_ID}"),
                 ("cancel_url", "https://shop.example.com/cart?step=review&back=../checkout"),
                 ("customer_email", _email(rng)), ("metadata[campaign]", "summer-sale; 20% off")]
        return "POST", "/v1/checkout/sessions", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"
    if choice == 7:
        pairs = [("url", "https://hooks.%s/stripe/events" % rng.choice(DOMAINS)), ("enabled_events[]", "charge.succeeded"),
                 ("enabled_events[]", "payment_intent.payment_failed"), ("description", "Prod webhook -- do not delete")]
        return "POST", "/v1/webhook_endpoints", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"
    if choice == 8:
        return "GET", "/v1/payment_intents/" + _id(rng, "pi_", 24), _form([("expand[]", "payment_method"), ("client_secret", _id(rng, "pi_", 24) + "_secret_" + _id(rng, "", 24))]), _stripe_headers(rng, False), None, None
    pairs = [("name", rng.choice(["Select Blend -- 1kg", "Drop Coffee Gift Box", "Union Espresso 'Dark'"])),
             ("description", "Notes: cocoa & cherry; roast <= medium; brew 1:16 ratio"),
             ("default_price_data[unit_amount]", amount), ("default_price_data[currency]", "eur"),
             ("images[]", "https://files.example.com/img/%d.jpg" % rng.randint(1, 999))]
    return "POST", "/v1/products", "", _stripe_headers(rng, True), _form(pairs), "application/x-www-form-urlencoded"


# ---------------------------------------------------------------- query languages

def query_languages(rng):
    choice = rng.randrange(7)
    name = rng.choice(LAST)
    if choice == 0:
        flt = "LastName eq '%s' and Price gt %d or Category eq 'Select'" % (name.replace("'", "''"), rng.randint(1, 90))
        return "GET", "/odata/Products", _form([("$filter", flt), ("$orderby", "Price desc"), ("$top", "20"), ("$select", "Id,Name,Price")]), [], None, None
    if choice == 1:
        flt = 'userName eq "%s" or emails.value co "@%s"' % (name, rng.choice(DOMAINS))
        return "GET", "/scim/v2/Users", _form([("filter", flt), ("startIndex", "1"), ("count", "100")]), [], None, None
    if choice == 2:
        ops = [{"op": "replace", "path": "/profile/display_name", "value": "%s & co" % name.title()},
               {"op": "remove", "path": "/tags/%d" % rng.randint(0, 5)},
               {"op": "copy", "from": "/billing/address", "path": "/shipping/address"}]
        return "PATCH", "/api/v1/accounts/%d" % rng.randint(1, 99999), "", [], json.dumps(ops), "application/json-patch+json"
    if choice == 3:
        doc = {"query": {"bool": {"must": [{"match": {"title": "select union drop"}}],
                                  "filter": [{"range": {"price": {"gte": 10, "lte": 100}}}],
                                  "must_not": [{"term": {"status": "deleted"}}]}},
               "sort": [{"_score": "desc"}], "size": 20}
        return "POST", "/api/v1/search/_search", "", [], json.dumps(doc), "application/json"
    if choice == 4:
        flt = json.dumps({"status": {"$in": ["active", "trial"]}, "created": {"$gte": "2024-01-01"}})
        return "GET", "/api/v1/accounts", _form([("where", flt), ("sort", "-created"), ("max_results", "50")]), [], None, None
    if choice == 5:
        q = _form([("filter[status]", "active"), ("filter[name][like]", "%" + name + "%"), ("sort", "-created_at,name"),
                   ("fields[users]", "id,name,email"), ("include", "orders.items"), ("page[size]", "25")])
        return "GET", "/api/v2/users", q, [], None, None
    q = _form([("q", 'language:rust stars:>100 "select * from"'), ("sort", "stars"), ("order", "desc")])
    return "GET", "/search/code", q, [], None, None


# ---------------------------------------------------------------- binary formats

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _pb_field(num, value):
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint((num << 3) | 2) + _varint(len(data)) + data


def _msgpack(obj):
    if isinstance(obj, dict):
        out = bytes([0x80 | len(obj)])
        for k, v in obj.items():
            out += _msgpack(k) + _msgpack(v)
        return out
    if isinstance(obj, list):
        return bytes([0x90 | len(obj)]) + b"".join(_msgpack(v) for v in obj)
    if isinstance(obj, bool):
        return b"\xc3" if obj else b"\xc2"
    if isinstance(obj, int):
        return bytes([obj]) if 0 <= obj < 128 else b"\xce" + struct.pack(">I", obj)
    data = obj.encode()
    return (bytes([0xA0 | len(data)]) if len(data) < 32 else b"\xd9" + bytes([len(data)])) + data


def _cbor_head(major, n):
    if n < 24:
        return bytes([(major << 5) | n])
    if n < 256:
        return bytes([(major << 5) | 24, n])
    return bytes([(major << 5) | 26]) + struct.pack(">I", n)


def _cbor(obj):
    if isinstance(obj, dict):
        return _cbor_head(5, len(obj)) + b"".join(_cbor(k) + _cbor(v) for k, v in obj.items())
    if isinstance(obj, list):
        return _cbor_head(4, len(obj)) + b"".join(_cbor(v) for v in obj)
    if isinstance(obj, bool):
        return b"\xf5" if obj else b"\xf4"
    if isinstance(obj, int):
        return _cbor_head(0, obj)
    data = obj.encode()
    return _cbor_head(3, len(data)) + data


def binary(rng):
    doc = {"id": rng.randint(1, 2 ** 31), "name": rng.choice(WORDS) + " " + rng.choice(WORDS),
           "tags": [rng.choice(WORDS) for _ in range(3)], "active": rng.random() < 0.5,
           "email": _email(rng)}
    choice = rng.randrange(5)
    if choice == 0:
        pb = _pb_field(1, doc["id"]) + _pb_field(2, doc["name"]) + b"".join(_pb_field(3, t) for t in doc["tags"]) + _pb_field(4, doc["email"])
        return "POST", "/api/v1/events", "", [], pb, rng.choice(["application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf"])
    if choice == 1:
        pb = _pb_field(1, doc["name"]) + _pb_field(2, doc["id"])
        frame = b"\x00" + struct.pack(">I", len(pb)) + pb
        return "POST", "/acme.inventory.v1.InventoryService/GetItem", "", [["TE", "trailers"], ["grpc-timeout", "5S"]], frame, "application/grpc"
    if choice == 2:
        return "POST", "/api/v1/telemetry", "", [], _msgpack(doc), rng.choice(["application/msgpack", "application/x-msgpack"])
    if choice == 3:
        return "POST", "/api/v1/devices/%d/readings" % rng.randint(1, 999), "", [], _cbor(doc), "application/cbor"
    blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(64, 2048)))
    return "PUT", "/api/v1/files/%s/content" % _uuid(rng), "", [], blob, "application/octet-stream"


# ---------------------------------------------------------------- large and compressed bodies

def _items(rng, n):
    return [{"id": _uuid(rng), "sku": "SKU-%06d" % rng.randint(0, 999999), "name": " ".join(rng.choice(WORDS) for _ in range(3)),
             "price": round(rng.uniform(1, 500), 2), "qty": rng.randint(1, 20),
             "notes": "Handle with care; ship in %d-%d days." % (rng.randint(1, 3), rng.randint(4, 9))} for _ in range(n)]


def large_json(rng, size=300_000):
    items = []
    body = ""
    while len(body) < size:
        items.extend(_items(rng, 200))
        body = json.dumps({"import_id": _uuid(rng), "items": items})
    return "POST", "/api/v1/catalog/import", "", [], body, "application/json"


def compressed(rng):
    doc = {"order_id": rng.randint(1000, 999999), "customer": {"email": _email(rng)}, "items": _items(rng, rng.randint(5, 40))}
    raw = json.dumps(doc).encode()
    if rng.random() < 0.7:
        data, coding = gzip.compress(raw, mtime=0), "gzip"
    else:
        data, coding = zlib.compress(raw), "deflate"
    return "POST", "/api/v2/orders", "", [["Content-Encoding", coding]], data, "application/json"


# ---------------------------------------------------------------- other public APIs

def _github(rng):
    repo = "acme/%s" % rng.choice(["api", "web", "infra", "docs"])
    body = rng.choice([
        "Steps to reproduce:\n1. Open /settings\n2. Select *Billing*\n3. Drop the old card\n\nExpected: card removed. Actual: 500.",
        "The `orders` query does a full scan, see:\n\n```sql\nSELECT * FROM orders WHERE status = 'open' ORDER BY created_at DESC;\n```\n\nAn index on (status, created_at) fixes it.",
        "Fixes #%d. Replaces `exec()` with a parameterised call and adds tests for `' OR 1=1`." % rng.randint(1, 999),
        "Bumps lodash from 4.17.20 to 4.17.21.\n\n<details><summary>Release notes</summary>\n<p>Security fix for prototype pollution.</p>\n</details>",
        "Docs: `curl -X POST https://api.example.com/v1/tokens -d @body.json` returns 401 -- is the header name right?",
    ])
    doc = {"title": rng.choice(["Checkout fails after card removal", "Slow orders query", "Fix injection in search",
                                "Bump lodash", "Token endpoint docs"]), "body": body,
           "labels": rng.sample(["bug", "security", "docs", "dependencies", "performance"], 2)}
    return "POST", "/repos/%s/issues" % repo, "", [["Accept", "application/vnd.github+json"], ["X-GitHub-Api-Version", "2022-11-28"]], json.dumps(doc), "application/json"


def _slack(rng):
    text = rng.choice([
        "*Deploy* `api v%d.%d.%d` finished <https://ci.example.com/runs/%d|details>" % (rng.randint(1, 9), rng.randint(0, 20), rng.randint(0, 50), rng.randint(1, 9999)),
        "Reminder: <!here> DB maintenance tonight -- selects will be slow, drops none :slightly_smiling_face:",
        "<@U0%dABC> can you check `/var/log/app/error.log` on web-2?" % rng.randint(10, 99),
        "PR merged: _Fix union query in reports_ (<https://github.com/acme/api/pull/%d|#%d>)" % (rng.randint(1, 999), rng.randint(1, 999)),
    ])
    doc = {"channel": "C0%dXYZ" % rng.randint(1000, 9999), "text": text,
           "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}], "unfurl_links": False}
    return "POST", "/api/chat.postMessage", "", [], json.dumps(doc), "application/json; charset=utf-8"


def _twilio(rng):
    account = _id(rng, "AC", 32)
    body = rng.choice(["Your code is %06d. Don't share it with anyone." % rng.randint(0, 999999),
                       "Order #%d shipped -- track it at https://shop.example.com/t/%d" % (rng.randint(1000, 99999), rng.randint(1, 10 ** 6)),
                       "Reply YES to confirm your 3pm appointment or NO to cancel.",
                       "Reminder: select a delivery slot & drop-off point in the app."])
    pairs = [("To", "+1415555%04d" % rng.randint(0, 9999)), ("From", "+1650555%04d" % rng.randint(0, 9999)), ("Body", body),
             ("StatusCallback", "https://hooks.example.com/twilio/status?order=%d" % rng.randint(1, 99999))]
    return "POST", "/2010-04-01/Accounts/%s/Messages.json" % account, "", [["Authorization", "Basic " + base64_auth(rng)]], _form(pairs), "application/x-www-form-urlencoded"


def base64_auth(rng):
    return base64.b64encode(("%s:%s" % (_id(rng, "AC", 32), _id(rng, "", 32))).encode()).decode()


def _sendgrid(rng):
    html_body = ('<html><body style="font-family:Arial,sans-serif"><h1>Welcome, %s!</h1>'
                 '<p>Confirm your address to finish signing up.</p>'
                 '<p><a href="https://app.example.com/confirm?token=%s" style="color:#0a66c2">Confirm email</a></p>'
                 '<img src="https://email.example.com/open.gif?u=%d" width="1" height="1" alt="">'
                 '<p style="font-size:11px">Not you? <a href="https://app.example.com/unsubscribe">Unsubscribe</a></p>'
                 '</body></html>') % (rng.choice(FIRST).split("'")[0].title(), _id(rng, "", 24), rng.randint(1, 10 ** 6))
    doc = {"personalizations": [{"to": [{"email": _email(rng)}], "dynamic_template_data": {"first_name": rng.choice(FIRST)}}],
           "from": {"email": "no-reply@example.com", "name": "Example"}, "subject": "Confirm your email",
           "content": [{"type": "text/plain", "value": "Confirm: https://app.example.com/confirm"}, {"type": "text/html", "value": html_body}]}
    return "POST", "/v3/mail/send", "", [], json.dumps(doc), "application/json"


def _openai(rng):
    ask = rng.choice([
        "Write a SQL query that selects all orders from last week and drops duplicate rows.",
        "Why does `rm -rf $DIR/` delete everything when DIR is empty? How do I guard against it?",
        "Explain what <script defer> does compared to async.",
        "My query is SELECT name FROM users WHERE id = 1 OR 1=1 -- why does it return all users?",
        "Summarise this ticket: customer can't select a delivery slot, drop-down is empty on Safari.",
        "Convert this bash to Python: for f in ../logs/*.gz; do zcat \"$f\" | grep ERROR; done",
    ])
    doc = {"model": rng.choice(["gpt-4o-mini", "gpt-4.1", "o4-mini"]), "temperature": 0.2,
           "messages": [{"role": "system", "content": "You are a helpful assistant for engineers."}, {"role": "user", "content": ask}]}
    return "POST", "/v1/chat/completions", "", [], json.dumps(doc), "application/json"


def _shopify(rng):
    doc = {"product": {"title": rng.choice(["Select Cotton Tee", "Union Jack Mug", "Drop Shoulder Hoodie"]),
                       "body_html": "<p><strong>100%% cotton</strong>, pre-shrunk.</p><ul><li>Fits true to size</li><li>Wash at 30&deg;C</li></ul><p>Size chart: <a href=\"/pages/sizes\">here</a></p>",
                       "vendor": "Acme & Sons", "tags": "summer, sale, 2-for-1", "variants": [{"sku": "TEE-%03d" % rng.randint(1, 999), "price": "19.99"}]}}
    doc["product"]["body_html"] = doc["product"]["body_html"].replace("%%", "%")
    return "PUT", "/admin/api/2024-04/products/%d.json" % rng.randint(10 ** 9, 10 ** 10), "", [["X-Shopify-Access-Token", _id(rng, "shpat_", 32)]], json.dumps(doc), "application/json"


def _prometheus(rng):
    q = rng.choice(['sum(rate(http_requests_total{job="api",status=~"5.."}[5m])) by (instance)',
                    'histogram_quantile(0.99, sum by (le) (rate(request_seconds_bucket{route="/api/v1/orders"}[10m])))',
                    'up{job=~"node|db"} == 0 or absent(up{job="api"})',
                    'count(kube_pod_status_phase{phase!="Running"}) > 0'])
    return "GET", "/api/v1/query_range", _form([("query", q), ("start", "2024-06-01T00:00:00Z"), ("end", "2024-06-01T06:00:00Z"), ("step", "60s")]), [], None, None


def _kubernetes(rng):
    script = "#!/bin/sh\nset -e\nexec /app/server --port 8080 --config /etc/app/config.yaml \"$@\"\n"
    doc = {"data": {"entrypoint.sh": script, "LOG_LEVEL": rng.choice(["info", "debug"]),
                    "DATABASE_URL": "postgres://app@db.default.svc:5432/app?sslmode=require"}}
    return "PATCH", "/api/v1/namespaces/%s/configmaps/app-config" % rng.choice(["default", "shop", "staging"]), "", [], json.dumps(doc), "application/merge-patch+json"


SAAS = {"github": _github, "slack": _slack, "twilio": _twilio, "sendgrid": _sendgrid, "openai": _openai,
        "shopify": _shopify, "prometheus": _prometheus, "kubernetes": _kubernetes}


def saas(rng):
    """One request to a public API other than payments; the API's name is returned first."""
    name = rng.choice(sorted(SAAS))
    return (name,) + SAAS[name](rng)
