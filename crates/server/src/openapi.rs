//! The OpenAPI document of the shopper and admin API, generated from the shared types.

use std::sync::OnceLock;

use axum::response::IntoResponse;
use postpurchase_api::{LANGUAGES, SAFE_PLACES};
use serde_json::{json, Value};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub const PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(title = "postpurchase API", description = "The shopper API behind the widget and the admin API for merchants. Every error is `{\"error\": {\"code\", \"message\", \"fields\"?}}`."),
    paths(
        crate::shopper::order_view,
        crate::shopper::embed_check,
        crate::choices::set_choice,
        crate::admin::create_order,
        crate::admin::create_token,
        crate::admin::list_orders,
        crate::admin::order_record,
        crate::admin::revoke_token,
        crate::admin::install,
        crate::admin::get_origins,
        crate::admin::put_origins,
        crate::admin::get_profile,
        crate::admin::put_profile,
        crate::admin::erase_customer,
        crate::tracking::create_shipment,
        crate::tracking::record_event,
        crate::settings::get_settings,
        crate::settings::put_settings,
        crate::settings::create_slot,
        crate::settings::list_slots,
        crate::settings::set_capacity,
        crate::settings::remove_slot,
        crate::settings::webhook_log,
        crate::settings::resend_webhook,
        crate::settings::create_pickup_point,
        crate::settings::list_pickup_points,
        crate::settings::edit_pickup_point,
        crate::settings::remove_pickup_point,
        crate::referral::referral,
        crate::referral::get_settings,
        crate::referral::put_settings,
        crate::referral::redeem,
        crate::loyalty::loyalty,
        crate::loyalty::unboxing,
        crate::loyalty::get_loyalty_settings,
        crate::loyalty::put_loyalty_settings,
        crate::loyalty::get_unboxing_settings,
        crate::loyalty::put_unboxing_settings,
        crate::loyalty::get_order_loyalty,
        crate::loyalty::put_order_loyalty,
        crate::survey::survey,
        crate::survey::answer_nps,
        crate::survey::answer_heard,
        crate::survey::set_preferences,
        crate::survey::get_settings,
        crate::survey::put_settings,
        crate::survey::results,
        crate::reviews::items,
        crate::reviews::write,
        crate::reviews::list,
        crate::reviews::moderate,
        crate::reviews::reply,
        crate::reviews::remove_reply,
        crate::reviews::put_settings,
        crate::reviews::get_settings,
        crate::photos::upload,
        crate::photos::order_photo,
        crate::photos::shop_photo,
        crate::photos::public_photo,
        crate::words::get_words,
        crate::words::put_words,
        crate::changes::request,
        crate::changes::get_settings,
        crate::changes::put_settings,
        crate::changes::queue,
        crate::changes::decide,
        crate::changes::picking,
        crate::care::list_products,
        crate::care::get_product,
        crate::care::put_product,
        crate::care::delete_product,
        crate::care::care,
        crate::care::remind,
        crate::care::cancel,
        crate::care::pairs,
        crate::care::click,
        crate::upgrades::view,
        crate::upgrades::request,
        crate::upgrades::get_settings,
        crate::upgrades::put_settings,
        crate::upgrades::queue,
        crate::upgrades::decide,
        crate::returns::options,
        crate::returns::create,
        crate::returns::quote,
        crate::returns::cancel,
        crate::returns::qr_code,
        crate::returns::set_inventory,
        crate::returns::update_status,
        crate::returns::attach_label,
        crate::returns::queue,
        crate::returns::get_settings,
        crate::returns::put_settings,
        crate::theme::get_theme,
        crate::theme::put_theme,
        crate::console::sign_in,
        crate::console::current,
        crate::console::sign_out,
        crate::console::sign_out_everywhere,
        crate::console::set_password,
        crate::console::list_staff,
        crate::console::add_staff,
        crate::console::remove_staff,
        crate::analytics::report,
        crate::analytics::analytics,
        crate::analytics::table,
        crate::analytics::get_settings,
        crate::analytics::put_settings,
        crate::feeds::take,
        crate::feeds::sources,
        crate::feeds::set_secret,
        crate::feeds::remove_secret,
        crate::delays::get_settings,
        crate::delays::put_settings,
        crate::platforms::take,
        crate::platforms::shopware_register,
        crate::platforms::shopware_confirm,
    ),
    // Sent, not served: what the shop's webhook endpoint receives.
    components(schemas(
        postpurchase_api::WebhookEvent,
        postpurchase_api::AnalyticsTable,
        postpurchase_api::ShipmentNews,
        postpurchase_api::ReviewCreated,
        postpurchase_api::SurveyAnswered,
        postpurchase_api::ReferralRedeemed,
        postpurchase_api::OrderStalled,
        postpurchase_api::ReminderDue,
    )),
    modifiers(&ApiKeyAuth),
    tags(
        (name = "shopper", description = "Called by the widget in the shopper's browser; reached by capability token"),
        (name = "admin", description = "Called by the merchant's servers with the shop's API key, or by the console with a staff session (changes carry `X-CSRF-Token`)"),
        (name = "console", description = "Staff signing in to the console and out of it"),
        (name = "feeds", description = "Tracking sources' and shop platforms' own webhooks, signed the sender's way with the secret the shop set"),
        (name = "webhooks", description = "Sent, not served: what the shop's webhook endpoint receives, one schema per event type (`Event.<type>`), each signed with the shop's webhook secret"),
    )
)]
pub struct ApiDoc;

struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("pp_session"))),
        );
    }
}

/// The served document: what the handlers declare, plus what every route may answer
/// before its handler runs (the extractors, the limits, the time-out) and the rules of
/// request bodies the derived schemas cannot say (lists of codes, unique items, map keys).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
        for (path, item) in doc["paths"].as_object_mut().into_iter().flatten() {
            for operation in item.as_object_mut().into_iter().flatten().map(|(_, op)| op) {
                complete_operation(path, operation);
            }
        }
        add_webhooks(&mut doc);
        photo_body(&mut doc);
        constrain_schemas(&mut doc["components"]["schemas"]);
        spell_out_blanks(&mut doc["components"]["schemas"], &blank_class());
        doc
    })
}

/// A photo is sent as its own bytes, of any of the kinds taken (the content decides).
fn photo_body(doc: &mut Value) {
    let binary = json!({"schema": {"type": "string", "format": "binary"}});
    let kinds = ["image/jpeg", "image/png", "image/webp"].map(|k| (k.to_owned(), binary.clone()));
    doc["paths"]["/api/v1/shops/{shop}/orders/{token}/photos"]["post"]["requestBody"]["content"] =
        Value::Object(kinds.into_iter().collect());
}

/// The name of the schema of the whole event of `kind` (`Event.shipment.delivered`).
pub fn event_schema(kind: &str) -> String {
    format!("Event.{kind}")
}

/// The webhook catalogue: for every event type the shop's endpoint receives, its own
/// schema (the envelope with `type` fixed and its `data`), and an entry under the
/// document's `webhooks` with the signature headers.
fn add_webhooks(doc: &mut Value) {
    for (kind, data, when) in postpurchase_api::CATALOGUE {
        let name = event_schema(kind);
        doc["components"]["schemas"][&name] = json!({
            "type": "object",
            "description": when,
            "required": ["id", "type", "created_at", "data"],
            "properties": {
                "id": {"type": "string", "description": "Unique per event: a repeated id is the same event, sent again"},
                "type": {"type": "string", "enum": [kind]},
                "created_at": {"type": "string", "format": "date-time"},
                "data": {"$ref": format!("#/components/schemas/{data}")},
            },
        });
        doc["webhooks"][kind] = json!({"post": {
            "operationId": format!("webhook.{kind}"),
            "summary": when,
            "tags": ["webhooks"],
            "parameters": [
                {"name": "Postpurchase-Event-Id", "in": "header", "required": true, "schema": {"type": "string"}},
                {"name": "Postpurchase-Timestamp", "in": "header", "required": true, "schema": {"type": "integer"}},
                {"name": "Postpurchase-Signature", "in": "header", "required": true, "schema": {"type": "string"},
                 "description": "`v1=` and the hex HMAC-SHA256, keyed with the shop's webhook secret, of the timestamp, `.` and the body"},
            ],
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{name}")},
            }}},
            "responses": {
                "2XX": {"description": "Taken; anything else is sent again later (10 attempts over about 4 hours)"},
            },
        }});
    }
}

pub async fn serve() -> impl IntoResponse {
    axum::Json(document())
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    })
}

