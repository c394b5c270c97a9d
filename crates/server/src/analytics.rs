//! Analytics: the widget's few anonymous events in (no cookie, no person: an order, a
//! kind and a day), the dashboard's figures out as JSON, and each of its tables as CSV.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use postpurchase_api::{
    Analytics, AnalyticsSettings, AnalyticsTable, Count, ErrorBody, EventReport, FieldError, Money,
    WidgetEvent,
};

use crate::domain::analytics::{cell, csv_field};
use crate::error::{ApiError, Json, Path, Query};
use crate::extract::{AdminShop, OpenOrder, OwnerShop};
use crate::AppState;

pub const EVENTS_PATH: &str = "/api/v1/shops/{shop}/orders/{token}/events";
pub const ANALYTICS_PATH: &str = "/api/v1/admin/analytics";
pub const TABLE_PATH: &str = "/api/v1/admin/analytics/{table}";
pub const SETTINGS_PATH: &str = "/api/v1/admin/analytics-settings";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(EVENTS_PATH, post(report))
        .route(ANALYTICS_PATH, get(analytics))
        .route(TABLE_PATH, get(table))
        .route(SETTINGS_PATH, get(get_settings).put(put_settings))
}

/// Counts one event of the order's page: opened, a follow-up opened, the referral link
/// copied or shared, a recommendation clicked. Nothing about the shopper is kept: the
/// order, the shop's day and the kind, at most 50 a day of each. Answers 204 also when
/// the shop switched events off (and keeps nothing).
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/orders/{token}/events",
    tag = "shopper",
    params(
        ("shop" = String, Path, description = "The shop's slug"),
        ("token" = String, Path, description = "The order's capability token"),
    ),
    request_body = EventReport,
    responses(
        (status = 204, description = "Counted (or not kept, when the shop switched events off)"),
        (status = 404, description = "`order_not_found`", body = ErrorBody),
        (status = 422, description = "`module` missing for `module_opened`, or given for another event", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    Path((shop, token)): Path<(String, String)>,
    _: OpenOrder,
    Json(report): Json<EventReport>,
) -> Result<StatusCode, ApiError> {
    let wants_module = report.event == WidgetEvent::ModuleOpened;
    if wants_module != report.module.is_some() {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "module",
            "must be given for `module_opened`, and only for it",
        )]));
    }
    state
        .db
        .record_event(&shop, &token, report, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day, `YYYY-MM-DD` in the shop's time zone; 29 days before `to` unless given.
    #[param(format = Date, max_length = 10)]
    from: Option<String>,
    /// The last day, included; today unless given. At most 366 days after `from`.
    #[param(format = Date, max_length = 10)]
    to: Option<String>,
}

/// The dashboard's figures for a period: orders and visits per day, delivery, returns,
/// reviews, the referral funnel, NPS and retention. Figures about orders are about the
/// orders placed in the period; visits, answers and codes count by the day they happened.
#[utoipa::path(
    get,
    path = "/api/v1/admin/analytics",
    tag = "admin",
    params(PeriodQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The figures", body = Analytics),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 422, description = "`from` or `to` not a date, backwards, or over 366 days", body = ErrorBody),
    )
)]
pub async fn analytics(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<Analytics>, ApiError> {
    let figures = state
        .db
        .analytics(shop.id, query.from, query.to, state.clock.now())
        .await?;
    Ok(Json(figures))
}

/// One table of the dashboard as CSV (UTF-8, a header row, comma-separated; text that a
/// spreadsheet would take for a formula starts with `'`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/analytics/{table}",
    tag = "admin",
    params(
        ("table" = AnalyticsTable, Path, description = "Which table"),
        PeriodQuery,
    ),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 404, description = "`not_found`: no such table", body = ErrorBody),
        (status = 422, description = "`from` or `to` not a date, backwards, or over 366 days", body = ErrorBody),
    )
)]
pub async fn table(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
    Path(name): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let table = AnalyticsTable::parse(&name).ok_or_else(ApiError::not_found)?;
    let figures = state
        .db
        .analytics(shop.id, query.from, query.to, state.clock.now())
        .await?;
    let file = format!(
        "attachment; filename=\"{}-{}-{}-{}.csv\"",
        shop.slug,
        table.as_str(),
        figures.from,
        figures.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv(table, &figures),
    )
        .into_response())
}

