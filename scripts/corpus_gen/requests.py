"""Realistic API requests that carry one chosen value in one chosen place.

A `Slot` is a placement (where the value goes: query, path, header, cookie,
form, JSON, GraphQL variables, multipart, XML) with its variant (custom
header, User-Agent, Referer, Authorization or X-Forwarded-For; nested JSON
field or array item; XML element or SOAP body). `Context`
holds every random choice about a request except the value (host, client,
endpoint, field name, neighbours), so an attack and its benign twin differ
in the value alone. Records follow `shared/formats/exchange-record.md`:
Host, User-Agent, Accept, the right Content-Type and Content-Length, and
`request_body_b64` for bodies that are not UTF-8.
"""
import base64
import gzip
import json
import uuid

from . import encodings as enc

HOSTS = ["api.shop.example", "api.example.com", "backend.acme.example", "gateway.bank.example",
         "svc.travel.example", "api.saas.example.io"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "okhttp/4.12.0", "python-requests/2.32.3", "axios/1.7.2", "Go-http-client/2.0",
    "MyShop/5.12.0 (iPhone; iOS 17.5; Scale/3.00)", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A)",
    "curl/8.8.0", "PostmanRuntime/7.39.0", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
]
ACCEPTS = ["application/json", "application/json, text/plain, */*", "*/*", "application/json;q=0.9,*/*;q=0.8"]

FIELDS = {
    "sqli": ["id", "q", "search", "sort", "filter", "category", "username", "order_id"],
    "xss": ["comment", "name", "title", "bio", "message", "q", "display_name"],
    "traversal": ["file", "path", "template", "doc", "attachment", "download", "lang"],
    "cmdi": ["host", "ip", "domain", "filename", "target", "hostname"],
    "ssrf": ["url", "webhook", "callback_url", "image_url", "feed", "redirect_uri"],
    "ssti": ["template", "greeting", "name", "subject", "message"],
    "nosql": ["username", "password", "filter", "where", "query", "user_id"],
    "ldap": ["user", "uid", "cn", "group", "search", "login"],
    "xxe": ["data", "xml", "payload", "document"],
    "log4shell": ["username", "search", "device", "message", "locale"],
    "php": ["page", "file", "include", "module", "data"],
    "prose": ["message", "body", "description", "comment", "note", "review", "q", "text"],
}
HEADERS = {
    "sqli": "X-Filter", "xss": "X-Display-Name", "traversal": "X-File-Path", "cmdi": "X-Target-Host",
    "ssrf": "X-Callback-Url", "ssti": "X-Template", "nosql": "X-Query", "ldap": "X-Remote-User",
    "xxe": "X-Payload", "log4shell": "X-Api-Version", "php": "X-Module", "prose": "X-Feedback-Text",
}
QUERY_ENDPOINTS = ["/api/v1/products", "/api/v2/search", "/api/v1/users", "/api/v3/reports",
                   "/v1/catalog/items", "/api/v2/orders", "/api/v1/files"]
PATH_TEMPLATES = ["/api/v2/orders/{}", "/api/v1/files/{}/download", "/api/v1/users/{}", "/v1/customers/{}",
                  "/api/v3/documents/{}/preview", "/api/v1/products/{}/reviews", "/static/{}"]
BODY_ENDPOINTS = ["/api/v2/orders", "/api/v1/comments", "/api/v1/profile", "/api/v1/tickets",
                  "/v1/customers", "/api/v3/imports", "/api/v1/settings"]

# (placement, variant) -> encodings that make sense there.
SLOTS = {
    ("query", "value"): ["plain", "url", "double-url", "base64", "unicode-escape", "html-entities",
                         "case-comment", "url-json"],
    ("path", "segment"): ["plain", "url", "double-url", "overlong-utf8", "base64", "case-comment"],
    ("header", "custom"): ["plain", "url", "base64", "base64-json", "unicode-escape", "case-comment"],
    ("header", "user-agent"): ["plain", "url", "case-comment"],
    ("header", "referer"): ["plain", "url", "double-url"],
    ("header", "authorization"): ["plain", "base64"],
    ("header", "forwarded"): ["plain", "url"],
    ("cookie", "value"): ["plain", "url", "double-url", "base64", "base64-json", "url-json"],
    ("form", "field"): ["plain", "url", "double-url", "base64", "html-entities", "case-comment", "url-json", "gzip"],
    ("json", "nested"): ["plain", "url", "base64", "unicode-escape", "html-entities", "case-comment", "gzip"],
    ("json", "array"): ["plain", "unicode-escape", "base64", "case-comment"],
    ("graphql", "variables"): ["plain", "unicode-escape", "base64", "case-comment", "gzip"],
    ("multipart", "field"): ["plain", "base64", "case-comment"],
    ("xml", "element"): ["plain", "html-entities", "base64", "case-comment"],
    ("xml", "soap"): ["plain", "html-entities", "base64"],
}

