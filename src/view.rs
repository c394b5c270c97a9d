//! What the shopper sees. Every text comes from [`Texts`], every number from [`Formats`];
//! nothing the API returns is ever parsed as HTML.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{LineItemView, OrderStage, OrderView, ShopContact, Totals};

use crate::api::{fetch_order, LoadError};
use crate::i18n::{negotiate, Key, Texts};
use crate::intl::Formats;
use crate::{is_image_url, is_web_url, Options};

#[derive(Clone)]
enum Load {
    Loading,
    Ready(Rc<OrderView>),
    Failed(LoadError),
}

/// The whole widget for one embed tag.
pub fn widget(mut options: Options) -> impl IntoView {
    let (texts, locale) = negotiate(options.languages.iter().map(String::as_str));
    // The loader's early request serves the first load only; a retry asks again.
    let prefetched = std::sync::Mutex::new(options.prefetched.take());
    let options = Arc::new(options);
    let state = RwSignal::new_local(Load::Loading);
    let load = {
        let options = options.clone();
        move || {
            state.set(Load::Loading);
            let options = options.clone();
            let prefetched = prefetched.lock().ok().and_then(|mut p| p.take());
            spawn_local(async move {
                let result =
                    fetch_order(&options.api, &options.shop, &options.order, prefetched).await;
                state.set(match result {
                    Ok(order) => Load::Ready(Rc::new(order)),
                    Err(error) => Load::Failed(error),
                });
            });
        }
    };
    load();
    let retry = Arc::new(load);
    view! {
        <div class="pp" lang=texts.code() aria-busy=move || state.with(|s| matches!(s, Load::Loading).to_string())>
            {move || match state.get() {
                Load::Loading => skeleton(texts).into_any(),
                Load::Ready(order) => order_card(texts, &locale, &order).into_any(),
                Load::Failed(error) => {
                    let retry = retry.clone();
                    failure(texts, error, options.order_page.as_deref(), move || retry()).into_any()
                }
            }}
        </div>
    }
}

/// Grey blocks in the shape of the card, the same the loader shows before the widget runs.
fn skeleton(t: Texts) -> impl IntoView {
    view! {
        <div class="pp-skeleton" role="status" part="skeleton">
            <span class="pp-visually-hidden">{t.get(Key::LoaderLoading)}</span>
            <span class="pp-bone pp-bone-title"></span>
            <span class="pp-bone"></span>
            <span class="pp-bone pp-bone-short"></span>
            <span class="pp-bone pp-bone-item"></span>
            <span class="pp-bone pp-bone-item"></span>
        </div>
    }
}

fn failure(
    t: Texts,
    error: LoadError,
    order_page: Option<&str>,
    retry: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let message = match error {
        LoadError::NotFound => Key::ErrorNotFound,
        LoadError::Unavailable => Key::LoaderTitle,
    };
    let link = order_page.filter(|u| is_web_url(u)).map(|url| {
        view! { <a class="pp-button" part="button" href=url.to_owned()>{t.get(Key::LoaderLink)}</a> }
    });
    // Trying again cannot bring back an order the API does not know.
    let again = (error == LoadError::Unavailable).then(|| {
        view! {
            <button type="button" class="pp-button pp-button-quiet" part="button" on:click=move |_| retry()>
                {t.get(Key::LoaderRetry)}
            </button>
        }
    });
    view! {
        <div class="pp-failure" role="alert" part="failure">
            <p class="pp-failure-title">{t.get(message)}</p>
            <p>{t.get(Key::LoaderBody)}</p>
            <p class="pp-actions">{link}{again}</p>
        </div>
    }
}

fn stage_key(stage: OrderStage) -> Key {
    match stage {
        OrderStage::Processing => Key::StageProcessing,
        OrderStage::PartiallyShipped => Key::StagePartiallyShipped,
        OrderStage::Shipped => Key::StageShipped,
        OrderStage::OutForDelivery => Key::StageOutForDelivery,
        OrderStage::Delivered => Key::StageDelivered,
        OrderStage::Cancelled => Key::StageCancelled,
    }
}

