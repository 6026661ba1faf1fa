//! What each load-generator request is: a plain `GET /bench`, or the
//! `POST /bench/orders` of a 1 KB JSON order, the body an API gateway spends
//! most of its inspection on (every stage that reads bodies reads this one).

use bytes::Bytes;
use clap::ValueEnum;
use http::header::{CONTENT_TYPE, HOST};
use http::{Method, Request};
use http_body_util::Full;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// `GET /bench` without a body.
    Get,
    /// `POST /bench/orders` with a 1 KB JSON order.
    Post,
}

/// A realistic order: customer, addresses, items and payment reference,
/// nested objects and arrays, numbers, booleans, strings with spaces and
/// punctuation; 1,120 bytes.
pub const ORDER: &str = r#"{"order_id":"ord_7Hq2LmX9cV","created_at":"2026-12-06T11:42:07.318Z","currency":"EUR","customer":{"id":"cus_48213","email":"ann.lee@example.com","name":"Ann Lee","phone":"+33 6 12 34 56 78","loyalty_tier":"gold","marketing_opt_in":false},"shipping_address":{"line1":"12 rue des Lilas","line2":"Bâtiment B, 3e étage","city":"Lyon","postal_code":"69003","country":"FR"},"billing_address":{"line1":"12 rue des Lilas","city":"Lyon","postal_code":"69003","country":"FR"},"items":[{"sku":"TSHIRT-BLK-M","name":"T-shirt, black, size M","quantity":2,"unit_price":19.9,"discount":0},{"sku":"MUG-CER-350","name":"Ceramic mug (350 ml)","quantity":1,"unit_price":12.5,"discount":2.5},{"sku":"BOOK-RUST-2E","name":"Programming Rust, 2nd edition","quantity":1,"unit_price":49.0,"discount":0}],"payment":{"method":"card","token":"tok_1Mx2Q8LkZ3hJ","last4":"4242","three_d_secure":true},"delivery":{"carrier":"colissimo","service":"express","instructions":"Leave with the concierge if nobody answers, please."},"coupon":"WINTER-10","notes":"Gift wrap the book; no invoice in the parcel.","channel":"mobile-app","app_version":"5.14.2"}"#;

impl Workload {
    /// The request to send to `host`.
    pub fn request(self, host: &str) -> http::Result<Request<Full<Bytes>>> {
        match self {
            Workload::Get => Request::get("/bench")
                .header(HOST, host)
                .body(Full::new(Bytes::new())),
            Workload::Post => Request::builder()
                .method(Method::POST)
                .uri("/bench/orders")
                .header(HOST, host)
                .header(CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from_static(ORDER.as_bytes()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_one_kilobyte_of_valid_json() {
        let order: serde_json::Value = serde_json::from_str(ORDER).unwrap();
        assert_eq!(order["items"].as_array().map(Vec::len), Some(3));
        assert!((1000..1200).contains(&ORDER.len()), "{} bytes", ORDER.len());
    }
}
