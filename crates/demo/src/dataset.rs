//! The demo API's in-memory data, generated from a seed: customers with contact
//! details and identity numbers, their bank accounts and cards, their orders, and
//! a product catalogue. Everything is fictional but shaped like the real thing.

use crate::credentials::{PasswordHash, Role};
use crate::identifiers;
use crate::rng::SeededRng;
use std::collections::HashMap;

/// Someone who can log in with a known password, printed by the walkthrough.
#[derive(Debug, Clone, Copy)]
pub struct KnownLogin {
    pub email: &'static str,
    pub password: &'static str,
}

/// A customer account, user id 1.
pub const DEMO_CUSTOMER: KnownLogin = KnownLogin {
    email: "alice.martin@example.com",
    password: "demo-password-1",
};

/// An administrator, user id 2: the only role allowed on `/api/admin/...`.
pub const DEMO_ADMIN: KnownLogin = KnownLogin {
    email: "admin@example.com",
    password: "demo-admin-password",
};

/// Customers whose passwords the built-in traffic simulator knows: its
/// legitimate shoppers log in as them (besides [`DEMO_CUSTOMER`]). They come
/// after the generated users (ids 61 to 64), so the records generated
/// before them are the same as without them.
pub const DEMO_SHOPPERS: [(&str, KnownLogin); 4] = [
    (
        "Maya Lindqvist",
        KnownLogin {
            email: "maya.lindqvist@example.org",
            password: "shopper-password-1",
        },
    ),
    (
        "Daniel Osei",
        KnownLogin {
            email: "daniel.osei@example.net",
            password: "shopper-password-2",
        },
    ),
    (
        "Lucia Ferreira",
        KnownLogin {
            email: "lucia.ferreira@example.com",
            password: "shopper-password-3",
        },
    ),
    (
        "Arjun Mehta",
        KnownLogin {
            email: "arjun.mehta@example.org",
            password: "shopper-password-4",
        },
    ),
];
/// The shoppers' details come from their own random stream, for the same reason.
const SHOPPER_STREAM: u64 = 0x5409_9E25;

const GENERATED_USERS: u64 = 58;
const PRODUCTS: u64 = 120;

pub(crate) const FIRST_NAMES: [&str; 20] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Lucas", "Mia", "Ethan", "Amelia",
    "Hugo", "Chloe", "Yusuf", "Zoe", "Ravi", "Ingrid", "Kenji", "Fatima", "Tomasz",
];
pub(crate) const LAST_NAMES: [&str; 20] = [
    "Smith",
    "Garcia",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Rossi",
    "Muller",
    "Dubois",
    "Silva",
    "Kim",
    "Patel",
    "Johansson",
    "Haddad",
    "Novak",
    "Tanaka",
    "Murphy",
    "Schmidt",
    "Costa",
    "Ivanova",
    "Brown",
];
const STREETS: [&str; 10] = [
    "Oak Street",
    "Maple Avenue",
    "Harbour Road",
    "Station Lane",
    "Mill Way",
    "Church Street",
    "Park Drive",
    "River Walk",
    "Elm Court",
    "Hill Crescent",
];
const CITIES: [&str; 8] = [
    "Springfield",
    "Riverton",
    "Lakeside",
    "Fairview",
    "Greenville",
    "Bristol",
    "Madison",
    "Ashford",
];
pub(crate) const EMAIL_DOMAINS: [&str; 3] = ["example.com", "example.org", "example.net"];
const ORDER_STATUSES: [&str; 4] = ["pending", "paid", "shipped", "delivered"];
pub(crate) const PRODUCT_NOUNS: [(&str, &str); 12] = [
    ("Headphones", "audio"),
    ("Speaker", "audio"),
    ("Keyboard", "computing"),
    ("Mouse", "computing"),
    ("Monitor", "computing"),
    ("Backpack", "travel"),
    ("Water Bottle", "outdoor"),
    ("Tent", "outdoor"),
    ("Coffee Grinder", "kitchen"),
    ("Chef Knife", "kitchen"),
    ("Desk Lamp", "home"),
    ("Running Shoes", "sport"),
];
pub(crate) const PRODUCT_ADJECTIVES: [&str; 10] = [
    "Wireless",
    "Compact",
    "Pro",
    "Ergonomic",
    "Classic",
    "Ultralight",
    "Smart",
    "Rugged",
    "Premium",
    "Eco",
];

