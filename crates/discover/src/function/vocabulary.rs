//! The words that name a business function, in paths and in field names.

use super::BusinessFunction::{self, *};

/// Which methods a path word counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Methods {
    Any,
    /// POST, PUT, PATCH, DELETE: a word like `purge` on a GET reads, it does not purge.
    Writes,
    /// POST, PUT, PATCH, unless the last segment deletes (`users.deletePhoto`):
    /// `DELETE /files/{id}` uploads nothing.
    Sends,
    /// PUT and PATCH: `PUT /users/{id}/email` changes it, `POST .../resend_email` does not.
    Updates,
    /// GET and HEAD: `/status` is a health check, `POST /status` is not.
    Reads,
    /// GET, HEAD and POST (Slack's `users.list` is POSTable); not DELETE.
    Fetches,
    Post,
}

/// Where in the path a word counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Anywhere, its weight scaled by its position.
    Scaled,
    /// Anywhere, at full weight: `/admin/...` is administrative however
    /// deep the rest goes.
    Anywhere,
    /// Only as the last word: `auth.revoke`, not `files.revokePublicURL`.
    Last,
    /// Only as a whole segment: `/user`, `/users/me`, not `addUser` or
    /// `chat.meMessage`.
    Alone,
}

/// A path word naming a function, with its base weight.
pub(super) struct WordRule {
    pub function: BusinessFunction,
    pub weight: u32,
    pub methods: Methods,
    pub scope: Scope,
    pub words: &'static [&'static str],
}

const fn rule(
    function: BusinessFunction,
    weight: u32,
    methods: Methods,
    words: &'static [&'static str],
) -> WordRule {
    WordRule {
        function,
        weight,
        methods,
        scope: Scope::Scaled,
        words,
    }
}

const fn only(scope: Scope, rule: WordRule) -> WordRule {
    WordRule { scope, ..rule }
}

/// Path words by function: weight (scaled by position), methods, words.
#[rustfmt::skip]
pub(super) const PATH_WORDS: &[WordRule] = &[
    rule(Login, 10, Methods::Any, &["login", "signin", "authenticate", "authn"]),
    rule(Login, 4, Methods::Writes, &["oauth", "oauth2", "sso"]),
    rule(Login, 3, Methods::Writes, &["auth"]),
    rule(Logout, 10, Methods::Any, &["logout", "signout"]),
    only(Scope::Last, rule(Logout, 8, Methods::Any, &["revoke"])),
    rule(SignUp, 10, Methods::Any, &["signup", "register", "registration", "registrations"]),
    rule(PasswordReset, 6, Methods::Any, &["forgot", "forget", "recover", "recovery"]),
    rule(Otp, 10, Methods::Any, &[
        "otp", "mfa", "2fa", "totp", "hotp", "passcode", "multifactor", "verification",
        "verifications", "passwordless",
    ]),
    rule(Otp, 6, Methods::Any, &["factor", "factors", "challenge", "challenges"]),
    rule(Otp, 3, Methods::Any, &["verify"]),
    rule(TokenRefresh, 10, Methods::Any, &["refreshtoken"]),
    rule(TokenRefresh, 7, Methods::Writes, &["refresh"]),
    rule(Health, 10, Methods::Reads, &[
        "health", "healthz", "healthcheck", "healthy", "livez", "readyz", "liveness",
        "readiness", "ping", "heartbeat",
    ]),
    only(Scope::Anywhere, rule(Admin, 9, Methods::Any, &[
        "admin", "admins", "administration", "administrator", "management", "internal",
        "debug", "superuser", "superadmin", "sysadmin", "actuator", "backoffice",
    ])),
    rule(Search, 8, Methods::Any, &[
        "search", "find", "query", "lookup", "autocomplete", "suggest", "typeahead",
    ]),
    rule(Export, 8, Methods::Any, &[
        "export", "exports", "download", "downloads", "dump", "tarball", "zipball",
    ]),
    rule(Export, 6, Methods::Reads, &["archive", "csv", "pdf", "xlsx"]),
    rule(Destructive, 8, Methods::Writes, &[
        "drop", "purge", "wipe", "truncate", "flush", "nuke", "destroy", "prune", "deleteall",
        "removeall", "factoryreset",
    ]),
    rule(Cart, 8, Methods::Any, &["cart", "carts", "basket", "baskets"]),
    rule(Checkout, 8, Methods::Sends, &[
        "checkout", "checkouts", "purchase", "purchases", "coupon", "coupons", "voucher",
        "vouchers", "promo",
    ]),
    rule(Checkout, 8, Methods::Post, &["order", "orders"]),
    rule(Payment, 8, Methods::Sends, &[
        "payment", "payments", "pay", "charge", "charges", "refund", "refunds", "capture",
        "captures", "payout", "payouts", "billing",
    ]),
    rule(FileUpload, 8, Methods::Sends, &["upload", "uploads"]),
    rule(FileUpload, 4, Methods::Post, &[
        "file", "files", "attachment", "attachments", "image", "images", "avatar", "photo",
        "photos", "picture", "pictures", "media", "video", "videos", "document", "documents",
    ]),
    only(Scope::Last, rule(List, 8, Methods::Fetches, &["list"])),
    rule(Profile, 6, Methods::Any, &["profile", "profiles", "myself", "whoami", "userinfo", "dashboard"]),
    only(Scope::Alone, rule(Profile, 6, Methods::Any, &["me", "user", "account"])),
    rule(Profile, 6, Methods::Sends, &["changeemail", "changephone"]),
    rule(Profile, 5, Methods::Updates, &["email", "phone"]),
];

