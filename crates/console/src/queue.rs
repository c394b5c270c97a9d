//! The returns queue: what shoppers asked to send back, to approve or reject (with a
//! reason the shopper sees), then mark received and refunded. Each step sends the shop's
//! webhook and shows in the shopper's widget; the moves offered are the API's own rule.

use gloo_net::http::Method;
use leptos::prelude::*;
use postpurchase_api::{AdminReturn, Resolution, ReturnStatus, ReturnUpdate, ReturnView};

use crate::api::{self, Session};
use crate::i18n::{self, Key, T};
use crate::parts::{self, after, fetched, filter, shown, wire, with_status, Message, Said};

const STATUSES: [ReturnStatus; 7] = [
    ReturnStatus::Requested,
    ReturnStatus::Approved,
    ReturnStatus::InTransit,
    ReturnStatus::Received,
    ReturnStatus::Refunded,
    ReturnStatus::Rejected,
    ReturnStatus::Cancelled,
];

pub fn return_status(status: ReturnStatus) -> Key {
    match status {
        ReturnStatus::Requested => Key::ReturnRequested,
        ReturnStatus::Approved => Key::ReturnApproved,
        ReturnStatus::InTransit => Key::ReturnInTransit,
        ReturnStatus::Received => Key::ReturnReceived,
        ReturnStatus::Refunded => Key::ReturnRefunded,
        ReturnStatus::Rejected => Key::ReturnRejected,
        ReturnStatus::Cancelled => Key::ReturnCancelled,
    }
}

#[component]
pub fn Queue() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let status = RwSignal::new(wire(ReturnStatus::Requested));
    let (queue, reload) = fetched(move || {
        let path = with_status("/api/v1/admin/returns", &status.get());
        async move { session.get::<Vec<AdminReturn>>(&path).await }
    });
    let said_here = RwSignal::new(None::<Said>);
    let moved = move |number: String, to: ReturnStatus, message: Option<String>| {
        let path = format!("/api/v1/admin/returns/{}/status", api::encode(&number));
        let update = ReturnUpdate {
            status: to,
            message,
        };
        after(t, said_here, reload, Key::Saved, async move {
            session
                .change::<_, ReturnView>(Method::POST, &path, Some(&update))
                .await
        });
    };
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Returns)}</h1>
        {filter(t, Key::Status, status, &STATUSES, return_status)}
        <Message said=said_here />
        {shown(queue, move |list: Vec<AdminReturn>| {
            if list.is_empty() {
                return view! { <p role="status">{t.get(Key::NoReturns)}</p> }.into_any();
            }
            let lang = t.lang();
            list.into_iter()
                .map(|item| {
                    let r = item.return_;
                    let number = r.number.clone();
                    let amount = i18n::money(lang, r.refund + r.bonus, &r.currency);
                    let resolution = match r.resolution {
                        Resolution::StoreCredit => t.fill(Key::ResolutionCredit, &[("amount", &amount)]),
                        Resolution::Refund => t.fill(Key::ResolutionRefund, &[("amount", &amount)]),
                        Resolution::Exchange => t.get(Key::ResolutionExchange).to_owned(),
                    };
                    let heading_id = format!("return-{number}");
                    let labelled_by = heading_id.clone();
                    let reason = RwSignal::new(String::new());
                    let action = |to: ReturnStatus, key: Key| {
                        let number = number.clone();
                        r.status.shop_may_become(to).then(|| view! {
                            <button type="button" on:click=move |_| moved(number.clone(), to, None)>
                                {t.get(key)}
                            </button>
                        })
                    };
                    let reject = {
                        let number = number.clone();
                        r.status.shop_may_become(ReturnStatus::Rejected).then(|| {
                            let field = format!("reason-{number}");
                            view! {
                                <form class="inline" on:submit=move |e| {
                                    e.prevent_default();
                                    moved(number.clone(), ReturnStatus::Rejected, Some(reason.get_untracked()));
                                }>
                                    <label for=field.clone()>{t.get(Key::RejectReason)}</label>
                                    <input id=field required maxlength="500" bind:value=reason />
                                    <button type="submit">{t.get(Key::Reject)}</button>
                                </form>
                            }
                        })
                    };
                    view! {
                        <article class="card" aria-labelledby=labelled_by>
                            <h2 id=heading_id>
                                {t.fill(Key::ReturnTitle, &[("number", &r.number)])}
                                " "
                                <a href=api::order_href(&item.order_number)>{t.fill(Key::OfOrder, &[("number", &item.order_number)])}</a>
                            </h2>
                            <p>
                                <strong>{t.get(return_status(r.status))}</strong>
                                " · " {resolution} " · " {i18n::when(lang, &r.created_at, true)}
                            </p>
                            <ul>
                                {r.items.iter().map(|i| view! {
                                    <li>
                                        {format!("{} × #{}", i.quantity, i.line_id)} " · "
                                        {t.get(Key::Reason)} ": " {i.reason.clone()}
                                        {i.comment.clone().map(|c| format!(" · “{c}”"))}
                                        {parts::photos(t, &i.photos)}
                                    </li>
                                }).collect_view()}
                            </ul>
                            {r.shop_message.clone().map(|m| view! { <p class="quiet">{m}</p> })}
                            <div class="actions">
                                {action(ReturnStatus::Approved, Key::Approve)}
                                {action(ReturnStatus::Received, Key::MarkReceived)}
                                {action(ReturnStatus::Refunded, Key::MarkRefunded)}
                            </div>
                            {reject}
                        </article>
                    }
                })
                .collect_view()
                .into_any()
        })}
    }
}
