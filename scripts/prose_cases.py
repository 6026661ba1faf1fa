#!/usr/bin/env python3
"""Prose look-alikes, attacks hidden in prose, and payments-API form bodies,
as exchange records for `rampart inspect` (scored by score.py).

Usage: prose_cases.py OUT.jsonl [--seed N]
       rampart inspect OUT.jsonl > verdicts.jsonl
       python3 /work/shared/bench/detection/score.py verdicts.jsonl OUT.jsonl

Three families, each in several placements (JSON field, query value,
GraphQL variable, form field):
  prose-*     benign text that talks about SQL, shell or code, or just reads
              like a list with SQL words in it (recipes, support tickets, code
              reviews, SQL tutorials, shell how-tos, chat messages);
  twin-*      the same kinds of text with a real injection placed in them;
  payments-*  Stripe-like form bodies (metadata[...], expand[], descriptions,
              statement descriptors, card tokens) with an idempotency key.
Sentences are assembled from parts chosen at random (seeded), so the cases
are not the handful a detector was tuned on.
"""
import json
import random
import sys
import urllib.parse

FOODS = ["eggs", "milk", "bread", "butter", "flour", "two onions", "garlic", "rice",
         "olive oil", "tomatoes", "basil", "salt", "a lemon", "cheddar", "yogurt"]
VERBS_SQL = ["select", "drop", "update", "insert", "delete", "union", "order", "group",
             "join", "where", "from", "exec", "declare", "create", "alter", "truncate"]
NAMES = ["Ann", "O'Brien", "D'Angelo", "Zoë", "Marek", "Li", "Ngozi", "José"]


def recipe(r):
    a, b, c = r.sample(FOODS, 3)
    return r.choice([
        f"{a}, {b}, select {c}; drop by bakery -- {r.randint(2,4)} or 1=1 loaves",
        f"Shopping: {a}, {b}; select the ripest {c} -- or {r.randint(1,3)} if small",
        f"Mix {a} and {b}; drop in the {c} and stir for {r.randint(2,9)} minutes -- don't let it burn.",
        f"Step {r.randint(1,5)}: select a large bowl; add {a} (about {r.randint(100,500)}g) and {b}.",
        f"Bake at {r.randint(160,220)} degrees; union of {a} and {b} makes the base, select {c} from the fridge.",
        f"Recipe note: 1 cup {a} = {r.randint(120,240)}g; if you're out of {b}, use {c} or 1/2 cup water.",
        f"Whisk {a} into {b} -- then drop the heat; update me if it curdles!",
        f"Grandma's trick: {a} or {b} = same result; it's all about the {c}.",
    ])


def ticket(r):
    n = r.choice(NAMES)
    return r.choice([
        f"Hi, I'm {n}. Order #{r.randint(1000,99999)} was charged twice; please drop one charge and update me.",
        f"When I select 'Monthly' and then update my card, the page says error {r.randint(400,599)} -- can you help?",
        f"My name is {n} and the form won't accept it; it says invalid characters. Please fix -- thanks!",
        f"I tried to delete my account from the settings page but nothing happened; select 'Delete' does nothing.",
        f"Ticket: user can't login after password reset; tried 3 or 4 times, error = 'token expired'.",
        f"Please cancel order {r.randint(100,999)}; I selected the wrong size (M instead of L) -- sorry!",
        f"The export from your dashboard drops rows where the amount is 0; is that expected or a bug?",
        f"Where can I find the invoice for March? I looked under Billing > History but it's empty.",
        f"Why is my balance -{r.randint(1,99)}.00? I paid on {r.randint(1,28)}/03 and got a receipt.",
    ])


def review(r):
    return r.choice([
        "This query builds SQL by string concatenation; use a prepared statement instead, e.g. WHERE id = ?",
        "Nit: the `select` in line 42 fetches every column; list the ones you need and drop the ORDER BY.",
        "LGTM, but the migration drops the index before the update; swap the two steps or we lock the table.",
        "Please don't use `1=1` as a placeholder in the WHERE builder; it hides bugs when no filter is set.",
        "The retry loop sleeps 5 seconds; make it exponential backoff (sleep(2^n)) and cap it at 30.",
        "if (user == null || user.id <= 0) return; -- this check should come before the insert, not after.",
        "We should not call exec() on user input here; pass the args as a list instead of a shell string.",
        "Consider a union type for the result instead of returning null or the error string.",
        "Renamed `count` to `total`; the old name shadowed the SQL function in the query builder.",
        f"Why do we drop the cache on every request? It costs {random.randint(20,90)} ms; update it in the background.",
    ])


