//! End-to-end tests of the demo API over real sockets.

use crate::testing::TestServer;
use crate::{DEMO_ADMIN, DEMO_CUSTOMER};
use http::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn health_users_and_profiles() {
    let server = TestServer::start().await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.headers["content-type"], "application/json");
    assert_eq!(health.json["status"], "ok");

    let list = server.get("/api/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["users"].as_array().unwrap().len(), 20);
    assert_eq!(list.json["total"], 64);
    assert!(list.json["users"][0]["email"]
        .as_str()
        .unwrap()
        .contains('@'));
    let last_page = server.get("/api/users?page=3").await;
    assert_eq!(last_page.json["users"].as_array().unwrap().len(), 20);
    assert_eq!(
        server.get("/api/users?page=4").await.json["users"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        server.get("/api/users?page=5").await.json["users"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        server.get("/api/users?page=0").await.status,
        StatusCode::BAD_REQUEST
    );

    let alice = server.get("/api/users/1").await;
    assert_eq!(alice.status, StatusCode::OK);
    assert_eq!(alice.json["name"], "Alice Martin");
    assert_eq!(alice.json["email"], DEMO_CUSTOMER.email);
    assert_eq!(alice.json["ssn"].as_str().unwrap().len(), 11);
    assert!(alice.json["address"]["street"].is_string());

    assert_eq!(
        server.get("/api/users/9999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.get("/api/users/0").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.get("/api/users/abc").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        server
            .get("/api/users/99999999999999999999999")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods() {
    let server = TestServer::start().await;
    let missing = server.get("/api/nothing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["error"], "not_found");
    let wrong = server.send("DELETE", "/api/users", &[], b"").await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers["allow"], "GET, POST");
    let wrong = server.get("/api/login").await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers["allow"], "POST");
    server.stop().await;
}

#[tokio::test]
async fn login_issues_tokens_and_refuses_bad_credentials_and_bodies() {
    let server = TestServer::start().await;
    let token = server
        .login(DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)
        .await;
    assert!(
        token.starts_with("eyJ") && token.split('.').count() == 3,
        "{token}"
    );

    let body = format!(r#"{{"email":"{}","password":"nope"}}"#, DEMO_CUSTOMER.email);
    let wrong = server.post_json("/api/login", &body).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json["error"], "invalid_credentials");
    let unknown = server
        .post_json(
            "/api/login",
            r#"{"email":"nobody@example.com","password":"x"}"#,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    let malformed = server.post_json("/api/login", r#"{"email": "#).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json["message"]
        .as_str()
        .unwrap()
        .contains("column"));
    let missing_field = server.post_json("/api/login", r#"{"email":"a@b.c"}"#).await;
    assert_eq!(missing_field.status, StatusCode::BAD_REQUEST);
    let not_json = server
        .send(
            "POST",
            "/api/login",
            &[("content-type", "text/plain")],
            b"x",
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = vec![b'a'; 20 * 1024];
    let too_large = server
        .send(
            "POST",
            "/api/login",
            &[("content-type", "application/json")],
            &huge,
        )
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    server.stop().await;
}

#[tokio::test]
async fn accounts_need_a_token_but_not_ownership() {
    let server = TestServer::start().await;
    let anonymous = server.get("/api/accounts/1001").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let garbage = server
        .get_with_token("/api/accounts/1001", "not-a-token")
        .await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);

    let token = server
        .login(DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)
        .await;
    let own = server.get_with_token("/api/accounts/1001", &token).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json["owner_id"], 1);
    let iban = own.json["iban"].as_str().unwrap();
    assert!(iban.starts_with("DE") && iban.len() == 22, "{iban}");
    assert_eq!(own.json["card"]["number"].as_str().unwrap().len(), 16);
    assert_eq!(own.json["card"]["holder"], "Alice Martin");
    assert!(own.json["balance"].as_str().unwrap().contains('.'));

    // The deliberate BOLA flaw: someone else's account is served too.
    let other = server.get_with_token("/api/accounts/1010", &token).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_ne!(other.json["owner_id"], 1);
    assert_eq!(
        server
            .get_with_token("/api/accounts/999999", &token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    server.clock.advance(Duration::from_secs(3601));
    let expired = server.get_with_token("/api/accounts/1001", &token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.json["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    server.stop().await;
}

#[tokio::test]
async fn orders_are_visible_to_their_owner_and_admins_only() {
    let server = TestServer::start().await;
    let alice = server
        .login(DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)
        .await;
    let admin = server.login(DEMO_ADMIN.email, DEMO_ADMIN.password).await;
    let owner_with_orders = server.api.records.orders[0].user_id;
    let order_id = server.api.records.orders[0].id.clone();

    let listed = server
        .get_with_token(&format!("/api/users/{owner_with_orders}/orders"), &admin)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let ids: Vec<&str> = listed.json["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&order_id.as_str()));
    assert_eq!(
        server
            .get_with_token("/api/users/1/orders", &alice)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        server
            .get_with_token("/api/users/5/orders", &alice)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server.get("/api/users/1/orders").await.status,
        StatusCode::UNAUTHORIZED
    );

    let detail = server
        .get_with_token(&format!("/api/orders/{order_id}"), &admin)
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.json["payment"]["card"]
        .as_str()
        .unwrap()
        .starts_with("**** "));
    assert!(detail.json["contact"]["email"].is_string());
    assert!(!detail.json["items"].as_array().unwrap().is_empty());
    let others_order = server
        .api
        .records
        .orders
        .iter()
        .find(|o| o.user_id != 1)
        .expect("orders of other users exist");
    let hidden = server
        .get_with_token(&format!("/api/orders/{}", others_order.id), &alice)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let alices_orders = server.get_with_token("/api/users/1/orders", &alice).await;
    assert!(!alices_orders.json["orders"].as_array().unwrap().is_empty());
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        server
            .get_with_token(&format!("/api/orders/{unknown}"), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server
            .get_with_token("/api/orders/not-a-uuid", &admin)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    server.stop().await;
}

#[tokio::test]
async fn product_search_filters_and_pages() {
    let server = TestServer::start().await;
    let all = server.get("/api/products").await;
    assert_eq!(all.json["total"], 120);
    assert_eq!(all.json["items"].as_array().unwrap().len(), 10);
    let found = server.get("/api/products?q=WIRELESS").await;
    let total = found.json["total"].as_u64().unwrap();
    assert!(total > 0 && total < 120);
    for item in found.json["items"].as_array().unwrap() {
        let text = format!("{} {}", item["name"], item["description"]).to_lowercase();
        assert!(text.contains("wireless"), "{text}");
    }
    let beyond = server.get("/api/products?q=wireless&page=1000").await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert_eq!(beyond.json["items"].as_array().unwrap().len(), 0);
    let too_long = format!("/api/products?q={}", "a".repeat(101));
    assert_eq!(server.get(&too_long).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        server.get("/api/products?page=x").await.status,
        StatusCode::BAD_REQUEST
    );
    server.stop().await;
}

#[tokio::test]
async fn sign_up_then_log_in() {
    let server = TestServer::start().await;
    let body = r#"{"name":"Dana Scully","email":"dana@example.org","password":"trust-no-one","phone":"+1 202 555 0150"}"#;
    let created = server.post_json("/api/users", body).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.json["id"], 65);
    assert_eq!(created.headers["location"], "/api/users/65");
    assert_eq!(
        server.get("/api/users/65").await.json["member_since"],
        "2025-01-01"
    );
    server.login("dana@example.org", "trust-no-one").await;
    assert_eq!(
        server.post_json("/api/users", body).await.status,
        StatusCode::CONFLICT
    );

    for bad in [
        r#"{"name":"X","email":"no-at-sign","password":"long-enough"}"#,
        r#"{"name":"X","email":"x@example.org","password":"short"}"#,
        r#"{"name":"","email":"x@example.org","password":"long-enough"}"#,
        r#"{"name":"X","email":"x@example.org","password":"long-enough","phone":"call me"}"#,
        r#"{"name":"X","email":"x@example.org"}"#,
    ] {
        assert_eq!(
            server.post_json("/api/users", bad).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn password_reset_flow() {
    let server = TestServer::start().await;
    let unknown = server
        .post_json("/api/password-reset", r#"{"email":"ghost@example.com"}"#)
        .await;
    assert_eq!(unknown.status, StatusCode::ACCEPTED);
    let body = format!(r#"{{"email":"{}"}}"#, DEMO_CUSTOMER.email);
    let known = server.post_json("/api/password-reset", &body).await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(
        known.json, unknown.json,
        "the answer must not reveal whether the account exists"
    );

    let ticket = server
        .api
        .resets
        .latest_for(1)
        .expect("a ticket was issued");
    let confirm = format!(r#"{{"ticket":"{ticket}","password":"a-brand-new-password"}}"#);
    assert_eq!(
        server
            .post_json("/api/password-reset/confirm", &confirm)
            .await
            .status,
        StatusCode::OK
    );
    server
        .login(DEMO_CUSTOMER.email, "a-brand-new-password")
        .await;
    let old = format!(
        r#"{{"email":"{}","password":"{}"}}"#,
        DEMO_CUSTOMER.email, DEMO_CUSTOMER.password
    );
    assert_eq!(
        server.post_json("/api/login", &old).await.status,
        StatusCode::UNAUTHORIZED
    );
    let reused = server
        .post_json("/api/password-reset/confirm", &confirm)
        .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(reused.json["error"], "invalid_ticket");
    server.stop().await;
}

#[tokio::test]
async fn admin_listing_is_for_admins() {
    let server = TestServer::start().await;
    assert_eq!(
        server.get("/api/admin/users").await.status,
        StatusCode::UNAUTHORIZED
    );
    let alice = server
        .login(DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)
        .await;
    assert_eq!(
        server
            .get_with_token("/api/admin/users", &alice)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let admin = server.login(DEMO_ADMIN.email, DEMO_ADMIN.password).await;
    let listing = server.get_with_token("/api/admin/users", &admin).await;
    assert_eq!(listing.status, StatusCode::OK);
    let users = listing.json["users"].as_array().unwrap();
    assert_eq!(users.len(), 50);
    assert_eq!(users[1]["role"], "admin");
    assert!(users[5]["ssn"].is_string());
    server.stop().await;
}
