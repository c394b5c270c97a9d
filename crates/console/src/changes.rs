//! Changing an order before it ships: the shop's terms (owner only, in Settings), the
//! queue of shoppers' requests to cancel or fix the address, each accepted or refused with
//! words for the shopper, and on an order's page its requests and "Picking started".

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{
    street_line, AdminChange, ChangeDecision, ChangeKind, ChangeSettings, ChangeStatus,
    OrderChanges,
};

use crate::api::{self, Failure, Session};
use crate::i18n::{self, Key, T};
use crate::parts::{
    after, after_naming, fetched, filter, said, shown, wire, with_status, Message, Reload, Said,
};

const SETTINGS: &str = "/api/v1/admin/change-settings";
const QUEUE: &str = "/api/v1/admin/changes";

const STATUSES: [ChangeStatus; 4] = [
    ChangeStatus::Requested,
    ChangeStatus::Accepted,
    ChangeStatus::Refused,
    ChangeStatus::Shipped,
];

pub fn change_status(status: ChangeStatus) -> Key {
    match status {
        ChangeStatus::Requested => Key::ChangeRequested,
        ChangeStatus::Accepted => Key::ChangeAccepted,
        ChangeStatus::Refused => Key::ChangeRefused,
        ChangeStatus::Shipped => Key::ChangeShipped,
    }
}

/// Whether shoppers may ask to cancel or fix the address, and for how many minutes after
/// ordering (empty: until picking starts). Owner only, in Settings.
#[component]
pub fn Terms() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (settings, reload) =
        fetched(move || async move { session.get::<ChangeSettings>(SETTINGS).await });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <section aria-labelledby="change-terms">
            <h2 id="change-terms">{move || t.get(Key::ChangeSettings)}</h2>
            <Message said=said_here />
            {shown(settings, move |s: ChangeSettings| {
                let cancel = RwSignal::new(s.cancel);
                let address = RwSignal::new(s.address);
                let window = RwSignal::new(s.window_minutes.map(|m| m.to_string()).unwrap_or_default());
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        let typed = window.get_untracked();
                        // A number the field lets through but the server refuses is named
                        // by its answer.
                        let asked = ChangeSettings {
                            cancel: cancel.get_untracked(),
                            address: address.get_untracked(),
                            window_minutes: (!typed.trim().is_empty())
                                .then(|| typed.trim().parse().unwrap_or(u32::MAX)),
                        };
                        let change = async move {
                            session
                                .change::<_, ChangeSettings>(Method::PUT, SETTINGS, Some(&asked))
                                .await
                        };
                        after_naming(t, said_here, reload, Key::Saved, move |field| match field {
                            "window_minutes" => t.get(Key::ChangeWindow),
                            other => other,
                        }, change);
                    }>
                        <label class="check">
                            <input type="checkbox" bind:checked=cancel />
                            <span>{t.get(Key::ChangeCancelOn)}</span>
                        </label>
                        <label class="check">
                            <input type="checkbox" bind:checked=address />
                            <span>{t.get(Key::ChangeAddressOn)}</span>
                        </label>
                        <label>
                            <span>{t.get(Key::ChangeWindow)}</span>
                            <input type="number" min="5" max="10080" class="short"
                                aria-describedby="change-window-hint" bind:value=window />
                        </label>
                        <p class="hint" id="change-window-hint">{t.get(Key::ChangeWindowHint)}</p>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
        </section>
    }
}

/// The shoppers' requests, those waiting first shown (or any status).
#[component]
pub fn Changes() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let status = RwSignal::new(wire(ChangeStatus::Requested));
    let (queue, reload) = fetched(move || {
        let path = with_status(QUEUE, &status.get());
        async move { session.get::<Vec<AdminChange>>(&path).await }
    });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Changes)}</h1>
        {filter(t, Key::Status, status, &STATUSES, change_status)}
        <Message said=said_here />
        {shown(queue, move |list: Vec<AdminChange>| {
            if list.is_empty() {
                return view! { <p role="status">{t.get(Key::NoChanges)}</p> }.into_any();
            }
            list.into_iter()
                .map(|change| view! { <Request change said_here reload /> })
                .collect_view()
                .into_any()
        })}
    }
}

/// An order's requests on its page, whether its shopper may still ask, and "Picking
/// started" while no parcel is registered.
#[component]
pub fn OfOrder(
    /// The order's number.
    number: String,
    /// Its requests, newest first.
    changes: Vec<AdminChange>,
    /// What its shopper may ask now, as their view says.
    open: Option<OrderChanges>,
    /// No parcel yet, not cancelled, and picking not yet started.
    before_picking: bool,
    /// The page's message.
    said_here: RwSignal<Option<Said>>,
    /// Loads the order again.
    reload: Reload,
) -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let lang = t.lang();
    // While a request waits, it says where things stand (its shopper may not ask another).
    let waiting = changes.iter().any(|c| c.status == ChangeStatus::Requested);
    let state = match open.filter(|o| o.cancel || o.address) {
        _ if waiting => None,
        Some(OrderChanges {
            until: Some(until), ..
        }) => Some(t.fill(
            Key::ChangeOpenUntil,
            &[("date", &i18n::when(lang, &until, true))],
        )),
        Some(_) => Some(t.get(Key::ChangeOpen).to_owned()),
        None => Some(t.get(Key::PickingHint).to_owned()),
    };
    let path = format!("/api/v1/admin/orders/{}/picking", api::encode(&number));
    let picking = move |_| {
        let path = path.clone();
        after(t, said_here, reload, Key::PickingNoted, async move {
            session.change::<(), ()>(Method::POST, &path, None).await
        });
    };
    view! {
        <section aria-labelledby="changes">
            <h2 id="changes">{t.get(Key::Changes)}</h2>
            {state.map(|s| view! { <p>{s}</p> })}
            {if changes.is_empty() {
                view! { <p class="quiet">{t.get(Key::NoChanges)}</p> }.into_any()
            } else {
                changes
                    .into_iter()
                    .map(|change| view! { <Request change said_here reload on_its_order=true /> })
                    .collect_view()
                    .into_any()
            }}
            {before_picking.then(|| view! {
                <div class="actions">
                    <button type="button" aria-describedby="picking-hint" on:click=picking>
                        {t.get(Key::Picking)}
                    </button>
                </div>
                <p class="hint" id="picking-hint">{t.get(Key::PickingHint)}</p>
            })}
        </section>
    }
}

