//! Endpoints about money and goods: bank accounts, orders, product search.
//!
//! `GET /api/accounts/{id}` checks that the caller is logged in but not that the
//! account is theirs. That broken object-level authorization is deliberate: it
//! is the flaw Rampart's enumeration (BOLA) detection exists to catch.

use super::{parse_numeric_id, views, ApiReply, ApiRequest, DemoApi};
use crate::identifiers::is_uuid;
use serde_json::json;

const PRODUCTS_PAGE_SIZE: usize = 10;
const MAX_PRODUCT_PAGE: u64 = 1_000;
const MAX_SEARCH_CHARS: usize = 100;

impl DemoApi {
    pub(super) fn get_account(
        &self,
        request: &ApiRequest<'_>,
        id: &str,
    ) -> Result<ApiReply, ApiReply> {
        self.authenticate(request)?;
        let id = parse_numeric_id(id, "account")?;
        let account = self
            .records
            .accounts
            .get(&id)
            .ok_or_else(|| ApiReply::not_found(format!("account {id}")))?;
        let holder = self.directory.get(account.owner_id);
        Ok(ApiReply::ok(views::account(account, holder.as_ref())))
    }

    pub(super) fn list_user_orders(
        &self,
        request: &ApiRequest<'_>,
        id: &str,
    ) -> Result<ApiReply, ApiReply> {
        let user_id = parse_numeric_id(id, "user")?;
        self.authorize_owner(request, user_id)?;
        if self.directory.get(user_id).is_none() {
            return Err(ApiReply::not_found(format!("user {user_id}")));
        }
        let orders: Vec<_> = self
            .records
            .orders_by_user
            .get(&user_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.records.orders.get(i))
            .map(views::order_summary)
            .collect();
        Ok(ApiReply::ok(
            json!({ "user_id": user_id, "orders": orders }),
        ))
    }

    /// Another user's order answers 404, not 403, so order ids cannot be probed.
    pub(super) fn get_order(
        &self,
        request: &ApiRequest<'_>,
        id: &str,
    ) -> Result<ApiReply, ApiReply> {
        let claims = self.authenticate(request)?;
        if !is_uuid(id) {
            return Err(ApiReply::bad_request("order id must be a lowercase UUID"));
        }
        let not_found = || ApiReply::not_found(format!("order {id}"));
        let order = self
            .records
            .orders_by_id
            .get(id)
            .and_then(|&i| self.records.orders.get(i))
            .ok_or_else(not_found)?;
        if claims.role != crate::credentials::Role::Admin && claims.sub != order.user_id.to_string()
        {
            return Err(not_found());
        }
        let customer = self.directory.get(order.user_id);
        Ok(ApiReply::ok(views::order_detail(order, customer.as_ref())))
    }

    pub(super) fn search_products(&self, request: &ApiRequest<'_>) -> Result<ApiReply, ApiReply> {
        let query = request.query_param("q")?.unwrap_or_default();
        if query.chars().count() > MAX_SEARCH_CHARS {
            return Err(ApiReply::bad_request(format!(
                "q must be at most {MAX_SEARCH_CHARS} characters"
            )));
        }
        let page = request.page(MAX_PRODUCT_PAGE)?;
        let needle = query.trim().to_lowercase();
        let matches: Vec<_> = self
            .records
            .products
            .iter()
            .filter(|p| {
                needle.is_empty()
                    || p.name.to_lowercase().contains(&needle)
                    || p.category.contains(&needle)
                    || p.description.to_lowercase().contains(&needle)
            })
            .collect();
        let items: Vec<_> = matches
            .iter()
            .skip((page as usize - 1) * PRODUCTS_PAGE_SIZE)
            .take(PRODUCTS_PAGE_SIZE)
            .map(|p| views::product(p))
            .collect();
        Ok(ApiReply::ok(json!({
            "query": query,
            "page": page,
            "page_size": PRODUCTS_PAGE_SIZE,
            "total": matches.len(),
            "items": items,
        })))
    }
}
