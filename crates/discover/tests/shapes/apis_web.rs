//! Models of product and web APIs: VAmPI, Linode, Stripe, a Slack-like RPC
//! API, dataset APIs, an e-commerce shop, Twilio, file downloads, a Django
//! REST API with trailing slashes, Reddit, a social network with `/users/me`,
//! MediaWiki, Mailgun, and matrix parameters.
//!
//! Written from memory of their public documentation (VAmPI from its
//! source), not exhaustive. They bring what name-bearing paths look like:
//! literal actions and reserved words beside parameters (`/users/v1/_debug`,
//! `/v1/customers/search`, `/invoices/upcoming`), parameters inside a
//! segment (`{Sid}.json`, `{id}.pdf`), small enumerations (`v4`/`v4beta`),
//! names at the root (`/v3/{domain}/messages`).

use super::model::{delete, get, param, patch, post, put, Endpoint, Model, Param, Shape, Slash};
use super::values::Kind;
use Shape::*;

const VAMPI_USER: Shape = Obj(&[("username", Str), ("email", Email)]);
const VAMPI_BOOK: Shape = Obj(&[("book_title", Str), ("secret", Str), ("owner", Str)]);
const VAMPI_MSG: Shape = Obj(&[("status", Str), ("message", Str)]);

const VAMPI_PARAMS: &[Param] = &[
    param("username", Kind::Either(&[Kind::Username, Kind::OneOf(&["name1", "name2", "admin"])]), 40),
    param("book_title", Kind::Either(&[Kind::Numbered("bookTitle"), Kind::Word, Kind::Slug]), 50),
];

const VAMPI_ENDPOINTS: &[Endpoint] = &[
    get("/", 10, Obj(&[("message", Str), ("Help", Str)])),
    get("/createdb", 2, VAMPI_MSG),
    get("/users/v1", 80, Obj(&[("users", List(&VAMPI_USER))])),
    get("/users/v1/_debug", 6, Obj(&[("users", List(&Obj(&[("username", Str), ("password", Str), ("email", Email), ("admin", Bool)])))])),
    post("/users/v1/register", 30, Obj(&[("username", Str), ("password", Str), ("email", Email)]), VAMPI_MSG),
    post("/users/v1/login", 120, Obj(&[("username", Str), ("password", Str)]), Obj(&[("auth_token", Str), ("message", Str), ("status", Str)])).status(200),
    get("/users/v1/{username}", 100, VAMPI_USER),
    delete("/users/v1/{username}", 4).status(200),
    put("/users/v1/{username}/email", 15, Obj(&[("email", Email)]), VAMPI_MSG).status(204),
    put("/users/v1/{username}/password", 10, Obj(&[("password", Str)]), Empty).status(204),
    get("/books/v1", 60, Obj(&[("Books", List(&Obj(&[("book_title", Str), ("user", Str)])))])),
    post("/books/v1", 20, Obj(&[("book_title", Str), ("secret", Str)]), VAMPI_MSG).status(200),
    get("/books/v1/{book_title}", 70, VAMPI_BOOK),
];

pub const VAMPI: Model = Model::new("vampi", 0x7a3b, VAMPI_PARAMS, VAMPI_ENDPOINTS);

const LINODE: Shape = Obj(&[("id", Int), ("label", Str), ("region", Str), ("type", Str), ("status", Str), ("ipv4", List(&Str)), ("created", DateTime)]);
const PAGED: Shape = Obj(&[("data", List(&LINODE)), ("page", Int), ("pages", Int), ("results", Int)]);
const DISK: Shape = Obj(&[("id", Int), ("label", Str), ("size", Int), ("filesystem", Str)]);
const LINODE_TYPE: Shape = Obj(&[("id", Str), ("label", Str), ("memory", Int), ("vcpus", Int), ("price", Obj(&[("hourly", Num), ("monthly", Num)]))]);
const REGION: Shape = Obj(&[("id", Str), ("country", Str), ("capabilities", List(&Str)), ("status", Str)]);

const LINODE_PARAMS: &[Param] = &[
    param("apiVersion", Kind::OneOf(&["v4", "v4beta"]), 2),
    param("linodeId", Kind::Int(10_000_000, 60_000_000), 60),
    param("diskId", Kind::Int(20_000_000, 90_000_000), 0),
    param("typeId", Kind::OneOf(&["g6-nanode-1", "g6-standard-1", "g6-standard-2", "g6-standard-4", "g6-dedicated-2", "g7-highmem-1", "g1-gpu-rtx6000-1"]), 7),
    param("regionId", Kind::OneOf(&["us-east", "us-west", "us-central", "eu-west", "eu-central", "ap-south", "ap-northeast", "ca-central"]), 8),
    param("domainId", Kind::Int(1_000_000, 3_000_000), 10),
    param("volumeId", Kind::Int(100_000, 900_000), 20),
];

