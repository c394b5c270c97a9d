//! What the shopper sees. Every text comes from [`Texts`], every number from [`Formats`];
//! nothing the API returns is ever parsed as HTML.

use std::cell::{Cell, RefCell, RefMut};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{ChoiceKind, LineItemView, OrderStage, OrderView, ShopContact, Totals};

use crate::api::{fetch_order, order_url, LoadError};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::parcels::{Entries, STATUS_KEYS};
use crate::track::parcels as track_parcels;
use crate::{is_image_url, is_web_url, Options};

/// The longest wait between re-checks after failures.
const MAX_DELAY_MS: u32 = 300_000;

#[derive(Clone)]
pub(crate) enum Load {
    Loading,
    Ready(Rc<OrderView>),
    Failed(LoadError),
}

/// What outlives a render of the card: the order's address and `ETag`, the re-check
/// timer, and the shopper's delivery-choice drafts.
/// The widget's one event listener.
pub(crate) type Listener = wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>;

pub(crate) struct Live {
    pub url: String,
    refresh: u32,
    prefetched: RefCell<Option<js_sys::Promise>>,
    etag: RefCell<Option<String>>,
    delay: Cell<u32>,
    timer: Cell<Option<TimeoutHandle>>,
    busy: Cell<bool>,
    /// Set when the widget unmounts: nothing may touch its signals after that.
    pub stopped: Cell<bool>,
    drafts: RefCell<Vec<(i64, Draft)>>,
    /// The shopper's locale, for `Intl`.
    pub locale: String,
    /// The element the widget is mounted in; its events reach [`crate::track::listen`].
    pub root: web_sys::Element,
    /// That listener, kept to be removed when the widget goes.
    pub listener: RefCell<Option<Listener>>,
}

/// What a delivery-choice form says about itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Note {
    #[default]
    Quiet,
    Saving,
    Saved,
    Refused(Key),
}

/// One parcel's delivery-choice form, kept while the order is re-rendered.
#[derive(Clone, Debug, Default)]
pub(crate) struct Draft {
    pub open: bool,
    pub kind: Option<ChoiceKind>,
    pub entries: Entries,
    /// Mask of the fields found wrong (see [`crate::parcels::FIELDS`]).
    pub wrong: u16,
    pub note: Note,
    /// The idempotency key of a sent body, with the body, until the API has answered it.
    pub sent: Option<(String, String)>,
}

/// Everything a part of the widget needs, as copyable handles.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub t: Texts,
    pub state: RwSignal<Load, LocalStorage>,
    /// Said by the polite live region.
    pub said: RwSignal<String>,
    pub live: StoredValue<Rc<Live>, LocalStorage>,
}

impl Ctx {
    /// Shows a newer version of the order, announcing parcels whose status changed.
    pub fn show(self, order: OrderView) {
        let t = self.t;
        let mut news = Vec::new();
        self.state.with_untracked(|state| {
            if let Load::Ready(old) = state {
                for (n, s) in order.shipments.iter().enumerate() {
                    if !old
                        .shipments
                        .iter()
                        .any(|o| o.id == s.id && o.status == s.status)
                    {
                        news.push(t.fill_with(
                            Key::LiveStatus,
                            &[
                                ("number", &(n + 1).to_string()),
                                ("status", t.get(STATUS_KEYS[s.status as usize])),
                            ],
                        ));
                    }
                }
            }
        });
        if !news.is_empty() {
            self.said.set(news.join(" "));
        }
        self.state.set(Load::Ready(Rc::new(order)));
    }

    /// Loads the order again; `conditional` asks only for a change since the last load.
    pub async fn refresh(self, conditional: bool) -> Result<(), LoadError> {
        let Some(live) = self.live.try_get_value() else {
            return Ok(());
        };
        let etag = live.etag.borrow().clone().filter(|_| conditional);
        let prefetched = live.prefetched.take();
        let result = fetch_order(&live.url, prefetched, etag.as_deref()).await;
        if live.stopped.get() {
            return Ok(());
        }
        if let Some((order, etag)) = result? {
            *live.etag.borrow_mut() = etag;
            // A shopper typing in a form while the order changed keeps their place.
            let focused = crate::track::focused(&live.root);
            self.show(order);
            if let Some(id) = focused {
                crate::track::next_task().await;
                crate::track::refocus(&live.root, &id);
            }
        }
        Ok(())
    }

