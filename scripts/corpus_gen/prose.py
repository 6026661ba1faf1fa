"""Benign prose that talks like an attack: the false positives of a WAF.

People paste recipes, file support tickets, review code, teach SQL, explain
shell commands, chat and review products; that text mentions `select`,
`drop`, `--`, `or 1=1`, `<script>` tags, `rm -rf`, `../` and `/etc/hosts`
as words. Each text is assembled from sentence pools per kind, so the
corpus has thousands of distinct messages rather than a handful repeated.
Two styles are kept apart: `talk` uses the words in everyday sentences
("eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves"), `code`
quotes real SQL, shell or markup the way tutorials and reviews do.
"""

OPENERS = {
    "recipe": ["Grandma's shopping list:", "Weekend brunch plan.", "Quick dinner for two:",
               "Notes for the bake sale:", "Soup recipe from the market stall:"],
    "support-ticket": ["Hi support team,", "Hello,", "Urgent: checkout is broken.", "Ticket follow-up:",
                       "Hi there, second time writing about this."],
    "code-review": ["Review notes on PR #%d:", "LGTM with nits.", "A few comments before we merge:",
                    "Requesting changes on the auth refactor.", "Nice cleanup overall."],
    "sql-tutorial": ["Lesson %d: joins and filters.", "SQL basics for analysts.", "Today we look at subqueries.",
                     "Common mistakes in WHERE clauses.", "How to think about indexes."],
    "shell-howto": ["How I clean up old logs:", "Setting up the dev box, step by step.", "Tip of the day:",
                    "Backup routine for the home server.", "Debugging a flaky deploy:"],
    "chat": ["lol ok", "hey!", "quick q", "morning all", "so about yesterday"],
    "product-review": ["4 stars.", "Would buy again.", "Not what I expected.", "Solid value.",
                       "Returned it after a week."],
}