const LINODE_ENDPOINTS: &[Endpoint] = &[
    get("/{apiVersion}/linode/instances", 100, PAGED),
    post("/{apiVersion}/linode/instances", 10, Obj(&[("type", Str), ("region", Str), ("image", Str), ("root_pass", Str)]), LINODE).status(200),
    get("/{apiVersion}/linode/instances/{linodeId}", 150, LINODE),
    put("/{apiVersion}/linode/instances/{linodeId}", 10, Obj(&[("label", Str)]), LINODE),
    delete("/{apiVersion}/linode/instances/{linodeId}", 3).status(200),
    post("/{apiVersion}/linode/instances/{linodeId}/boot", 8, Empty, Obj(&[])).status(200),
    post("/{apiVersion}/linode/instances/{linodeId}/reboot", 10, Empty, Obj(&[])).status(200),
    post("/{apiVersion}/linode/instances/{linodeId}/shutdown", 5, Empty, Obj(&[])).status(200),
    get("/{apiVersion}/linode/instances/{linodeId}/disks", 20, Obj(&[("data", List(&DISK)), ("page", Int)])),
    get("/{apiVersion}/linode/instances/{linodeId}/disks/{diskId}", 12, DISK),
    get("/{apiVersion}/linode/instances/{linodeId}/ips", 15, Obj(&[("ipv4", Obj(&[("public", List(&Obj(&[("address", Str)])))]))])),
    get("/{apiVersion}/linode/types", 20, Obj(&[("data", List(&LINODE_TYPE))])),
    get("/{apiVersion}/linode/types/{typeId}", 15, LINODE_TYPE),
    get("/{apiVersion}/regions", 20, Obj(&[("data", List(&REGION))])),
    get("/{apiVersion}/regions/{regionId}", 10, REGION),
    get("/{apiVersion}/domains/{domainId}/records", 10, Obj(&[("data", List(&Obj(&[("id", Int), ("type", Str), ("name", Str), ("target", Str)])))])),
    get("/{apiVersion}/profile", 40, Obj(&[("username", Str), ("email", Email), ("uid", Int)])),
    get("/{apiVersion}/account", 15, Obj(&[("company", Str), ("email", Email), ("balance", Num)])),
    get("/{apiVersion}/volumes/{volumeId}", 10, Obj(&[("id", Int), ("label", Str), ("size", Int)])),
];

pub const LINODE_API: Model = Model::new("linode", 0x11de, LINODE_PARAMS, LINODE_ENDPOINTS);

const CUSTOMER: Shape = Obj(&[("id", Str), ("object", Str), ("email", Email), ("name", Str), ("created", Int), ("livemode", Bool)]);
const STRIPE_LIST: Shape = Obj(&[("object", Str), ("data", List(&CUSTOMER)), ("has_more", Bool), ("url", Str)]);
const INTENT: Shape = Obj(&[("id", Str), ("object", Str), ("amount", Int), ("currency", Str), ("status", Str), ("customer", Str), ("client_secret", Str)]);
const CHARGE: Shape = Obj(&[("id", Str), ("object", Str), ("amount", Int), ("paid", Bool), ("payment_method", Str)]);
const INVOICE: Shape = Obj(&[("id", Str), ("object", Str), ("amount_due", Int), ("customer", Str), ("status", Str), ("lines", Obj(&[("data", List(&Obj(&[("amount", Int)])))]))]);
const PRICE: Shape = Obj(&[("id", Str), ("object", Str), ("unit_amount", Int), ("currency", Str), ("product", Str)]);

const STRIPE_PARAMS: &[Param] = &[
    param("customer", Kind::Prefixed("cus_", 14), 300),
    param("source", Kind::Prefixed("card_", 24), 0),
    param("intent", Kind::Prefixed("pi_", 24), 0),
    param("charge", Kind::Prefixed("ch_", 24), 0),
    param("invoice", Kind::Prefixed("in_", 24), 200),
    param("subscription", Kind::Prefixed("sub_", 24), 100),
    param("price", Kind::Prefixed("price_", 24), 20),
    param("product", Kind::Prefixed("prod_", 14), 15),
    param("event", Kind::Prefixed("evt_", 24), 0),
];

