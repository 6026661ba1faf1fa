//! Evidence to points: every rule that fits adds points to one function,
//! with the reason it gives.
//!
//! Points are tenths: a path word's weight is scaled by its position
//! ([`LAST`], [`LAST_SEGMENT`], [`EARLIER`]); fields and shape rules weigh
//! their weight times ten. Per function only the best path word and the
//! best field count (three login words are not three times a login), and
//! each other rule adds once.

use super::vocabulary::*;
use super::words::{is_plural, path_words, FieldName, PathWord, EARLIER, LAST, LAST_SEGMENT};
use super::{BusinessFunction, FunctionEvidence, ResponseShape};

/// One piece of evidence for a function.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub points: u32,
    pub reason: String,
}

/// The evidence gathered for one function.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Tally {
    path: Option<Item>,
    field: Option<Item>,
    rules: Vec<Item>,
}

impl Tally {
    pub fn total(&self) -> u32 {
        let best = |i: &Option<Item>| i.as_ref().map_or(0, |i| i.points);
        best(&self.path) + best(&self.field) + self.rules.iter().map(|i| i.points).sum::<u32>()
    }

    /// The reasons, strongest first.
    pub fn reasons(&self) -> Vec<&Item> {
        let mut items: Vec<&Item> = self
            .path
            .iter()
            .chain(&self.field)
            .chain(&self.rules)
            .collect();
        items.sort_by_key(|i| std::cmp::Reverse(i.points));
        items
    }
}

/// Tallies of every function, indexed like [`BusinessFunction::ALL`].
pub(super) struct Board {
    pub tallies: Vec<Tally>,
}

impl Board {
    fn tally(&mut self, f: BusinessFunction) -> &mut Tally {
        &mut self.tallies[f as usize]
    }

    fn path(&mut self, f: BusinessFunction, points: u32, reason: String) {
        let slot = &mut self.tally(f).path;
        if slot.as_ref().is_none_or(|i| i.points < points) {
            *slot = Some(Item { points, reason });
        }
    }

    fn field(&mut self, f: BusinessFunction, weight: u32, name: &str) {
        let points = weight * 10;
        let slot = &mut self.tally(f).field;
        if slot.as_ref().is_none_or(|i| i.points < points) {
            let reason = format!("field \"{name}\"");
            *slot = Some(Item { points, reason });
        }
    }

    fn rule(&mut self, f: BusinessFunction, weight: u32, reason: &str) {
        self.tally(f).rules.push(Item {
            points: weight * 10,
            reason: reason.to_owned(),
        });
    }
}

/// What the rules read, prepared once.
struct Context<'e> {
    e: &'e FunctionEvidence<'e>,
    words: Vec<PathWord>,
    request: Vec<FieldName<'e>>,
    response: Vec<FieldName<'e>>,
    reads: bool,
    writes: bool,
    post: bool,
    /// DELETE, or a last segment that says delete (`users.deletePhoto`).
    deletes: bool,
}

impl Context<'_> {
    fn last(&self) -> &str {
        self.words.last().map_or("", |w| w.text.as_str())
    }

    /// A word of the last segment is in `list`.
    fn last_segment_has(&self, list: &[&str]) -> bool {
        self.words
            .iter()
            .rev()
            .take_while(|w| w.position != EARLIER)
            .any(|w| list.contains(&w.text.as_str()))
    }

    fn sends(&self, test: impl Fn(&FieldName<'_>) -> bool) -> bool {
        self.request.iter().any(test)
    }
}

fn about_people(ctx: &Context<'_>) -> bool {
    ctx.words.iter().any(|w| PEOPLE.contains(&w.text.as_str()))
}

fn is_secret(f: &FieldName<'_>) -> bool {
    f.has_word(SECRET_WORDS) || f.is(SECRET_FIELDS)
}

/// `card[number]`, `cardNum`, `cvc`, `iban`; not `idCard` (a Kanban card).
fn is_card(f: &FieldName<'_>) -> bool {
    f.has_word(CARD_WORDS)
        || f.is(&["card", "creditcard", "ccnumber", "pan"])
        || f.has_word(&["card"]) && f.has_word(CARD_DETAILS)
}

fn where_(word: &PathWord) -> String {
    match word.position {
        LAST => format!("path ends with \"{}\"", word.text),
        LAST_SEGMENT => format!("\"{}\" in the last path segment", word.text),
        _ => format!("path word \"{}\"", word.text),
    }
}

