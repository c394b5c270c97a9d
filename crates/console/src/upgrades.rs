//! Faster delivery: what the shop offers before dispatch (owners: price, cut-off and
//! places a day per kind), and the shoppers' requests, each confirmed (with the shop's own
//! payment link, if it charges that way) or refused with words for the shopper.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{
    AdminUpgrade, UpgradeDecision, UpgradeKind, UpgradeOffer, UpgradeSettings, UpgradeStatus,
};

use crate::api::{self, Session};
use crate::i18n::{self, Key, T};
use crate::parts::{after_naming, fetched, filter, said, shown, wire, with_status, Message, Said};

const SETTINGS: &str = "/api/v1/admin/upgrade-settings";
const QUEUE: &str = "/api/v1/admin/upgrades";

const KINDS: [UpgradeKind; 3] = [
    UpgradeKind::NextDay,
    UpgradeKind::SameDay,
    UpgradeKind::Evening,
];
const STATUSES: [UpgradeStatus; 3] = [
    UpgradeStatus::Requested,
    UpgradeStatus::Confirmed,
    UpgradeStatus::Refused,
];

fn kind_name(kind: UpgradeKind) -> Key {
    match kind {
        UpgradeKind::NextDay => Key::UpgradeNextDay,
        UpgradeKind::SameDay => Key::UpgradeSameDay,
        UpgradeKind::Evening => Key::UpgradeEvening,
    }
}

fn status_name(status: UpgradeStatus) -> Key {
    match status {
        UpgradeStatus::Requested => Key::ChangeRequested,
        UpgradeStatus::Confirmed => Key::UpgradeConfirmed,
        UpgradeStatus::Refused => Key::ChangeRefused,
    }
}

/// The page: the offers (owners), then the requests, those waiting first shown.
#[component]
pub fn Upgrades() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let status = RwSignal::new(wire(UpgradeStatus::Requested));
    let (queue, _) = fetched(move || {
        let path = with_status(QUEUE, &status.get());
        async move { session.get::<Vec<AdminUpgrade>>(&path).await }
    });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Upgrades)}</h1>
        {move || session.is_owner().then(|| view! { <Offers /> })}
        {filter(t, Key::Status, status, &STATUSES, status_name)}
        <Message said=said_here />
        {shown(queue, move |list: Vec<AdminUpgrade>| {
            if list.is_empty() {
                return view! { <p role="status">{t.get(Key::NoUpgrades)}</p> }.into_any();
            }
            list.into_iter()
                .map(|upgrade| view! { <Request upgrade said_here /> })
                .collect_view()
                .into_any()
        })}
    }
}

/// One kind's fields in the offers form.
#[derive(Clone, Copy)]
struct Row {
    kind: UpgradeKind,
    on: RwSignal<bool>,
    price: RwSignal<String>,
    cut_off: RwSignal<String>,
    places: RwSignal<String>,
}