const STRIPE_ENDPOINTS: &[Endpoint] = &[
    get("/v1/customers", 100, STRIPE_LIST).query(&[("limit", Kind::Int(1, 100)), ("starting_after", Kind::Prefixed("cus_", 14))]),
    post("/v1/customers", 40, Obj(&[("email", Email), ("name", Str)]), CUSTOMER).status(200),
    get("/v1/customers/{customer}", 200, CUSTOMER),
    post("/v1/customers/{customer}", 30, Obj(&[("name", Str)]), CUSTOMER).status(200),
    delete("/v1/customers/{customer}", 4).status(200),
    get("/v1/customers/search", 20, STRIPE_LIST).query(&[("query", Kind::Email)]),
    get("/v1/customers/{customer}/payment_methods", 30, Obj(&[("object", Str), ("data", List(&Obj(&[("id", Str), ("type", Str)])))])),
    get("/v1/customers/{customer}/sources/{source}", 5, Obj(&[("id", Str), ("brand", Str), ("last4", Str)])),
    post("/v1/payment_intents", 150, Obj(&[("amount", Int), ("currency", Str), ("customer", Str)]), INTENT).status(200),
    get("/v1/payment_intents/{intent}", 120, INTENT),
    post("/v1/payment_intents/{intent}/confirm", 60, Obj(&[("payment_method", Str)]), INTENT).status(200),
    post("/v1/payment_intents/{intent}/capture", 20, Empty, INTENT).status(200),
    post("/v1/payment_intents/{intent}/cancel", 5, Empty, INTENT).status(200),
    get("/v1/payment_intents/search", 4, Obj(&[("object", Str), ("data", List(&INTENT))])).query(&[("query", Kind::Word)]),
    get("/v1/charges/{charge}", 50, CHARGE),
    get("/v1/invoices/{invoice}", 40, INVOICE),
    get("/v1/invoices/upcoming", 10, INVOICE).query(&[("customer", Kind::Prefixed("cus_", 14))]),
    post("/v1/invoices/{invoice}/pay", 8, Empty, INVOICE).status(200),
    get("/v1/subscriptions/{subscription}", 30, Obj(&[("id", Str), ("object", Str), ("status", Str), ("customer", Str)])),
    get("/v1/prices", 20, Obj(&[("object", Str), ("data", List(&PRICE))])),
    get("/v1/prices/{price}", 10, PRICE),
    get("/v1/products/{product}", 10, Obj(&[("id", Str), ("object", Str), ("name", Str), ("active", Bool)])),
    get("/v1/balance", 30, Obj(&[("object", Str), ("available", List(&Obj(&[("amount", Int), ("currency", Str)])))])),
    get("/v1/events/{event}", 20, Obj(&[("id", Str), ("object", Str), ("type", Str), ("data", Obj(&[]))])),
    post("/v1/refunds", 10, Obj(&[("charge", Str), ("amount", Int)]), Obj(&[("id", Str), ("object", Str), ("status", Str)])).status(200),
];

pub const STRIPE: Model = Model::new("stripe", 0x5791, STRIPE_PARAMS, STRIPE_ENDPOINTS).form();

const SLACK_OK: Shape = Obj(&[("ok", Bool), ("channel", Str), ("ts", Str)]);
const CHANNEL: Shape = Obj(&[("id", Str), ("name", Str), ("is_private", Bool), ("created", Int)]);

const SLACK_ENDPOINTS: &[Endpoint] = &[
    post("/api/chat.postMessage", 500, Obj(&[("channel", Str), ("text", Str)]), SLACK_OK).status(200),
    post("/api/chat.update", 40, Obj(&[("channel", Str), ("ts", Str), ("text", Str)]), SLACK_OK).status(200),
    post("/api/chat.delete", 10, Obj(&[("channel", Str), ("ts", Str)]), SLACK_OK).status(200),
    get("/api/chat.getPermalink", 4, Obj(&[("ok", Bool), ("permalink", Url)])),
    get("/api/conversations.list", 80, Obj(&[("ok", Bool), ("channels", List(&CHANNEL))])).query(&[("limit", Kind::Int(100, 1000))]),
    get("/api/conversations.history", 150, Obj(&[("ok", Bool), ("messages", List(&Obj(&[("type", Str), ("text", Str), ("ts", Str)])))])).query(&[("channel", Kind::Upper)]),
    get("/api/conversations.info", 50, Obj(&[("ok", Bool), ("channel", CHANNEL)])).query(&[("channel", Kind::Upper)]),
    post("/api/conversations.create", 5, Obj(&[("name", Str)]), Obj(&[("ok", Bool), ("channel", CHANNEL)])).status(200),
    get("/api/users.info", 120, Obj(&[("ok", Bool), ("user", Obj(&[("id", Str), ("name", Str), ("profile", Obj(&[("email", Email)]))]))])).query(&[("user", Kind::Upper)]),
    get("/api/users.list", 30, Obj(&[("ok", Bool), ("members", List(&Obj(&[("id", Str), ("name", Str)])))])),
    post("/api/reactions.add", 60, Obj(&[("channel", Str), ("name", Str), ("timestamp", Str)]), Obj(&[("ok", Bool)])).status(200),
    post("/api/files.upload", 20, Obj(&[("channels", Str), ("filename", Str)]), Obj(&[("ok", Bool), ("file", Obj(&[("id", Str), ("name", Str)]))])).status(200),
    get("/api/auth.test", 100, Obj(&[("ok", Bool), ("url", Url), ("team", Str), ("user", Str)])),
    post("/api/oauth.v2.access", 3, Obj(&[("code", Str)]), Obj(&[("ok", Bool), ("access_token", Str)])).status(200),
    get("/api/team.info", 10, Obj(&[("ok", Bool), ("team", Obj(&[("id", Str), ("name", Str), ("domain", Str)]))])),
    post("/api/views.open", 8, Obj(&[("trigger_id", Str)]), Obj(&[("ok", Bool)])).status(200),
    get("/api/emoji.list", 4, Obj(&[("ok", Bool), ("emoji", Obj(&[]))])),
];

