//! What the widget knows and remembers, in Rust: the order shown and how it was loaded,
//! the re-check timer, the shopper's delivery-choice drafts, the follow-up panel that is
//! open, and every body sent with its idempotency key until the API has answered it.
//! The screen ([`crate::screen`]) only shows this; the actions ([`crate::action`]) change
//! it. Nothing here touches the DOM.

use std::cell::{Cell, RefCell, RefMut};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{ChangeKind, ChangeView, ChoiceKind, Module, OrderView};

use crate::api::{fetch_order, LoadError};
use crate::i18n::{Key, Texts};
use crate::intl::Formats;
use crate::parcels::{change_says, Entries, STATUS_KEYS};

/// The longest wait between re-checks after failures.
const MAX_DELAY_MS: u32 = 300_000;

/// Where loading the order stands.
#[derive(Clone)]
pub(crate) enum Load {
    Loading,
    Ready(Rc<OrderView>),
    Failed(LoadError),
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

/// One parcel's delivery-choice form: open or not, the kind chosen, what the shopper
/// typed, which fields are wrong and what the form says.
#[derive(Clone, Debug, Default)]
pub(crate) struct Draft {
    pub open: bool,
    pub kind: Option<ChoiceKind>,
    pub entries: Entries,
    /// Mask of the fields found wrong (see [`crate::parcels::FIELDS`]).
    pub wrong: u16,
    pub note: Note,
}

/// Asking the shop to change the order: the question or form open, what the shopper
/// typed for a new address, which of its fields are wrong and what the section says.
#[derive(Clone, Debug, Default)]
pub(crate) struct Asking {
    pub open: Option<ChangeKind>,
    /// By field of [`crate::parcels::ADDRESS_FIELDS`].
    pub entries: Entries,
    /// Mask of the fields found wrong (see [`crate::parcels::ADDRESS_FIELDS`]).
    pub wrong: u16,
    pub note: Option<Key>,
}

/// The widget's one event listener.
pub(crate) type Listener = wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>;

/// What outlives every drawing of the order.
pub(crate) struct Live {
    /// The order's address.
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
    /// Asking the shop to change the order.
    pub asking: RefCell<Asking>,
    /// Bodies sent and not yet answered: `(what, idempotency key, body)`.
    sent: RefCell<Vec<(String, String, String)>>,
    /// The parcels whose event history the shopper opened.
    pub histories: RefCell<Vec<i64>>,
    /// The survey's questions the shopper skipped (their forms' ids): not asked again
    /// while the widget is open, also when the survey is drawn anew after an answer.
    pub skipped: RefCell<Vec<String>>,
    /// The step of the return form shown (0 to [`crate::more`]'s last, the summary).
    pub step: Cell<usize>,
    /// The follow-up module open, if any.
    pub open: Cell<Option<Module>>,
    /// The follow-up modules whose data has been drawn, by bit of [`Module`].
    pub loaded: Cell<u16>,
    /// The shopper's locale, for `Intl`.
    pub locale: String,
    /// The element the widget is mounted in, where one listener hears all its events.
    pub root: web_sys::Element,
    /// That listener, kept to be removed when the widget goes.
    pub listener: RefCell<Option<Listener>>,
    /// The shop's own order page, offered when the order cannot be shown.
    pub order_page: Option<String>,
    /// The loader's drawer of the follow-ups of the week after delivery.
    pub later: Option<js_sys::Function>,
}

impl Live {
    pub fn new(options: Options, root: web_sys::Element) -> Live {
        Live {
            url: crate::api::order_url(&options.api, &options.shop, &options.order),
            refresh: options.refresh_ms,
            // The loader's early request serves the first load only; a retry asks again.
            prefetched: RefCell::new(options.prefetched),
            etag: RefCell::new(None),
            delay: Cell::new(options.refresh_ms),
            timer: Cell::new(None),
            busy: Cell::new(false),
            stopped: Cell::new(false),
            drafts: RefCell::new(Vec::new()),
            asking: RefCell::default(),
            sent: RefCell::new(Vec::new()),
            histories: RefCell::new(Vec::new()),
            skipped: RefCell::new(Vec::new()),
            step: Cell::new(0),
            open: Cell::new(None),
            loaded: Cell::new(0),
            locale: options.locale,
            root,
            listener: RefCell::new(None),
            order_page: options.order_page,
            later: options.later,
        }
    }

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