# Sentences that use SQL, markup and shell words in everyday talk, quoting no code.
TALK = {
    "recipe": [
        "eggs, milk, select bread; drop by bakery -- 2 or 1=1 loaves",
        "Mix 2 cups flour with 1 cup sugar, then drop the butter in -- softened, not melted.",
        "Select ripe tomatoes; union them with basil and a pinch of salt.",
        "Bake at 180C for 25-30 min or until a toothpick comes out clean.",
        "Whisk 3 eggs & 1/2 cup cream; pour over the spinach (or kale).",
        "Drop table grapes into the freezer for a snack that kids love.",
        "Add salt to taste; 1=1 ratio of rice to lentils works for me.",
        "Insert the thermometer into the thickest part; 63C means done.",
        "Chop onions <- this is the step that makes me cry -> then fry.",
        "Update: use brown sugar instead of white, it caramelises better.",
        "Sleep on it overnight in the fridge, then slice and serve.",
        "Serves 4 (or 2 hungry teenagers) -- doubles easily.",
        "Where's the cinnamon? Top shelf, behind the 'spices' jar.",
        "Drop the pasta in once the water boils, select a big pot so it doesn't stick.",
        "Ingredients: 200g flour, 2 eggs, milk -- or oat milk -- and a pinch of salt.",
    ],
    "support-ticket": [
        "When I select my saved card and press Pay, the page says 'error 500' and nothing happens.",
        "I tried to delete from my account the old address but it keeps coming back.",
        "The export drops every row where the name has an apostrophe, like O'Brien.",
        "Your app says my password must not contain ' or \" characters -- why?",
        "Order #%d shows status 'shipped' or 'pending' depending on which page I open.",
        "Could you union my two accounts? Same email, different phone numbers.",
        "The search for 1=1 returned every product, is that expected?",
        "Please drop the late fee; I paid on the 3rd -- receipt attached.",
        "Where do I find the API key? Settings > Developers shows nothing.",
        "The CSV has a column called select and Excel complains about it.",
        "My invoice says 2 or 3 items, I only ordered 1.",
        "I can't select a delivery slot, the drop-down is empty on Safari.",
        "Your script for the chat widget keeps loading forever on my laptop.",
        "Please update my shipping address and drop the old one from my profile.",
    ],
    "code-review": [
        "Consider UNION ALL here, UNION dedupes and costs a sort.",
        "Please drop the unused import and select a clearer name for the helper.",
        "We shouldn't exec anything the user sends; validate it against the allow list first.",
        "The script tag loads before the DOM is ready; move it to the footer or mark it defer.",
        "This union of two queries could be one query with an or in the where clause.",
        "Nit: delete the commented-out block, git remembers it for us.",
        "The shell-out to convert images should go through the job queue, not the request thread.",
        "Order by created date, not by id -- ids are not monotonic across shards.",
        "Insert a null check before the cast, otherwise the handler panics on empty input.",
    ],
    "sql-tutorial": [
        "Comments start with -- and run to the end of the line.",
        "In this lesson we select only the columns we need and drop the ones we don't.",
        "A union stacks two result sets on top of each other, like merging two lists.",
        "Always delete with a where clause, or you will delete every row in the table.",
        "When a filter reads or 1=1 it is always true, which is why it matches everything.",
        "Stored procedures can exec dynamic statements, which is where injection creeps in.",
        "Update statements without a where clause are the classic Friday outage.",
        "Think of a join as a lookup from one table into another by a shared key.",
        "Indexes speed up select queries but slow down insert and update a little.",
    ],
    "shell-howto": [
        "First cat the log file, then grep it for errors and pipe that into less.",
        "Use sudo only when you must; rm with -rf deletes without asking.",
        "The passwd file lives under etc; never edit it by hand, use the tools.",
        "If ping works but curl does not, check the proxy settings -- that's usually it.",
        "Kill the old process by its id, not by name, or you may stop the wrong one.",
        "Set the script as executable and add it to cron so it runs every night.",
        "On Windows the hosts file is in the drivers folder under system32.",
        "Whoami prints the user you are; id prints the groups as well.",
    ],
    "chat": [
        "did you drop the table of contents from the doc? or 1 of the appendices?",
        "select * from my brain where coffee = 0 -- returns nothing lol",
        "ok so union meeting moved to 4pm",
        "just rm -rf'd my weekend plans :(",
        "1=1 is true, 1=2 is your estimate :P",
        "who's on call? my pager says 'sleep(8h)' please",
        "password reset mail went to spam, fyi",
        "select me for the quiz team pls",
        "drop by my desk when you're free -- or call",
        "lunch? union cafe or the place with the good script font menu",
    ],
    "product-review": [
        "Select this one over the cheaper model, the hinge is metal.",
        "Dropped it twice -- still works. 5 or 1=1 stars, whatever the max is.",
        "The manual says 'insert battery & close lid'; lid doesn't close.",
        "Arrived in 2 days; box said 'fragile -- this side up'.",
        "Update: after a month the battery drains overnight.",
        "It's 30% cheaper at the store where I live, FYI.",
        "Sleep mode is broken, keeps waking up at 3am.",
        "Union-made, which matters to me.",
        "Order came with the wrong cable (USB-A, not C).",
        "Don't buy if you need <10ms latency.",
    ],
}

