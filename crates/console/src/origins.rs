//! Where the widget may run (owner only): the exact origins of the shop's pages, one per
//! line. The shopper API answers only their browsers; the server writes each back as
//! browsers send it.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::AllowedOrigins;

use crate::api::Session;
use crate::i18n::{Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

const PATH: &str = "/api/v1/admin/allowed-origins";

#[component]
pub fn Origins() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (origins, reload) =
        fetched(move || async move { session.get::<AllowedOrigins>(PATH).await });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <section aria-labelledby="origins">
            <h2 id="origins">{move || t.get(Key::AllowedOrigins)}</h2>
            <Message said=said_here />
            {shown(origins, move |o: AllowedOrigins| {
                let text = RwSignal::new(o.origins.join("\n"));
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        let asked = AllowedOrigins {
                            origins: text
                                .get_untracked()
                                .lines()
                                .map(str::trim)
                                .filter(|l| !l.is_empty())
                                .map(str::to_owned)
                                .collect(),
                        };
                        after(t, said_here, reload, Key::Saved, async move {
                            session
                                .change::<_, AllowedOrigins>(Method::PUT, PATH, Some(&asked))
                                .await
                        });
                    }>
                        <label>
                            <span>{t.get(Key::OriginsField)}</span>
                            <textarea rows="4" spellcheck="false" autocomplete="off" bind:value=text></textarea>
                        </label>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
        </section>
    }
}
