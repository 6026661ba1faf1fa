//! Generators for the personal identifiers the demo API hands out: card numbers
//! that pass the Luhn check, IBANs with valid ISO 13616 check digits, SSN-shaped
//! values, fictional phone numbers and UUIDs. They are structurally valid so
//! that the gateway's sensitive-data discovery and masking meet realistic values,
//! yet none belongs to anyone: card prefixes are test ranges, phone numbers use
//! the 555-01xx block reserved for fiction.

use crate::rng::SeededRng;

/// A 16-digit card number (Visa- or Mastercard-shaped) whose last digit is the
/// Luhn check digit.
pub fn card_number(rng: &mut SeededRng) -> String {
    let mut digits: Vec<u8> = if rng.next_u64() & 1 == 0 {
        vec![4]
    } else {
        vec![5, rng.in_range(1, 5) as u8]
    };
    while digits.len() < 15 {
        digits.push(rng.digit());
    }
    digits.push(luhn_check_digit(&digits));
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// The digit that, appended to `payload`, makes the whole number pass Luhn.
fn luhn_check_digit(payload: &[u8]) -> u8 {
    // Counting from the right of the final number, the check digit is position 1
    // (not doubled), so the payload's rightmost digit is doubled.
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A German IBAN: `DE`, two check digits, an 8-digit bank code and a 10-digit
/// account number (22 characters), with check digits computed per ISO 13616.
pub fn iban(rng: &mut SeededRng) -> String {
    let bban: String = (0..18).map(|_| char::from(b'0' + rng.digit())).collect();
    let check = 98 - iban_remainder(&format!("{bban}DE00"));
    format!("DE{check:02}{bban}")
}

/// `rearranged` mod 97, where letters count as two-digit numbers (A = 10 ... Z = 35).
fn iban_remainder(rearranged: &str) -> u32 {
    rearranged
        .chars()
        .fold(0u32, |acc, c| match c.to_digit(36) {
            Some(v) if v >= 10 => (acc * 100 + v) % 97,
            Some(v) => (acc * 10 + v) % 97,
            None => acc,
        })
}

/// `AAA-GG-SSSS` with the ranges the US SSA never assigns avoided (area 000, 666,
/// 900-999; group 00; serial 0000).
pub fn ssn(rng: &mut SeededRng) -> String {
    let area = loop {
        let candidate = rng.in_range(1, 899);
        if candidate != 666 {
            break candidate;
        }
    };
    let group = rng.in_range(1, 99);
    let serial = rng.in_range(1, 9999);
    format!("{area:03}-{group:02}-{serial:04}")
}

/// A North American number in the 555-0100..555-0199 block reserved for fiction.
pub fn phone(rng: &mut SeededRng) -> String {
    const AREA_CODES: [u16; 8] = [202, 212, 305, 312, 415, 617, 206, 512];
    let area = rng.pick(&AREA_CODES);
    let line = rng.in_range(100, 199);
    format!("+1-{area}-555-0{line}")
}

/// A version-4-shaped UUID in its canonical lowercase form.
pub fn uuid(rng: &mut SeededRng) -> String {
    let high = rng.next_u64();
    let low = rng.next_u64();
    let time_hi_and_version = ((high & 0x0FFF) | 0x4000) as u16;
    let clock_seq = ((low >> 48) & 0x3FFF | 0x8000) as u16;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        (high >> 32) as u32,
        ((high >> 16) & 0xFFFF) as u16,
        time_hi_and_version,
        clock_seq,
        low & 0xFFFF_FFFF_FFFF
    )
}

/// True for the canonical lowercase UUID text form (8-4-4-4-12 hex digits).
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, len)| {
            g.len() == len
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_valid(number: &str) -> bool {
        let digits: Vec<u8> = number.bytes().map(|b| b - b'0').collect();
        let (payload, check) = digits.split_at(digits.len() - 1);
        luhn_check_digit(payload) == check[0]
    }

    #[test]
    fn luhn_check_digit_matches_known_numbers() {
        // Well-known test card numbers.
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("5500000000000004"));
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("4111111111111112"));
    }

    #[test]
    fn generated_cards_pass_luhn_and_have_card_prefixes() {
        let mut rng = SeededRng::new(42);
        for _ in 0..500 {
            let card = card_number(&mut rng);
            assert_eq!(card.len(), 16, "{card}");
            assert!(
                card.starts_with('4') || ("51"..="55").contains(&&card[..2]),
                "{card}"
            );
            assert!(luhn_valid(&card), "{card}");
        }
    }

    #[test]
    fn iban_check_digits_match_a_published_example() {
        // The German example IBAN from the ISO 13616 registry.
        let example = "DE89370400440532013000";
        let rearranged = format!("{}{}", &example[4..], &example[..4]);
        assert_eq!(iban_remainder(&rearranged), 1);
    }

    #[test]
    fn generated_ibans_validate_mod_97() {
        let mut rng = SeededRng::new(3);
        for _ in 0..500 {
            let iban = iban(&mut rng);
            assert_eq!(iban.len(), 22);
            let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
            assert_eq!(iban_remainder(&rearranged), 1, "{iban}");
        }
    }

    #[test]
    fn ssn_avoids_never_assigned_ranges() {
        let mut rng = SeededRng::new(9);
        for _ in 0..2000 {
            let ssn = ssn(&mut rng);
            let parts: Vec<u32> = ssn.split('-').map(|p| p.parse().unwrap()).collect();
            assert_eq!(parts.len(), 3);
            assert!(parts[0] != 0 && parts[0] != 666 && parts[0] < 900, "{ssn}");
            assert!(parts[1] != 0 && parts[2] != 0, "{ssn}");
        }
    }

    #[test]
    fn phones_are_in_the_fictional_block_and_uuids_are_canonical() {
        let mut rng = SeededRng::new(11);
        for _ in 0..200 {
            let phone = phone(&mut rng);
            assert!(phone.contains("-555-01"), "{phone}");
            let id = uuid(&mut rng);
            assert!(is_uuid(&id), "{id}");
            assert_eq!(&id[14..15], "4");
        }
        assert!(!is_uuid("not-a-uuid"));
        assert!(!is_uuid("0000000G-0000-4000-8000-000000000000"));
    }
}