pub(super) fn score(e: &FunctionEvidence<'_>) -> Board {
    let method = e.method;
    let graphql = e.graphql_operation.is_some();
    let mut ctx = Context {
        e,
        words: path_words(e.literals, e.graphql_operation),
        request: e
            .request_fields
            .iter()
            .filter(|f| !(graphql && ["query", "variables", "operationName"].contains(f)))
            .map(|f| FieldName::new(f))
            .collect(),
        response: e
            .response_fields
            .iter()
            .map(|f| FieldName::new(f))
            .collect(),
        reads: matches!(method, "GET" | "HEAD"),
        writes: matches!(method, "POST" | "PUT" | "PATCH" | "DELETE"),
        post: method == "POST",
        deletes: method == "DELETE",
    };
    ctx.deletes |= ctx.last_segment_has(DELETE_WORDS);
    let mut board = Board {
        tallies: vec![Tally::default(); BusinessFunction::ALL.len()],
    };
    path_word_rules(&ctx, &mut board);
    password_rules(&ctx, &mut board);
    resource_rules(&ctx, &mut board);
    field_rules(&ctx, &mut board);
    board
}

fn path_word_rules(ctx: &Context<'_>, board: &mut Board) {
    for word in &ctx.words {
        for rule in PATH_WORDS {
            let method_fits = match rule.methods {
                Methods::Any => true,
                Methods::Writes => ctx.writes,
                Methods::Sends => ctx.writes && !ctx.deletes,
                Methods::Updates => matches!(ctx.e.method, "PUT" | "PATCH"),
                Methods::Reads => ctx.reads,
                Methods::Fetches => ctx.reads || ctx.post,
                Methods::Post => ctx.post && !ctx.deletes,
            };
            let place_fits = match rule.scope {
                Scope::Scaled | Scope::Anywhere => true,
                Scope::Last => word.position == LAST,
                Scope::Alone => word.alone,
            };
            if !method_fits || !place_fits || !rule.words.contains(&word.text.as_str()) {
                continue;
            }
            if rule.scope == Scope::Anywhere {
                let reason = format!("path word \"{}\"", word.text);
                board.path(rule.function, rule.weight * 10, reason);
            } else {
                board.path(rule.function, rule.weight * word.position, where_(word));
            }
        }
    }
    let words = &ctx.words;
    // `/api/v1/status` is a health check; `/commits/{ref}/status` is not.
    if ctx.reads
        && ctx.last() == "status"
        && words[..words.len() - 1]
            .iter()
            .all(|w| PREFIX_WORDS.contains(&w.text.as_str()))
    {
        board.path(
            BusinessFunction::Health,
            100,
            "path is only \"status\"".into(),
        );
    }
    for pair in words.windows(2) {
        let people = PEOPLE.contains(&pair[0].text.as_str())
            || SESSION_WORDS.contains(&pair[0].text.as_str());
        if people && SELF_WORDS.contains(&pair[1].text.as_str()) {
            let reason = format!(
                "path names the caller (\"{} {}\")",
                pair[0].text, pair[1].text
            );
            board.path(BusinessFunction::Profile, 6 * pair[1].position, reason);
        }
    }
}

fn password_rules(ctx: &Context<'_>, board: &mut Board) {
    let words = &ctx.words;
    let is_password = |w: &PathWord| PASSWORD_WORDS.contains(&w.text.as_str());
    let is_reset = |w: &PathWord| RESET_WORDS.contains(&w.text.as_str());
    let mut in_phrase = vec![false; words.len()];
    for (i, pair) in words.windows(2).enumerate() {
        let (a, b) = (&pair[0], &pair[1]);
        if is_password(a) && is_reset(b) || is_reset(a) && is_password(b) {
            let reason = format!("path says \"{} {}\"", a.text, b.text);
            board.path(BusinessFunction::PasswordReset, 10 * b.position, reason);
            in_phrase[i] = true;
            in_phrase[i + 1] = true;
        }
    }
    for word in words {
        let glued = word.text.contains("password")
            && [
                "reset", "forgot", "forget", "change", "recover", "lost", "update",
            ]
            .iter()
            .any(|r| word.text.contains(r));
        if glued {
            board.path(
                BusinessFunction::PasswordReset,
                10 * word.position,
                where_(word),
            );
        }
    }
    let secret = ctx.sends(is_secret);
    if let Some((i, last)) = words.iter().enumerate().next_back() {
        if ctx.writes && is_password(last) && !in_phrase[i] {
            let reason = "path ends with \"password\" (sets one)".to_owned();
            board.path(BusinessFunction::PasswordReset, 7 * LAST, reason);
        }
    }
    for (i, word) in words.iter().enumerate() {
        if word.text != "reset" || in_phrase[i] {
            continue;
        }
        let credential = [i.wrapping_sub(1), i + 1]
            .iter()
            .filter_map(|&j| words.get(j))
            .any(|w| CREDENTIAL_WORDS.contains(&w.text.as_str()));
        if secret {
            let reason = format!("{} with a password field", where_(word));
            board.path(BusinessFunction::PasswordReset, 8 * word.position, reason);
        } else if ctx.writes && !credential {
            board.path(
                BusinessFunction::Destructive,
                8 * word.position,
                where_(word),
            );
        }
    }
    if secret && matches!(ctx.e.method, "PUT" | "PATCH") {
        board.rule(
            BusinessFunction::PasswordReset,
            3,
            "PUT/PATCH carrying a password",
        );
    }
}

