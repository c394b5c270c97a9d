//! The OpenAPI document of the shopper and admin API, generated from the shared types.

use axum::response::IntoResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub const PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(title = "postpurchase API", description = "The shopper API behind the widget and the admin API for merchants. Every error is `{\"error\": {\"code\", \"message\", \"fields\"?}}`."),
    paths(
        crate::shopper::order_view,
        crate::choices::set_choice,
        crate::admin::create_order,
        crate::admin::create_token,
        crate::admin::get_profile,
        crate::admin::put_profile,
        crate::admin::erase_customer,
        crate::tracking::create_shipment,
        crate::tracking::record_event,
        crate::settings::get_settings,
        crate::settings::put_settings,
        crate::settings::create_slot,
        crate::settings::create_pickup_point,
        crate::referral::referral,
        crate::referral::get_settings,
        crate::referral::put_settings,
        crate::referral::redeem,
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
        crate::reviews::put_settings,
        crate::returns::options,
        crate::returns::create,
        crate::returns::cancel,
        crate::returns::qr_code,
        crate::returns::set_inventory,
        crate::returns::update_status,
        crate::returns::get_settings,
        crate::returns::put_settings,
        crate::theme::get_theme,
        crate::theme::put_theme,
    ),
    // Sent, not served: what the shop's webhook endpoint receives.
    components(schemas(postpurchase_api::WebhookEvent)),
    modifiers(&ApiKeyAuth),
    tags(
        (name = "shopper", description = "Called by the widget in the shopper's browser; reached by capability token"),
        (name = "admin", description = "Called by the merchant's servers with the shop's API key"),
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
    }
}

pub async fn serve() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