# Punctuation each URL-shaped placement tolerates unescaped in `plain`.
KEEP_QUERY = "!$'()*,/:;=?@[]{}|^`<>\"\\"
KEEP_PATH = "!$&'()*+,;=:@/"
KEEP_COOKIE = "!#$&'()*+-./:<=>?@[]^_`{|}~"
KEEP_FORM = "!$'()*,/:;=?@[]{}|^`<>\"\\#~"


class Context:
    """Every random choice about a request except the value it carries."""

    def __init__(self, rng, family, placement, variant, encoding):
        self.family, self.placement, self.variant, self.encoding = family, placement, variant, encoding
        self.host = rng.choice(HOSTS)
        self.user_agent = rng.choice(USER_AGENTS)
        self.accept = rng.choice(ACCEPTS)
        self.field = rng.choice(FIELDS.get(family, ["q"]))
        self.query_endpoint = rng.choice(QUERY_ENDPOINTS)
        self.path_template = rng.choice(PATH_TEMPLATES)
        self.body_endpoint = rng.choice(BODY_ENDPOINTS)
        self.page = rng.randint(1, 40)
        self.limit = rng.choice([10, 20, 50, 100])
        self.record_id = rng.randint(1000, 999999)
        self.session = uuid.UUID(int=rng.getrandbits(128)).hex
        self.request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.boundary = "----WebKitFormBoundary" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789") for _ in range(16))
        self.bearer = rng.random() < 0.5
        self.token = base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).decode().rstrip("=")
        self.ua_wrapped = rng.random() < 0.5
        self.rng = rng


def _base_headers(ctx, content_type=None, body=None):
    headers = [["Host", ctx.host], ["User-Agent", ctx.user_agent], ["Accept", ctx.accept],
               ["X-Request-Id", ctx.request_id]]
    if ctx.bearer:
        headers.append(["Authorization", "Bearer " + ctx.token])
    if content_type:
        headers.append(["Content-Type", content_type])
    if body is not None:
        headers.append(["Content-Length", str(len(body))])
    return headers


def _set_header(headers, name, value):
    for h in headers:
        if h[0].lower() == name.lower():
            h[1] = value
            return
    headers.append([name, value])


def _header_text(value):
    """A header value carries no control character but tab; others become spaces."""
    return "".join(" " if (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F else c for c in value)


def json_literal(value, encoding, family, rng, field):
    """The JSON string literal for a value, with real `\\u` escapes when asked."""
    if encoding == "unicode-escape":
        return '"' + enc.js_unicode(value) + '"'
    if encoding == "url":
        return json.dumps(enc.pct(value), ensure_ascii=False)
    return json.dumps(enc.transform(value, encoding, family, rng, field), ensure_ascii=False)


def _xml_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SENTINEL = "\x00VALUE\x00"


def _json_body(ctx, value):
    literal = json_literal(value, ctx.encoding, ctx.family, ctx.rng, ctx.field)
    if ctx.variant == "nested":
        doc = {"data": {"type": "order", "id": str(ctx.record_id),
                        "attributes": {ctx.field: SENTINEL, "locale": "en-US", "quantity": ctx.page}},
               "meta": {"client": "web", "request_id": ctx.request_id}}
    else:
        doc = {"ids": [ctx.record_id, ctx.record_id + 7], "tags": ["sale", SENTINEL, "2024"],
               "page": {"number": ctx.page, "size": ctx.limit}}
    return json.dumps(doc).replace(json.dumps(SENTINEL), literal)


def _graphql_body(ctx, value):
    literal = json_literal(value, ctx.encoding, ctx.family, ctx.rng, ctx.field)
    query = ("query Lookup($%s: String!, $first: Int) { search(%s: $%s, first: $first) "
             "{ edges { node { id name updatedAt } } } }" % (ctx.field, ctx.field, ctx.field))
    doc = {"operationName": "Lookup", "query": query, "variables": {ctx.field: SENTINEL, "first": ctx.limit}}
    return json.dumps(doc).replace(json.dumps(SENTINEL), literal)


def _multipart_body(ctx, value, whole_xml):
    b = ctx.boundary
    parts = ['--%s\r\nContent-Disposition: form-data; name="description"\r\n\r\nQuarterly upload %d\r\n' % (b, ctx.page)]
    if whole_xml:
        parts.append('--%s\r\nContent-Disposition: form-data; name="%s"; filename="import.xml"\r\n'
                     'Content-Type: application/xml\r\n\r\n%s\r\n' % (b, ctx.field, value))
    else:
        text = enc.transform(value, ctx.encoding, ctx.family, ctx.rng, ctx.field)
        parts.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (b, ctx.field, text))
    parts.append('--%s\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n'
                 'Content-Type: text/plain\r\n\r\nmeeting notes, nothing else\r\n--%s--\r\n' % (b, b))
    return "".join(parts)


