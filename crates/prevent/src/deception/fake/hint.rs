//! What a property's name says about its values.
//!
//! A learned schema knows `price` is a number but not that it is a price; the
//! name tells, and a fake reads better with `"price": 24.99` than with
//! `"price": 731`. Names are compared in snake case (`createdAt` reads as
//! `created_at`), mostly on their last word (`billing_email`, `user_id`).

/// What kind of value a name suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    Id,
    Email,
    Phone,
    FirstName,
    LastName,
    FullName,
    Username,
    Company,
    City,
    Street,
    PostalCode,
    Country,
    Currency,
    Url,
    Ip,
    Date,
    DateTime,
    Token,
    TokenType,
    ExpiresIn,
    PasswordHash,
    Price,
    Count,
    Age,
    Year,
    Latitude,
    Longitude,
    Title,
    Text,
    Status,
}

/// Longest name read; longer ones suggest nothing.
const MAX_NAME_BYTES: usize = 64;

/// The hint a property name gives, if any.
pub(super) fn hint(name: &str) -> Option<Hint> {
    if name.len() > MAX_NAME_BYTES {
        return None;
    }
    let name = snake_case(name);
    let name = name.as_str();
    let last = name.rsplit('_').next().unwrap_or(name);
    let has = |part: &str| name.contains(part);
    let last_is = |options: &[&str]| options.contains(&last);
    let hint = if name == "token_type" {
        Hint::TokenType
    } else if matches!(name, "expires_in" | "ttl") {
        Hint::ExpiresIn
    } else if has("token") || has("jwt") || has("api_key") || has("apikey") || has("secret") {
        Hint::Token
    } else if has("password") || has("passwd") || last_is(&["hash", "digest"]) {
        Hint::PasswordHash
    } else if has("email") {
        Hint::Email
    } else if has("phone") || last_is(&["mobile", "tel", "fax"]) {
        Hint::Phone
    } else if matches!(name, "first_name" | "firstname" | "given_name" | "forename") {
        Hint::FirstName
    } else if matches!(name, "last_name" | "lastname" | "surname" | "family_name") {
        Hint::LastName
    } else if matches!(
        name,
        "username" | "user_name" | "login" | "handle" | "nickname" | "screen_name"
    ) {
        Hint::Username
    } else if matches!(
        name,
        "name" | "full_name" | "fullname" | "display_name" | "author" | "customer_name"
    ) {
        Hint::FullName
    } else if has("company") || has("organization") || has("organisation") {
        Hint::Company
    } else if last_is(&["id", "uuid", "guid"]) {
        Hint::Id
    } else if last == "ip" || matches!(name, "ip_address" | "ip_addr" | "remote_addr") {
        Hint::Ip
    } else if last_is(&["at", "time", "timestamp"]) {
        Hint::DateTime
    } else if last_is(&["date", "on", "dob", "birthday", "birthdate"]) {
        Hint::Date
    } else if last_is(&["url", "uri", "link", "href", "website", "avatar", "image"]) {
        Hint::Url
    } else if last_is(&[
        "price", "amount", "cost", "total", "balance", "fee", "subtotal", "tax", "salary",
    ]) {
        Hint::Price
    } else if last_is(&[
        "count", "quantity", "qty", "size", "page", "limit", "offset", "stock",
    ]) {
        Hint::Count
    } else if last == "age" {
        Hint::Age
    } else if last == "year" {
        Hint::Year
    } else if last_is(&["lat", "latitude"]) {
        Hint::Latitude
    } else if last_is(&["lng", "lon", "long", "longitude"]) {
        Hint::Longitude
    } else if last_is(&["city", "town"]) {
        Hint::City
    } else if last_is(&["address", "street", "line1", "address1"]) {
        Hint::Street
    } else if last_is(&["zip", "zipcode", "postcode"]) || has("postal") {
        Hint::PostalCode
    } else if has("country") {
        Hint::Country
    } else if last == "currency" {
        Hint::Currency
    } else if last_is(&["title", "subject", "label", "name"]) {
        Hint::Title
    } else if last_is(&[
        "description",
        "bio",
        "summary",
        "comment",
        "message",
        "note",
        "notes",
        "text",
        "body",
        "content",
    ]) {
        Hint::Text
    } else if last_is(&["status", "state"]) {
        Hint::Status
    } else {
        return None;
    };
    Some(hint)
}

/// `createdAt`, `Created-At` and `created at` all become `created_at`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if matches!(c, '-' | ' ' | '.') {
            out.push('_');
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// The name of one item of a list property: `emails` -> `email`.
pub(super) fn singular(name: &str) -> &str {
    match name.strip_suffix('s') {
        Some(stem) if stem.len() >= 2 && !stem.ends_with('s') => stem,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_case_style_give_their_hint() {
        let cases = [
            ("id", Hint::Id),
            ("userId", Hint::Id),
            ("order_uuid", Hint::Id),
            ("email", Hint::Email),
            ("billingEmailAddress", Hint::Email),
            ("phone_number", Hint::Phone),
            ("createdAt", Hint::DateTime),
            ("updated-at", Hint::DateTime),
            ("birth_date", Hint::Date),
            ("access_token", Hint::Token),
            ("apiKey", Hint::Token),
            ("token_type", Hint::TokenType),
            ("expires_in", Hint::ExpiresIn),
            ("password_hash", Hint::PasswordHash),
            ("unitPrice", Hint::Price),
            ("ip_address", Hint::Ip),
            ("avatar_url", Hint::Url),
            ("name", Hint::FullName),
            ("product_name", Hint::Title),
            ("status", Hint::Status),
        ];
        for (name, expected) in cases {
            assert_eq!(hint(name), Some(expected), "{name}");
        }
        assert_eq!(hint("flags"), None);
        assert_eq!(hint(&"id".repeat(100)), None);
    }

    #[test]
    fn list_names_become_item_names() {
        assert_eq!(singular("emails"), "email");
        assert_eq!(singular("items"), "item");
        assert_eq!(singular("address"), "address");
        assert_eq!(singular("s"), "s");
    }
}
