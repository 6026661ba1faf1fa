//! Endpoints of real public APIs with the function a security engineer
//! expects; every row is checked.
//!
//! A row: method, path template (a GraphQL operation after `#`), request
//! field names (query, form, JSON; `@name` is a multipart file part),
//! response field names, response shape (`A` a list, `O` an object, `-`
//! unknown), the expected function, and where the endpoint comes from.
//! Rules must stay general: a row that fails is fixed by a rule that is
//! right for every API, or kept with its reason below, never by a
//! per-path exception.

use super::BusinessFunction::{self, *};
use super::{classify, FunctionEvidence, ResponseShape};

type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    char,
    BusinessFunction,
    &'static str,
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- login
    ("POST", "/users/v1/login", "username password", "auth_token message status", 'O', Login, "VAmPI (the issue: was account_creation)"),
    ("POST", "/rest/user/login", "email password", "authentication", 'O', Login, "OWASP Juice Shop"),
    ("POST", "/identity/api/auth/login", "email password", "token type message", 'O', Login, "OWASP crAPI"),
    ("POST", "/identity/api/auth/v4.0/user/login-with-token", "email token", "token type message", 'O', Login, "OWASP crAPI"),
    ("GET", "/user/login", "username password", "", '-', Login, "Swagger Petstore (credentials in the query)"),
    ("POST", "/api/v1/authn", "username password options", "stateToken status expiresAt", 'O', Login, "Okta Authentication API"),
    ("POST", "/api/v1/sessions", "sessionToken", "id userId login status", 'O', Login, "Okta Sessions API: opens a session from a token"),
    ("POST", "/oauth/token", "grant_type username password client_id audience scope", "access_token id_token token_type expires_in", 'O', Login, "Auth0 password grant"),
    ("POST", "/realms/{realm}/protocol/openid-connect/token", "grant_type client_id username password refresh_token", "access_token refresh_token expires_in", 'O', Login, "Keycloak token endpoint; password and refresh grants share it, credentials weigh more"),
    ("POST", "/v1/oauth2/token", "grant_type", "scope access_token token_type app_id expires_in", 'O', Login, "PayPal client-credentials token"),
    ("POST", "/login/oauth/access_token", "client_id client_secret code redirect_uri", "access_token scope token_type", 'O', Login, "GitHub OAuth web flow"),
    ("POST", "/oauth.v2.access", "client_id client_secret code", "ok access_token token_type scope", 'O', Login, "Slack OAuth v2"),
    ("POST", "/v1/accounts:signInWithPassword", "email password returnSecureToken", "idToken email refreshToken expiresIn localId", 'O', Login, "Firebase Auth REST"),
    ("POST", "/v1/accounts:signInWithCustomToken", "token returnSecureToken", "idToken refreshToken expiresIn", 'O', Login, "Firebase Auth REST"),
    ("POST", "/session", "login password", "user", 'O', Login, "Discourse"),
    ("POST", "/c/login", "principal password", "", '-', Login, "Harbor portal login (form)"),
    ("POST", "/account/login", "customer[email] customer[password]", "", '-', Login, "Shopify storefront customer login (form)"),
    ("POST", "/graphql/#mutation tokenCreate", "query variables operationName email password", "data", 'O', Login, "Saleor GraphQL: variables read one wrapper down"),
    ("POST", "/wp-login.php", "log pwd rememberme", "", '-', Login, "WordPress"),
    ("POST", "/j_spring_security_check", "j_username j_password", "", '-', Login, "Spring Security / Jenkins form login"),
    ("POST", "/realms/{realm}/login-actions/authenticate", "username password credentialId", "", '-', Login, "Keycloak login form"),
    // --- logout
    ("POST", "/auth.revoke", "test", "ok revoked", 'O', Logout, "Slack Web API"),
    ("POST", "/oauth/revoke", "client_id client_secret token", "", '-', Logout, "Auth0 revoke refresh token"),
    ("GET", "/v2/logout", "returnTo client_id", "", '-', Logout, "Auth0 logout"),
    ("DELETE", "/api/v1/sessions/{sessionId}", "", "", '-', Logout, "Okta close session"),
    ("DELETE", "/api/v1/users/{userId}/sessions", "oauthTokens", "", '-', Logout, "Okta clear user sessions"),
    ("POST", "/oauth2/default/v1/revoke", "token token_type_hint client_id", "", '-', Logout, "Okta revoke"),
    ("POST", "/realms/{realm}/protocol/openid-connect/logout", "client_id refresh_token", "", '-', Logout, "Keycloak: refresh_token sent, still a logout"),
    ("DELETE", "/session/{username}", "", "", '-', Logout, "Discourse"),
    ("GET", "/user/logout", "", "", '-', Logout, "Swagger Petstore"),
    ("DELETE", "/applications/{client_id}/token", "access_token", "", '-', Logout, "GitHub: delete an app token (revocation)"),
    // --- sign-up
    ("POST", "/users/v1/register", "username password email", "message status", 'O', SignUp, "VAmPI"),
    ("POST", "/api/Users", "email password passwordRepeat securityQuestion securityAnswer", "status data", 'O', SignUp, "OWASP Juice Shop"),
    ("POST", "/identity/api/auth/signup", "name email number password", "message status", 'O', SignUp, "OWASP crAPI"),
    ("POST", "/dbconnections/signup", "client_id email password connection", "_id email", 'O', SignUp, "Auth0 database connection"),
    ("POST", "/v1/accounts:signUp", "email password returnSecureToken", "idToken email refreshToken expiresIn localId", 'O', SignUp, "Firebase Auth REST (returns a token, still a sign-up)"),
    ("POST", "/api/v1/accounts", "username email password agreement locale", "access_token token_type", 'O', SignUp, "Mastodon"),
    ("POST", "/users.json", "name email password username active", "success active message user_id", 'O', SignUp, "Discourse"),
    ("POST", "/user", "id username firstName lastName email password phone userStatus", "", '-', SignUp, "Swagger Petstore create user"),
    ("POST", "/api/v1/users", "activate profile credentials", "id status profile credentials", 'O', SignUp, "Okta create user with credentials"),
    ("POST", "/account", "customer[first_name] customer[email] customer[password]", "", '-', SignUp, "Shopify storefront register (form)"),
    ("POST", "/graphql/#mutation accountRegister", "query variables operationName", "data", 'O', SignUp, "Saleor GraphQL"),
    ("POST", "/wp-json/wp/v2/users", "username email password roles", "id username", 'O', SignUp, "WordPress REST"),
    ("POST", "/user/createWithList", "id username firstName lastName email password phone userStatus", "", '-', SignUp, "Swagger Petstore: creates users with passwords in bulk"),
    ("POST", "/Users/New", "Name Password", "Name ServerId Id", 'O', SignUp, "Jellyfin: a create verb on users with a password"),
    // --- password reset / change
    ("PUT", "/users/v1/{username}/password", "password", "", '-', PasswordReset, "VAmPI"),
    ("POST", "/rest/user/reset-password", "email answer new repeat", "user", 'O', PasswordReset, "OWASP Juice Shop"),
    ("GET", "/rest/user/change-password", "current new repeat", "user", 'O', PasswordReset, "OWASP Juice Shop (a GET changes it)"),
    ("POST", "/identity/api/auth/forget-password", "email", "message status", 'O', PasswordReset, "OWASP crAPI"),
    ("POST", "/identity/api/v2/user/reset-password", "email password", "message status", 'O', PasswordReset, "OWASP crAPI"),
    ("POST", "/dbconnections/change_password", "client_id email connection", "", '-', PasswordReset, "Auth0"),
    ("POST", "/api/v2/tickets/password-change", "user_id result_url ttl_sec", "ticket", 'O', PasswordReset, "Auth0 Management"),
    ("POST", "/api/v1/authn/recovery/password", "username factorType relayState", "status factorResult", 'O', PasswordReset, "Okta"),
    ("POST", "/api/v1/users/{userId}/lifecycle/reset_password", "sendEmail", "resetPasswordUrl", 'O', PasswordReset, "Okta"),
    ("PUT", "/admin/realms/{realm}/users/{id}/reset-password", "type value temporary", "", '-', PasswordReset, "Keycloak admin: the action outranks the admin prefix"),
    ("PUT", "/api/v2.0/users/{user_id}/password", "old_password new_password", "", '-', PasswordReset, "Harbor"),
    ("POST", "/session/forgot_password", "login", "success user_found", 'O', PasswordReset, "Discourse"),
    ("POST", "/graphql/#mutation requestPasswordReset", "query variables operationName", "data", 'O', PasswordReset, "Saleor GraphQL"),
    // --- OTP / MFA / verification codes
    ("POST", "/identity/api/auth/v3/check-otp", "email otp password", "message status", 'O', Otp, "OWASP crAPI (new password sent with the OTP; brute-forced OTP is the risk)"),
    ("POST", "/v2/Services/{ServiceSid}/Verifications", "To Channel Locale", "sid service_sid to channel status", 'O', Otp, "Twilio Verify"),
    ("POST", "/v2/Services/{ServiceSid}/VerificationCheck", "To Code", "sid status valid", 'O', Otp, "Twilio Verify"),
    ("GET", "/v2/Services/{ServiceSid}/Verifications/{Sid}", "", "sid status to channel", 'O', Otp, "Twilio Verify"),
    ("POST", "/v2/Services/{ServiceSid}/Entities/{Identity}/Factors", "FriendlyName FactorType", "sid status factor_type", 'O', Otp, "Twilio Verify push/TOTP factors"),
    ("POST", "/api/v1/authn/factors/{factorId}/verify", "stateToken passCode", "status sessionToken", 'O', Otp, "Okta (authn context, the factor decides)"),
    ("POST", "/api/v1/users/{userId}/factors", "factorType provider profile", "id factorType status", 'O', Otp, "Okta enroll factor"),
    ("POST", "/mfa/challenge", "client_id mfa_token challenge_type", "challenge_type oob_code", 'O', Otp, "Auth0 MFA"),
    ("POST", "/mfa/associate", "client_id mfa_token authenticator_types", "authenticator_type secret barcode_uri", 'O', Otp, "Auth0 MFA"),
    ("POST", "/passwordless/start", "client_id connection email send", "_id email", 'O', Otp, "Auth0 passwordless: sends a one-time code or link"),
    ("DELETE", "/api/v2/users/{id}/multifactor/{provider}", "", "", '-', Otp, "Auth0 Management"),
    ("POST", "/rest/2fa/verify", "tmpToken totpToken", "authentication", 'O', Otp, "OWASP Juice Shop"),
    ("POST", "/api/v1/users/{userId}/lifecycle/reset_factors", "", "", '-', Otp, "Okta: resetting MFA factors resets a credential, destroys no data"),
    ("POST", "/v1/identity/verification_sessions", "type metadata", "id client_secret status", 'O', Otp, "Stripe Identity verification"),
    // --- token refresh
    ("POST", "/oauth/token", "grant_type client_id refresh_token", "access_token expires_in token_type", 'O', TokenRefresh, "Auth0 refresh grant"),
    ("POST", "/v1/token", "grant_type refresh_token", "access_token expires_in token_type refresh_token id_token user_id", 'O', TokenRefresh, "Firebase securetoken"),
    ("POST", "/api/token/refresh/", "refresh", "access", 'O', TokenRefresh, "Django REST simplejwt"),
    ("POST", "/graphql/#mutation tokenRefresh", "query variables operationName", "data", 'O', TokenRefresh, "Saleor GraphQL"),
    // --- search
    ("GET", "/search/repositories", "q sort order per_page", "total_count incomplete_results items", 'A', Search, "GitHub (answers a list, still a search)"),
    ("GET", "/search/code", "q", "total_count incomplete_results items", 'A', Search, "GitHub"),
    ("GET", "/pet/findByStatus", "status", "", 'A', Search, "Swagger Petstore"),
    ("GET", "/pet/findByTags", "tags", "", 'A', Search, "Swagger Petstore"),
    ("GET", "/rest/products/search", "q", "status data", 'A', Search, "OWASP Juice Shop"),
    ("GET", "/v1/customers/search", "query limit page", "object data has_more next_page", 'A', Search, "Stripe"),
    ("GET", "/search.messages", "query count", "ok query messages", 'O', Search, "Slack Web API"),
    ("GET", "/rest/api/3/search", "jql maxResults fields", "issues total startAt", 'O', Search, "Jira Cloud"),
    ("GET", "/workspaces/{workspace_gid}/tasks/search", "text completed", "data", 'A', Search, "Asana"),
    ("GET", "/workspaces/{workspace_gid}/typeahead", "resource_type query count", "data", 'A', Search, "Asana"),
    ("GET", "/api/v2/users", "q search_engine page per_page", "", 'A', List, "Auth0 Management: `q` filters a collection, listing it (Auth0 calls it user search; Harbor's `q` on every list is the same)"),
    ("GET", "/api/v4/search", "scope search", "", 'A', Search, "GitLab"),
    ("GET", "/2/tweets/search/recent", "query max_results", "data meta", 'A', Search, "X (Twitter) API v2"),
    ("GET", "/users.lookupByEmail", "email", "ok user", 'O', Search, "Slack: a lookup by email (enumeration risk)"),
    // --- list
    ("GET", "/users.list", "limit cursor", "ok members response_metadata", 'A', List, "Slack Web API"),
    ("POST", "/conversations.list", "types limit cursor", "ok channels response_metadata", 'A', List, "Slack Web API (method names are POSTable)"),
    ("POST", "/files.list", "channel user", "ok files paging", 'A', List, "Slack Web API: `files` does not make it an upload"),
    ("GET", "/v2/droplets", "page per_page", "droplets links meta", 'A', List, "DigitalOcean"),
    ("GET", "/api/v1/namespaces/{namespace}/pods", "labelSelector limit", "kind apiVersion metadata items", 'A', List, "Kubernetes"),
    ("GET", "/v1/charges", "limit starting_after", "object url has_more data", 'A', List, "Stripe: reading charges is not paying"),
    ("GET", "/repos/{owner}/{repo}/issues", "state per_page", "", 'A', List, "GitHub"),
    ("GET", "/user/repos", "visibility", "", 'A', List, "GitHub"),
    ("GET", "/api/v1/workflows/{namespace}", "listOptions.limit", "metadata items", 'A', List, "Argo Workflows (list ends with the namespace; the answer decides)"),
    ("GET", "/api/v2.0/projects", "page page_size", "", 'A', List, "Harbor"),
    ("GET", "/2010-04-01/Accounts/{AccountSid}/Messages.json", "PageSize", "messages end first_page_uri next_page_uri page", 'A', List, "Twilio"),
    ("GET", "/rest/api/3/project", "", "", 'A', List, "Jira Cloud (singular noun, array answer)"),
    ("GET", "/api/v1/timelines/home", "limit", "", 'A', List, "Mastodon"),
    ("GET", "/users/v1", "", "users", 'A', List, "VAmPI"),
    ("GET", "/v1/me/playlists", "limit offset", "items next total", 'A', List, "Spotify"),
    ("GET", "/notifications", "all participating", "", 'A', List, "GitHub"),
    ("GET", "/api/v2.0/registries", "q page page_size", "", 'A', List, "Harbor: `q` filters the list"),
    ("GET", "/api/v2.0/audit-logs", "q sort page", "", 'A', List, "Harbor"),
    ("GET", "/v2/account/keys", "per_page", "ssh_keys links meta", 'A', List, "DigitalOcean"),
    // --- checkout, payment, cart
    ("POST", "/rest/basket/{id}/checkout", "couponData orderDetails", "orderConfirmation", 'O', Checkout, "OWASP Juice Shop"),
    ("POST", "/workshop/api/shop/orders", "product_id quantity", "id message credit", 'O', Checkout, "OWASP crAPI"),
    ("POST", "/store/order", "id petId quantity shipDate status complete", "id petId status", 'O', Checkout, "Swagger Petstore"),
    ("POST", "/v2/checkout/orders", "intent purchase_units", "id status links", 'O', Checkout, "PayPal Orders"),
    ("POST", "/v1/checkout/sessions", "success_url line_items mode customer_email", "id object url payment_status", 'O', Checkout, "Stripe Checkout: not a login session"),
    ("POST", "/workshop/api/shop/apply_coupon", "coupon_code amount", "credit message", 'O', Checkout, "OWASP crAPI"),
    ("POST", "/v1/charges", "amount currency source description", "id object amount status", 'O', Payment, "Stripe"),
    ("POST", "/v1/payment_intents", "amount currency payment_method_types", "id object client_secret status", 'O', Payment, "Stripe"),
    ("POST", "/v1/payment_intents/{intent}/confirm", "payment_method", "id object status", 'O', Payment, "Stripe"),
    ("POST", "/v1/refunds", "charge amount", "id object status", 'O', Payment, "Stripe"),
    ("POST", "/v1/tokens", "card[number] card[exp_month] card[exp_year] card[cvc]", "id object card", 'O', Payment, "Stripe card tokens: a token endpoint that takes cards"),
    ("POST", "/v2/checkout/orders/{id}/capture", "", "id status purchase_units", 'O', Payment, "PayPal capture"),
    ("POST", "/v2/payments/captures/{capture_id}/refund", "amount note_to_payer", "id status", 'O', Payment, "PayPal refund"),
    ("POST", "/api/Cards", "fullName cardNum expMonth expYear", "status data", 'O', Payment, "OWASP Juice Shop stored cards"),
    ("GET", "/rest/basket/{id}", "", "status data", 'O', Cart, "OWASP Juice Shop"),
    ("POST", "/api/BasketItems", "ProductId BasketId quantity", "status data", 'O', Cart, "OWASP Juice Shop"),
    ("POST", "/cart/add.js", "id quantity", "id quantity price", 'O', Cart, "Shopify AJAX cart"),
    ("POST", "/community/api/v2/coupon/validate-coupon", "coupon_code", "coupon_code amount", 'O', Checkout, "OWASP crAPI"),
    // --- file upload
    ("POST", "/pet/{petId}/uploadImage", "additionalMetadata @file", "code type message", 'O', FileUpload, "Swagger Petstore"),
    ("POST", "/files.upload", "channels @file filename", "ok file", 'O', FileUpload, "Slack Web API"),
    ("POST", "/v1/files", "purpose @file", "id object purpose", 'O', FileUpload, "Stripe"),
    ("POST", "/identity/api/v2/user/videos", "@file", "id video_name", 'O', FileUpload, "OWASP crAPI"),
    ("POST", "/rest/api/3/issue/{issueIdOrKey}/attachments", "@file", "", 'A', FileUpload, "Jira Cloud"),
    ("POST", "/api/v4/projects/{id}/uploads", "@file", "alt url markdown", 'O', FileUpload, "GitLab"),
    ("POST", "/file-upload", "@file", "", '-', FileUpload, "OWASP Juice Shop"),
    ("POST", "/users.setPhoto", "@image crop_x crop_y", "ok", 'O', FileUpload, "Slack Web API"),
    // --- admin
    ("GET", "/workshop/api/management/users/all", "limit offset", "users", 'A', Admin, "OWASP crAPI"),
    ("GET", "/users/v1/_debug", "", "users", 'A', Admin, "VAmPI"),
    ("GET", "/rest/admin/application-configuration", "", "config", 'O', Admin, "OWASP Juice Shop"),
    ("GET", "/admin/realms/{realm}/users", "search first max", "", 'A', Admin, "Keycloak admin: the prefix outranks list and search"),
    ("GET", "/actuator/env", "", "activeProfiles propertySources", 'O', Admin, "Spring Boot actuator"),
    ("POST", "/actuator/shutdown", "", "message", 'O', Admin, "Spring Boot actuator"),
    ("POST", "/admin.users.list", "team_id cursor", "ok users", 'A', Admin, "Slack admin API"),
    ("PUT", "/admin/users/{id}/suspend.json", "suspend_until reason", "suspension", 'O', Admin, "Discourse"),
    ("GET", "/admin/api/2024-01/orders.json", "status limit", "orders", 'A', Admin, "Shopify Admin API"),
    ("GET", "/wp-admin/admin-ajax.php", "action", "", '-', Admin, "WordPress"),
    ("POST", "/admin.conversations.delete", "channel_id", "ok", 'O', Admin, "Slack admin API"),
    // --- export
    ("POST", "/api/v4/projects/{id}/export", "description upload[url]", "message", 'O', Export, "GitLab"),
    ("GET", "/api/v4/projects/{id}/export/download", "", "", '-', Export, "GitLab"),
    ("GET", "/repos/{owner}/{repo}/tarball/{ref}", "", "", '-', Export, "GitHub"),
    ("POST", "/organization_exports", "organization", "data", 'O', Export, "Asana"),
    ("POST", "/api/v2/jobs/users-exports", "connection_id format fields", "id type status", 'O', Export, "Auth0 Management"),
    ("POST", "/rest/user/data-export", "format", "userData confirmation", 'O', Export, "OWASP Juice Shop"),
    ("GET", "/v2/customers/my/invoices/{invoice_uuid}/csv", "", "", '-', Export, "DigitalOcean"),
    ("GET", "/api/v4/projects/{id}/repository/archive", "sha format", "", '-', Export, "GitLab"),
    // --- destructive
    ("DELETE", "/api/v1/namespaces/{namespace}/pods", "labelSelector gracePeriodSeconds", "kind items", 'O', Destructive, "Kubernetes deletecollection"),
    ("DELETE", "/v2/droplets", "tag_name", "", '-', Destructive, "DigitalOcean delete droplets by tag"),
    ("DELETE", "/v2/kubernetes/clusters/{cluster_id}/destroy_with_associated_resources/dangerous", "", "", '-', Destructive, "DigitalOcean"),
    ("POST", "/containers/prune", "filters", "ContainersDeleted SpaceReclaimed", 'O', Destructive, "Docker Engine"),
    ("POST", "/zones/{zone_id}/purge_cache", "purge_everything", "success result", 'O', Destructive, "Cloudflare"),
    ("DELETE", "/api/0/projects/{organization_slug}/{project_slug}/issues/", "id status", "", '-', Destructive, "Sentry bulk remove"),
    ("DELETE", "/api/v4/projects/{id}/registry/repositories/{repository_id}/tags", "name_regex_delete keep_n", "", '-', Destructive, "GitLab bulk delete tags"),
    ("DELETE", "/repos/{owner}/{repo}/actions/caches", "key ref", "total_count actions_caches", 'O', Destructive, "GitHub delete caches by key"),
    ("DELETE", "/v2/firewalls/{firewall_id}/rules", "inbound_rules outbound_rules", "", '-', Destructive, "DigitalOcean: removes firewall rules in bulk (DELETE on a collection; ambiguous, kept as the brief's rule says)"),
    // --- health
    ("GET", "/healthz", "", "", '-', Health, "Kubernetes"),
    ("GET", "/livez", "verbose", "", '-', Health, "Kubernetes"),
    ("GET", "/readyz", "", "", '-', Health, "Kubernetes"),
    ("GET", "/actuator/health", "", "status components", 'O', Health, "Spring Boot actuator: health outranks the actuator prefix"),
    ("GET", "/actuator/health/liveness", "", "status", 'O', Health, "Spring Boot actuator"),
    ("GET", "/api/v2.0/health", "", "status components", 'O', Health, "Harbor"),
    ("GET", "/api/v2.0/ping", "", "", '-', Health, "Harbor"),
    ("GET", "/_ping", "", "", '-', Health, "Docker Engine"),
    ("GET", "/status", "", "", '-', Health, "Jira Server"),
    ("GET", "/-/healthy", "", "", '-', Health, "Prometheus"),
    ("GET", "/-/readiness", "", "", '-', Health, "GitLab"),
    // --- profile
    ("GET", "/user", "", "login id name email", 'O', Profile, "GitHub"),
    ("PATCH", "/user", "name email blog", "login id name", 'O', Profile, "GitHub"),
    ("GET", "/users/{username}", "", "login id name", 'O', Profile, "GitHub"),
    ("GET", "/users/me", "opt_fields", "data", 'O', Profile, "Asana"),
    ("GET", "/rest/api/3/myself", "", "accountId emailAddress displayName", 'O', Profile, "Jira Cloud"),
    ("GET", "/realms/{realm}/protocol/openid-connect/userinfo", "", "sub email preferred_username", 'O', Profile, "Keycloak"),
    ("GET", "/api/v2.0/users/current", "", "user_id username email", 'O', Profile, "Harbor"),
    ("GET", "/v2/account", "", "droplet_limit email uuid status", 'O', Profile, "DigitalOcean (one-member wrapper read through)"),
    ("GET", "/identity/api/v2/user/dashboard", "", "id name email number", 'O', Profile, "OWASP crAPI"),
    ("DELETE", "/users/v1/{username}", "", "message status", 'O', Profile, "VAmPI: deleting one user is not destructive"),
    ("POST", "/users.profile.get", "user", "ok profile", 'O', Profile, "Slack Web API"),
    ("POST", "/identity/api/v2/user/change-email", "old_email new_email", "message status", 'O', Profile, "OWASP crAPI"),
    ("PUT", "/u/{username}/preferences/email", "email", "success", 'O', Profile, "Discourse"),
    ("GET", "/auth.revoke", "test", "ok revoked", 'O', Logout, "Slack Web API over GET"),
    // --- other: ordinary item and collection operations, and near misses
    ("DELETE", "/repos/{owner}/{repo}", "", "", '-', Other, "GitHub: deletes one repository"),
    ("DELETE", "/v2/droplets/{droplet_id}", "", "", '-', Other, "DigitalOcean: one droplet"),
    ("DELETE", "/api/v1/namespaces/{namespace}/pods/{name}", "", "kind metadata", 'O', Other, "Kubernetes: one pod"),
    ("POST", "/v1/customers", "email name description", "id object email", 'O', Other, "Stripe: a customer record, no password, not a sign-up"),
    ("POST", "/2010-04-01/Accounts/{AccountSid}/Messages.json", "To From Body", "sid status", 'O', Other, "Twilio send SMS"),
    ("POST", "/chat.postMessage", "channel text", "ok channel ts message", 'O', Other, "Slack Web API"),
    ("POST", "/auth.test", "", "ok url team user team_id user_id", 'O', Other, "Slack: checks the caller's token, trades no credentials (not a login)"),
    ("GET", "/repos/{owner}/{repo}/commits/{ref}/status", "", "state statuses sha", 'O', Other, "GitHub combined commit status, not a health check"),
    ("POST", "/applications/{client_id}/token", "access_token", "id token scopes", 'O', Other, "GitHub check a token: a token endpoint without a grant"),
    ("POST", "/realms/{realm}/protocol/openid-connect/token/introspect", "token client_id client_secret", "active scope", 'O', Other, "Keycloak introspection"),
    ("POST", "/api/token/verify/", "token", "", '-', Other, "Django REST simplejwt: verifies a JWT, no code"),
    ("POST", "/api/v1/statuses", "status media_ids visibility", "id content", 'O', Other, "Mastodon post, `statuses` is not health"),
    ("GET", "/.well-known/openid-configuration", "", "issuer authorization_endpoint", 'O', Other, "OIDC discovery"),
    ("PUT", "/api/v1/workflows/{namespace}/{name}/stop", "", "metadata spec status", 'O', Other, "Argo Workflows"),
    ("DELETE", "/v1/files/{file_id}", "", "id object deleted", 'O', Other, "OpenAI: deleting a file uploads nothing"),
    ("POST", "/user/emails", "emails", "", 'A', Other, "GitHub: a POST answering a list is not a list"),
    ("POST", "/chat.delete", "channel ts", "ok channel ts", 'O', Other, "Slack: deletes one message, not destructive"),
    ("POST", "/files.delete", "file", "ok", 'O', Other, "Slack: deletes one file"),
    ("PUT", "/v1/me/player/play", "context_uri position_ms", "", '-', Other, "Spotify"),
    ("GET", "/metrics", "", "", '-', Other, "Prometheus exposition: `metrics` is not a plural collection"),
    ("POST", "/v1/accounts:update", "idToken password returnSecureToken", "localId email idToken", 'O', Other, "Firebase: a password sent to an update is no login (a change of several fields)"),
    ("POST", "/api/v2.0/registries", "name type url credential insecure", "", '-', Other, "Harbor: a registry's credential is no login"),
    ("POST", "/files.revokePublicURL", "file", "ok file", 'O', Other, "Slack: revokes a file's public link, not a session"),
    ("POST", "/users.deletePhoto", "", "ok", 'O', Other, "Slack: deleting a photo uploads nothing"),
    ("POST", "/chat.meMessage", "channel text", "ok channel ts", 'O', Other, "Slack: `me` inside a method name is not the caller's profile"),
    ("GET", "/v2/SafeList/Numbers/{PhoneNumber}", "", "sid phone_number", 'O', Other, "Twilio Verify: `List` inside a name is no list"),
    ("POST", "/teams/{team_gid}/addUser", "user", "data", 'O', Other, "Asana: adds a member, not a profile"),
    ("PUT", "/identity/api/v2/user/videos/{video_id}", "videoName", "id video_name", 'O', Other, "OWASP crAPI: renames a video, uploads nothing"),
    ("POST", "/identity/api/v2/vehicle/resend_email", "", "message status", 'O', Other, "OWASP crAPI"),
    ("GET", "/store/inventory", "", "available pending sold", 'O', Other, "Swagger Petstore: a count map, singular noun"),
];

