//! What look-alike accounts share. Bulk sign-ups are generated from a
//! pattern (`promo.user0417@mail.test`, `promo.user0418@mail.test`) or from
//! one mailbox that accepts every tag and dot variant
//! (`ann+1@mail.test`, `a.nn@mail.test`); the skeleton is the pattern: the
//! mailbox without dots and without its `+tag`, with every run of digits
//! written `#`, and the domain kept.
//!
//! An account with too little of its own to make a pattern (fewer than
//! [`MIN_LETTERS`] letters in its mailbox, e.g. `12345@x.io` or a phone
//! number) has no skeleton: counting those together would join strangers.

/// Letters a mailbox or user name needs before its shape means something.
pub const MIN_LETTERS: usize = 3;

/// The skeleton of an account name (already lower-cased), if it has one.
pub fn of(account: &str) -> Option<String> {
    let (mailbox, domain) = match account.rsplit_once('@') {
        Some((mailbox, domain)) => (mailbox, Some(domain)),
        None => (account, None),
    };
    let mailbox = mailbox.split('+').next().unwrap_or(mailbox);
    let mut shape = String::with_capacity(account.len());
    let mut letters = 0;
    for ch in mailbox.chars().filter(|c| *c != '.') {
        if ch.is_ascii_digit() {
            if !shape.ends_with('#') {
                shape.push('#');
            }
        } else {
            letters += usize::from(ch.is_alphabetic());
            shape.push(ch);
        }
    }
    if letters < MIN_LETTERS {
        return None;
    }
    if let Some(domain) = domain {
        shape.push('@');
        shape.push_str(domain);
    }
    Some(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_mailbox_variants_share_a_skeleton() {
        assert_eq!(
            of("promo.user0417@mail.test").as_deref(),
            Some("promouser#@mail.test")
        );
        assert_eq!(of("promouser18@mail.test"), of("promo.user0417@mail.test"));
        assert_eq!(of("ann+1@mail.test"), of("a.nn@mail.test"));
        assert_eq!(of("bot7x9"), of("bot12x3"));
        assert_ne!(of("ann@mail.test"), of("ann@other.test"));
        assert_ne!(of("ann@mail.test"), of("bob@mail.test"));
    }

    #[test]
    fn names_without_enough_letters_have_none() {
        assert_eq!(of("12345@mail.test"), None);
        assert_eq!(of("+33612345678"), None);
        assert_eq!(of("ab1@mail.test"), None);
        assert_eq!(of(""), None);
    }
}
