//! What the shopper sees. Every text comes from [`Texts`], every number from [`Formats`];
//! nothing the API returns is ever parsed as HTML.

use std::cell::{Cell, RefCell, RefMut};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{ChoiceKind, OrderStage, OrderView};

use crate::api::{fetch_order, order_url, LoadError};
use crate::dom::{add, attr};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::more::more as follow_ups;
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
    /// The shop's own order page, offered when the order cannot be shown.
    pub order_page: Option<String>,
    /// The follow-ups section, built at the first order shown (see [`crate::more`]).
    pub more: RefCell<Option<web_sys::Element>>,
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

    /// Tells the API of a visit or a click (`event`, with the follow-up `module` it opened),
    /// when the shop counts them; nothing about the shopper goes with it.
    pub fn report(self, event: &str, module: Option<&str>) {
        let on = self
            .state
            .with_untracked(|s| matches!(s, Load::Ready(o) if o.report_events));
        let Some(live) = self.live.try_get_value().filter(|_| on) else {
            return;
        };
        let body = match module {
            Some(m) => format!(r#"{{"event":"{event}","module":"{m}"}}"#),
            None => format!(r#"{{"event":"{event}"}}"#),
        };
        spawn_local(async move {
            let _ = crate::api::send(&format!("{}/events", live.url), Some(body), &[]).await;
        });
    }

    /// Loads the order from scratch, showing the skeleton meanwhile and why it failed after.
    pub fn load(self) {
        self.state.set(Load::Loading);
        spawn_local(async move {
            match self.refresh(false).await {
                Ok(()) => {
                    self.report("opened", None);
                    self.schedule()
                }
                Err(error) => self.state.set(Load::Failed(error)),
            }
        });
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

    /// The shopper's formats for amounts in `currency` (shared, see [`Formats::new`]).
    pub fn formats(self, currency: &str) -> Rc<Formats> {
        self.live.with_value(|l| Formats::new(&l.locale, currency))
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
        more: RefCell::new(None),
        order_page: options.order_page,
    };
    let cx = Ctx {
        t: texts,
        state: RwSignal::new_local(Load::Loading),
        said: RwSignal::new(String::new()),
        live: StoredValue::new_local(Rc::new(live)),
    };
    cx.load();
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
    crate::track::listen(cx);
    view! {
        <div class="pp" lang=texts.code() aria-busy=move || cx.state.with(|s| matches!(s, Load::Loading).to_string())>
            <p class="pp-visually-hidden" aria-live="polite">{move || cx.said.get()}</p>
            <div class="pp-body" use:body=cx></div>
        </div>
    }
}

/// Draws what the widget shows into `host` whenever the state changes: the skeleton while
/// loading, the order, or why it cannot be shown. Plain DOM, like the parts of the card.
fn body(host: web_sys::Element, cx: Ctx) {
    // First drawn at once (the loader's skeleton is gone by now), then on every change,
    // until the widget goes.
    let drawing = RenderEffect::new(move |_| {
        let state = cx.state.get();
        let Some(live) = cx.live.try_get_value() else {
            return;
        };
        let t = cx.t;
        host.set_text_content(None);
        match state {
            Load::Loading => {
                // Grey blocks in the shape of the card, as the loader shows before.
                let bones = add(&host, "div", "pp-skeleton", "");
                attr(&bones, "role", "status");
                attr(&bones, "part", "skeleton");
                add(
                    &bones,
                    "span",
                    "pp-visually-hidden",
                    t.get(Key::LoaderLoading),
                );
                for class in [
                    "pp-bone pp-bone-title",
                    "pp-bone",
                    "pp-bone pp-bone-short",
                    "pp-bone pp-bone-item",
                    "pp-bone pp-bone-item",
                ] {
                    add(&bones, "span", class, "");
                }
            }
            Load::Ready(order) => {
                let card = add(&host, "article", "pp-card", "");
                attr(&card, "part", "card");
                attr(&card, "aria-labelledby", "pp-title");
                order_card(card, (cx, order));
            }
            Load::Failed(error) => {
                let box_ = add(&host, "div", "pp-failure", "");
                attr(&box_, "role", "alert");
                attr(&box_, "part", "failure");
                let message = match error {
                    LoadError::NotFound => Key::ErrorNotFound,
                    LoadError::Unavailable => Key::LoaderTitle,
                };
                add(&box_, "p", "pp-failure-title", t.get(message));
                add(&box_, "p", "", t.get(Key::LoaderBody));
                let row = add(&box_, "p", "pp-actions", "");
                if let Some(url) = live.order_page.as_deref().filter(|u| is_web_url(u)) {
                    let link = add(&row, "a", "pp-button", t.get(Key::LoaderLink));
                    attr(&link, "part", "button");
                    attr(&link, "href", url);
                }
                // Trying again cannot bring back an order the API does not know.
                if error == LoadError::Unavailable {
                    let again = add(
                        &row,
                        "button",
                        "pp-button pp-button-quiet",
                        t.get(Key::LoaderRetry),
                    );
                    attr(&again, "type", "button");
                    attr(&again, "part", "button");
                    attr(&again, "data-act", "retry");
                }
            }
        }
    });
    on_cleanup(move || drop(drawing));
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

/// The order card, into the `<article>` `host`: plain DOM like its parcels (see
/// [`crate::track`]), a fraction of the bundle that generic view code costs.
fn order_card(host: web_sys::Element, (cx, order): (Ctx, Rc<OrderView>)) {
    let t = cx.t;
    let f = cx.formats(&order.currency);
    let section = |part: &str, title: Key| {
        let el = add(&host, "section", "pp-section", "");
        attr(&el, "part", part);
        attr(&el, "aria-labelledby", &["pp-", part].concat());
        attr(
            &add(&el, "h3", "pp-heading", t.get(title)),
            "id",
            &["pp-", part].concat(),
        );
        el
    };
    let head = add(&host, "header", "pp-head", "");
    attr(&head, "part", "header");
    let meta = add(&head, "p", "pp-meta", "");
    add(&meta, "span", "", &t.fill(Key::OrderNumber, &order.number));
    add(
        &meta,
        "span",
        "",
        &t.fill(Key::OrderPlaced, &f.day(&order.placed_at)),
    );
    let greeting = if order.customer.returning {
        Key::ThanksReturning
    } else {
        Key::ThanksFirst
    };
    let title = add(
        &head,
        "h2",
        "pp-title",
        &t.fill(greeting, &order.customer.first_name),
    );
    attr(&title, "id", "pp-title");
    attr(&title, "part", "title");
    let stage = add(&head, "p", "pp-stage", t.get(stage_key(order.stage)));
    attr(&stage, "part", "stage");
    attr(&stage, "data-stage", order.stage.as_str());
    add(
        &head,
        "p",
        "pp-note",
        &t.fill(Key::OrderEmail, &order.customer.email_masked),
    );
    track_parcels(add(&host, "div", "pp-wide", ""), (cx, order.clone()));
    let list = add(&section("items", Key::ItemsTitle), "ul", "pp-items", "");
    attr(&list, "role", "list");
    for item in &order.items {
        let li = add(&list, "li", "pp-item", "");
        attr(&li, "part", "item");
        match item.image_url.as_deref().filter(|u| is_image_url(u)) {
            Some(src) => {
                let img = add(&li, "img", "pp-thumb", "");
                for (k, v) in [
                    ("part", "thumbnail"),
                    ("src", src),
                    ("alt", ""),
                    ("width", "56"),
                    ("height", "56"),
                    ("loading", "lazy"),
                    ("decoding", "async"),
                ] {
                    attr(&img, k, v);
                }
            }
            None => attr(
                &add(&li, "span", "pp-thumb pp-thumb-empty", ""),
                "part",
                "thumbnail",
            ),
        }
        let text = add(&li, "div", "pp-item-text", "");
        add(&text, "p", "pp-item-name", &item.name);
        if let Some(v) = &item.variant {
            add(&text, "p", "pp-item-variant", v);
        }
        let mut quantity = t.fill(Key::ItemsQuantity, &item.quantity.to_string());
        if item.quantity > 1 {
            quantity = [quantity, t.fill(Key::ItemsEach, &f.money(item.unit_price))].join(" · ");
        }
        add(&text, "p", "pp-item-quantity", &quantity);
        add(&li, "p", "pp-item-price", &f.money(item.line_total));
    }
    let totals = &order.totals;
    let rows = add(&section("totals", Key::TotalsTitle), "dl", "pp-totals", "");
    let shipping = if totals.shipping == 0 {
        t.get(Key::TotalsFree).to_owned()
    } else {
        f.money(totals.shipping)
    };
    for (key, value, shown) in [
        (Key::TotalsSubtotal, f.money(totals.subtotal), true),
        (Key::TotalsShipping, shipping, true),
        (
            Key::TotalsDiscount,
            f.money(-totals.discount.abs()),
            totals.discount != 0,
        ),
        (Key::TotalsTax, f.money(totals.tax), totals.tax != 0),
        (Key::TotalsTotal, f.money(totals.total), true),
    ] {
        if shown {
            let class = if key == Key::TotalsTotal {
                "pp-row pp-total"
            } else {
                "pp-row"
            };
            let row = add(&rows, "div", class, "");
            add(&row, "dt", "", t.get(key));
            add(&row, "dd", "", &value);
        }
    }
    follow_ups(add(&host, "div", "pp-wide", ""), (cx, order.clone()));
    let facts = add(
        &section("delivery", Key::DeliveryTitle),
        "dl",
        "pp-facts",
        "",
    );
    add(&facts, "dt", "", t.get(Key::DeliveryAddress));
    let address = add(&add(&facts, "dd", "", ""), "address", "pp-address", "");
    let a = &order.delivery_address;
    for line in [
        a.name.clone(),
        a.street.clone(),
        format!("{} {}", a.postcode, a.city),
        f.country(&a.country),
    ] {
        add(&address, "span", "", &line);
    }
    if let Some(w) = &order.promised_delivery {
        add(&facts, "dt", "", t.get(Key::DeliveryExpected));
        add(
            &facts,
            "dd",
            "pp-expected",
            &f.window(&w.earliest, &w.latest),
        );
    }
    let shop = &order.shop;
    let links = add(&section("help", Key::HelpTitle), "ul", "pp-links", "");
    attr(&links, "role", "list");
    let phone: Option<String> = shop.support_phone.as_ref().map(|p| {
        p.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    });
    for (href, text) in [
        shop.support_email
            .as_ref()
            .map(|e| (["mailto:", e].concat(), t.fill(Key::HelpEmail, &shop.name))),
        phone
            .zip(shop.support_phone.as_ref())
            .map(|(digits, p)| (["tel:", &digits].concat(), t.fill(Key::HelpPhone, p))),
        shop.support_url
            .as_ref()
            .filter(|u| is_web_url(u))
            .map(|u| (u.clone(), t.get(Key::HelpPage).to_owned())),
    ]
    .into_iter()
    .flatten()
    {
        attr(
            &add(&add(&links, "li", "", ""), "a", "", &text),
            "href",
            &href,
        );
    }
}