fn order_card(t: Texts, locale: &str, order: &OrderView) -> impl IntoView {
    let f = Formats::new(locale, &order.currency);
    let greeting = if order.customer.returning {
        Key::ThanksReturning
    } else {
        Key::ThanksFirst
    };
    let address = &order.delivery_address;
    let expected = order.promised_delivery.as_ref().map(|w| {
        view! {
            <dt>{t.get(Key::DeliveryExpected)}</dt>
            <dd class="pp-expected">{f.window(&w.earliest, &w.latest)}</dd>
        }
    });
    view! {
        <article class="pp-card" part="card" aria-labelledby="pp-title">
            <header class="pp-head" part="header">
                <p class="pp-meta">
                    <span>{t.fill(Key::OrderNumber, &order.number)}</span>
                    <span>{t.fill(Key::OrderPlaced, &f.day(&order.placed_at))}</span>
                </p>
                <h2 id="pp-title" class="pp-title" part="title">{t.fill(greeting, &order.customer.first_name)}</h2>
                <p class="pp-stage" part="stage" data-stage=order.stage.as_str()>{t.get(stage_key(order.stage))}</p>
                <p class="pp-note">{t.fill(Key::OrderEmail, &order.customer.email_masked)}</p>
            </header>
            <section class="pp-section" part="items" aria-labelledby="pp-items">
                <h3 id="pp-items" class="pp-heading">{t.get(Key::ItemsTitle)}</h3>
                <ul class="pp-items" role="list">
                    {order.items.iter().map(|item| line_item(t, &f, item)).collect_view()}
                </ul>
            </section>
            <section class="pp-section" part="totals" aria-labelledby="pp-totals">
                <h3 id="pp-totals" class="pp-heading">{t.get(Key::TotalsTitle)}</h3>
                {totals(t, &f, &order.totals)}
            </section>
            <section class="pp-section" part="delivery" aria-labelledby="pp-delivery">
                <h3 id="pp-delivery" class="pp-heading">{t.get(Key::DeliveryTitle)}</h3>
                <dl class="pp-facts">
                    <dt>{t.get(Key::DeliveryAddress)}</dt>
                    <dd>
                        <address class="pp-address">
                            <span>{address.name.clone()}</span>
                            <span>{address.street.clone()}</span>
                            <span>{format!("{} {}", address.postcode, address.city)}</span>
                            <span>{f.country(&address.country)}</span>
                        </address>
                    </dd>
                    {expected}
                </dl>
            </section>
            {help(t, &order.shop)}
        </article>
    }
}

fn line_item(t: Texts, f: &Formats, item: &LineItemView) -> impl IntoView {
    let image = match item.image_url.as_deref().filter(|u| is_image_url(u)) {
        Some(src) => view! {
            <img class="pp-thumb" part="thumbnail" src=src.to_owned() alt="" width="56" height="56" loading="lazy" decoding="async"/>
        }
        .into_any(),
        None => view! { <span class="pp-thumb pp-thumb-empty" part="thumbnail"></span> }.into_any(),
    };
    let each = (item.quantity > 1)
        .then(|| format!(" · {}", t.fill(Key::ItemsEach, &f.money(item.unit_price))));
    view! {
        <li class="pp-item" part="item">
            {image}
            <div class="pp-item-text">
                <p class="pp-item-name">{item.name.clone()}</p>
                {item.variant.clone().map(|v| view! { <p class="pp-item-variant">{v}</p> })}
                <p class="pp-item-quantity">{t.fill(Key::ItemsQuantity, &item.quantity.to_string())}{each}</p>
            </div>
            <p class="pp-item-price">{f.money(item.line_total)}</p>
        </li>
    }
}

fn totals(t: Texts, f: &Formats, totals: &Totals) -> impl IntoView {
    let row = |key: Key, value: String| view! { <div class="pp-row"><dt>{t.get(key)}</dt><dd>{value}</dd></div> };
    let shipping = if totals.shipping == 0 {
        t.get(Key::TotalsFree).to_owned()
    } else {
        f.money(totals.shipping)
    };
    view! {
        <dl class="pp-totals">
            {row(Key::TotalsSubtotal, f.money(totals.subtotal))}
            {row(Key::TotalsShipping, shipping)}
            {(totals.discount != 0).then(|| row(Key::TotalsDiscount, f.money(-totals.discount.abs())))}
            {(totals.tax != 0).then(|| row(Key::TotalsTax, f.money(totals.tax)))}
            <div class="pp-row pp-total"><dt>{t.get(Key::TotalsTotal)}</dt><dd>{f.money(totals.total)}</dd></div>
        </dl>
    }
}

fn help(t: Texts, shop: &ShopContact) -> impl IntoView {
    let email = shop.support_email.clone().map(|email| {
        let href = format!("mailto:{email}");
        view! { <li><a href=href>{t.fill(Key::HelpEmail, &shop.name)}</a></li> }
    });
    let phone = shop.support_phone.clone().map(|phone| {
        let href: String = phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        view! { <li><a href=format!("tel:{href}")>{t.fill(Key::HelpPhone, &phone)}</a></li> }
    });
    let page = shop
        .support_url
        .clone()
        .filter(|u| is_web_url(u))
        .map(|url| {
            view! { <li><a href=url>{t.get(Key::HelpPage)}</a></li> }
        });
    view! {
        <section class="pp-section" part="help" aria-labelledby="pp-help">
            <h3 id="pp-help" class="pp-heading">{t.get(Key::HelpTitle)}</h3>
            <ul class="pp-links" role="list">{email}{phone}{page}</ul>
        </section>
    }
}