/// Which kinds the shop offers, each with its price, cut-off and places a day.
#[component]
fn Offers() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (settings, reload) =
        fetched(move || async move { session.get::<UpgradeSettings>(SETTINGS).await });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <section aria-labelledby="upgrade-offers">
            <h2 id="upgrade-offers">{move || t.get(Key::UpgradeOffers)}</h2>
            <Message said=said_here />
            {shown(settings, move |s: UpgradeSettings| {
                let currency = RwSignal::new(
                    s.offers.first().map_or("EUR".to_owned(), |o| o.currency.clone()),
                );
                let rows = KINDS.map(|kind| {
                    let o = s.offers.iter().find(|o| o.kind == kind);
                    Row {
                        kind,
                        on: RwSignal::new(o.is_some()),
                        price: RwSignal::new(
                            o.map(|o| format!("{:.2}", o.price as f64 / 100.0)).unwrap_or_default(),
                        ),
                        cut_off: RwSignal::new(o.map_or("16:00".into(), |o| o.cut_off.clone())),
                        places: RwSignal::new(o.map_or(20, |o| o.daily_capacity).to_string()),
                    }
                });
                let submit = move |e: ev::SubmitEvent| {
                    e.prevent_default();
                    // What the fields let through but the server refuses is named by its
                    // answer.
                    let offers = rows
                        .iter()
                        .filter(|r| r.on.get_untracked())
                        .map(|r| UpgradeOffer {
                            kind: r.kind,
                            price: r
                                .price
                                .get_untracked()
                                .trim()
                                .replace(',', ".")
                                .parse::<f64>()
                                .map_or(-1, |p| (p * 100.0).round() as i64),
                            currency: currency.get_untracked().trim().to_uppercase(),
                            cut_off: r.cut_off.get_untracked(),
                            daily_capacity: r.places.get_untracked().trim().parse().unwrap_or(0),
                        })
                        .collect();
                    let asked = UpgradeSettings { offers };
                    let change = async move {
                        session
                            .change::<_, UpgradeSettings>(Method::PUT, SETTINGS, Some(&asked))
                            .await
                    };
                    after_naming(t, said_here, reload, Key::Saved, |field| field, change);
                };
                view! {
                    <form class="card stack" on:submit=submit>
                        {rows
                            .into_iter()
                            .map(|r| view! {
                                <fieldset>
                                    <legend>{t.get(kind_name(r.kind))}</legend>
                                    <label class="check">
                                        <input type="checkbox" bind:checked=r.on />
                                        <span>{t.get(Key::UpgradeOffer)}</span>
                                    </label>
                                    <label>
                                        <span>{t.get(Key::Price)}</span>
                                        <input inputmode="decimal" class="short" bind:value=r.price />
                                    </label>
                                    <label>
                                        <span>{t.get(Key::UpgradeCutOff)}</span>
                                        <input type="time" bind:value=r.cut_off />
                                    </label>
                                    <label>
                                        <span>{t.get(Key::UpgradePlaces)}</span>
                                        <input type="number" min="1" max="10000" class="short"
                                            bind:value=r.places />
                                    </label>
                                </fieldset>
                            })
                            .collect_view()}
                        <label>
                            <span>{t.get(Key::UpgradeCurrency)}</span>
                            <input maxlength="3" class="short" bind:value=currency />
                        </label>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
        </section>
    }
}

/// One request: which upgrade for which day and price, by whom and when, where it stands,
/// and while it waits the shop's answer.
#[component]
fn Request(upgrade: AdminUpgrade, said_here: RwSignal<Option<Said>>) -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let heading = format!("upgrade-{}", upgrade.id);
    let id = heading.clone();
    let path = format!("{QUEUE}/{}/decision", upgrade.id);
    let current = RwSignal::new(upgrade);
    let link = RwSignal::new(String::new());
    let words = RwSignal::new(String::new());
    let decide = move |confirm: bool| {
        let text = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty())
        };
        let decision = UpgradeDecision {
            confirm,
            pay_url: text(link).filter(|_| confirm),
            message: text(words),
        };
        let (path, heading) = (path.clone(), heading.clone());
        spawn_local(async move {
            let result = session
                .change::<_, AdminUpgrade>(Method::POST, &path, Some(&decision))
                .await;
            said_here.set(Some(said(t, &result, Key::Saved)));
            if let Ok(Some(now)) = result {
                current.set(now);
                // The buttons are gone: the keyboard goes on from the request.
                request_animation_frame(move || crate::changes::focus(&heading));
            }
        });
    };
    move || {
        let c = current.get();
        let lang = t.lang();
        let r = &c.request;
        let field = |name: &str| format!("{id}-{name}");
        let decide = decide.clone();
        view! {
            <article class="card" aria-labelledby=id.clone()>
                <h2 id=id.clone() tabindex="-1">
                    {t.get(kind_name(r.kind))} " "
                    <a href=api::order_href(&c.order_number)>
                        {t.fill(Key::OfOrder, &[("number", &c.order_number)])}
                    </a>
                </h2>
                <p>
                    <strong>{t.get(status_name(r.status))}</strong> " · "
                    {t.fill(Key::ChangeAsked, &[
                        ("name", &c.first_name),
                        ("email", &c.email),
                        ("date", &i18n::when(lang, &c.requested_at, true)),
                    ])}
                </p>
                <p>{t.fill(Key::UpgradeFor, &[
                    ("date", &i18n::when(lang, &format!("{}T12:00:00Z", r.delivery_on), false)),
                    ("price", &i18n::money(lang, r.price, &r.currency)),
                ])}</p>
                {r.pay_url.clone().map(|u| view! { <p class="quiet">{u}</p> })}
                {r.message.clone().map(|m| view! { <p class="quiet">{t.fill(Key::ChangeSaid, &[("message", &m)])}</p> })}
                {(r.status == UpgradeStatus::Requested).then(|| {
                    let refuse = decide.clone();
                    view! {
                        <form class="inline" on:submit=|e| e.prevent_default()>
                            <label for=field("pay")>{t.get(Key::UpgradePayUrl)}</label>
                            <input id=field("pay") type="url" maxlength="500" bind:value=link />
                            <label for=field("message")>{t.get(Key::ChangeMessage)}</label>
                            <input id=field("message") maxlength="300" bind:value=words />
                            <button type="button" on:click=move |_| decide(true)>{t.get(Key::Confirm)}</button>
                            <button type="button" on:click=move |_| refuse(false)>{t.get(Key::Refuse)}</button>
                        </form>
                    }
                })}
            </article>
        }
    }
}
