//! JSON renderings of the demo records. Which fields each view exposes is a
//! deliberate part of the demo: the public profile over-shares (SSN, address),
//! accounts carry full card numbers and IBANs, orders mask the card. That gives
//! the gateway's sensitive-data discovery and masking something to find.

use crate::dataset::{Account, Order, Product, User};
use serde_json::{json, Value};

/// Cents as a decimal string, e.g. `-1234` -> `"-12.34"`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

pub fn user_summary(user: &User) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
    })
}

pub fn user_profile(user: &User) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "ssn": user.ssn,
        "date_of_birth": user.date_of_birth,
        "address": {
            "street": user.address.street,
            "city": user.address.city,
            "postcode": user.address.postcode,
        },
        "member_since": user.member_since,
    })
}

pub fn admin_user(user: &User) -> Value {
    let mut view = user_profile(user);
    view["role"] = json!(user.role);
    view
}

pub fn account(account: &Account, holder: Option<&User>) -> Value {
    json!({
        "id": account.id,
        "owner_id": account.owner_id,
        "iban": account.iban,
        "balance": money(account.balance_cents),
        "currency": "EUR",
        "card": {
            "number": account.card.number,
            "expiry": account.card.expiry,
            "holder": holder.map(|u| u.name.as_str()),
        },
    })
}

pub fn order_summary(order: &Order) -> Value {
    json!({
        "id": order.id,
        "placed_at": order.placed_at,
        "status": order.status,
        "total": money(order.total_cents()),
        "currency": "EUR",
    })
}

pub fn order_detail(order: &Order, customer: Option<&User>) -> Value {
    let last4 = order
        .card_number
        .get(order.card_number.len().saturating_sub(4)..)
        .unwrap_or("");
    let mut view = order_summary(order);
    view["user_id"] = json!(order.user_id);
    view["items"] = order
        .lines
        .iter()
        .map(|line| {
            json!({
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price_cents),
            })
        })
        .collect();
    view["payment"] = json!({ "method": "card", "card": format!("**** **** **** {last4}") });
    if let Some(customer) = customer {
        view["contact"] = json!({ "email": customer.email, "phone": customer.phone });
        view["shipping_address"] = json!({
            "name": customer.name,
            "street": customer.address.street,
            "city": customer.address.city,
            "postcode": customer.address.postcode,
        });
    }
    view
}

pub fn product(product: &Product) -> Value {
    json!({
        "id": product.id,
        "name": product.name,
        "category": product.category,
        "price": money(product.price_cents),
        "currency": "EUR",
        "description": product.description,
    })
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_formats_cents() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(123_456), "1234.56");
        assert_eq!(money(-1_234), "-12.34");
        assert_eq!(money(i64::MIN), "-92233720368547758.08");
    }
}