def _xml_body(ctx, value, whole_xml):
    if whole_xml:
        return value
    if ctx.encoding == "html-entities":
        text = enc.html_entities(value, ctx.rng).replace("&apos;", "&#39;")
    else:
        text = _xml_text(enc.transform(value, ctx.encoding, ctx.family, ctx.rng, ctx.field))
    if ctx.variant == "soap":
        return ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
                '<soap:Header><AuthToken>%s</AuthToken></soap:Header><soap:Body><Lookup xmlns="urn:acme:orders:v1">'
                '<%s>%s</%s><Limit>%d</Limit></Lookup></soap:Body></soap:Envelope>'
                % (ctx.token, ctx.field, text, ctx.field, ctx.limit))
    return ('<?xml version="1.0" encoding="UTF-8"?><request><account>%d</account><%s>%s</%s>'
            '<page>%d</page></request>' % (ctx.record_id, ctx.field, text, ctx.field, ctx.page))


def build(ctx, value, rid, label):
    """One exchange record carrying `value` in the context's slot."""
    method, path, query, body, ctype = "GET", ctx.query_endpoint, "page=%d&limit=%d" % (ctx.page, ctx.limit), None, None
    extra = []
    p, v, e = ctx.placement, ctx.variant, ctx.encoding
    whole_xml = ctx.family == "xxe" or value.lstrip().startswith("<?xml")
    if p == "query":
        wire = enc.url_wire(enc.transform(value, e, ctx.family, ctx.rng, ctx.field), e, KEEP_QUERY)
        query = "page=%d&%s=%s&limit=%d" % (ctx.page, ctx.field, wire, ctx.limit)
    elif p == "path":
        wire = enc.url_wire(enc.transform(value, e, ctx.family, ctx.rng, ctx.field), e, KEEP_PATH)
        path, query = ctx.path_template.format(wire), ""
    elif p == "header":
        text = enc.transform(value, e, ctx.family, ctx.rng, ctx.field)
        if e in ("url", "double-url"):
            text = enc.url_wire(text, e, "")
        if v == "custom":
            extra.append([HEADERS.get(ctx.family, "X-Custom"), _header_text(text)])
        elif v == "user-agent":
            ua = "Mozilla/5.0 (compatible; %s)" % text if ctx.ua_wrapped else text
            extra.append(["User-Agent", _header_text(ua)])
        elif v == "authorization":
            if e == "base64":  # the value as a Basic password
                text = base64.b64encode(("svc-%s:%s" % (ctx.field, value)).encode()).decode()
                extra.append(["Authorization", "Basic " + text])
            else:
                extra.append(["Authorization", "Bearer " + _header_text(text)])
        elif v == "forwarded":
            extra.append(["X-Forwarded-For", "198.51.100.%d, %s" % (ctx.page, _header_text(text))])
        else:
            wire = enc.url_wire(value, e, KEEP_QUERY)
            extra.append(["Referer", "https://%s/app/search?%s=%s" % (ctx.host.replace("api.", "www."), ctx.field, wire)])
    elif p == "cookie":
        wire = enc.url_wire(enc.transform(value, e, ctx.family, ctx.rng, ctx.field), e, KEEP_COOKIE)
        extra.append(["Cookie", "sid=%s; %s=%s; theme=dark" % (ctx.session, ctx.field, wire)])
    elif p == "form":
        method, query = "POST", ""
        wire = enc.url_wire(enc.transform(value, e, ctx.family, ctx.rng, ctx.field), e, KEEP_FORM)
        body = "account=%d&%s=%s&submit=Save" % (ctx.record_id, ctx.field, wire)
        ctype = "application/x-www-form-urlencoded"
    elif p == "json":
        method, path, query, ctype = "POST", ctx.body_endpoint, "", "application/json"
        body = _json_body(ctx, value)
    elif p == "graphql":
        method, path, query, ctype = "POST", "/graphql", "", "application/json"
        body = _graphql_body(ctx, value)
    elif p == "multipart":
        method, path, query = "POST", ctx.body_endpoint, ""
        ctype = "multipart/form-data; boundary=" + ctx.boundary
        body = _multipart_body(ctx, value, whole_xml)
    elif p == "xml" and v == "soap" and not whole_xml:
        method, path, query, ctype = "POST", "/soap/OrderService", "", "text/xml; charset=utf-8"
        extra.append(["SOAPAction", '"urn:acme:orders:v1#Lookup"'])
        body = _xml_body(ctx, value, whole_xml)
    elif p == "xml":
        method, path, query, ctype = "POST", ctx.body_endpoint, "", "application/xml"
        body = _xml_body(ctx, value, whole_xml)
    else:
        raise ValueError("unknown placement " + p)
    if e == "gzip":
        body = gzip.compress(body.encode(), mtime=0)
        extra.append(["Content-Encoding", "gzip"])
    return make_record(rid, ctx, method, path, query, extra, body, ctype, label)


def make_record(rid, ctx, method, path, query, extra, body, ctype, label):
    data = body.encode() if isinstance(body, str) else body
    headers = _base_headers(ctx, ctype, data)
    for name, value in extra:
        _set_header(headers, name, value)
    rec = {"id": rid, "method": method, "path": path, "query": query, "request_headers": headers}
    if data is not None:
        try:
            rec["request_body"] = data.decode("utf-8")
        except UnicodeDecodeError:
            rec["request_body_b64"] = base64.b64encode(data).decode()
    rec["label"] = label
    return rec