/// One request: what is asked (the new address in full), by whom and when, where it
/// stands, and while it waits the shop's answer with words for the shopper.
#[component]
fn Request(
    change: AdminChange,
    /// The page's message: how the answer went.
    said_here: RwSignal<Option<Said>>,
    /// Loads the page's data again: after a refusal by the server (answered elsewhere, a
    /// parcel first), and on the order's page after every answer (its stage follows).
    reload: Reload,
    /// Shown on its order's page (a smaller heading, no link to the order).
    #[prop(optional)]
    on_its_order: bool,
) -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let heading = format!("change-{}", change.change);
    let path = format!("{QUEUE}/{}/decision", api::encode(&change.change));
    let current = RwSignal::new(change);
    let words = RwSignal::new(String::new());
    let decide = {
        let heading = heading.clone();
        move |accept: bool| {
            let text = words.get_untracked().trim().to_owned();
            let decision = ChangeDecision {
                accept,
                message: (!text.is_empty()).then_some(text),
            };
            let (path, heading) = (path.clone(), heading.clone());
            spawn_local(async move {
                let result = session
                    .change::<_, AdminChange>(Method::POST, &path, Some(&decision))
                    .await;
                said_here.set(Some(said(t, &result, Key::Saved)));
                match result {
                    Ok(Some(now)) => {
                        current.set(now);
                        if on_its_order {
                            reload.again();
                        }
                        // The buttons are gone: the keyboard goes on from the request.
                        request_animation_frame(move || focus(&heading));
                    }
                    Err(Failure::Api {
                        status: 404 | 409, ..
                    }) => reload.again(),
                    _ => {}
                }
            });
        }
    };
    let title = {
        let heading = heading.clone();
        move || {
            let c = current.get();
            let kind = t.get(match c.kind {
                ChangeKind::Cancel => Key::ChangeCancel,
                ChangeKind::Address => Key::ChangeAddress,
            });
            if on_its_order {
                view! { <h3 id=heading.clone() tabindex="-1">{kind}</h3> }.into_any()
            } else {
                view! {
                    <h2 id=heading.clone() tabindex="-1">
                        {kind} " "
                        <a href=api::order_href(&c.order_number)>
                            {t.fill(Key::OfOrder, &[("number", &c.order_number)])}
                        </a>
                    </h2>
                }
                .into_any()
            }
        }
    };
    let field = format!("{heading}-message");
    let body = move || {
        let c = current.get();
        let lang = t.lang();
        let asked = t.fill(
            Key::ChangeAsked,
            &[
                ("name", &c.first_name),
                ("email", &c.email),
                ("date", &i18n::when(lang, &c.requested_at, true)),
            ],
        );
        let address = c.address.map(|a| {
            view! {
                <p>
                    {a.name}<br />
                    {street_line(&a.country, &a.street, &a.house_number)}<br />
                    {format!("{} {}", a.postcode, a.city)}<br />
                    {a.country}
                </p>
            }
        });
        let decided = c
            .decided_at
            .map(|d| t.fill(Key::ChangeDecided, &[("date", &i18n::when(lang, &d, true))]));
        let decide = decide.clone();
        let field = field.clone();
        view! {
            <p><strong>{t.get(change_status(c.status))}</strong> " · " {asked}</p>
            {address}
            {decided.map(|d| view! { <p class="quiet">{d}</p> })}
            {c.message.map(|m| view! { <p class="quiet">{t.fill(Key::ChangeSaid, &[("message", &m)])}</p> })}
            {(c.status == ChangeStatus::Requested).then(|| {
                let refuse = decide.clone();
                view! {
                    <form class="inline" on:submit=|e| e.prevent_default()>
                        <label for=field.clone()>{t.get(Key::ChangeMessage)}</label>
                        <input id=field maxlength="500" bind:value=words />
                        <button type="button" on:click=move |_| decide(true)>{t.get(Key::Accept)}</button>
                        <button type="button" on:click=move |_| refuse(false)>{t.get(Key::Refuse)}</button>
                    </form>
                }
            })}
        }
    };
    view! {
        <article class="card" aria-labelledby=heading>
            {title}
            {body}
        </article>
    }
}

/// Puts the keyboard on the element with `id`.
pub fn focus(id: &str) {
    if let Some(element) = document().get_element_by_id(id) {
        let element: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(element);
        let _ = element.focus();
    }
}
