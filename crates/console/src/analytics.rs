//! The analytics dashboard: one period of days (the last 7, 30, 60 or 90, or chosen dates)
//! for everything on it: the headline figures, orders and visits per day as a chart, and
//! tables with bars for delivery, choices, returns, stars, the referral, the survey and
//! the follow-ups opened, each downloadable as CSV for the same days. Every chart is also
//! a table, so the numbers read without seeing the bars.

use std::sync::Arc;

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{Analytics, AnalyticsSettings, AnalyticsTable, Count, DayFigures, Money};

use crate::api::{self, Failure, Session};
use crate::i18n::{self, Key, Lang, T};
use crate::parts::{bar, fetched, said, shown, Message, Reload, Said};

const PATH: &str = "/api/v1/admin/analytics";
const SETTINGS: &str = "/api/v1/admin/analytics-settings";
/// The server's period when none is asked for: the last 30 days, ending today.
const DEFAULT_DAYS: u32 = 30;
const PRESETS: [u32; 4] = [7, 30, 60, 90];
/// The chart's drawing area (SVG units): its width, and the height of each of its panels.
const WIDTH: f64 = 720.0;
const PANEL: f64 = 80.0;

/// The days the figures cover.
#[derive(Clone, Debug, PartialEq)]
enum Period {
    /// The last days, today included.
    Last(u32),
    /// From one date to another, both included (`YYYY-MM-DD`, as the date fields give them).
    Dates(String, String),
}

impl Period {
    /// The query asking the API for the period. A preset other than the server's default
    /// needs the shop's today (the last day of the default answer); the default stands in
    /// until that is known.
    fn query(&self, today: Option<&str>) -> String {
        let (from, to) = match (self, today) {
            (Period::Dates(from, to), _) => (from.clone(), to.clone()),
            (Period::Last(days), Some(today)) if *days != DEFAULT_DAYS => {
                match days_before(today, i64::from(days.saturating_sub(1))) {
                    Some(from) => (from, today.to_owned()),
                    None => return String::new(),
                }
            }
            _ => return String::new(),
        };
        format!("?from={}&to={}", api::encode(&from), api::encode(&to))
    }
}

/// The date `days` before `date` (both `YYYY-MM-DD`), in the proleptic Gregorian calendar.
fn days_before(date: &str, days: i64) -> Option<String> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days since 1970-01-01 and back (Howard Hinnant's `days_from_civil`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let z = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468 - days;
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// What stands for a figure that has no value (nothing to divide by).
const NONE: &str = "—";

fn percent(lang: Lang, share: Option<f64>) -> String {
    share.map_or_else(|| NONE.to_owned(), |s| i18n::percent(lang, s))
}

fn decimal(lang: Lang, value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_owned(), |v| i18n::decimal(lang, v))
}

/// A net promoter score, signed: +42, 0, -10.
fn score(nps: f64) -> String {
    match nps.round() as i64 {
        0 => "0".to_owned(),
        n => format!("{n:+}"),
    }
}

