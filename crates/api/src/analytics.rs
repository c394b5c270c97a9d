//! What the shop learns from its orders: the widget's few anonymous events in, and the
//! dashboard's figures out.
//!
//! Every figure is over one period of days in the shop's time zone. Figures about orders
//! (delivery, returns, reviews, the referral's friends, retention) are about the orders
//! *placed* in the period, whatever happened to them since; visits, answers and codes
//! count by the day they happened.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{HeardCount, Module, NpsWeek};

/// What the widget reports: no cookie, no person, only the order and the kind of event,
/// counted per order and day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WidgetEvent {
    /// The order's page was opened (a visit; the widget's re-checks are not visits).
    Opened,
    /// A follow-up was opened (`module` says which).
    ModuleOpened,
    /// The referral link was copied.
    LinkCopied,
    /// The referral link was shared through the browser's share sheet.
    Shared,
    /// A recommended product was clicked.
    RecommendationClicked,
}

impl WidgetEvent {
    pub const ALL: [WidgetEvent; 5] = [
        WidgetEvent::Opened,
        WidgetEvent::ModuleOpened,
        WidgetEvent::LinkCopied,
        WidgetEvent::Shared,
        WidgetEvent::RecommendationClicked,
    ];

    /// Its name in the API and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetEvent::Opened => "opened",
            WidgetEvent::ModuleOpened => "module_opened",
            WidgetEvent::LinkCopied => "link_copied",
            WidgetEvent::Shared => "shared",
            WidgetEvent::RecommendationClicked => "recommendation_clicked",
        }
    }
}

/// Shopper API: one event of the order's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventReport {
    pub event: WidgetEvent,
    /// `module_opened`: which follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<Module>,
}

/// Admin API: whether the widget reports its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnalyticsSettings {
    /// On by default; off, the widget sends nothing and the server keeps nothing.
    pub events: bool,
}

/// Admin API: the dashboard's figures for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Analytics {
    /// The period's first and last day (`YYYY-MM-DD`, the shop's time zone), both included.
    pub from: String,
    pub to: String,
    /// The shop's time zone, which the days follow.
    pub time_zone: String,
    /// Whether the widget reports events now (visits are missing while it does not).
    pub events: bool,
    /// Every day of the period, oldest first.
    pub daily: Vec<DayFigures>,
    pub traffic: Traffic,
    pub delivery: DeliveryFigures,
    pub returns: ReturnFigures,
    pub reviews: ReviewFigures,
    pub referral: ReferralFigures,
    pub nps: NpsFigures,
    pub retention: Retention,
}

/// One day: orders placed and the widget's visits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DayFigures {
    pub day: String,
    pub orders: u32,
    /// Pages opened that day, of any order.
    pub visits: u32,
}

/// How much "where is my order?" the widget answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Traffic {
    /// Orders placed in the period.
    pub orders: u32,
    /// Of those, the ones whose page was opened at least once (by now).
    pub orders_opened: u32,
    /// `orders_opened / orders`, 0 to 1; `null` without orders.
    pub opened_share: Option<f64>,
    /// Visits in the period, of any order.
    pub visits: u32,
    /// Visits of the period's orders per order opened; `null` when none was.
    pub visits_per_order: Option<f64>,
    /// Follow-ups opened in the period, by module, most first.
    pub modules_opened: Vec<Count>,
}

/// A name and how often it came up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Count {
    pub name: String,
    pub count: u32,
}

/// An amount in one currency, in its minor unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Money {
    pub currency: String,
    pub amount: i64,
}

/// The parcels of the period's orders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeliveryFigures {
    pub parcels: u32,
    pub delivered: u32,
    /// Delivered parcels of orders with a promised window, and of those the ones delivered
    /// on or before its last day.
    pub promised: u32,
    pub on_time: u32,
    /// `on_time / promised`; `null` when nothing promised was delivered.
    pub on_time_rate: Option<f64>,
    /// Parcels that had a problem on the way (damage, loss, an exception).
    pub exceptions: u32,
    /// Parcels the carrier failed to deliver at least once.
    pub failed_attempts: u32,
    pub carriers: Vec<CarrierFigures>,
    /// Parcels whose shopper chose how it arrives, by kind, most first.
    pub choices: Vec<Count>,
    /// Parcels with a choice over all parcels, 0 to 1; `null` without parcels.
    pub choice_uptake: Option<f64>,
    /// The period's delivery slots: places offered and taken.
    pub slot_places: u32,
    pub slots_taken: u32,
    /// `slots_taken / slot_places`; `null` without slots.
    pub slot_fill: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CarrierFigures {
    pub carrier: String,
    pub parcels: u32,
    pub delivered: u32,
    /// Days from the order to the parcel's delivery, on average; `null` before one arrived.
    pub average_days: Option<f64>,
    pub exceptions: u32,
    pub failed_attempts: u32,
}

