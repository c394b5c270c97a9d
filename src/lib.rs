//! The postpurchase widget: a leptos app (client-side rendered) that the loader
//! (`loader/postpurchase.js`) mounts into a shadow root on the merchant's page.
//!
//! The JavaScript side calls [`mount`] with the element to render into and the options it
//! read from the embed tag; everything else happens here.

//! Its parts depend one way: [`action`] (what the shopper does) → the screen ([`screen`],
//! [`more`]: what the shopper sees) → [`state`] (what the widget knows) → [`api`],
//! [`decode`] and [`parcels`] (the rules); [`dom`], [`i18n`] and [`intl`] serve them all;
//! [`shared`] (the after-delivery module's too) serves every part.

mod action;
pub mod api;
pub mod decode;
mod dom;
pub mod i18n;
pub mod intl;
mod more;
pub mod parcels;
mod screen;
mod shared;
mod state;

pub use state::Options;

use wasm_bindgen::prelude::*;

/// How often a visible widget asks whether the order changed, in milliseconds.
pub const REFRESH_MS: u32 = 30_000;

/// A mounted widget; dropping it (or calling `unmount`) removes it and frees its memory.
#[wasm_bindgen]
pub struct Mounted(Option<Box<dyn std::any::Any>>);

#[wasm_bindgen]
impl Mounted {
    pub fn unmount(&mut self) {
        self.0.take();
    }
}

/// Renders the widget into `root` with the options of one embed tag. Plain arguments
/// rather than an options object: reading them costs no deserializer in the bundle.
///
/// The loader picks the language (the tag's own, else the page's, else the browser's) and
/// fetches its texts, [`i18n::KEY_COUNT`] strings in the order of [`i18n::Key`], joined
/// by U+001F (one string crosses into wasm faster than a few hundred); texts of another
/// count are refused with an error (the loader then shows its fallback).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)] // one per embed-tag option, see above
pub fn mount(
    root: web_sys::HtmlElement,
    api: String,
    shop: String,
    order: String,
    lang: String,
    locale: String,
    texts: String,
    order_page: Option<String>,
    prefetched: Option<js_sys::Promise>,
    intl: Option<js_sys::Function>,
    later: Option<js_sys::Function>,
) -> Result<Mounted, JsError> {
    // Split at each U+001F, a trailing empty text included, as `split` would.
    let (mut rest, mut list) = (texts.as_str(), Vec::new());
    while let Some((text, tail)) = shared::split_once_at(rest, 0x1f) {
        list.push(text.to_owned());
        rest = tail;
    }
    list.push(rest.to_owned());
    let texts = i18n::Texts::new(&lang, list).ok_or_else(|| JsError::new("texts"))?;
    Ok(mount_with(
        root,
        Options {
            api,
            shop,
            order,
            texts,
            locale,
            order_page,
            prefetched,
            refresh_ms: REFRESH_MS,
            intl,
            later,
        },
    ))
}

/// [`mount`] for Rust callers, with every option.
///
/// No leptos view is mounted: the widget is plain DOM (see [`screen`]) and uses leptos for
/// its signals, effects and clean-up only, under an [`Owner`](leptos::prelude::Owner) of
/// its own. Dropping it runs the clean-up, which removes the widget.
pub fn mount_with(root: web_sys::HtmlElement, mut options: Options) -> Mounted {
    if let Some(factory) = options.intl.take() {
        intl::share_with(factory);
    }
    // The executor that runs the widget's tasks (an error: it already runs).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = leptos::prelude::Owner::new();
    owner.with(|| widget(options, root.into()));
    Mounted(Some(Box::new(owner)))
}

/// The whole widget for one embed tag, into `root`, whose events it hears.
fn widget(options: Options, root: web_sys::Element) {
    use leptos::prelude::*;
    use state::{Ctx, Live, Load};
    let texts = options.texts;
    let cx = Ctx {
        t: texts,
        state: RwSignal::new_local(Load::Loading),
        said: RwSignal::new(String::new()),
        live: StoredValue::new_local(std::rc::Rc::new(Live::new(options, root.clone()))),
    };
    // The shell: the live region the widget speaks through, and the body the screen draws.
    let shell = dom::add(&root, "div", "pp", "");
    dom::attr(&shell, "lang", texts.code());
    let region = dom::add(&shell, "p", "pp-visually-hidden", "");
    dom::attr(&region, "aria-live", "polite");
    let host = dom::add(&shell, "div", "pp-body", "");
    let (busy, speak) = (shell.clone(), region.clone());
    let effects = (
        RenderEffect::new(move |_| {
            let loading = cx.state.with(|s| matches!(s, Load::Loading));
            dom::attr(&busy, "aria-busy", if loading { "true" } else { "false" });
        }),
        RenderEffect::new(move |_| speak.set_text_content(Some(&cx.said.get()))),
    );
    screen::body(host, cx, action::follow_ups);
    action::listen(cx);
    cx.load();
    // Hidden pages are not re-checked; coming back checks at once.
    let listener = window_event_listener_untyped("visibilitychange", move |_| cx.check());
    on_cleanup(move || {
        drop(effects);
        listener.remove();
        cx.stop();
        if let Some(live) = cx.live.try_get_value() {
            action::unlisten(&live);
            // The widget goes with its shell, the only thing it put in its element.
            live.root.set_text_content(None);
        }
    });
}