/// Amounts in several currencies, one after the other.
fn amounts(lang: Lang, list: &[Money]) -> String {
    if list.is_empty() {
        return NONE.to_owned();
    }
    list.iter()
        .map(|m| i18n::money(lang, m.amount, &m.currency))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `YYYY-MM-DD` day as the language writes a date.
fn day(lang: Lang, day: &str) -> String {
    i18n::when(lang, &format!("{day}T12:00:00Z"), false)
}

/// The server's refusal of a period, with the fields it names.
fn refusal(t: T, failure: &Failure) -> String {
    failure.say_naming(t, |field| match field {
        "from" => t.get(Key::PeriodFrom),
        "to" => t.get(Key::PeriodTo),
        other => other,
    })
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let period = RwSignal::new(Period::Last(DEFAULT_DAYS));
    let today = RwSignal::new(None::<String>);
    let query = Memo::new(move |_| today.with(|day| period.with(|p| p.query(day.as_deref()))));
    let refused = RwSignal::new(None::<Failure>);
    let last = StoredValue::new(None::<Arc<Analytics>>);
    let (figures, reload) = fetched(move || {
        let query = query.get();
        async move {
            match session
                .get::<Analytics>(&format!("{PATH}{query}"))
                .await
                .map(Arc::new)
            {
                Ok(a) => {
                    if query.is_empty() && today.get_untracked().as_deref() != Some(&*a.to) {
                        today.set(Some(a.to.clone()));
                    }
                    refused.set(None);
                    last.set_value(Some(a.clone()));
                    Ok(a)
                }
                // Days the server refuses: the picker says why, the figures shown stay.
                Err(failure @ Failure::Api { status: 422, .. }) => {
                    refused.set(Some(failure.clone()));
                    last.get_value().ok_or(failure)
                }
                Err(failure) => Err(failure),
            }
        }
    });
    let choice = RwSignal::new(DEFAULT_DAYS.to_string());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let choose = move |e: ev::Event| {
        let value = event_target_value(&e);
        choice.set(value.clone());
        match value.parse() {
            Ok(days) => period.set(Period::Last(days)),
            // Chosen dates start from the days shown.
            Err(_) => {
                if let Some(a) = last.get_value().filter(|_| from.get_untracked().is_empty()) {
                    from.set(a.from.clone());
                    to.set(a.to.clone());
                }
            }
        }
    };
    let apply = move |e: ev::SubmitEvent| {
        e.prevent_default();
        period.set(Period::Dates(from.get_untracked(), to.get_untracked()));
    };
    let invalid = move |field: &'static str| {
        move || {
            refused.with(|r| match r {
                Some(Failure::Api { fields, .. }) => {
                    fields.iter().any(|f| f.field == field).then_some("true")
                }
                _ => None,
            })
        }
    };
    view! {
        <h1 tabindex="-1">{t.text(Key::Analytics)}</h1>
        <form class="filters" on:submit=apply>
            // Labels by `for`, so that a control's name is its label alone.
            <div class="field">
                <label for="period">{t.text(Key::Period)}</label>
                <select id="period" on:change=choose>
                    {PRESETS
                        .map(|days| {
                            view! {
                                <option value=days.to_string() selected={days == DEFAULT_DAYS}>
                                    {move || t.fill(Key::LastDays, &[("days", &days.to_string())])}
                                </option>
                            }
                        })
                        .collect_view()}
                    <option value="custom">{t.text(Key::CustomPeriod)}</option>
                </select>
            </div>
            <div class="more" hidden=move || choice.get() != "custom">
                <div class="field">
                    <label for="period-from">{t.text(Key::PeriodFrom)}</label>
                    <input
                        id="period-from"
                        type="date"
                        required
                        aria-invalid=invalid("from")
                        aria-describedby="period-refused"
                        bind:value=from
                    />
                </div>
                <div class="field">
                    <label for="period-to">{t.text(Key::PeriodTo)}</label>
                    <input
                        id="period-to"
                        type="date"
                        required
                        aria-invalid=invalid("to")
                        aria-describedby="period-refused"
                        bind:value=to
                    />
                </div>
                <button type="submit">{t.text(Key::Apply)}</button>
            </div>
            <p class="message failure" id="period-refused" role="alert">
                {move || refused.with(|r| r.as_ref().map(|f| refusal(t, f)).unwrap_or_default())}
            </p>
        </form>
        {move || session.is_owner().then(|| view! { <VisitCounting reload /> })}
        {shown(figures, move |a: Arc<Analytics>| dashboard(t, &a))}
    }
}