/// The returns of the period's orders (cancelled ones left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReturnFigures {
    pub returns: u32,
    /// Orders with at least one return.
    pub orders_returned: u32,
    /// `orders_returned / orders`; `null` without orders.
    pub return_rate: Option<f64>,
    /// Items returned by the shopper's reason, most first.
    pub by_reason: Vec<Count>,
    /// Items returned by product name, most first.
    pub by_product: Vec<Count>,
    /// What stayed with the shop: exchanges and store credit (requested or further,
    /// rejected ones left out).
    pub kept: Vec<Money>,
    /// What goes back to the shoppers' payments.
    pub refunded: Vec<Money>,
}

/// Reviews of the period's items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewFigures {
    /// Lines ordered in the period.
    pub items: u32,
    pub reviewed: u32,
    /// `reviewed / items`; `null` without items.
    pub review_rate: Option<f64>,
    /// Average stars, 1 to 5; `null` without reviews.
    pub average: Option<f64>,
    /// How many reviews gave 1, 2, 3, 4 and 5 stars.
    pub stars: [u32; 5],
}

/// Codes shown → links passed on → friends' orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReferralFigures {
    /// Shoppers who got their code in the period.
    pub codes_shown: u32,
    pub links_copied: u32,
    pub shared: u32,
    /// Codes redeemed at checkout in the period.
    pub redemptions: u32,
    /// Orders placed in the period by customers who came with a code.
    pub friends_orders: u32,
    pub friends_revenue: Vec<Money>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NpsFigures {
    /// Answers in the period.
    pub answers: u32,
    /// Promoters minus detractors in percent; `null` without answers.
    pub nps: Option<f64>,
    /// Fewer than 30 answers: the score says little yet.
    pub few_answers: bool,
    pub promoters: u32,
    pub passives: u32,
    pub detractors: u32,
    /// Week by week (from Monday), oldest first, weeks with answers only.
    pub weekly: Vec<NpsWeek>,
    /// "How did you hear about us", answers in the period, most first.
    pub heard: Vec<HeardCount>,
}

/// Whether shoppers come back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Retention {
    pub orders: u32,
    /// Orders of customers who had ordered before.
    pub repeat_orders: u32,
    /// `repeat_orders / orders`; `null` without orders.
    pub repeat_rate: Option<f64>,
    /// Second orders placed in the period, and the days from each customer's first
    /// order to it: the median.
    pub second_orders: u32,
    pub median_days_to_second: Option<f64>,
}

/// The tables of the dashboard, each its own CSV download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AnalyticsTable {
    /// Every figure of the period, one per row.
    Summary,
    Daily,
    Carriers,
    Choices,
    Modules,
    ReturnReasons,
    ReturnProducts,
    Stars,
    NpsWeekly,
    Heard,
}

impl AnalyticsTable {
    pub const ALL: [AnalyticsTable; 10] = [
        AnalyticsTable::Summary,
        AnalyticsTable::Daily,
        AnalyticsTable::Carriers,
        AnalyticsTable::Choices,
        AnalyticsTable::Modules,
        AnalyticsTable::ReturnReasons,
        AnalyticsTable::ReturnProducts,
        AnalyticsTable::Stars,
        AnalyticsTable::NpsWeekly,
        AnalyticsTable::Heard,
    ];

    /// Its name in the download's address and file name.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalyticsTable::Summary => "summary",
            AnalyticsTable::Daily => "daily",
            AnalyticsTable::Carriers => "carriers",
            AnalyticsTable::Choices => "choices",
            AnalyticsTable::Modules => "modules",
            AnalyticsTable::ReturnReasons => "return_reasons",
            AnalyticsTable::ReturnProducts => "return_products",
            AnalyticsTable::Stars => "stars",
            AnalyticsTable::NpsWeekly => "nps_weekly",
            AnalyticsTable::Heard => "heard",
        }
    }

    pub fn parse(name: &str) -> Option<AnalyticsTable> {
        AnalyticsTable::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The longest period the dashboard takes, in days.
pub const ANALYTICS_MAX_DAYS: i64 = 366;