# Sentences that quote code: SQL statements, shell commands, markup, paths.
CODE = {
    "recipe": [
        "For the glaze: 1 tbsp honey || maple syrup, whichever you have.",
    ],
    "support-ticket": [
        "I uploaded ../reports/q3.pdf and it was renamed to q3 (1).pdf.",
        "After the update the <script> banner on top covers the Save button.",
        "I get 'cannot read /etc/hosts' when the desktop client starts.",
        "Running `ping api.example.com` from my office works, the app still times out.",
    ],
    "code-review": [
        "The regex /<\\/?script>/i is not a sanitizer; use the templating engine's escaping.",
        "This builds the query with string concat: \"SELECT * FROM users WHERE id = '\" + id + \"'\" -- please use a bind parameter.",
        "Nit: the <script> tag in index.html should have defer.",
        "We should escape user input before rendering; <img src=x onerror=...> would run here.",
        "Why do we DROP TABLE in the migration's down() instead of renaming?",
        "The test uses `' OR 1=1 --` as input, good, but assert the 400 too.",
        "Don't call os.system(\"rm -rf \" + path); use shutil.rmtree and validate path.",
        "path.join(base, '../' + name) lets a caller escape the upload dir.",
        "Can we move the SELECT ... FOR UPDATE inside the transaction?",
        "`eval(request.body)` on line %d has to go.",
        "Rename `exec` to `run_job` to avoid shadowing the builtin.",
        "Sleep(5) in the retry loop blocks the event loop, use a timer.",
        "This reads /etc/passwd in the test fixture; use a temp file instead.",
        "The template uses {{ user.name }} unescaped with |safe, is that intended?",
    ],
    "sql-tutorial": [
        "SELECT name, email FROM customers WHERE country = 'NL' ORDER BY name;",
        "To remove a table use DROP TABLE orders; there is no undo, so back up first.",
        "A classic mistake: WHERE status = 'open' OR 1=1 returns every row.",
        "UNION SELECT combines result sets; columns must match in number and type.",
        "Use INSERT INTO products (sku, price) VALUES ('A-1', 9.99); for a single row.",
        "UPDATE accounts SET active = false WHERE last_login < now() - interval '1 year';",
        "Never build queries like \"... WHERE user = '\" + input + \"'\"; that is how ' OR '1'='1 gets in.",
        "GROUP BY then HAVING count(*) > 1 finds duplicates.",
        "In MySQL, SLEEP(1) pauses a query, handy when testing timeouts locally.",
        "information_schema.tables lists every table you can see.",
        "A LEFT JOIN keeps rows from the left side even if nothing matches.",
        "Use EXPLAIN SELECT ... to see whether the index is used.",
        "DELETE FROM cart_items WHERE cart_id = 42; removes one cart's items.",
        "CAST(price AS int) truncates, ROUND() does not.",
    ],
    "shell-howto": [
        "Run `find /var/log -name '*.gz' -mtime +30 -delete` to clear old archives.",
        "Then `cat /etc/os-release` tells you the distro.",
        "Use `ps aux | grep nginx` to check it's running.",
        "I keep `rm -rf ./build && make` as an alias called rebuild.",
        "`curl -s https://example.com/install.sh | less` first, never pipe to sh blind.",
        "Copy the key with `cat ~/.ssh/id_ed25519.pub` and paste it in the form.",
        "On Windows, `type C:\\Windows\\System32\\drivers\\etc\\hosts` shows the hosts file.",
        "`tar czf backup.tgz ../project` from the parent folder.",
        "Add `0 3 * * * /usr/local/bin/backup.sh` to crontab for nightly runs.",
        "`echo $PATH | tr ':' '\\n'` lists one path per line.",
        "`sleep 10; systemctl restart app` gives the DB time to come up.",
        "`whoami` and `id` tell you which user the container runs as.",
        "Use `nc -zv db.internal 5432` to test the port.",
        "`chmod 600 ~/.aws/credentials` or the CLI warns you.",
    ],
    "chat": [
        "brb, <script> rehearsal at 3",
        "can you send me the ../shared/notes link again",
        "the <b>bold</b> tags show up raw in slack again",
        "ping me when the deploy's done || tomorrow",
        "lmk if ${budget} is fine for the offsite",
    ],
    "product-review": [
        "Great for <script> writers, the keys are quiet.",
        "Works with Linux out of the box, `lsusb` shows it right away.",
    ],
}

CLOSERS = ["Thanks!", "Cheers, Ann", "-- sent from my phone", "Best regards, Jorge", "",
           "Let me know.", "Happy to hop on a call.", "P.S. ignore the typos"]

KINDS = tuple(OPENERS)


def _pool(kind, style):
    return (CODE if style == "code" else TALK)[kind]


def text(rng, kind, style):
    """One message of `kind`: an opener, two to five sentences of `style`, a closer."""
    opener = rng.choice(OPENERS[kind])
    if "%d" in opener:
        opener = opener % rng.randint(2, 900)
    pool = _pool(kind, style)
    body = rng.sample(pool, rng.randint(min(2, len(pool)), min(5, len(pool))))
    body = [s % rng.randint(100, 99999) if "%d" in s else s for s in body]
    sep = rng.choice([" ", "\n", "\n\n"])
    parts = [opener] + body + [rng.choice(CLOSERS)]
    return sep.join(p for p in parts if p)


def short_text(rng, kind, style):
    """A search-box or header sized piece: one sentence."""
    s = rng.choice(_pool(kind, style))
    return s % rng.randint(100, 99999) if "%d" in s else s