pub const SLACK: Model = Model::new("slack_rpc", 0x51ac, &[], SLACK_ENDPOINTS).form();

const FIELDS: Shape = Obj(&[("apiKey", Str), ("apiVersionNumber", Str), ("fieldCount", Int), ("fields", List(&Obj(&[("field", Str), ("type", Str)])))]);
const RECORDS: Shape = Obj(&[("response", Obj(&[("numFound", Int), ("start", Int), ("docs", List(&Obj(&[("id", Str), ("title", Str), ("date", DateTime)])))]))]);
const CKAN: Shape = Obj(&[("success", Bool), ("result", Obj(&[("id", Uuid), ("name", Str), ("title", Str), ("resources", List(&Obj(&[("id", Uuid), ("url", Url), ("format", Str)])))]))]);

const DATASET_PARAMS: &[Param] = &[
    param("dataset", Kind::Either(&[Kind::Dataset, Kind::Snake]), 12),
    param("version", Kind::OneOf(&["v1", "v2"]), 2),
    param("name", Kind::Dataset, 60),
    param("resource_id", Kind::Uuid, 90),
    param("filename", Kind::FileName, 90),
];

const DATASET_ENDPOINTS: &[Endpoint] = &[
    get("/ds-api/", 15, Obj(&[("total", Int), ("apis", List(&Obj(&[("apiKey", Str), ("apiVersionNumber", Str)])))])),
    get("/ds-api/{dataset}/{version}/fields", 120, FIELDS),
    post("/ds-api/{dataset}/{version}/records", 300, Obj(&[("criteria", Str), ("start", Int), ("rows", Int)]), RECORDS).status(200),
    get("/api/3/action/package_show", 150, CKAN).query(&[("id", Kind::Dataset)]),
    get("/api/3/action/package_search", 60, Obj(&[("success", Bool), ("result", Obj(&[("count", Int), ("results", List(&CKAN))]))])).query(&[("q", Kind::Word), ("rows", Kind::Int(10, 100))]),
    get("/api/3/action/datastore_search", 80, Obj(&[("success", Bool), ("result", Obj(&[("records", List(&Obj(&[("_id", Int)]))), ("total", Int)]))])).query(&[("resource_id", Kind::Uuid)]),
    get("/api/3/action/status_show", 5, Obj(&[("success", Bool), ("result", Obj(&[("ckan_version", Str)]))])),
    get("/dataset/{name}", 100, Str),
    get("/dataset/{name}/resource/{resource_id}", 50, Str),
    get("/dataset/{name}/resource/{resource_id}/download/{filename}", 70, Empty),
    get("/organization/{name}", 8, Str),
];

pub const DATASETS: Model = Model::new("datasets", 0xda7a, DATASET_PARAMS, DATASET_ENDPOINTS);

const PRODUCT: Shape = Obj(&[("id", Int), ("slug", Str), ("name", Str), ("price", Num), ("currency", Str), ("in_stock", Bool), ("images", List(&Url))]);
const CART: Shape = Obj(&[("id", Uuid), ("items", List(&Obj(&[("id", Int), ("product", Str), ("quantity", Int), ("price", Num)]))), ("total", Num)]);
const ORDER: Shape = Obj(&[("number", Str), ("status", Str), ("total", Num), ("placed_at", DateTime), ("email", Email)]);
const REVIEW: Shape = Obj(&[("id", Int), ("rating", Int), ("title", Str), ("body", Str), ("author", Str)]);

const SHOP_PARAMS: &[Param] = &[
    param("slug", Kind::Slug, 800),
    param("category", Kind::OneOf(&["electronics", "books", "home-garden", "toys", "clothing", "sports-outdoors", "beauty", "grocery", "automotive", "pet-supplies", "office", "music"]), 12),
    param("item_id", Kind::Int(1, 999_999), 0),
    param("order_number", Kind::Code(&["ORD", "WEB"]), 0),
    param("brand", Kind::Either(&[Kind::Word, Kind::OneOf(&["nike", "adidas", "apple", "samsung", "lego", "ikea", "sony", "bosch"])]), 30),
];