def tutorial(r):
    t = r.choice(["users", "orders", "customers", "products", "invoices"])
    c = r.choice(["name", "email", "total", "created_at", "status"])
    return r.choice([
        f"In SQL you select columns from a table: pick {c} and sort by it with ORDER BY.",
        f"Lesson {r.randint(1,12)}: the WHERE clause filters rows; a condition like 1=1 is always true, which is why injection works.",
        f"To remove a table you would use DROP, but never drop {t} in production without a backup!",
        f"Joins combine rows; a LEFT JOIN keeps every row of {t} even when there is no match.",
        f"Tip: GROUP BY {c} and then use HAVING to filter the groups, not WHERE.",
        f"An UPDATE without a WHERE changes every row in {t}; always check with a select first.",
        f"Indexes speed up lookups on {c}; too many of them slow down insert and update.",
        "SQL injection happens when input like ' or '1'='1 reaches a query; parameterised queries stop it.",
    ])


def shell(r):
    return r.choice([
        "To list files run ls -la in the folder; then cd into it and check the permissions.",
        "If the build fails, delete the target folder and run cargo build again -- it usually helps.",
        "Use grep -r 'TODO' . to find every note; pipe it to wc -l for a count.",
        "On Windows, open cmd and type dir; on Linux the same is ls.",
        "Kill the stuck process with kill and its pid; if that fails, try kill -9 as a last resort.",
        "Set the variable with export NAME=value and read it back with echo $NAME.",
        "Copy the key with cat ~/.ssh/id_ed25519.pub and paste it into the settings page.",
    ])


def chat(r):
    n = r.choice(NAMES)
    return r.choice([
        f"lol {n} just dropped the whole table of snacks on the floor; select your favourite before they're gone",
        f"ok so it's 2 or 3 of us tonight; union square at 7? drop me a line if you're late",
        f"can you update the doc? I'll select the photos from the trip -- the good ones only :)",
        f"haha yes, 1 = 1 and 2 = 2, math still works; see you at {r.randint(5,9)}!",
        f"{n}: where are you? I'm at the corner of 5th and Main; order for me if I'm late",
        f"brb, dropping the kids at school; then I'll insert myself into the meeting",
        f"is it 'group by' or 'order by' that I need for the report? asking for a friend lol",
    ])


KINDS = {"recipe": recipe, "ticket": ticket, "review": review, "tutorial": tutorial,
         "shell": shell, "chat": chat}

# Real injections placed in prose (the prose is what a user could write; the
# payload is what makes it an attack).
TWIN_PAYLOADS = [
    "' UNION SELECT password FROM users--",
    "' union all select null,username,password from users--",
    "' OR 1=1--",
    "' or '1'='1",
    "'; DROP TABLE users--",
    "'; exec xp_cmdshell 'whoami'--",
    "' AND SLEEP(5)--",
    "' and extractvalue(1,concat(0x7e,version()))--",
    "\" or \"\"=\"",
    "'; WAITFOR DELAY '0:0:5'--",
    "' AND 1=(SELECT COUNT(*) FROM information_schema.tables)--",
    "')) or 1=1--",
]

TWIN_PREFIXES = ["great product", "Order 1234 was late, please refund", "Mix eggs and milk",
                 "hello team, the export is broken", "nice recipe", "LGTM overall",
                 "see you at union square", "please update my address"]


BASE_HEADERS = [["Host", "api.example.test"],
                ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
                ["Accept", "application/json"]]


def placements(r, rid, text):
    body_json = json.dumps({"comment": text, "rating": r.randint(1, 5)})
    yield f"{rid}-json", dict(method="POST", path="/api/v1/reviews", query="",
                              request_headers=[["Content-Type", "application/json"]],
                              request_body=body_json)
    yield f"{rid}-query", dict(method="GET", path="/api/v1/search",
                               query="q=" + urllib.parse.quote(text, safe="") + "&page=1",
                               request_headers=[])
    gql = json.dumps({"query": "mutation Add($note: String!) { addNote(text: $note) { id } }",
                      "variables": {"note": text}})
    yield f"{rid}-graphql", dict(method="POST", path="/graphql", query="",
                                 request_headers=[["Content-Type", "application/json"]],
                                 request_body=gql)
    form = urllib.parse.urlencode({"message": text, "topic": "support"})
    yield f"{rid}-form", dict(method="POST", path="/contact", query="",
                              request_headers=[["Content-Type", "application/x-www-form-urlencoded"]],
                              request_body=form)


