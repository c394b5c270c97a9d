//! Tracking feeds (owner only): for each source, the address to paste into its webhook
//! settings, whether its secret is set, and the secret to set or remove. Secrets are
//! written, never shown.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::{FeedSecret, FeedSource};

use crate::api::Session;
use crate::i18n::{Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

const PATH: &str = "/api/v1/admin/feeds";

fn name(source: &str) -> &'static str {
    match source {
        "sendcloud" => "Sendcloud",
        "aftership" => "AfterShip",
        "dhl" => "DHL",
        "easypost" => "EasyPost",
        "shippo" => "Shippo",
        "karrio" => "Karrio",
        "woocommerce" => "WooCommerce",
        "shopware" => "Shopware",
        "shopify" => "Shopify",
        _ => "",
    }
}

#[component]
pub fn Feeds() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (sources, reload) =
        fetched(move || async move { session.get::<Vec<FeedSource>>(PATH).await });
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <section aria-labelledby="feeds">
            <h2 id="feeds">{move || t.get(Key::TrackingFeeds)}</h2>
            <p class="quiet">{move || t.get(Key::FeedsHint)}</p>
            <Message said=said_here />
            {shown(sources, move |list: Vec<FeedSource>| {
                list.into_iter()
                    .map(|s| {
                        let path = format!("{PATH}/{}", s.source);
                        let remove_path = path.clone();
                        let secret = RwSignal::new(String::new());
                        let label = name(&s.source);
                        view! {
                            <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                                e.prevent_default();
                                let body = FeedSecret { secret: secret.get_untracked().trim().to_owned() };
                                let path = path.clone();
                                after(t, said_here, reload, Key::Saved, async move {
                                    session.change::<_, FeedSource>(Method::PUT, &path, Some(&body)).await
                                });
                            }>
                                <fieldset>
                                    <legend>{label}</legend>
                                    <p>{t.get(if s.configured { Key::FeedSet } else { Key::FeedNotSet })}</p>
                                    <label>
                                        <span>{t.fill(Key::FeedAddress, &[("source", label)])}</span>
                                        <input readonly value=s.url.clone() />
                                    </label>
                                    <label>
                                        <span>{t.fill(Key::FeedSecret, &[("source", label)])}</span>
                                        <input type="password" autocomplete="off" minlength="8" maxlength="200" required bind:value=secret />
                                    </label>
                                </fieldset>
                                <div class="actions">
                                    <button type="submit">{t.get(Key::Save)}</button>
                                    {s.configured.then(|| view! {
                                        <button type="button" class="quiet" on:click=move |_| {
                                            let path = remove_path.clone();
                                            after(t, said_here, reload, Key::FeedRemoved, async move {
                                                session.change::<(), ()>(Method::DELETE, &path, None).await
                                            });
                                        }>{t.fill(Key::FeedRemove, &[("source", label)])}</button>
                                    })}
                                </div>
                            </form>
                        }
                    })
                    .collect_view()
            })}
        </section>
    }
}