const SHOP_ENDPOINTS: &[Endpoint] = &[
    get("/products", 200, Obj(&[("items", List(&PRODUCT)), ("page", Int), ("total", Int)])).query(&[("category", Kind::Word), ("page", Kind::Int(1, 30)), ("sort", Kind::OneOf(&["price", "-price", "popular"]))]),
    get("/products/{slug}", 400, PRODUCT),
    get("/products/{slug}/reviews", 60, Obj(&[("reviews", List(&REVIEW)), ("average", Num)])),
    post("/products/{slug}/reviews", 8, Obj(&[("rating", Int), ("title", Str), ("body", Str)]), REVIEW),
    get("/products/featured", 40, Obj(&[("items", List(&PRODUCT))])),
    get("/products/search", 50, Obj(&[("items", List(&PRODUCT)), ("total", Int)])).query(&[("q", Kind::Word)]),
    get("/categories", 30, List(&Obj(&[("slug", Str), ("name", Str), ("count", Int)]))),
    get("/categories/{category}", 40, Obj(&[("slug", Str), ("name", Str), ("description", Str)])),
    get("/categories/{category}/products", 150, Obj(&[("items", List(&PRODUCT)), ("page", Int), ("total", Int)])).query(&[("page", Kind::Int(1, 30))]),
    get("/cart", 300, CART),
    post("/cart/items", 100, Obj(&[("product", Str), ("quantity", Int)]), CART),
    patch("/cart/items/{item_id}", 30, Obj(&[("quantity", Int)]), CART),
    delete("/cart/items/{item_id}", 20),
    post("/checkout", 60, Obj(&[("payment_token", Str), ("shipping_address", Obj(&[("line1", Str), ("city", Str), ("zip", Str)]))]), ORDER),
    get("/orders", 40, List(&ORDER)),
    get("/orders/{order_number}", 50, ORDER),
    post("/orders/{order_number}/cancel", 3, Empty, ORDER).status(200),
    get("/account", 50, Obj(&[("id", Int), ("email", Email), ("name", Str)])),
    get("/account/addresses", 10, List(&Obj(&[("id", Int), ("line1", Str), ("city", Str)]))),
    post("/auth/login", 80, Obj(&[("email", Email), ("password", Str)]), Obj(&[("token", Str), ("expires_in", Int)])).status(200),
    get("/brands/{brand}", 25, Obj(&[("slug", Str), ("name", Str), ("products", List(&PRODUCT))])),
];

pub const SHOP: Model = Model::new("ecommerce", 0x5409, SHOP_PARAMS, SHOP_ENDPOINTS);

const MESSAGE: Shape = Obj(&[("sid", Str), ("account_sid", Str), ("to", Str), ("from", Str), ("body", Str), ("status", Str), ("date_created", Str), ("uri", Str)]);
const CALL: Shape = Obj(&[("sid", Str), ("account_sid", Str), ("to", Str), ("from", Str), ("status", Str), ("duration", Str)]);
const TWILIO_PAGE: Shape = Obj(&[("messages", List(&MESSAGE)), ("page", Int), ("page_size", Int), ("next_page_uri", Str)]);

const TWILIO_PARAMS: &[Param] = &[
    param("AccountSid", Kind::PrefixedHex("AC"), 3),
    param("MessageSid", Kind::PrefixedHex("SM"), 400),
    param("MediaSid", Kind::PrefixedHex("ME"), 0),
    param("CallSid", Kind::PrefixedHex("CA"), 0),
    param("RecordingSid", Kind::PrefixedHex("RE"), 40),
    param("PhoneNumberSid", Kind::PrefixedHex("PN"), 6),
];

const TWILIO_ENDPOINTS: &[Endpoint] = &[
    get("/2010-04-01/Accounts/{AccountSid}.json", 30, Obj(&[("sid", Str), ("friendly_name", Str), ("status", Str)])),
    get("/2010-04-01/Accounts/{AccountSid}/Messages.json", 150, TWILIO_PAGE).query(&[("To", Kind::Int(15_550_000_000, 15_559_999_999)), ("PageSize", Kind::Int(20, 100))]),
    post("/2010-04-01/Accounts/{AccountSid}/Messages.json", 300, Obj(&[("To", Str), ("From", Str), ("Body", Str)]), MESSAGE),
    get("/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}.json", 200, MESSAGE),
    delete("/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}.json", 5),
    get("/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json", 20, Obj(&[("media_list", List(&Obj(&[("sid", Str), ("content_type", Str)])))])),
    get("/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}.json", 10, Obj(&[("sid", Str), ("content_type", Str), ("uri", Str)])),
    get("/2010-04-01/Accounts/{AccountSid}/Calls.json", 60, Obj(&[("calls", List(&CALL)), ("page", Int)])),
    post("/2010-04-01/Accounts/{AccountSid}/Calls.json", 40, Obj(&[("To", Str), ("From", Str), ("Url", Url)]), CALL),
    get("/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json", 50, CALL),
    get("/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.json", 15, Obj(&[("sid", Str), ("duration", Str), ("call_sid", Str)])),
    get("/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3", 15, Empty),
    get("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", 20, Obj(&[("incoming_phone_numbers", List(&Obj(&[("sid", Str), ("phone_number", Str)])))])),
    get("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{PhoneNumberSid}.json", 8, Obj(&[("sid", Str), ("phone_number", Str), ("friendly_name", Str)])),
    get("/2010-04-01/Accounts/{AccountSid}/Usage/Records.json", 4, Obj(&[("usage_records", List(&Obj(&[("category", Str), ("count", Str)])))])),
];

pub const TWILIO: Model = Model::new("twilio_2010", 0x7410, TWILIO_PARAMS, TWILIO_ENDPOINTS).form();