/// A table as CSV text.
pub fn csv(table: AnalyticsTable, a: &Analytics) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |cells: Vec<String>| rows.push(cells);
    let counts = |row: &mut dyn FnMut(Vec<String>), head: &str, list: &[Count]| {
        row(vec![head.to_owned(), "count".to_owned()]);
        for c in list {
            row(vec![csv_field(&c.name), c.count.to_string()]);
        }
    };
    match table {
        AnalyticsTable::Summary => {
            row(vec!["figure".into(), "value".into()]);
            for (name, value) in summary(a) {
                row(vec![name, value]);
            }
        }
        AnalyticsTable::Daily => {
            row(vec!["day".into(), "orders".into(), "visits".into()]);
            for d in &a.daily {
                row(vec![
                    d.day.clone(),
                    d.orders.to_string(),
                    d.visits.to_string(),
                ]);
            }
        }
        AnalyticsTable::Carriers => {
            row([
                "carrier",
                "parcels",
                "delivered",
                "average_days",
                "exceptions",
                "failed_attempts",
            ]
            .map(str::to_owned)
            .to_vec());
            for c in &a.delivery.carriers {
                row(vec![
                    csv_field(&c.carrier),
                    c.parcels.to_string(),
                    c.delivered.to_string(),
                    cell(c.average_days),
                    c.exceptions.to_string(),
                    c.failed_attempts.to_string(),
                ]);
            }
        }
        AnalyticsTable::Choices => counts(&mut row, "choice", &a.delivery.choices),
        AnalyticsTable::Modules => counts(&mut row, "module", &a.traffic.modules_opened),
        AnalyticsTable::ReturnReasons => counts(&mut row, "reason", &a.returns.by_reason),
        AnalyticsTable::ReturnProducts => counts(&mut row, "product", &a.returns.by_product),
        AnalyticsTable::Stars => {
            row(vec!["stars".into(), "reviews".into()]);
            for (stars, n) in (1..).zip(a.reviews.stars) {
                row(vec![format!("{stars}"), n.to_string()]);
            }
        }
        AnalyticsTable::NpsWeekly => {
            row(vec!["week".into(), "answers".into(), "nps".into()]);
            for w in &a.nps.weekly {
                row(vec![
                    w.week.clone(),
                    w.answers.to_string(),
                    cell(Some(w.nps)),
                ]);
            }
        }
        AnalyticsTable::Heard => {
            row(vec!["answer".into(), "count".into()]);
            for h in &a.nps.heard {
                row(vec![csv_field(&h.option), h.count.to_string()]);
            }
        }
    }
    let mut text = String::new();
    for cells in rows {
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    text
}

/// Every single figure by name, for the summary table.
fn summary(a: &Analytics) -> Vec<(String, String)> {
    let n = |v: u32| v.to_string();
    let money = |name: &str, list: &[Money]| {
        list.iter()
            .map(|m| (format!("{name}_{}", m.currency), m.amount.to_string()))
            .collect::<Vec<_>>()
    };
    let mut figures = vec![
        ("from".into(), a.from.clone()),
        ("to".into(), a.to.clone()),
        ("time_zone".into(), csv_field(&a.time_zone)),
        ("orders".into(), n(a.traffic.orders)),
        ("orders_opened".into(), n(a.traffic.orders_opened)),
        ("opened_share".into(), cell(a.traffic.opened_share)),
        ("visits".into(), n(a.traffic.visits)),
        ("visits_per_order".into(), cell(a.traffic.visits_per_order)),
        ("parcels".into(), n(a.delivery.parcels)),
        ("delivered".into(), n(a.delivery.delivered)),
        ("on_time".into(), n(a.delivery.on_time)),
        ("on_time_rate".into(), cell(a.delivery.on_time_rate)),
        ("exceptions".into(), n(a.delivery.exceptions)),
        ("failed_attempts".into(), n(a.delivery.failed_attempts)),
        ("choice_uptake".into(), cell(a.delivery.choice_uptake)),
        ("slot_fill".into(), cell(a.delivery.slot_fill)),
        ("returns".into(), n(a.returns.returns)),
        ("return_rate".into(), cell(a.returns.return_rate)),
        ("reviews".into(), n(a.reviews.reviewed)),
        ("review_rate".into(), cell(a.reviews.review_rate)),
        ("average_stars".into(), cell(a.reviews.average)),
        ("codes_shown".into(), n(a.referral.codes_shown)),
        ("links_copied".into(), n(a.referral.links_copied)),
        ("shared".into(), n(a.referral.shared)),
        ("redemptions".into(), n(a.referral.redemptions)),
        ("friends_orders".into(), n(a.referral.friends_orders)),
        ("nps".into(), cell(a.nps.nps)),
        ("nps_answers".into(), n(a.nps.answers)),
        ("repeat_orders".into(), n(a.retention.repeat_orders)),
        ("repeat_rate".into(), cell(a.retention.repeat_rate)),
        ("second_orders".into(), n(a.retention.second_orders)),
        (
            "median_days_to_second".into(),
            cell(a.retention.median_days_to_second),
        ),
    ];
    figures.extend(money("kept", &a.returns.kept));
    figures.extend(money("refunded", &a.returns.refunded));
    figures.extend(money("friends_revenue", &a.referral.friends_revenue));
    figures
}

/// Whether the widget reports its events.
#[utoipa::path(
    get,
    path = "/api/v1/admin/analytics-settings",
    tag = "admin",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings", body = AnalyticsSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    AdminShop(shop): AdminShop,
) -> Result<Json<AnalyticsSettings>, ApiError> {
    Ok(Json(state.db.analytics_settings(shop.id).await?))
}

/// Switches the widget's events on or off (owners only). Off, the widget sends nothing
/// and the server keeps nothing; the counts already kept stay.
#[utoipa::path(
    put,
    path = "/api/v1/admin/analytics-settings",
    tag = "admin",
    request_body = AnalyticsSettings,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The settings as stored", body = AnalyticsSettings),
        (status = 401, description = "Missing or unknown API key, not signed in", body = ErrorBody),
        (status = 403, description = "`owner_only`, or `csrf_failed`", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    OwnerShop(shop): OwnerShop,
    Json(settings): Json<AnalyticsSettings>,
) -> Result<Json<AnalyticsSettings>, ApiError> {
    state
        .db
        .set_analytics_settings(shop.id, settings.clone())
        .await?;
    Ok(Json(settings))
}