    /// Sets the next re-check, replacing any set before.
    fn schedule(self) {
        let Some(live) = self.live.try_get_value() else {
            return;
        };
        if let Some(timer) = live.timer.take() {
            timer.clear();
        }
        if !live.stopped.get() {
            let wait = Duration::from_millis(live.delay.get().into());
            live.timer
                .set(set_timeout_with_handle(move || self.check(), wait).ok());
        }
    }

    /// Re-checks the order now, unless the page is hidden (becoming visible checks again)
    /// or a check is under way; then sets the next, backing off after failures.
    fn check(self) {
        let Some(live) = self.live.try_get_value() else {
            return;
        };
        if live.stopped.get()
            || live.busy.get()
            || document().hidden()
            || !self.state.with_untracked(|s| matches!(s, Load::Ready(_)))
        {
            return;
        }
        live.busy.set(true);
        spawn_local(async move {
            let ok = self.refresh(true).await.is_ok();
            live.busy.set(false);
            live.delay.set(if ok {
                live.refresh
            } else {
                (live.delay.get() * 2).min(MAX_DELAY_MS)
            });
            self.schedule();
        });
    }

    /// The order shown, if any.
    pub fn order(self) -> Option<Rc<OrderView>> {
        match self.state.try_get_untracked()? {
            Load::Ready(order) => Some(order),
            _ => None,
        }
    }
}

impl Live {
    /// The form of a parcel, made on first use.
    pub fn draft(&self, shipment: i64) -> RefMut<'_, Draft> {
        RefMut::map(self.drafts.borrow_mut(), |drafts| {
            let i = match drafts.iter().position(|(id, _)| *id == shipment) {
                Some(i) => i,
                None => {
                    drafts.push((shipment, Draft::default()));
                    drafts.len() - 1
                }
            };
            &mut drafts[i].1
        })
    }
}

/// The whole widget for one embed tag.
pub fn widget(options: Options, root: &web_sys::Element) -> impl IntoView {
    let (texts, locale) = (options.texts, options.locale);
    let live = Live {
        url: order_url(&options.api, &options.shop, &options.order),
        refresh: options.refresh_ms,
        // The loader's early request serves the first load only; a retry asks again.
        prefetched: RefCell::new(options.prefetched),
        etag: RefCell::new(None),
        delay: Cell::new(options.refresh_ms),
        timer: Cell::new(None),
        busy: Cell::new(false),
        stopped: Cell::new(false),
        drafts: RefCell::new(Vec::new()),
        locale,
        root: root.clone(),
        listener: RefCell::new(None),
    };
    let cx = Ctx {
        t: texts,
        state: RwSignal::new_local(Load::Loading),
        said: RwSignal::new(String::new()),
        live: StoredValue::new_local(Rc::new(live)),
    };
    let state = cx.state;
    let load = move || {
        state.set(Load::Loading);
        spawn_local(async move {
            match cx.refresh(false).await {
                Ok(()) => cx.schedule(),
                Err(error) => state.set(Load::Failed(error)),
            }
        });
    };
    load();
    // Hidden pages are not re-checked; coming back checks at once.
    let listener = window_event_listener_untyped("visibilitychange", move |_| cx.check());
    on_cleanup(move || {
        listener.remove();
        if let Some(live) = cx.live.try_get_value() {
            live.stopped.set(true);
            crate::track::unlisten(&live);
            if let Some(timer) = live.timer.take() {
                timer.clear();
            }
        }
    });
    let order_page = options.order_page;
    crate::track::listen(cx);
    view! {
        <div class="pp" lang=texts.code() aria-busy=move || state.with(|s| matches!(s, Load::Loading).to_string())>
            <p class="pp-visually-hidden" aria-live="polite">{move || cx.said.get()}</p>
            {move || match state.get() {
                Load::Loading => skeleton(texts).into_any(),
                Load::Ready(order) => order_card(cx, order).into_any(),
                Load::Failed(error) => failure(texts, error, order_page.as_deref(), load).into_any(),
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

fn order_card(cx: Ctx, order: Rc<OrderView>) -> impl IntoView {
    let t = cx.t;
    let locale = cx.live.with_value(|l| l.locale.clone());
    let f = Formats::new(&locale, &order.currency);
    // The parcels are plain DOM (see `track`).
    let parcels = (cx, order.clone());
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
            <div class="pp-wide" use:track_parcels=parcels></div>
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