const REPORT: Shape = Obj(&[("id", Int), ("title", Str), ("created_at", DateTime), ("status", Str), ("pages", Int)]);
const FILE_META: Shape = Obj(&[("name", Str), ("size", Int), ("content_type", Str), ("modified", DateTime), ("etag", Str)]);

const FILES_PARAMS: &[Param] = &[
    param("id", Kind::Int(1, 250_000), 0),
    param("invoice_number", Kind::Code(&["INV"]), 0),
    param("file_name", Kind::FileName, 300),
    param("username", Kind::Username, 200),
    param("date", Kind::Date, 0),
    param("feed", Kind::OneOf(&["news", "blog", "releases"]), 3),
];

const FILES_ENDPOINTS: &[Endpoint] = &[
    get("/reports", 30, List(&REPORT)),
    post("/reports", 10, Obj(&[("title", Str), ("range", Str)]), REPORT),
    get("/reports/{id}", 60, REPORT),
    get("/reports/{id}.pdf", 100, Empty),
    get("/reports/{id}.csv", 40, Empty),
    get("/invoices/{invoice_number}.pdf", 50, Empty),
    get("/files/{file_name}", 150, Empty),
    put("/files/{file_name}", 30, Empty, FILE_META).status(201),
    delete("/files/{file_name}", 5),
    get("/files/{file_name}/metadata", 20, FILE_META),
    get("/avatars/{username}.png", 80, Empty),
    get("/exports/{date}.csv", 20, Empty),
    get("/feeds/{feed}.rss", 10, Empty),
    get("/sitemap.xml", 5, Empty),
    get("/robots.txt", 10, Empty),
    get("/favicon.ico", 20, Empty),
];

pub const FILES: Model = Model::new("files", 0xf11e, FILES_PARAMS, FILES_ENDPOINTS);

const ITEM: Shape = Obj(&[("id", Int), ("name", Str), ("description", Str), ("tags", List(&Str)), ("owner", Str), ("updated", DateTime)]);
const DRF_PAGE: Shape = Obj(&[("count", Int), ("next", Url), ("previous", Url), ("results", List(&ITEM))]);
const DRF_USER: Shape = Obj(&[("id", Int), ("username", Str), ("email", Email), ("first_name", Str), ("last_name", Str)]);

const DRF_PARAMS: &[Param] = &[
    param("id", Kind::Int(1, 90_000), 0),
    param("username", Kind::Username, 150),
    param("slug", Kind::Slug, 40),
];

const DRF_ENDPOINTS: &[Endpoint] = &[
    get("/api/items/", 100, DRF_PAGE),
    post("/api/items/", 20, Obj(&[("name", Str), ("description", Str)]), ITEM),
    get("/api/items/{id}/", 200, ITEM),
    put("/api/items/{id}/", 15, Obj(&[("name", Str), ("description", Str)]), ITEM),
    delete("/api/items/{id}/", 4),
    get("/api/items/{id}/history/", 10, List(&Obj(&[("changed", DateTime), ("field", Str)]))),
    get("/api/users/{username}/", 60, DRF_USER),
    get("/api/users/me/", 80, DRF_USER),
    get("/api/users/search/", 10, Obj(&[("count", Int), ("results", List(&DRF_USER))])).query(&[("q", Kind::Word)]),
    get("/api/tags/", 10, List(&Obj(&[("slug", Str), ("name", Str)]))),
    get("/api/tags/{slug}/", 30, Obj(&[("slug", Str), ("name", Str), ("items", Int)])),
    post("/api/auth/token/", 40, Obj(&[("username", Str), ("password", Str)]), Obj(&[("access", Str), ("refresh", Str)])).status(200),
    post("/api/auth/token/refresh/", 30, Obj(&[("refresh", Str)]), Obj(&[("access", Str)])).status(200),
];

pub const DRF: Model = Model::new("django_rest", 0xd7f0, DRF_PARAMS, DRF_ENDPOINTS).slash(Slash::Mixed);

const LISTING: Shape = Obj(&[("kind", Str), ("data", Obj(&[("after", Str), ("dist", Int), ("children", List(&Obj(&[("kind", Str), ("data", Obj(&[("id", Str), ("title", Str), ("score", Int), ("author", Str)]))])))]))]);
const SUBREDDIT: Shape = Obj(&[("kind", Str), ("data", Obj(&[("display_name", Str), ("subscribers", Int), ("public_description", Str), ("over18", Bool)]))]);
const ACCOUNT: Shape = Obj(&[("kind", Str), ("data", Obj(&[("name", Str), ("id", Str), ("link_karma", Int), ("comment_karma", Int), ("created_utc", Num)]))]);

const REDDIT_PARAMS: &[Param] = &[
    param("subreddit", Kind::Either(&[Kind::OneOf(&["rust", "AskReddit", "programming", "worldnews", "aww", "science", "golang", "kubernetes", "selfhosted", "dataisbeautiful", "MachineLearning", "todayilearned"]), Kind::Word]), 80),
    param("article", Kind::Base36(7), 0),
    param("slug", Kind::SnakeTitle, 0),
    param("username", Kind::Username, 500),
];

