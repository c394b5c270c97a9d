//! Orders: found by number, tracking number, e-mail or name and filtered by stage or a
//! parcel's status, a page at a time; and one order's record, with its links to make and
//! revoke.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{
    ChoiceKind, DeliveryChoice, OrderList, OrderRecord, OrderStage, ShipmentStatus,
};

use crate::api::{self, Session};
use crate::i18n::{self, Key, T};
use crate::parts::{after, fetched, shown, wire, Message, Said};
use crate::queue::return_status;
use crate::reviews::review_status;

const STAGES: [OrderStage; 9] = OrderStage::ALL;

pub fn stage_key(stage: OrderStage) -> Key {
    match stage {
        OrderStage::Processing => Key::StageProcessing,
        OrderStage::PartiallyShipped => Key::StagePartiallyShipped,
        OrderStage::Shipped => Key::StageShipped,
        OrderStage::OutForDelivery => Key::StageOutForDelivery,
        OrderStage::Delivered => Key::StageDelivered,
        OrderStage::Cancelled => Key::StageCancelled,
        OrderStage::ActionNeeded => Key::StageActionNeeded,
        OrderStage::Returning => Key::StageReturning,
        OrderStage::ReadyForPickup => Key::StageReadyForPickup,
    }
}

pub fn status_key(status: ShipmentStatus) -> Key {
    match status {
        ShipmentStatus::Pending => Key::StatusPending,
        ShipmentStatus::InTransit => Key::StatusInTransit,
        ShipmentStatus::OutForDelivery => Key::StatusOutForDelivery,
        ShipmentStatus::AvailableForPickup => Key::StatusAvailableForPickup,
        ShipmentStatus::AttemptFailed => Key::StatusAttemptFailed,
        ShipmentStatus::Delivered => Key::StatusDelivered,
        ShipmentStatus::Delayed => Key::StatusDelayed,
        ShipmentStatus::Exception => Key::StatusException,
        ShipmentStatus::HeldAtCustoms => Key::StatusHeldAtCustoms,
        ShipmentStatus::ReturnToSender => Key::StatusReturnToSender,
        ShipmentStatus::Cancelled => Key::StatusCancelled,
        ShipmentStatus::Unknown => Key::StatusUnknown,
    }
}

/// What the search form asked for, kept by the shell while the staff member opens an
/// order and comes back.
#[derive(Clone, Copy)]
pub struct KeptSearch(RwSignal<Search>);