/// Rules on what the path addresses: a session, a token endpoint, a
/// collection or one item of it.
fn resource_rules(ctx: &Context<'_>, board: &mut Board) {
    use BusinessFunction::*;
    let e = ctx.e;
    let last = ctx.last();
    let collection = !e.trailing_param && !last.is_empty();
    let credentials =
        ctx.sends(|f| is_secret(f) || f.is(IDENTITY_FIELDS) || f.has_word(&["token"]));
    if SESSION_WORDS.contains(&last) && matches!(e.method, "POST" | "PUT") {
        if credentials {
            board.rule(Login, 7, "opens a session with credentials");
        } else {
            board.rule(Login, 3, "opens a session");
        }
    }
    if e.method == "DELETE" && (SESSION_WORDS.contains(&last) || TOKEN_WORDS.contains(&last)) {
        board.rule(Logout, 10, "DELETE of a session or token");
    }
    if ctx.post && last == "token" && ctx.sends(|f| f.is(OAUTH_FIELDS)) {
        board.rule(Login, 6, "OAuth token endpoint");
    }
    let new_secret = ctx.sends(|f| is_secret(f) || f.is(CREDENTIAL_FIELDS));
    if ctx.post && collection && PEOPLE.contains(&last) && new_secret {
        board.rule(SignUp, 6, "POST to a users collection with a password");
        if ctx.sends(|f| f.is(IDENTITY_FIELDS)) {
            board.rule(SignUp, 1, "with a user name or email");
        }
        if e.statuses.contains(&201) {
            board.rule(SignUp, 1, "answers 201 Created");
        }
    }
    if ctx.post && about_people(ctx) && ctx.last_segment_has(CREATE_WORDS) && new_secret {
        board.rule(SignUp, 6, "creates a user with a password");
    }
    let plural = is_plural(last) && !SESSION_WORDS.contains(&last) && !TOKEN_WORDS.contains(&last);
    if e.method == "DELETE" && collection && plural {
        board.rule(Destructive, 8, "DELETE on a whole collection");
    }
    if e.trailing_param && PEOPLE.contains(&last) {
        let reason = format!("one of the \"{last}\"");
        board.path(Profile, 6 * LAST, reason);
    }
    if ctx.reads && collection && plural && e.response != ResponseShape::Object {
        board.rule(List, 4, "GET on a collection");
    }
    if e.response == ResponseShape::Array && ctx.reads {
        board.rule(List, 4, "answers a list");
    }
    if e.request_content_type_multipart {
        board.rule(FileUpload, 8, "multipart request");
    }
}

fn field_rules(ctx: &Context<'_>, board: &mut Board) {
    use BusinessFunction::*;
    let e = ctx.e;
    let refresh = ctx.sends(|f| f.compact == "refreshtoken");
    // `q` on a collection filters a list; elsewhere (`/geocode?q=`) it searches.
    let listed = board.tally(List).total() > 0;
    for f in &ctx.request {
        if is_secret(f) {
            let creates_user = ctx.last_segment_has(CREATE_WORDS) && about_people(ctx);
            let changes = ctx.last_segment_has(UPDATE_WORDS) || creates_user;
            if ctx.post && !changes {
                board.field(Login, 4, f.raw);
            }
            if f.has_word(CHANGE_WORDS) {
                board.field(PasswordReset, 5, f.raw);
            }
        }
        if f.has_word(OTP_WORDS) || f.is(OTP_FIELDS) {
            board.field(Otp, 5, f.raw);
        } else if f.compact == "code" {
            board.field(Otp, 2, f.raw);
        }
        if f.compact == "refreshtoken" {
            board.field(TokenRefresh, 9, f.raw);
        }
        let query = f.compact == "query" && ctx.reads && e.graphql_operation.is_none();
        if (f.is(SEARCH_FIELDS) || query) && !listed {
            board.field(Search, 4, f.raw);
        }
        if ctx.writes && is_card(f) {
            board.field(Payment, 6, f.raw);
        }
    }
    if ctx.writes && ctx.sends(|f| f.compact == "amount") && ctx.sends(|f| f.compact == "currency")
    {
        board.rule(Payment, 3, "sends an amount and a currency");
    }
    if ctx.writes && !refresh && ctx.response.iter().any(|f| f.is(TOKEN_RESPONSES)) {
        board.rule(Login, 3, "answers with a token");
    }
    if ctx.post && e.statuses.contains(&401) && ctx.sends(is_secret) {
        board.rule(Login, 2, "answers 401 to a password");
    }
}