const REDDIT_ENDPOINTS: &[Endpoint] = &[
    get("/r/{subreddit}/hot", 300, LISTING).query(&[("limit", Kind::Int(10, 100)), ("after", Kind::Base36(7))]),
    get("/r/{subreddit}/new", 150, LISTING),
    get("/r/{subreddit}/top", 100, LISTING).query(&[("t", Kind::OneOf(&["day", "week", "all"]))]),
    get("/r/{subreddit}/rising", 20, LISTING),
    get("/r/{subreddit}/controversial", 5, LISTING),
    get("/r/{subreddit}/about", 80, SUBREDDIT),
    get("/r/{subreddit}/about/rules", 10, Obj(&[("rules", List(&Obj(&[("short_name", Str), ("description", Str)])))])),
    get("/r/{subreddit}/comments/{article}", 250, List(&LISTING)),
    get("/r/{subreddit}/comments/{article}/{slug}/", 60, List(&LISTING)),
    get("/user/{username}/about", 80, ACCOUNT),
    get("/user/{username}/submitted", 30, LISTING),
    get("/user/{username}/comments", 25, LISTING),
    get("/api/v1/me", 200, Obj(&[("name", Str), ("id", Str), ("has_mail", Bool), ("inbox_count", Int)])),
    get("/api/v1/me/prefs", 10, Obj(&[("lang", Str), ("over_18", Bool)])),
    get("/subreddits/search", 30, LISTING).query(&[("q", Kind::Word)]),
    get("/subreddits/popular", 20, LISTING),
    get("/subreddits/mine/subscriber", 15, LISTING),
    post("/api/vote", 60, Obj(&[("id", Str), ("dir", Int)]), Obj(&[])).status(200),
    post("/api/comment", 30, Obj(&[("thing_id", Str), ("text", Str)]), Obj(&[("json", Obj(&[("errors", List(&Str))]))])).status(200),
    post("/api/submit", 10, Obj(&[("sr", Str), ("title", Str), ("kind", Str), ("url", Url)]), Obj(&[("json", Obj(&[("errors", List(&Str))]))])).status(200),
    get("/api/info", 20, LISTING).query(&[("id", Kind::Base36(7))]),
    get("/api/morechildren", 15, Obj(&[("json", Obj(&[("data", Obj(&[("things", List(&Str))]))]))])),
];

pub const REDDIT: Model = Model::new("reddit", 0x7edd, REDDIT_PARAMS, REDDIT_ENDPOINTS).form();

const PROFILE: Shape = Obj(&[("id", Str), ("username", Str), ("display_name", Str), ("bio", Str), ("followers", Int), ("following", Int), ("avatar", Url)]);
const POST: Shape = Obj(&[("id", Str), ("author", Str), ("text", Str), ("likes", Int), ("created_at", DateTime), ("tags", List(&Str))]);

const SOCIAL_PARAMS: &[Param] = &[
    param("username", Kind::Username, 2000),
    param("post_id", Kind::MongoId, 0),
    param("tag", Kind::Word, 60),
];

const SOCIAL_ENDPOINTS: &[Endpoint] = &[
    get("/users", 50, List(&PROFILE)).query(&[("page", Kind::Int(1, 50))]),
    post("/users", 10, Obj(&[("username", Str), ("email", Email), ("password", Str)]), PROFILE),
    get("/users/me", 400, PROFILE),
    patch("/users/me", 20, Obj(&[("bio", Str)]), PROFILE),
    get("/users/me/notifications", 60, List(&Obj(&[("id", Str), ("type", Str), ("from", Str), ("read", Bool)]))),
    get("/users/search", 40, List(&PROFILE)).query(&[("q", Kind::Word)]),
    get("/users/{username}", 200, PROFILE),
    get("/users/{username}/followers", 40, List(&PROFILE)),
    get("/users/{username}/following", 30, List(&PROFILE)),
    post("/users/{username}/follow", 20, Empty, Obj(&[("following", Bool)])).status(200),
    delete("/users/{username}/follow", 5),
    get("/users/{username}/posts", 80, List(&POST)),
    get("/posts/{post_id}", 150, POST),
    post("/posts", 30, Obj(&[("text", Str), ("tags", List(&Str))]), POST),
    get("/posts/{post_id}/comments", 50, List(&Obj(&[("id", Str), ("author", Str), ("text", Str)]))),
    get("/posts/trending", 40, List(&POST)),
    get("/tags/{tag}", 30, Obj(&[("name", Str), ("posts", Int)])),
    get("/tags/{tag}/posts", 25, List(&POST)),
];

pub const SOCIAL: Model = Model::new("social_users_me", 0x50c1, SOCIAL_PARAMS, SOCIAL_ENDPOINTS);

const WIKI_PAGE: Shape = Obj(&[("id", Int), ("key", Str), ("title", Str), ("latest", Obj(&[("id", Int), ("timestamp", DateTime)])), ("content_model", Str)]);
const SUMMARY: Shape = Obj(&[("type", Str), ("title", Str), ("extract", Str), ("pageid", Int), ("lang", Str)]);

