//! The demo API's URL map: which resource a path names and which methods it
//! accepts (for 404 versus 405 and the `Allow` header).

use http::Method;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource<'a> {
    Health,
    Users,
    User(&'a str),
    UserOrders(&'a str),
    Login,
    PasswordReset,
    PasswordResetConfirm,
    Account(&'a str),
    Order(&'a str),
    Products,
    AdminUsers,
}

impl<'a> Resource<'a> {
    /// The resource at `path`, or `None` when the path names nothing.
    pub fn from_path(path: &'a str) -> Option<Self> {
        let rest = match path {
            "/healthz" => return Some(Resource::Health),
            _ => path.strip_prefix("/api/")?,
        };
        let segments: Vec<&str> = rest.split('/').collect();
        let resource = match segments.as_slice() {
            ["users"] => Resource::Users,
            ["users", id] if !id.is_empty() => Resource::User(id),
            ["users", id, "orders"] if !id.is_empty() => Resource::UserOrders(id),
            ["login"] => Resource::Login,
            ["password-reset"] => Resource::PasswordReset,
            ["password-reset", "confirm"] => Resource::PasswordResetConfirm,
            ["accounts", id] if !id.is_empty() => Resource::Account(id),
            ["orders", id] if !id.is_empty() => Resource::Order(id),
            ["products"] => Resource::Products,
            ["admin", "users"] => Resource::AdminUsers,
            _ => return None,
        };
        Some(resource)
    }

    /// The methods this resource answers, in `Allow` header order.
    pub fn allowed_methods(&self) -> &'static [Method] {
        match self {
            Resource::Users => &[Method::GET, Method::POST],
            Resource::Login | Resource::PasswordReset | Resource::PasswordResetConfirm => {
                &[Method::POST]
            }
            Resource::Health
            | Resource::User(_)
            | Resource::UserOrders(_)
            | Resource::Account(_)
            | Resource::Order(_)
            | Resource::Products
            | Resource::AdminUsers => &[Method::GET],
        }
    }

    /// The `Allow` header value.
    pub fn allow_header(&self) -> String {
        self.allowed_methods()
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_resources() {
        assert_eq!(Resource::from_path("/api/users"), Some(Resource::Users));
        assert_eq!(
            Resource::from_path("/api/users/12"),
            Some(Resource::User("12"))
        );
        assert_eq!(
            Resource::from_path("/api/users/12/orders"),
            Some(Resource::UserOrders("12"))
        );
        assert_eq!(
            Resource::from_path("/api/password-reset/confirm"),
            Some(Resource::PasswordResetConfirm)
        );
        assert_eq!(
            Resource::from_path("/api/admin/users"),
            Some(Resource::AdminUsers)
        );
        assert_eq!(Resource::from_path("/healthz"), Some(Resource::Health));
        for unknown in [
            "/",
            "/api",
            "/api/",
            "/api/users/",
            "/api/users//orders",
            "/api/nope",
            "/api/users/1/orders/2",
            "/users",
        ] {
            assert_eq!(Resource::from_path(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn allow_header_lists_methods() {
        assert_eq!(Resource::Users.allow_header(), "GET, POST");
        assert_eq!(Resource::Login.allow_header(), "POST");
    }
}