#[derive(Debug, Clone)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub postcode: String,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub ssn: String,
    pub date_of_birth: String,
    pub address: Address,
    pub role: Role,
    pub password: PasswordHash,
    pub member_since: String,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub number: String,
    pub expiry: String,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: u64,
    pub owner_id: u64,
    pub iban: String,
    pub balance_cents: i64,
    pub card: Card,
}

#[derive(Debug, Clone)]
pub struct OrderLine {
    pub product_id: u64,
    pub quantity: u64,
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: String,
    pub user_id: u64,
    pub placed_at: String,
    pub status: &'static str,
    pub lines: Vec<OrderLine>,
    pub card_number: String,
}

impl Order {
    pub fn total_cents(&self) -> i64 {
        self.lines
            .iter()
            .map(|l| l.unit_price_cents * l.quantity as i64)
            .sum()
    }
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub category: &'static str,
    pub price_cents: i64,
    pub description: String,
}

/// The generated data: users go to the mutable directory, the records stay
/// read-only for the life of the API.
pub struct Dataset {
    pub users: Vec<User>,
    pub records: Records,
}

/// Accounts, orders and products, with the indexes the endpoints look up by.
pub struct Records {
    pub accounts: HashMap<u64, Account>,
    pub orders: Vec<Order>,
    pub orders_by_id: HashMap<String, usize>,
    pub orders_by_user: HashMap<u64, Vec<usize>>,
    pub products: Vec<Product>,
}

impl Dataset {
    pub fn generate(seed: u64) -> Self {
        let mut rng = SeededRng::new(seed);
        let products: Vec<Product> = (1..=PRODUCTS).map(|id| product(&mut rng, id)).collect();
        let mut users = vec![
            user(
                &mut rng,
                1,
                "Alice Martin",
                DEMO_CUSTOMER.email.to_owned(),
                DEMO_CUSTOMER.password,
                Role::Customer,
            ),
            user(
                &mut rng,
                2,
                "Site Administrator",
                DEMO_ADMIN.email.to_owned(),
                DEMO_ADMIN.password,
                Role::Admin,
            ),
        ];
        for id in 3..3 + GENERATED_USERS {
            let name = format!("{} {}", rng.pick(&FIRST_NAMES), rng.pick(&LAST_NAMES));
            let email = format!(
                "{}{}@{}",
                name.to_lowercase().replace(' ', "."),
                id,
                rng.pick(&EMAIL_DOMAINS)
            );
            // Nobody knows these passwords: the accounts exist to be looked at.
            let password: String = (0..16)
                .map(|_| char::from(b'a' + (rng.next_u64() % 26) as u8))
                .collect();
            users.push(user(&mut rng, id, &name, email, &password, Role::Customer));
        }
        let mut shopper_rng = SeededRng::new(seed ^ SHOPPER_STREAM);
        for (name, login) in DEMO_SHOPPERS {
            let id = users.len() as u64 + 1;
            users.push(user(
                &mut shopper_rng,
                id,
                name,
                login.email.to_owned(),
                login.password,
                Role::Customer,
            ));
        }

        let mut accounts = HashMap::new();
        let mut orders = Vec::new();
        let mut next_account_id = 1001;
        for owner in &users {
            for _ in 0..rng.in_range(1, 2) {
                accounts.insert(
                    next_account_id,
                    account(&mut rng, next_account_id, owner.id),
                );
                next_account_id += 1;
            }
            let card_number = identifiers::card_number(&mut rng);
            for _ in 0..rng.in_range(1, 5) {
                orders.push(order(&mut rng, owner.id, &card_number, &products));
            }
        }
        let orders_by_id = orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        let mut orders_by_user: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, o) in orders.iter().enumerate() {
            orders_by_user.entry(o.user_id).or_default().push(i);
        }
        Dataset {
            users,
            records: Records {
                accounts,
                orders,
                orders_by_id,
                orders_by_user,
                products,
            },
        }
    }
}

fn salt(rng: &mut SeededRng) -> [u8; 16] {
    let mut salt = [0u8; 16];
    salt[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    salt[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    salt
}

fn date(rng: &mut SeededRng, first_year: u64, last_year: u64) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.in_range(first_year, last_year),
        rng.in_range(1, 12),
        rng.in_range(1, 28)
    )
}