/// Reads a case into evidence; field lists borrow from `storage`.
fn evidence<'a>(case: &'a Case, storage: &'a mut Storage) -> FunctionEvidence<'a> {
    let (method, path, request, response, shape, _, _) = *case;
    let (path, operation) = match path.split_once('#') {
        Some((p, op)) => (p, Some(op).filter(|op| !op.is_empty())),
        None => (path, None),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    storage.literals = segments
        .iter()
        .copied()
        .filter(|s| !s.contains('{'))
        .collect();
    storage.request = request
        .split_whitespace()
        .map(|f| f.trim_start_matches('@'))
        .collect();
    storage.response = response.split_whitespace().collect();
    FunctionEvidence {
        method,
        literals: &storage.literals,
        trailing_param: segments.last().is_some_and(|s| s.contains('{')),
        graphql_operation: operation,
        request_fields: &storage.request,
        response_fields: &storage.response,
        response: match shape {
            'A' => ResponseShape::Array,
            'O' => ResponseShape::Object,
            _ => ResponseShape::Unknown,
        },
        request_content_type_multipart: request.contains('@'),
        statuses: &[],
    }
}

#[derive(Default)]
struct Storage {
    literals: Vec<&'static str>,
    request: Vec<&'static str>,
    response: Vec<&'static str>,
}

#[test]
fn real_api_endpoints_get_the_expected_function() {
    let mut wrong = Vec::new();
    for case in CASES {
        let mut storage = Storage::default();
        let verdict = classify(&evidence(case, &mut storage));
        let (method, path, .., expected, source) = *case;
        if verdict.function != expected {
            wrong.push(format!(
                "{method} {path} ({source}): expected {expected}, got {} ({})",
                verdict.function, verdict.reason
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases wrong:\n{}",
        wrong.len(),
        CASES.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_table_covers_every_function() {
    for f in BusinessFunction::ALL {
        assert!(CASES.iter().any(|c| c.5 == f), "no case for {f}");
    }
    assert!(CASES.len() >= 80);
}
