//! Delivery slots: how many places each has and how many shoppers took, changed or
//! removed; new slots added. The widget offers what is left at its next look. The
//! pickup points follow on the same page.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::{AdminSlot, DeliverySlot, NewSlot, SlotCapacity};

use crate::api::Session;
use crate::i18n::{self, Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

#[component]
pub fn Slots() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let from = RwSignal::new(today());
    let (slots, reload) = fetched(move || {
        let path = format!("/api/v1/admin/delivery-slots?from={}", from.get());
        async move { session.get::<Vec<AdminSlot>>(&path).await }
    });
    let said_here = RwSignal::new(None::<Said>);
    let save = move |id: i64, capacity: String| {
        let Ok(capacity) = capacity.trim().parse::<u32>() else {
            said_here.set(Some(Said::Failed(t.get(Key::CapacityHint).to_owned())));
            return;
        };
        let path = format!("/api/v1/admin/delivery-slots/{id}");
        after(t, said_here, reload, Key::Saved, async move {
            session
                .change::<_, AdminSlot>(Method::PUT, &path, Some(&SlotCapacity { capacity }))
                .await
        });
    };
    let remove = move |id: i64| {
        let path = format!("/api/v1/admin/delivery-slots/{id}");
        after(t, said_here, reload, Key::Saved, async move {
            session.change::<(), ()>(Method::DELETE, &path, None).await
        });
    };
    let date = RwSignal::new(today());
    let start = RwSignal::new("10:00".to_owned());
    let end = RwSignal::new("12:00".to_owned());
    let places = RwSignal::new("10".to_owned());
    let add = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let Ok(capacity) = places.get_untracked().trim().parse::<u32>() else {
            said_here.set(Some(Said::Failed(t.get(Key::CapacityHint).to_owned())));
            return;
        };
        let slot = NewSlot {
            date: date.get_untracked(),
            from: start.get_untracked(),
            to: end.get_untracked(),
            price: None,
            capacity,
        };
        after(t, said_here, reload, Key::Saved, async move {
            session
                .change::<_, DeliverySlot>(
                    Method::POST,
                    "/api/v1/admin/delivery-slots",
                    Some(&slot),
                )
                .await
        });
    };
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Slots)}</h1>
        <form class="filters" on:submit=|e| e.prevent_default()>
            <label>
                <span>{move || t.get(Key::FromDate)}</span>
                <input type="date" bind:value=from />
            </label>
        </form>
        <Message said=said_here />
        {shown(slots, move |list: Vec<AdminSlot>| {
            if list.is_empty() {
                return view! { <p role="status">{t.get(Key::NoSlots)}</p> }.into_any();
            }
            let lang = t.lang();
            view! {
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t.get(Key::Date)}</th>
                            <th scope="col">{t.get(Key::Time)}</th>
                            <th scope="col" class="amount">{t.get(Key::Taken)}</th>
                            <th scope="col">{t.get(Key::Capacity)}</th>
                            <th scope="col">{t.get(Key::Actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|s| {
                            let id = s.id;
                            let time = format!("{}–{}", s.from, s.to);
                            let label = t.fill(Key::CapacityOf, &[("date", &s.date), ("time", &time)]);
                            let capacity = RwSignal::new(s.capacity.to_string());
                            let full = s.taken >= s.capacity;
                            view! {
                                <tr>
                                    <th scope="row">{i18n::when(lang, &format!("{}T12:00:00Z", s.date), false)}</th>
                                    <td>{time.clone()} {s.price.map(|p| format!(" (+{})", i18n::money(lang, p, "EUR")))}</td>
                                    <td class="amount">
                                        {s.taken}
                                        {full.then(|| view! { " " <span class="badge">{t.get(Key::Full)}</span> })}
                                    </td>
                                    <td>
                                        <form class="inline" on:submit=move |e| {
                                            e.prevent_default();
                                            save(id, capacity.get_untracked());
                                        }>
                                            <input type="number" min="1" max="100000" required class="short"
                                                aria-label=label bind:value=capacity />
                                            <button type="submit">{t.get(Key::Save)}</button>
                                        </form>
                                    </td>
                                    <td>
                                        <button type="button" class="quiet" disabled={s.taken > 0}
                                            on:click=move |_| remove(id)>{t.get(Key::Remove)}</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        })}
        <section aria-labelledby="add-slot">
            <h2 id="add-slot">{move || t.get(Key::AddSlot)}</h2>
            <form class="filters" on:submit=add>
                <label>
                    <span>{move || t.get(Key::Date)}</span>
                    <input type="date" required bind:value=date />
                </label>
                <label>
                    <span>{move || t.get(Key::FromTime)}</span>
                    <input type="time" required bind:value=start />
                </label>
                <label>
                    <span>{move || t.get(Key::ToTime)}</span>
                    <input type="time" required bind:value=end />
                </label>
                <label>
                    <span>{move || t.get(Key::Capacity)}</span>
                    <input type="number" min="1" max="100000" required class="short" bind:value=places />
                </label>
                <button type="submit">{move || t.get(Key::Add)}</button>
            </form>
        </section>
        <crate::points::Points />
    }
}