impl KeptSearch {
    pub fn provide() {
        provide_context(KeptSearch(RwSignal::new(Search::default())));
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search {
    text: String,
    stage: String,
    status: String,
    page: u32,
}

impl Search {
    fn path(&self) -> String {
        let mut path = format!("/api/v1/admin/orders?page={}", self.page.max(1));
        for (name, value) in [
            ("q", &self.text),
            ("stage", &self.stage),
            ("status", &self.status),
        ] {
            if !value.trim().is_empty() {
                path.push_str(&format!("&{name}={}", api::encode(value.trim())));
            }
        }
        path
    }
}

#[component]
pub fn List() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let search = expect_context::<KeptSearch>().0;
    let text = RwSignal::new(search.get_untracked().text);
    let stage = RwSignal::new(search.get_untracked().stage);
    let status = RwSignal::new(search.get_untracked().status);
    let (orders, _) = fetched(move || {
        let path = search.get().path();
        async move { session.get::<OrderList>(&path).await }
    });
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        search.set(Search {
            text: text.get_untracked(),
            stage: stage.get_untracked(),
            status: status.get_untracked(),
            page: 1,
        });
    };
    let to_page = move |page: u32| search.update(|s| s.page = page);
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Orders)}</h1>
        <form class="filters" role="search" on:submit=submit>
            <label class="grow">
                <span>{move || t.get(Key::Search)}</span>
                <input type="search" maxlength="200" aria-describedby="search-hint" bind:value=text />
            </label>
            <label>
                <span>{move || t.get(Key::Stage)}</span>
                <select bind:value=stage>
                    <option value="">{move || t.get(Key::Any)}</option>
                    {STAGES
                        .map(|s| view! { <option value=wire(s)>{move || t.get(stage_key(s))}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                <span>{move || t.get(Key::ParcelStatus)}</span>
                <select bind:value=status>
                    <option value="">{move || t.get(Key::Any)}</option>
                    {ShipmentStatus::ALL
                        .map(|s| view! { <option value=wire(s)>{move || t.get(status_key(s))}</option> })
                        .collect_view()}
                </select>
            </label>
            <button type="submit">{move || t.get(Key::Find)}</button>
            <p class="hint" id="search-hint">{move || t.get(Key::SearchHint)}</p>
        </form>
        {shown(orders, move |list: OrderList| {
            let pages = list.matching.div_ceil(u64::from(list.per_page)).max(1) as u32;
            let page = list.page;
            let lang = t.lang();
            let found = t.fill(Key::Matching, &[("count", &list.matching.to_string())]);
            if list.orders.is_empty() {
                return view! { <p role="status">{t.get(Key::NoOrders)}</p> }.into_any();
            }
            view! {
                <table>
                    <caption>{found}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t.get(Key::Number)}</th>
                            <th scope="col">{t.get(Key::Placed)}</th>
                            <th scope="col">{t.get(Key::Customer)}</th>
                            <th scope="col">{t.get(Key::Stage)}</th>
                            <th scope="col">{t.get(Key::Parcels)}</th>
                            <th scope="col" class="amount">{t.get(Key::Total)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .orders
                            .into_iter()
                            .map(|o| {
                                let parcels = o
                                    .parcels
                                    .iter()
                                    .map(|p| t.get(status_key(*p)))
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <a href=api::order_href(&o.number)>{o.number.clone()}</a>
                                        </th>
                                        <td>{i18n::when(lang, &o.placed_at, false)}</td>
                                        <td>{o.name.clone()}<br /><span class="quiet">{o.email.clone()}</span></td>
                                        <td>{t.get(stage_key(o.stage))}</td>
                                        <td>{parcels}</td>
                                        <td class="amount">{i18n::money(lang, o.total, &o.currency)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <nav class="pages" aria-label=t.fill(Key::Page, &[("page", &page.to_string()), ("pages", &pages.to_string())])>
                    <button type="button" disabled={page <= 1} on:click=move |_| to_page(page - 1)>
                        {t.get(Key::Previous)}
                    </button>
                    <span>{t.fill(Key::Page, &[("page", &page.to_string()), ("pages", &pages.to_string())])}</span>
                    <button type="button" disabled={page >= pages} on:click=move |_| to_page(page + 1)>
                        {t.get(Key::Next)}
                    </button>
                </nav>
            }
            .into_any()
        })}
    }
}

/// A delivery choice in words.
fn choice_words(t: T, choice: &DeliveryChoice) -> String {
    let kind = match choice.kind {
        ChoiceKind::Slot => Key::ChoiceSlot,
        ChoiceKind::Neighbour => Key::ChoiceNeighbour,
        ChoiceKind::SafePlace => Key::ChoiceSafePlace,
        ChoiceKind::PickupPoint => Key::ChoicePickupPoint,
        ChoiceKind::AnotherDay => Key::ChoiceAnotherDay,
    };
    let detail = match choice.kind {
        ChoiceKind::Neighbour => choice
            .neighbour
            .as_ref()
            .map(|n| format!("{}, {}", n.name, n.house_number)),
        ChoiceKind::SafePlace => choice.safe_place.as_ref().map(|p| {
            [p.place.clone(), p.instruction.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ")
        }),
        ChoiceKind::AnotherDay => choice.date.clone(),
        ChoiceKind::Slot => choice.slot_id.map(|id| format!("#{id}")),
        ChoiceKind::PickupPoint => choice.pickup_point_id.map(|id| format!("#{id}")),
    };
    match detail {
        Some(d) if !d.is_empty() => format!("{} ({d})", t.get(kind)),
        _ => t.get(kind).to_owned(),
    }
}

#[component]
pub fn Record(number: String) -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let path = format!("/api/v1/admin/orders/{}", api::encode(&number));
    let (record, reload) = fetched({
        let path = path.clone();
        move || {
            let path = path.clone();
            async move { session.get::<OrderRecord>(&path).await }
        }
    });
    let said_here = RwSignal::new(None::<Said>);
    let minted = RwSignal::new(None::<String>);
    let mint = {
        let number = number.clone();
        move |_| {
            let number = number.clone();
            spawn_local(async move {
                match session.new_link(&number, None).await {
                    Ok(access) => {
                        minted.set(Some(access.order_url));
                        said_here.set(None);
                        reload.again();
                    }
                    Err(f) => said_here.set(Some(Said::Failed(f.say(t)))),
                }
            });
        }
    };
    let revoke = {
        let path = path.clone();
        move |id: String| {
            let path = format!("{path}/tokens/{id}");
            after(t, said_here, reload, Key::Revoked, async move {
                session.change::<(), ()>(Method::DELETE, &path, None).await
            });
        }
    };
    let copy = move |_| {
        if let Some(url) = minted.get_untracked() {
            let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into());
            if let Ok(clipboard) = clipboard {
                if let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) {
                    let write: js_sys::Function = wasm_bindgen::JsCast::unchecked_into(write);
                    let _ = write.call1(&clipboard, &url.into());
                    said_here.set(Some(Said::Done(t.get(Key::Copied).to_owned())));
                }
            }
        }
    };
    let title = {
        let number = number.clone();
        move || t.fill(Key::OrderTitle, &[("number", &number)])
    };
    view! {
        <p><a href="#/orders">{move || t.get(Key::BackToOrders)}</a></p>
        <h1 tabindex="-1">{title}</h1>
        <Message said=said_here />
        {shown(record, move |r: OrderRecord| {
            let lang = t.lang();
            let currency = r.view.currency.clone();
            let money = move |minor: i64| i18n::money(lang, minor, &currency);
            let revoke = revoke.clone();
            let mint = mint.clone();
            let totals = [
                (Key::Subtotal, r.view.totals.subtotal),
                (Key::Shipping, r.view.totals.shipping),
                (Key::Discount, -r.view.totals.discount),
                (Key::Tax, r.view.totals.tax),
                (Key::Total, r.view.totals.total),
            ];
            view! {
                <p class="lead">
                    {t.get(stage_key(r.view.stage))} " · "
                    {i18n::when(lang, &r.view.placed_at, true)}
                </p>
                <div class="columns">
                    <section aria-labelledby="customer">
                        <h2 id="customer">{t.get(Key::Customer)}</h2>
                        <p>
                            {format!("{} {}", r.customer.first_name, r.customer.last_name)}<br />
                            <a href=format!("mailto:{}", r.customer.email)>{r.customer.email.clone()}</a>
                        </p>
                    </section>
                    <section aria-labelledby="address">
                        <h2 id="address">{t.get(Key::DeliveryAddress)}</h2>
                        <p>
                            {r.delivery_address.name.clone()}<br />
                            {r.delivery_address.street.clone()}<br />
                            {format!("{} {}", r.delivery_address.postcode, r.delivery_address.city)}<br />
                            {r.delivery_address.country.clone()}
                        </p>
                    </section>
                </div>
                <section aria-labelledby="items">
                    <h2 id="items">{t.get(Key::Items)}</h2>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t.get(Key::Items)}</th>
                                <th scope="col" class="amount">{t.get(Key::Quantity)}</th>
                                <th scope="col" class="amount">{t.get(Key::Price)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {r.view.items.iter().map(|i| {
                                let name = match &i.variant {
                                    Some(v) => format!("{} ({v})", i.name),
                                    None => i.name.clone(),
                                };
                                view! {
                                    <tr>
                                        <th scope="row">{name}</th>
                                        <td class="amount">{i.quantity}</td>
                                        <td class="amount">{money(i.line_total)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                        <tfoot>
                            {totals.map(|(key, amount)| view! {
                                <tr>
                                    <th scope="row" colspan="2">{t.get(key)}</th>
                                    <td class="amount">{money(amount)}</td>
                                </tr>
                            }).collect_view()}
                        </tfoot>
                    </table>
                </section>
                <section aria-labelledby="parcels">
                    <h2 id="parcels">{t.get(Key::Parcels)}</h2>
                    {r.view.shipments.iter().map(|p| {
                        let heading = t.fill(Key::Parcel, &[("carrier", &p.carrier_name), ("tracking", &p.tracking_number)]);
                        let choice = match &p.choice {
                            Some(c) => t.fill(Key::Choice, &[("choice", &choice_words(t, c))]),
                            None => t.get(Key::NoChoice).to_owned(),
                        };
                        view! {
                            <article class="card">
                                <h3>{heading}</h3>
                                <p><strong>{t.get(status_key(p.status))}</strong></p>
                                <p>{choice}</p>
                                {if p.events.is_empty() {
                                    view! { <p class="quiet">{t.get(Key::NoEvents)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ol class="timeline">
                                            {p.events.iter().map(|e| view! {
                                                <li>
                                                    <time datetime=e.occurred_at.clone()>{i18n::when(lang, &e.occurred_at, true)}</time>
                                                    " · " {t.get(status_key(e.status))}
                                                    " · " <span class="quiet">{e.code.clone()} " " {e.text.clone().unwrap_or_default()} " " {e.location.clone().unwrap_or_default()}</span>
                                                </li>
                                            }).collect_view()}
                                        </ol>
                                    }.into_any()
                                }}
                            </article>
                        }
                    }).collect_view()}
                </section>
                <section aria-labelledby="returns">
                    <h2 id="returns">{t.get(Key::Returns)}</h2>
                    {if r.returns.is_empty() {
                        view! { <p class="quiet">{t.get(Key::NoReturns)}</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {r.returns.iter().map(|ret| view! {
                                    <li>
                                        <a href="#/returns">{t.fill(Key::ReturnTitle, &[("number", &ret.number)])}</a>
                                        ": " {t.get(return_status(ret.status))}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <crate::changes::OfOrder
                    number=number.clone()
                    changes=r.changes.clone()
                    open=r.view.changes.clone()
                    before_picking={r.view.shipments.is_empty() && r.view.stage != OrderStage::Cancelled && r.picking_started_at.is_none()}
                    said_here
                    reload
                />
                <section aria-labelledby="reviews">
                    <h2 id="reviews">{t.get(Key::Reviews)}</h2>
                    {if r.reviews.is_empty() {
                        view! { <p class="quiet">{t.get(Key::NoReviews)}</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {r.reviews.iter().map(|rv| view! {
                                    <li>
                                        {t.fill(Key::Stars, &[("count", &rv.review.stars.to_string())])}
                                        " · " {rv.review.title.clone()} " · "
                                        <a href="#/reviews">{t.get(review_status(rv.review.status))}</a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section aria-labelledby="answers">
                    <h2 id="answers">{t.get(Key::Answers)}</h2>
                    {match (r.answers.nps, r.answers.heard.clone()) {
                        (None, None) => view! { <p class="quiet">{t.get(Key::NoAnswers)}</p> }.into_any(),
                        (nps, heard) => view! {
                            <ul>
                                {nps.map(|score| view! {
                                    <li>
                                        {t.fill(Key::Nps, &[("score", &score.to_string())])}
                                        {r.answers.nps_comment.clone().map(|c| format!(" · “{c}”"))}
                                    </li>
                                })}
                                {heard.map(|how| view! { <li>{t.fill(Key::Heard, &[("how", &how)])}</li> })}
                            </ul>
                        }.into_any(),
                    }}
                </section>
                <section aria-labelledby="links">
                    <h2 id="links">{t.get(Key::Links)}</h2>
                    {if r.links.is_empty() {
                        view! { <p class="quiet">{t.get(Key::NoLinks)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="links">
                                {r.links.iter().map(|l| {
                                    let id = l.id.clone();
                                    let revoke = revoke.clone();
                                    view! {
                                        <li>
                                            {t.fill(Key::LinkExpires, &[("id", &l.id), ("date", &i18n::when(lang, &l.expires_at, false))])}
                                            " "
                                            <button type="button" class="quiet" on:click=move |_| revoke(id.clone())>
                                                {t.fill(Key::Revoke, &[("id", &l.id)])}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <button type="button" on:click=mint>{t.get(Key::MintLink)}</button>
                </section>
            }
            .into_any()
        })}
        <Show when=move || minted.get().is_some()>
            <div class="card" role="region" aria-labelledby="minted">
                <p id="minted">{move || t.get(Key::NewLink)}</p>
                <p><input readonly class="wide" aria-labelledby="minted" prop:value=move || minted.get().unwrap_or_default() /></p>
                <button type="button" on:click=copy>{move || t.get(Key::Copy)}</button>
            </div>
        </Show>
    }
}