fn user(
    rng: &mut SeededRng,
    id: u64,
    name: &str,
    email: String,
    password: &str,
    role: Role,
) -> User {
    User {
        id,
        name: name.to_owned(),
        email,
        phone: identifiers::phone(rng),
        ssn: identifiers::ssn(rng),
        date_of_birth: date(rng, 1950, 2004),
        address: Address {
            street: format!("{} {}", rng.in_range(1, 250), rng.pick(&STREETS)),
            city: rng.pick(&CITIES).to_string(),
            postcode: format!("{:05}", rng.in_range(1000, 99_950)),
        },
        role,
        password: PasswordHash::new(password, salt(rng)),
        member_since: date(rng, 2015, 2024),
    }
}

fn account(rng: &mut SeededRng, id: u64, owner_id: u64) -> Account {
    Account {
        id,
        owner_id,
        iban: identifiers::iban(rng),
        balance_cents: rng.in_range(0, 2_500_000) as i64 - 20_000,
        card: Card {
            number: identifiers::card_number(rng),
            expiry: format!("{:02}/{}", rng.in_range(1, 12), rng.in_range(27, 31)),
        },
    }
}

fn order(rng: &mut SeededRng, user_id: u64, card_number: &str, products: &[Product]) -> Order {
    let lines = (0..rng.in_range(1, 4))
        .map(|_| {
            let product = rng.pick(products);
            OrderLine {
                product_id: product.id,
                quantity: rng.in_range(1, 3),
                unit_price_cents: product.price_cents,
            }
        })
        .collect();
    Order {
        id: identifiers::uuid(rng),
        user_id,
        placed_at: date(rng, 2023, 2025),
        status: rng.pick::<&str>(&ORDER_STATUSES),
        lines,
        card_number: card_number.to_owned(),
    }
}

fn product(rng: &mut SeededRng, id: u64) -> Product {
    let (noun, category) = *rng.pick(&PRODUCT_NOUNS);
    let adjective = rng.pick(&PRODUCT_ADJECTIVES);
    Product {
        id,
        name: format!("{adjective} {noun}"),
        category,
        price_cents: rng.in_range(499, 49_999) as i64,
        description: format!(
            "{adjective} {} for everyday {category} use, model {}.",
            noun.to_lowercase(),
            rng.in_range(100, 999)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_per_seed() {
        let a = Dataset::generate(5);
        let b = Dataset::generate(5);
        let c = Dataset::generate(6);
        let emails = |d: &Dataset| d.users.iter().map(|u| u.email.clone()).collect::<Vec<_>>();
        assert_eq!(emails(&a), emails(&b));
        assert_ne!(emails(&a), emails(&c));
        let order_ids = |d: &Dataset| {
            d.records
                .orders
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(order_ids(&a), order_ids(&b));
    }

    #[test]
    fn known_logins_work_and_emails_are_unique() {
        let data = Dataset::generate(1);
        assert!(data.users[0].password.matches(DEMO_CUSTOMER.password));
        assert_eq!(data.users[1].role, Role::Admin);
        assert!(data.users[1].password.matches(DEMO_ADMIN.password));
        for (name, login) in DEMO_SHOPPERS {
            let shopper = data.users.iter().find(|u| u.email == login.email).unwrap();
            assert_eq!(shopper.name, name);
            assert!(shopper.password.matches(login.password));
            assert_eq!(shopper.role, Role::Customer);
        }
        let mut emails: Vec<&str> = data.users.iter().map(|u| u.email.as_str()).collect();
        emails.sort_unstable();
        emails.dedup();
        assert_eq!(emails.len(), data.users.len());
    }

    #[test]
    fn every_user_has_an_account_and_indexes_are_consistent() {
        let Dataset {
            users,
            records: data,
        } = Dataset::generate(1);
        for user in &users {
            assert!(
                data.accounts.values().any(|a| a.owner_id == user.id),
                "user {}",
                user.id
            );
        }
        for (id, &i) in &data.orders_by_id {
            assert_eq!(&data.orders[i].id, id);
        }
        let indexed: usize = data.orders_by_user.values().map(Vec::len).sum();
        assert_eq!(indexed, data.orders.len());
        assert!(data.orders.iter().all(|o| o.total_cents() > 0));
    }
}