const WIKI_PARAMS: &[Param] = &[param("title", Kind::Title, 900)];

const WIKI_ENDPOINTS: &[Endpoint] = &[
    get("/wiki/{title}", 700, Str),
    get("/wiki/Special:Search", 60, Str).query(&[("search", Kind::Word)]),
    get("/w/index.php", 80, Str).query(&[("title", Kind::Title), ("action", Kind::OneOf(&["edit", "history", "raw"]))]),
    get("/w/api.php", 200, Obj(&[("batchcomplete", Str), ("query", Obj(&[("pages", Obj(&[]))]))])).query(&[("action", Kind::OneOf(&["query", "parse"])), ("format", Kind::OneOf(&["json"])), ("titles", Kind::Title)]),
    get("/w/rest.php/v1/page/{title}", 60, WIKI_PAGE),
    get("/w/rest.php/v1/page/{title}/history", 15, Obj(&[("revisions", List(&Obj(&[("id", Int), ("timestamp", DateTime), ("comment", Str)])))])),
    get("/w/rest.php/v1/search/page", 25, Obj(&[("pages", List(&Obj(&[("id", Int), ("key", Str), ("title", Str)])))])).query(&[("q", Kind::Word), ("limit", Kind::Int(1, 50))]),
    get("/api/rest_v1/page/summary/{title}", 150, SUMMARY),
    get("/api/rest_v1/page/html/{title}", 40, Str),
];

pub const MEDIAWIKI: Model = Model::new("mediawiki", 0x3ed1, WIKI_PARAMS, WIKI_ENDPOINTS);

const MG_EVENT: Shape = Obj(&[("event", Str), ("timestamp", Num), ("recipient", Email), ("id", Str)]);

const MAILGUN_PARAMS: &[Param] = &[
    param("domain", Kind::DomainName, 6),
    param("address", Kind::Email, 200),
    param("list", Kind::Email, 5),
];

const MAILGUN_ENDPOINTS: &[Endpoint] = &[
    post("/v3/{domain}/messages", 400, Obj(&[("from", Email), ("to", Email), ("subject", Str), ("text", Str)]), Obj(&[("id", Str), ("message", Str)])).status(200),
    get("/v3/{domain}/events", 120, Obj(&[("items", List(&MG_EVENT)), ("paging", Obj(&[("next", Url)]))])).query(&[("event", Kind::OneOf(&["delivered", "failed", "opened"]))]),
    get("/v3/{domain}/bounces", 30, Obj(&[("items", List(&Obj(&[("address", Email), ("code", Str), ("error", Str)])))])),
    get("/v3/{domain}/bounces/{address}", 25, Obj(&[("address", Email), ("code", Str), ("error", Str), ("created_at", Str)])),
    delete("/v3/{domain}/bounces/{address}", 5).status(200),
    get("/v3/{domain}/unsubscribes/{address}", 10, Obj(&[("address", Email), ("tags", List(&Str))])),
    get("/v3/{domain}/stats/total", 20, Obj(&[("stats", List(&Obj(&[("time", Str), ("delivered", Obj(&[("total", Int)]))])))])).query(&[("event", Kind::OneOf(&["delivered"]))]),
    get("/v3/domains", 15, Obj(&[("total_count", Int), ("items", List(&Obj(&[("name", Str), ("state", Str)])))])),
    get("/v3/domains/{domain}", 20, Obj(&[("domain", Obj(&[("name", Str), ("state", Str), ("smtp_login", Email)]))])),
    get("/v3/lists/{list}/members", 12, Obj(&[("items", List(&Obj(&[("address", Email), ("subscribed", Bool)])))])),
];

pub const MAILGUN: Model = Model::new("mailgun", 0x3a11, MAILGUN_PARAMS, MAILGUN_ENDPOINTS);

const CAR: Shape = Obj(&[("model", Str), ("color", Str), ("year", Int), ("price", Num)]);

const MATRIX_PARAMS: &[Param] = &[
    param("color", Kind::OneOf(&["red", "blue", "black", "white", "silver", "green"]), 6),
    param("size", Kind::OneOf(&["s", "m", "l", "xl"]), 4),
    param("model", Kind::Word, 30),
];

const MATRIX_ENDPOINTS: &[Endpoint] = &[
    get("/catalog/cars", 40, List(&CAR)),
    get("/catalog/cars;color={color}", 20, List(&CAR)),
    get("/catalog/cars;color={color}/models", 30, List(&Str)),
    get("/catalog/cars;color={color}/models/{model}", 20, CAR),
    get("/catalog/bikes;size={size}", 15, List(&Obj(&[("model", Str), ("size", Str)]))),
];

/// Today every matrix segment (`cars;color=red`, and `cars` beside it)
/// folds into one whole-segment parameter (`/catalog/{}`): reported, not
/// averaged, until templating learns parameters inside a segment.
pub const MATRIX: Model = Model::new("matrix_params", 0x3a7f, MATRIX_PARAMS, MATRIX_ENDPOINTS).known_gap();