/// Whether the widget counts its visits (owners only), saved as soon as it is changed;
/// the figures load again to show it. Disabled until the setting is known.
#[component]
fn VisitCounting(reload: Reload) -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let said_here = RwSignal::new(None::<Said>);
    let events = RwSignal::new(None::<bool>);
    spawn_local(async move {
        match session.get::<AnalyticsSettings>(SETTINGS).await {
            Ok(s) => events.set(Some(s.events)),
            Err(failure) => said_here.set(Some(Said::Failed(failure.say(t)))),
        }
    });
    let change = move |e: ev::Event| {
        let on = event_target_checked(&e);
        let done = if on {
            Key::CountingOn
        } else {
            Key::CountingOff
        };
        spawn_local(async move {
            let settings = AnalyticsSettings { events: on };
            let result = session
                .change::<_, AnalyticsSettings>(Method::PUT, SETTINGS, Some(&settings))
                .await;
            events.set(Some(result.is_ok() == on));
            said_here.set(Some(said(t, &result, done)));
            reload.again();
        });
    };
    view! {
        <label class="check">
            <input
                type="checkbox"
                disabled=move || events.get().is_none()
                prop:checked=move || events.get() == Some(true)
                on:change=change
            />
            <span>{t.text(Key::CountVisits)}</span>
        </label>
        <Message said=said_here />
    }
}

/// A row of a table: its heading, its numbers, and last, if any, words with a bar
/// (0–100 %).
struct Row {
    head: String,
    numbers: Vec<String>,
    bar: Option<(String, f64)>,
}

impl Row {
    fn new(head: String, numbers: Vec<String>) -> Row {
        Row {
            head,
            numbers,
            bar: None,
        }
    }

    fn bar(mut self, words: String, percent: f64) -> Row {
        self.bar = Some((words, percent));
        self
    }

    /// A share of 1 in words and as a bar.
    fn share(self, lang: Lang, share: Option<f64>) -> Row {
        self.bar(percent(lang, share), share.unwrap_or(0.0) * 100.0)
    }

    fn view(self) -> impl IntoView {
        view! {
            <tr>
                <th scope="row">{self.head}</th>
                {self
                    .numbers
                    .into_iter()
                    .map(|n| view! { <td class="amount">{n}</td> })
                    .collect_view()}
                {self
                    .bar
                    .map(|(words, percent)| {
                        view! {
                            <td class="with-bar">
                                <span>{words}</span>
                                {bar(percent)}
                            </td>
                        }
                    })}
            </tr>
        }
    }
}