def payments(r, i):
    order = f"ord_{r.randint(10000,99999)}"
    desc = r.choice([
        "Invoice 2024-03 for consulting; select plan: Pro (annual) -- thank you!",
        "Order #%d: 2 or 3 shirts (size M), drop-ship to customer" % r.randint(100, 999),
        "Refund for duplicate charge; see ticket 4412 -- approved by Ann O'Brien",
        "Subscription update: seats 5 -> 8, prorated",
        "Payment for order %s (select delivery: express)" % order,
        "Donation -- thank you for supporting the union & the library!",
        "Café & Bäckerei Müller; Rechnung Nr. %d" % r.randint(1000, 9999),
    ])
    fields = [
        ("amount", str(r.randint(100, 99999))),
        ("currency", r.choice(["usd", "eur", "gbp"])),
        ("description", desc),
        ("statement_descriptor", r.choice(["ACME* ORDER 1234", "O'BRIEN & SONS", "SHOP*SELECT 2 OR 3", "ACME-CO; REF 99"])),
        ("statement_descriptor_suffix", r.choice(["ORD-1=1", "REF #12", "X*Y"])),
        ("metadata[order_id]", order),
        ("metadata[note]", r.choice(["gift; do not drop at door", "call before -- 2 or 3 rings", "leave at 1=1 Main St?"])),
        ("metadata[sql_ref]", r.choice(["select-tier", "drop-ship", "union-pay"])),
        ("expand[]", "data.customer"),
        ("expand[]", r.choice(["latest_invoice.payment_intent", "data.charges.data.balance_transaction"])),
        ("card[number]", "tok_" + "".join(r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(24))),
        ("card[exp_month]", str(r.randint(1, 12))),
        ("card[cvc]", str(r.randint(100, 999))),
        ("payment_method_types[]", "card"),
        ("shipping[address][line1]", r.choice(["1 O'Connell St; Apt 2", "5th & Main -- rear door", "Unit 3 (or 4), Dock Rd"])),
        ("customer", "cus_" + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(14))),
    ]
    headers = [["Content-Type", "application/x-www-form-urlencoded"],
               ["Authorization", "Bearer sk_test_" + "x" * 24],
               ["Idempotency-Key", "%08x-%04x-4%03x-a%03x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(12), r.getrandbits(12), r.getrandbits(48))],
               ["Stripe-Version", "2024-06-20"]]
    path = r.choice(["/v1/payment_intents", "/v1/charges", "/v1/customers/cus_X/update", "/v1/invoices"])
    return dict(method="POST", path=path, query="", request_headers=headers,
                request_body=urllib.parse.urlencode(fields))


def main():
    out = sys.argv[1]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--seed" else 15
    r = random.Random(seed)
    random.seed(seed)
    recs = []
    for kind, make in KINDS.items():
        for i in range(40):
            for rid, rec in placements(r, f"prose-{kind}-{i}", make(r)):
                rec["id"] = rid
                rec["request_headers"] = BASE_HEADERS + rec["request_headers"]
                rec["label"] = {"attack": False, "category": f"prose-{kind}"}
                recs.append(rec)
    for i in range(60):
        kind = r.choice(list(KINDS))
        text = r.choice(TWIN_PREFIXES) + r.choice(TWIN_PAYLOADS)
        if r.random() < 0.5:
            text += " " + KINDS[kind](r)
        for rid, rec in placements(r, f"twin-{i}", text):
            rec["id"] = rid
            rec["request_headers"] = BASE_HEADERS + rec["request_headers"]
            rec["label"] = {"attack": True, "category": "twin-sqli"}
            recs.append(rec)
    for i in range(200):
        rec = payments(r, i)
        rec["id"] = f"payments-{i}"
        rec["request_headers"] = BASE_HEADERS + rec["request_headers"]
        rec["label"] = {"attack": False, "category": "payments"}
        recs.append(rec)
    with open(out, "w") as f:
        for rec in recs:
            f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