    /// The idempotency key to send `body` to `what` with: the key of the same body sent
    /// before without an answer, else a new one. One key per intended change, so sending
    /// again after no answer changes nothing twice.
    pub fn key(&self, what: &str, body: &str) -> String {
        let mut sent = self.sent.borrow_mut();
        if let Some((_, key, _)) = sent.iter().find(|(w, _, b)| w == what && b == body) {
            return key.clone();
        }
        let key = new_key();
        sent.retain(|(w, _, _)| w != what);
        sent.push((what.to_owned(), key.clone(), body.to_owned()));
        key
    }

    /// The API answered what was sent to `what`: its next body gets a new key.
    pub fn answered(&self, what: &str) {
        self.sent.borrow_mut().retain(|(w, _, _)| w != what);
    }
}

/// 128 random bits in hex.
fn new_key() -> String {
    let mut key = String::with_capacity(32);
    for _ in 0..4 {
        let n = (js_sys::Math::random() * 4_294_967_296.0) as u32;
        for k in (0..8).rev() {
            key.push(char::from(
                b"0123456789abcdef"[(n >> (4 * k)) as usize & 15],
            ));
        }
    }
    key
}

/// What the embed tag says about the order to show.
#[derive(Clone, Debug)]
pub struct Options {
    /// Origin of the postpurchase API, e.g. `https://orders.example.com`.
    pub api: String,
    /// The shop's slug.
    pub shop: String,
    /// The order's capability token.
    pub order: String,
    /// The shopper's language's texts, which the loader chose and fetched.
    pub texts: crate::i18n::Texts,
    /// The shopper's language tag for `Intl` (dates, numbers, money), e.g. `nl-BE`.
    pub locale: String,
    /// The shop's own order page, offered whenever the widget cannot show the order.
    pub order_page: Option<String>,
    /// The loader's request for the order (a `Promise<Response>`), started before the
    /// widget's files arrived; used for the first load instead of a second request.
    pub prefetched: Option<js_sys::Promise>,
    /// How often to re-check the order while the page is visible ([`crate::REFRESH_MS`]).
    pub refresh_ms: u32,
    /// The loader's shared `Intl` objects, `(kind, locale, options) => formatter`.
    pub intl: Option<js_sys::Function>,
    /// The loader's drawer of the follow-ups of the week after delivery,
    /// `(panel, name, answer, currency) => Promise`.
    pub later: Option<js_sys::Function>,
}

/// Everything the actions and the screen need, as copyable handles.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub t: Texts,
    pub state: RwSignal<Load, LocalStorage>,
    /// Said by the polite live region.
    pub said: RwSignal<String>,
    pub live: StoredValue<Rc<Live>, LocalStorage>,
}

impl Ctx {
    /// Shows a newer version of the order, announcing parcels whose status changed and
    /// where a change request now stands.
    pub fn show(self, order: OrderView) {
        let t = self.t;
        let mut news = String::new();
        self.state.with_untracked(|state| {
            if let Load::Ready(old) = state {
                // A change request is news when anything of it changed.
                if let Some(r) = request(&order).filter(|r| request(old) != Some(*r)) {
                    news = change_says(t, r);
                }
                for (n, s) in order.shipments.iter().enumerate() {
                    if !old
                        .shipments
                        .iter()
                        .any(|o| o.id == s.id && o.status == s.status)
                    {
                        if !news.is_empty() {
                            news.push(' ');
                        }
                        news += &t.fill_with(
                            Key::LiveStatus,
                            &[
                                ("number", &(n + 1).to_string()),
                                ("status", t.get(STATUS_KEYS[s.status as usize])),
                            ],
                        );
                    }
                }
            }
        });
        if !news.is_empty() {
            self.said.set(news);
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
            Some(m) => [r#"{"event":""#, event, r#"","module":""#, m, r#""}"#].concat(),
            None => [r#"{"event":""#, event, r#""}"#].concat(),
        };
        spawn_local(async move {
            let _ =
                crate::api::send(&[live.url.as_str(), "/events"].concat(), Some(body), &[]).await;
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
            self.show(order);
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
    pub fn check(self) {
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

    /// Stops everything when the widget goes: timers, and any answer still on its way.
    pub fn stop(self) {
        if let Some(live) = self.live.try_get_value() {
            live.stopped.set(true);
            if let Some(timer) = live.timer.take() {
                timer.clear();
            }
        }
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

/// The order's latest change request, if any.
fn request(order: &OrderView) -> Option<&ChangeView> {
    order.changes.as_ref()?.request.as_ref()
}

/// Resolves after the tasks already queued: the screen follows a change of state in a
/// task of its own, so an action that changed the order awaits this before it moves the
/// keyboard onto what was drawn.
pub(crate) async fn drawn() {
    let tick = js_sys::Promise::new(&mut |done, _| {
        let _ = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, 0));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
}