/// A table with its column headings (`true`: numbers, set to the end), rows, and a last
/// row of totals if any. Every table of the dashboard is one, so the page costs the
/// bundle one kind of table.
fn table(t: T, heads: &[(Key, bool)], rows: Vec<Row>, total: Option<Row>) -> AnyView {
    view! {
        <table>
            <thead>
                <tr>
                    {heads
                        .iter()
                        .map(|&(head, number)| {
                            view! {
                                <th scope="col" class=if number { "amount" } else { "" }>
                                    {t.get(head)}
                                </th>
                            }
                        })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>{rows.into_iter().map(Row::view).collect_view()}</tbody>
            {total.map(|row| view! { <tfoot>{row.view()}</tfoot> })}
        </table>
    }
    .into_any()
}

/// Labelled figures: a `<dt>` each and its value in a `<dd>` named by `data-figure`, with
/// a note under it if any.
fn figures(t: T, list: Vec<(Key, &'static str, String, Option<Key>)>) -> AnyView {
    view! {
        <dl class="figures">
            {list
                .into_iter()
                .map(|(label, name, value, note)| {
                    view! {
                        <div>
                            <dt>{t.get(label)}</dt>
                            <dd data-figure=name>{value}</dd>
                            {note.map(|note| view! { <dd class="quiet">{t.get(note)}</dd> })}
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
    .into_any()
}

/// Everything the period's answer shows.
fn dashboard(t: T, a: &Analytics) -> impl IntoView {
    let lang = t.lang();
    let q = format!("?from={}&to={}", a.from, a.to);
    let q = q.as_str();
    let shown_days = t.fill(
        Key::PeriodShown,
        &[
            ("from", &day(lang, &a.from)),
            ("to", &day(lang, &a.to)),
            ("zone", &a.time_zone),
        ],
    );
    let d = &a.delivery;
    let r = &a.referral;
    let choices = d
        .choices
        .iter()
        .map(|c| (choice_name(t, &c.name), c.count))
        .collect();
    let slots = t.fill(
        Key::SlotFill,
        &[
            ("share", &percent(lang, d.slot_fill)),
            ("taken", &d.slots_taken.to_string()),
            ("places", &d.slot_places.to_string()),
        ],
    );
    let listed = |list: &[Count]| -> Vec<(String, u32)> {
        list.iter().map(|c| (c.name.clone(), c.count)).collect()
    };
    let stars = (1..=5u32)
        .zip(a.reviews.stars)
        .map(|(n, count)| (t.fill(Key::Stars, &[("count", &n.to_string())]), count))
        .collect();
    let funnel = [
        (Key::CodesShown, r.codes_shown),
        (Key::LinksCopied, r.links_copied),
        (Key::LinksShared, r.shared),
        (Key::Redemptions, r.redemptions),
        (Key::FriendsOrders, r.friends_orders),
    ]
    .map(|(k, n)| (t.get(k).to_owned(), n))
    .to_vec();
    let heard = a
        .nps
        .heard
        .iter()
        .map(|h| {
            let option = if h.option == "other" {
                t.get(Key::HeardOther).to_owned()
            } else {
                h.option.clone()
            };
            (option, h.count)
        })
        .collect();
    let modules = a
        .traffic
        .modules_opened
        .iter()
        .map(|m| (module_name(t, &m.name), m.count))
        .collect();
    let money = figures(
        t,
        vec![
            (Key::MoneyKept, "kept", amounts(lang, &a.returns.kept), None),
            (
                Key::MoneyRefunded,
                "refunded",
                amounts(lang, &a.returns.refunded),
                None,
            ),
        ],
    );
    let uptake = t.fill(
        Key::ChoiceUptake,
        &[("share", &percent(lang, d.choice_uptake))],
    );
    let revenue = t.fill(
        Key::FriendsRevenue,
        &[("amount", &amounts(lang, &r.friends_revenue))],
    );
    view! {
        <div class="dashboard">
        <p class="lead">{shown_days}</p>
        <p class="hint">{t.get(Key::PeriodHint)}</p>
        {(!a.events).then(|| view! { <p class="notice">{t.get(Key::EventsOff)}</p> })}
        {section(t, "figures", Key::Headline, Some((AnalyticsTable::Summary, Key::AllFigures)), q, headline(t, a))}
        {section(t, "daily", Key::PerDay, Some((AnalyticsTable::Daily, Key::PerDay)), q, per_day(t, a))}
        {section(t, "carriers", Key::Carriers, Some((AnalyticsTable::Carriers, Key::Carriers)), q, carriers(t, a))}
        {section(
            t,
            "choices",
            Key::Choices,
            Some((AnalyticsTable::Choices, Key::Choices)),
            q,
            with_notes(counts(t, [Key::ChoiceKind, Key::Parcels, Key::ShareOfParcels], choices, Some(d.parcels)), [uptake, slots]),
        )}
        <div class="pair">
            {section(t, "return-reasons", Key::ReturnsByReason, Some((AnalyticsTable::ReturnReasons, Key::ReturnsByReason)), q, counts(t, [Key::Reason, Key::Items, Key::Share], listed(&a.returns.by_reason), None))}
            {section(t, "return-products", Key::ReturnsByProduct, Some((AnalyticsTable::ReturnProducts, Key::ReturnsByProduct)), q, counts(t, [Key::Product, Key::Items, Key::Share], listed(&a.returns.by_product), None))}
        </div>
        {section(t, "return-money", Key::ReturnMoney, None, q, money)}
        <div class="pair">
            {section(t, "stars", Key::StarsGiven, Some((AnalyticsTable::Stars, Key::StarsGiven)), q, counts(t, [Key::StarsGiven, Key::Reviews, Key::Share], stars, None))}
            {section(
                t,
                "referral",
                Key::ReferralFunnel,
                None,
                q,
                with_notes(counts(t, [Key::Step, Key::Count, Key::OfCodesShown], funnel, Some(r.codes_shown)), [revenue, String::new()]),
            )}
        </div>
        <div class="pair">
            {section(t, "nps-weekly", Key::NpsWeekly, Some((AnalyticsTable::NpsWeekly, Key::NpsWeekly)), q, weekly(t, a))}
            {section(t, "heard", Key::HeardTitle, Some((AnalyticsTable::Heard, Key::HeardTitle)), q, counts(t, [Key::HeardThrough, Key::AnswersCount, Key::Share], heard, None))}
        </div>
        {section(t, "modules", Key::ModulesOpened, Some((AnalyticsTable::Modules, Key::ModulesOpened)), q, counts(t, [Key::Module, Key::TimesOpened, Key::Share], modules, None))}
        </div>
    }
}

fn choice_name(t: T, kind: &str) -> String {
    let key = match kind {
        "slot" => Key::ChoiceSlot,
        "neighbour" => Key::ChoiceNeighbour,
        "safe_place" => Key::ChoiceSafePlace,
        "pickup_point" => Key::ChoicePickupPoint,
        "another_day" => Key::ChoiceAnotherDay,
        other => return other.to_owned(),
    };
    t.get(key).to_owned()
}

fn module_name(t: T, module: &str) -> String {
    let key = match module {
        "returns" => Key::Returns,
        "reviews" => Key::Reviews,
        "referral" => Key::Referral,
        "survey" => Key::Survey,
        "loyalty" => Key::Loyalty,
        "care" => Key::CareModule,
        "pairs" => Key::PairsModule,
        "unboxing" => Key::Unboxing,
        "upgrade" => Key::Upgrades,
        other => return other.to_owned(),
    };
    t.get(key).to_owned()
}

/// A part of the dashboard: its heading (`id` ties it to the section), beside it the link
/// to its table as CSV for the days shown (`q`), named with `csv`'s text, then `body`.
fn section(
    t: T,
    id: &'static str,
    title: Key,
    csv: Option<(AnalyticsTable, Key)>,
    q: &str,
    body: AnyView,
) -> AnyView {
    let id = format!("analytics-{id}");
    let heading = id.clone();
    // Named after its table: "Download CSV: Delivery per carrier".
    let link = csv.map(|(table, name)| {
        let href = format!("{PATH}/{}{q}", table.as_str());
        let label = format!("{}: {}", t.get(Key::DownloadCsv), t.get(name));
        view! {
            <a class="download" download href=href aria-label=label>
                {t.get(Key::DownloadCsv)}
            </a>
        }
    });
    view! {
        <section aria-labelledby=heading>
            <div class="section-head">
                <h2 id=id>{t.get(title)}</h2>
                {link}
            </div>
            {body}
        </section>
    }
    .into_any()
}

/// The headline figures.
fn headline(t: T, a: &Analytics) -> AnyView {
    let lang = t.lang();
    let few = (a.nps.few_answers && a.nps.answers > 0).then_some(Key::FewAnswers);
    let list = vec![
        (
            Key::FigureOrders,
            "orders",
            a.traffic.orders.to_string(),
            None,
        ),
        (
            Key::FigureOpenedShare,
            "opened_share",
            percent(lang, a.traffic.opened_share),
            None,
        ),
        (
            Key::FigureVisitsPerOrder,
            "visits_per_order",
            decimal(lang, a.traffic.visits_per_order),
            None,
        ),
        (
            Key::FigureOnTime,
            "on_time_rate",
            percent(lang, a.delivery.on_time_rate),
            None,
        ),
        (
            Key::FigureReturnRate,
            "return_rate",
            percent(lang, a.returns.return_rate),
            None,
        ),
        (
            Key::FigureReviewRate,
            "review_rate",
            percent(lang, a.reviews.review_rate),
            None,
        ),
        (
            Key::FigureAverageStars,
            "average_stars",
            decimal(lang, a.reviews.average),
            None,
        ),
        (
            Key::FigureNps,
            "nps",
            a.nps.nps.map_or_else(|| NONE.to_owned(), score),
            None,
        ),
        (
            Key::FigureNpsAnswers,
            "nps_answers",
            a.nps.answers.to_string(),
            few,
        ),
        (
            Key::FigureRepeatRate,
            "repeat_rate",
            percent(lang, a.retention.repeat_rate),
            None,
        ),
        (
            Key::FigureMedianDays,
            "median_days_to_second",
            decimal(lang, a.retention.median_days_to_second),
            None,
        ),
    ];
    figures(t, list)
}

/// Orders and visits per day: a column chart (one panel each, every column with its
/// numbers as a tooltip), summed up in its label, and under it the same as a table.
fn per_day(t: T, a: &Analytics) -> AnyView {
    let lang = t.lang();
    let days = &a.daily;
    let orders: u32 = days.iter().map(|d| d.orders).sum();
    let visits: u32 = days.iter().map(|d| d.visits).sum();
    let label = t.fill(
        Key::ChartLabel,
        &[
            ("from", &a.from),
            ("to", &a.to),
            ("orders", &orders.to_string()),
            ("visits", &visits.to_string()),
        ],
    );
    let step = WIDTH / days.len().max(1) as f64;
    // SVG numbers to a tenth: shorter attributes, the same picture.
    let at = |v: f64| (v * 10.0).round() / 10.0;
    let panel = |top: f64, what: Key, class: &'static str, value: fn(&DayFigures) -> u32| {
        let max = days.iter().map(value).max().unwrap_or(0);
        let scale = PANEL / f64::from(max.max(1));
        let heading = t.fill(
            Key::ChartHighest,
            &[("what", t.get(what)), ("max", &max.to_string())],
        );
        view! {
            <text x="0" y={top - 6.0}>{heading}</text>
            <rect class="axis" x="0" y={top + PANEL} width=WIDTH height="1" />
            {days
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let height = at(f64::from(value(d)) * scale);
                    let tip = t.fill(
                        Key::ChartDay,
                        &[
                            ("day", &d.day),
                            ("orders", &d.orders.to_string()),
                            ("visits", &d.visits.to_string()),
                        ],
                    );
                    view! {
                        <rect
                            class=class
                            x={at(i as f64 * step + step * 0.1)}
                            y={at(top + PANEL - height)}
                            width={at(step * 0.8)}
                            height=height
                        >
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect_view()}
        }
    };
    let first = days.first().map(|d| day(lang, &d.day)).unwrap_or_default();
    let last = days.last().map(|d| day(lang, &d.day)).unwrap_or_default();
    let rows = days
        .iter()
        .map(|d| {
            Row::new(
                day(lang, &d.day),
                vec![d.orders.to_string(), d.visits.to_string()],
            )
        })
        .collect();
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {}", 2.0 * PANEL + 74.0)
            role="img"
            aria-label=label
        >
            {panel(20.0, Key::Orders, "orders", |d| d.orders)}
            {panel(PANEL + 50.0, Key::Visits, "visits", |d| d.visits)}
            <text x="0" y={2.0 * PANEL + 70.0}>{first}</text>
            <text x=WIDTH y={2.0 * PANEL + 70.0} text-anchor="end">{last}</text>
        </svg>
        <details>
            <summary>{t.get(Key::DayTable)}</summary>
            {table(t, &[(Key::Date, false), (Key::Orders, true), (Key::Visits, true)], rows, None)}
        </details>
    }
    .into_any()
}

/// The parcels of each carrier, and of all together.
fn carriers(t: T, a: &Analytics) -> AnyView {
    let lang = t.lang();
    let d = &a.delivery;
    if d.carriers.is_empty() {
        return nothing(t);
    }
    let all = d.parcels;
    let rows = d
        .carriers
        .iter()
        .map(|c| {
            Row::new(
                c.carrier.clone(),
                vec![
                    c.parcels.to_string(),
                    c.delivered.to_string(),
                    decimal(lang, c.average_days),
                    c.exceptions.to_string(),
                    c.failed_attempts.to_string(),
                ],
            )
            .share(
                lang,
                (all > 0).then(|| f64::from(c.parcels) / f64::from(all)),
            )
        })
        .collect();
    let total = Row::new(
        t.get(Key::AllCarriers).to_owned(),
        vec![
            d.parcels.to_string(),
            d.delivered.to_string(),
            NONE.to_owned(),
            d.exceptions.to_string(),
            d.failed_attempts.to_string(),
        ],
    )
    .share(lang, (all > 0).then_some(1.0));
    let heads = [
        (Key::Carrier, false),
        (Key::Parcels, true),
        (Key::StageDelivered, true),
        (Key::AverageDays, true),
        (Key::Exceptions, true),
        (Key::FailedAttempts, true),
        (Key::ShareOfParcels, false),
    ];
    table(t, &heads, rows, Some(total))
}

/// Names with a count each and its share of `whole` (of all the counts when `None`),
/// under the headings `heads` (name, count, share).
fn counts(t: T, heads: [Key; 3], rows: Vec<(String, u32)>, whole: Option<u32>) -> AnyView {
    let sum = rows.iter().map(|(_, n)| n).sum();
    if sum == 0 {
        return nothing(t);
    }
    let whole = whole.unwrap_or(sum);
    let lang = t.lang();
    let rows = rows
        .into_iter()
        .map(|(name, n)| {
            let part = (whole > 0).then(|| f64::from(n) / f64::from(whole));
            Row::new(name, vec![n.to_string()]).share(lang, part)
        })
        .collect();
    let [name, count, share] = heads;
    table(
        t,
        &[(name, false), (count, true), (share, false)],
        rows,
        None,
    )
}

/// The net promoter score week by week, −100…+100 drawn as 0…100 %.
fn weekly(t: T, a: &Analytics) -> AnyView {
    let lang = t.lang();
    if a.nps.weekly.is_empty() {
        return nothing(t);
    }
    let rows = a
        .nps
        .weekly
        .iter()
        .map(|w| {
            Row::new(
                t.fill(Key::WeekOf, &[("date", &day(lang, &w.week))]),
                vec![w.answers.to_string()],
            )
            .bar(score(w.nps), (w.nps + 100.0) / 2.0)
        })
        .collect();
    let heads = [
        (Key::Date, false),
        (Key::AnswersCount, true),
        (Key::Score, false),
    ];
    table(t, &heads, rows, None)
}

/// `body` with a paragraph under it for each note that is not empty.
fn with_notes(body: AnyView, notes: [String; 2]) -> AnyView {
    let notes = notes
        .into_iter()
        .filter(|n| !n.is_empty())
        .map(|n| view! { <p>{n}</p> })
        .collect_view();
    view! {
        {body}
        {notes}
    }
    .into_any()
}

fn nothing(t: T) -> AnyView {
    view! { <p class="quiet">{t.get(Key::NothingHere)}</p> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_before_crosses_months_years_and_leap_days() {
        assert_eq!(days_before("2026-11-30", 29).as_deref(), Some("2026-11-01"));
        assert_eq!(days_before("2026-03-06", 6).as_deref(), Some("2026-02-28"));
        assert_eq!(days_before("2024-03-01", 1).as_deref(), Some("2024-02-29"));
        assert_eq!(days_before("2027-01-05", 89).as_deref(), Some("2026-10-08"));
        assert_eq!(
            days_before("2000-03-01", 366).as_deref(),
            Some("1999-03-01")
        );
        assert_eq!(days_before("2026-01-01", 0).as_deref(), Some("2026-01-01"));
        assert_eq!(days_before("not a date", 3), None);
        assert_eq!(days_before("2026-13-01", 3), None);
    }

    #[test]
    fn scores_are_signed_whole_numbers() {
        assert_eq!(score(41.6), "+42");
        assert_eq!(score(-0.3), "0");
        assert_eq!(score(-10.0), "-10");
    }
}
