//! When a parcel or an order counts as held up (owner only): the days without carrier
//! news after which a parcel on its way is delayed, and the working days an order may take
//! to reach a carrier before the shop hears `order.stalled`.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::DelaySettings;

use crate::api::Session;
use crate::i18n::{Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

const PATH: &str = "/api/v1/admin/delay-settings";

#[component]
pub fn Delays() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (settings, reload) =
        fetched(move || async move { session.get::<DelaySettings>(PATH).await });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <section aria-labelledby="delays">
            <h2 id="delays">{move || t.get(Key::Delays)}</h2>
            <Message said=said_here />
            {shown(settings, move |d: DelaySettings| {
                let quiet = RwSignal::new(d.no_news_days.to_string());
                let dispatch = RwSignal::new(d.dispatch_days.to_string());
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        // A number the field lets through but the server refuses is
                        // named by its answer.
                        let asked = DelaySettings {
                            no_news_days: quiet.get_untracked().trim().parse().unwrap_or(u32::MAX),
                            dispatch_days: dispatch.get_untracked().trim().parse().unwrap_or(u32::MAX),
                        };
                        after(t, said_here, reload, Key::Saved, async move {
                            session
                                .change::<_, DelaySettings>(Method::PUT, PATH, Some(&asked))
                                .await
                        });
                    }>
                        <p class="hint">{t.get(Key::DelaysHint)}</p>
                        <label>
                            <span>{t.get(Key::NoNewsDays)}</span>
                            <input type="number" min="0" max="30" required class="short" bind:value=quiet />
                        </label>
                        <label>
                            <span>{t.get(Key::DispatchDays)}</span>
                            <input type="number" min="0" max="30" required class="short" bind:value=dispatch />
                        </label>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
        </section>
    }
}