fn retry_response(description: &str) -> Value {
    let mut response = error_response(description);
    response["headers"] = json!({"Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }});
    response
}

/// Adds the answers any request to `path` may get whatever its handler does.
fn complete_operation(path: &str, operation: &mut Value) {
    let has_body = operation.get("requestBody").is_some();
    let responses = operation["responses"]
        .as_object_mut()
        .expect("every operation has responses");
    let mut add = |status: &str, response: Value| {
        responses.entry(status).or_insert(response);
    };
    add(
        "400",
        error_response(if has_body {
            "`invalid_json`: the body is not JSON; `invalid_idempotency_key`, `invalid_query` or `invalid_path`"
        } else {
            "`invalid_idempotency_key`, `invalid_query` (a parameter given twice) or `invalid_path` (not UTF-8)"
        }),
    );
    if has_body {
        let limit = crate::body_limit(path) / 1024;
        add(
            "413",
            error_response(&format!(
                "`payload_too_large`: this route takes bodies of at most {limit} KiB"
            )),
        );
        add(
            "415",
            error_response("`unsupported_media_type`: send `Content-Type: application/json`"),
        );
        add(
            "422",
            error_response(
                "`invalid_body`: not an object of the documented shape (the field is named)",
            ),
        );
    }
    add(
        "429",
        retry_response(
            "`too_many_requests`: a limit of this token, API key, address or parcel is spent",
        ),
    );
    add(
        "503",
        retry_response(
            "`busy` (the database stayed locked) or `timeout` (the request took too long)",
        ),
    );
    // The key's own rule, as the server checks it.
    let parameters = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut);
    for parameter in parameters.into_iter().flatten() {
        if parameter["name"] == "Idempotency-Key" {
            parameter["schema"] = json!({"type": "string", "pattern": "^[!-~]{1,255}$"});
        }
    }
}

/// `\s` as the server counts it ([`domain::BLANK`]), for inside a character class.
fn blank_class() -> String {
    let escape = |c: char| format!("\\u{:04x}", c as u32);
    crate::domain::BLANK
        .iter()
        .map(|&(from, to)| match from == to {
            true => escape(from),
            false => format!("{}-{}", escape(from), escape(to)),
        })
        .collect()
}

/// Writes the derives' `\S` ("one character not blank") and `\s` out as the characters
/// the server counts as blank, everywhere in `value`.
fn spell_out_blanks(value: &mut Value, blank: &str) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(pattern) if key == "pattern" => {
                        *pattern = match pattern.as_str() {
                            "\\S" => format!("[^{blank}]"),
                            other => other.replace("\\s", blank),
                        }
                    }
                    _ => spell_out_blanks(item, blank),
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| spell_out_blanks(item, blank)),
        _ => {}
    }
}

/// Rules of request bodies beyond what the derives say.
fn constrain_schemas(schemas: &mut Value) {
    set(
        schemas,
        "DeliverySettings",
        "safe_places",
        json!({"uniqueItems": true, "items": {"type": "string", "enum": SAFE_PLACES}}),
    );
    set(
        schemas,
        "NewPickupPoint",
        "opening_hours",
        json!({"items": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"}}),
    );
    // One line, no blank at either end (`list_entry_ok`).
    let entry = "^[^\\s]([^\\n\\r]*[^\\s])?$";
    set(
        schemas,
        "SurveySettings",
        "heard_options",
        json!({"uniqueItems": true, "items": {
            "type": "string", "maxLength": 60, "pattern": entry, "not": {"const": "other"},
        }}),
    );
    let reasons = json!({"uniqueItems": true, "items": {"type": "string", "maxLength": 80, "pattern": entry}});
    set(schemas, "ReturnSettings", "reasons", reasons.clone());
    set(schemas, "ReturnSettings", "photo_reasons", reasons.clone());
    let mut per_kind = reasons;
    per_kind["minItems"] = json!(1);
    per_kind["maxItems"] = json!(12);
    // A language the widget speaks, each word and translation one line (`domain::words`).
    let word = json!({"type": "string", "maxLength": 80, "pattern": entry});
    set(
        schemas,
        "ShopWords",
        "translations",
        json!({"propertyNames": {"enum": postpurchase_api::LANGUAGES},
               "additionalProperties": {"type": "object", "maxProperties": 200,
                                        "propertyNames": word.clone(),
                                        "additionalProperties": word}}),
    );
    set(
        schemas,
        "ReturnSettings",
        "reasons_by_type",
        json!({"maxProperties": 20, "propertyNames": {"maxLength": 60, "pattern": entry},
               "additionalProperties": per_kind}),
    );
    set(
        schemas,
        "ShopProfile",
        "language",
        json!({"enum": LANGUAGES}),
    );
    set(
        schemas,
        "StockLevel",
        "stock",
        json!({"maximum": crate::returns::STOCK_MAX}),
    );
    // What a reward is depends on its kind: a percentage, or an amount in a currency.
    let value =
        |max: i64| json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": max});
    schemas["Reward"] = json!({
        "description": schemas["Reward"]["description"],
        "oneOf": [
            {
                "type": "object",
                "required": ["kind", "value"],
                "properties": {
                    "kind": {"const": "percent_off"},
                    "value": value(100),
                    "currency": {"type": ["string", "null"], "description": "Ignored"},
                },
                "additionalProperties": false,
            },
            {
                "type": "object",
                "required": ["kind", "value", "currency"],
                "properties": {
                    "kind": {"enum": ["amount_off", "store_credit"]},
                    "value": value(100_000_000),
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                },
                "additionalProperties": false,
            },
        ],
    });
    set(
        schemas,
        "ShopTheme",
        "variables",
        json!({
            "maxProperties": 50,
            "propertyNames": {"pattern": "^--pp-[a-z0-9-]{1,35}$"},
            "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 200},
        }),
    );
}

/// Adds `rules` to the property `property` of the schema `schema`.
fn set(schemas: &mut Value, schema: &str, property: &str, rules: Value) {
    let target = schemas
        .pointer_mut(&format!("/{schema}/properties/{property}"))
        .unwrap_or_else(|| panic!("{schema}.{property} is in the document"));
    for (key, rule) in rules.as_object().expect("rules are an object") {
        target[key] = rule.clone();
    }
}
