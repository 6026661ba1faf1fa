#!/usr/bin/env python3
"""Held-out records for endpoint context (docs/discovery.md#endpoint-context-for-detection).

Prose look-alikes (benign) and attacks placed in the free-text fields of
benign-dev's endpoints (orders.note, reviews.text, users.bio, profile.about),
and the attacks in the UUID field orders.customer_id. Writes labelled
exchange records to stdout. Measure with and without learned context:

  python3 scripts/context_heldout.py > heldout.jsonl
  D=/work/shared/bench/detection
  cat $D/benign-dev.jsonl $D/spec-dev.jsonl > legit.jsonl
  rampart inspect heldout.jsonl > plain.jsonl
  rampart inspect --learn legit.jsonl heldout.jsonl > learned.jsonl
  python3 $D/score.py plain.jsonl heldout.jsonl
  python3 $D/score.py learned.jsonl heldout.jsonl
"""
import json
PROSE = [
 "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves",
 "Drop the raisins and this would be my favourite loaf.",
 "I tried select * from users where id = 1 and it printed everything",
 "drop table talk: we should order by price, not by name; union of both menus please",
 "meet at 10 or 11; if 1=1 then we go -- ok?",
 "Please select the union of both lists and drop the duplicates.",
 "Insert the coupon into the box, then update me when it ships.",
 "Delete my old address and union it with the new one, thanks.",
 "Order by Friday or 2 weeks later; either way is fine with me.",
 "Our DBA said: never run delete from orders without a where clause.",
 "Use exec mode on the printer, then select all pages and drop the cover.",
 "The sleep timer is 5 minutes or 10 if the kids are awake; drop it then.",
 "Grant me a refund or update the order to two boxes; select any colour.",
 "Having trouble with the union select in chapter 3 of the SQL course.",
 "Truncate the long title please, and alter the colour to blue; or 1 more.",
 "Can you cat the logs and grep for errors, then echo the result to me?",
]
ATTACKS = [
 "1' UNION SELECT password FROM users--",
 "'; DROP TABLE orders; --",
 "x' OR '1'='1",
 "<script>alert(document.cookie)</script>",
 "<img src=x onerror=alert(1)>",
 "{{7*7}}${7*7}",
 "$(cat /etc/passwd)",
 "../../../../etc/passwd",
 "admin'/**/OR/**/1=1#",
 "1; exec xp_cmdshell('dir')--",
 "'||(SELECT pg_sleep(5))||'",
 "`id`",
]
UUID = "c74803e3-1ba1-4215-8228-3d15a9ec0806"
H = [["Host","api.example.test"],["User-Agent","axios/1.7.2"],["Content-Type","application/json"]]
def rec(i, kind, method, path, body, attack, ct="application/json"):
    h=[["Host","api.example.test"],["User-Agent","axios/1.7.2"],["Content-Type",ct]]
    return {"id":f"held-{kind}-{i}","method":method,"path":path,"query":"","request_headers":h,
            "request_body":body,"label":{"attack":attack,"category":f"held-{kind}"}}
out=[]; n=0
from urllib.parse import urlencode
for texts, attack in ((PROSE, False), (ATTACKS, True)):
    kind = "attack-prose-field" if attack else "prose"
    for t in texts:
        for place in ("note","text","bio","about"):
            n+=1
            if place=="note":
                out.append(rec(n,kind,"POST","/api/v1/orders",json.dumps({"customer_id":UUID,"items":[],"note":t,"coupon":"SAVE03OL"}),attack))
            elif place=="text":
                out.append(rec(n,kind,"PUT",f"/api/v1/reviews/{1000+n}",json.dumps({"rating":3,"title":"Fine","text":t,"lang":"en"}),attack))
            elif place=="bio":
                out.append(rec(n,kind,"POST","/api/v1/users",json.dumps({"first_name":"Ann","last_name":"Lee","email":"ann@example.com","bio":t}),attack))
            else:
                out.append(rec(n,kind,"POST","/account/profile",urlencode({"display_name":"Ann Lee","about":t,"city":"Paris","newsletter":"on"}),attack,"application/x-www-form-urlencoded"))
for t in ATTACKS:
    n+=1
    out.append(rec(n,"attack-id-field","POST","/api/v1/orders",json.dumps({"customer_id":t,"items":[],"note":"Leave it at the door.","coupon":"SAVE03OL"}),True))
for r in out: print(json.dumps(r))