/// Words next to `password` that make it a reset or change.
pub(super) const RESET_WORDS: &[&str] = &[
    "reset", "forgot", "forget", "change", "recover", "recovery", "update", "set", "lost", "new",
];
pub(super) const PASSWORD_WORDS: &[&str] = &["password", "passwords", "passwd", "pwd"];
/// Credentials a `reset` may be about: resetting them destroys no data.
#[rustfmt::skip]
pub(super) const CREDENTIAL_WORDS: &[&str] = &[
    "auth", "otp", "mfa", "2fa", "totp", "factor", "factors", "credentials", "key", "keys",
];
/// Verbs of a last segment that change what exists: a password sent there is no login.
pub(super) const UPDATE_WORDS: &[&str] = &["update", "change", "set", "edit", "modify"];
/// Verbs of a last segment that create: `/users/create` with a password signs up.
pub(super) const CREATE_WORDS: &[&str] = &["create", "add", "new"];
/// Verbs of a last segment that delete, whatever the method (`users.deletePhoto`).
pub(super) const DELETE_WORDS: &[&str] = &["delete", "remove"];

/// People and accounts: `POST` to them with a password creates an account,
/// `/users/{id}` is a profile.
pub(super) const PEOPLE: &[&str] = &[
    "user", "users", "account", "accounts", "member", "members", "people", "person", "profiles",
];
/// `/users/current`, `/session/current`: the caller itself.
pub(super) const SELF_WORDS: &[&str] = &["me", "self", "current", "myself"];
pub(super) const SESSION_WORDS: &[&str] = &["session", "sessions"];
pub(super) const TOKEN_WORDS: &[&str] = &["token", "tokens"];
/// Path words that say nothing of the function (`/api/v1/status`).
#[rustfmt::skip]
pub(super) const PREFIX_WORDS: &[&str] = &[
    "api", "rest", "public", "system", "service", "services", "app", "actuator", "management",
    "internal", "monitor", "monitoring",
];

// Field names: matched on their words (`new_password`: `new`, `password`)
// or their compact form (`newpassword`).

#[rustfmt::skip]
pub(super) const IDENTITY_FIELDS: &[&str] = &[
    "username", "user", "email", "login", "emailaddress", "userid", "principal", "phone",
    "phonenumber", "handle",
];
pub(super) const SECRET_WORDS: &[&str] = &["password", "passwd", "pwd", "passphrase"];
pub(super) const SECRET_FIELDS: &[&str] = &["pass"];
/// A credentials object: a password for a new account (Okta), but also a
/// registry's or a cloud's secret, so no login on its own.
pub(super) const CREDENTIAL_FIELDS: &[&str] = &["credentials", "credential"];
/// With a password: `new_password`, `old_password`, `current_password`.
pub(super) const CHANGE_WORDS: &[&str] = &["new", "old", "current"];
pub(super) const OTP_WORDS: &[&str] = &["otp", "totp", "hotp", "passcode", "mfa", "2fa"];
#[rustfmt::skip]
pub(super) const OTP_FIELDS: &[&str] = &[
    "passcode", "verificationcode", "smscode", "twofactorcode", "authcode",
];
pub(super) const OAUTH_FIELDS: &[&str] = &["granttype", "clientid", "clientsecret"];
#[rustfmt::skip]
pub(super) const SEARCH_FIELDS: &[&str] = &[
    "q", "search", "keyword", "keywords", "searchterm", "term", "jql",
];
pub(super) const CARD_WORDS: &[&str] = &["cvv", "cvc", "cvv2", "iban"];
/// With `card`: `card[number]`, `cardNum`, `card_exp_month`.
#[rustfmt::skip]
pub(super) const CARD_DETAILS: &[&str] = &[
    "number", "num", "exp", "expiry", "expiration", "cvc", "holder",
];
/// Tokens a successful login hands back.
#[rustfmt::skip]
pub(super) const TOKEN_RESPONSES: &[&str] = &[
    "token", "accesstoken", "idtoken", "authtoken", "jwt", "sessiontoken", "bearertoken",
];
