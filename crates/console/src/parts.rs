//! What the pages share: data loaded from the API (the newest answer wins), and the
//! message a change leaves behind, said to screen readers too.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Failure;
use crate::i18n::{Key, T};

/// Data on its way, there, or not to be had.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<D> {
    Loading,
    Ready(D),
    Failed(Failure),
}

/// Loads with `fetch` now, again whenever a signal it reads changes, and on
/// [`Reload::again`]. An older answer arriving late never replaces a newer one.
pub fn fetched<D, F, Fut>(fetch: F) -> (RwSignal<Load<D>>, Reload)
where
    D: Clone + Send + Sync + 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<D, Failure>> + 'static,
{
    let data = RwSignal::new(Load::Loading);
    let reload = Reload(RwSignal::new(0));
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        reload.0.track();
        let answer = fetch();
        let n = asked.get_value() + 1;
        asked.set_value(n);
        spawn_local(async move {
            let result = answer.await;
            if asked.get_value() == n {
                data.set(match result {
                    Ok(d) => Load::Ready(d),
                    Err(e) => Load::Failed(e),
                });
            }
        });
    });
    (data, reload)
}

/// Asks [`fetched`] data to load again (after a change).
#[derive(Clone, Copy)]
pub struct Reload(RwSignal<u32>);

impl Reload {
    pub fn again(self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

/// What the last change said: done, or why not.
#[derive(Clone, Debug, PartialEq)]
pub enum Said {
    Done(String),
    Failed(String),
}

/// The place a page says how its changes went: a polite status for success, an alert for
/// a failure.
#[component]
pub fn Message(said: RwSignal<Option<Said>>) -> impl IntoView {
    view! {
        <p class="message" role="status" aria-live="polite">
            {move || match said.get() {
                Some(Said::Done(text)) => text,
                _ => String::new(),
            }}
        </p>
        <p class="message failure" role="alert">
            {move || match said.get() {
                Some(Said::Failed(text)) => text,
                _ => String::new(),
            }}
        </p>
    }
}

/// A bar for a share of 0–100 %, drawn with CSS; hidden from screen readers, which read
/// the number beside it. Its width is set through the CSS object model, which the page's
/// policy (no inline styles) allows.
pub fn bar(percent: f64) -> impl IntoView {
    let width = format!("{:.1}%", percent.clamp(0.0, 100.0));
    view! { <span class="bar" aria-hidden="true"><span style:width=width></span></span> }
}

/// Shows loaded data with `ready`, or that it is loading, or why it failed.
pub fn shown<D, V>(
    data: RwSignal<Load<D>>,
    ready: impl Fn(D) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    D: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let t = T::use_();
    move || match data.get() {
        Load::Loading => {
            view! { <p class="loading" role="status">{t.get(Key::Loading)}</p> }.into_any()
        }
        Load::Failed(failure) => {
            view! { <p class="message failure" role="alert">{failure.say(t)}</p> }.into_any()
        }
        Load::Ready(d) => ready(d).into_any(),
    }
}

/// Runs a change, then says how it went (`done` when it went through) and loads the
/// page's data again.
pub fn after<X: 'static>(
    t: T,
    said_here: RwSignal<Option<Said>>,
    reload: Reload,
    done: Key,
    change: impl Future<Output = Result<X, Failure>> + 'static,
) {
    after_naming(t, said_here, reload, done, |field| field, change);
}

/// The same, naming each field the API found wrong by `name` (the form's own label).
pub fn after_naming<X: 'static>(
    t: T,
    said_here: RwSignal<Option<Said>>,
    reload: Reload,
    done: Key,
    name: impl Fn(&str) -> &str + 'static,
    change: impl Future<Output = Result<X, Failure>> + 'static,
) {
    spawn_local(async move {
        let result = change.await;
        said_here.set(Some(said_naming(t, &result, done, name)));
        reload.again();
    });
}

/// An enum's wire name (its serde name), for option values and query strings.
pub fn wire<V: serde::Serialize>(value: V) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A filter form with one choice among `options` (by wire name, "any" first), bound to
/// `chosen`; choosing loads again at once.
pub fn filter<S>(
    t: T,
    label: Key,
    chosen: RwSignal<String>,
    options: &'static [S],
    name: fn(S) -> Key,
) -> impl IntoView
where
    S: Copy + serde::Serialize + Send + Sync + 'static,
{
    view! {
        <form class="filters" on:submit=|e| e.prevent_default()>
            <label>
                <span>{move || t.get(label)}</span>
                <select bind:value=chosen>
                    <option value="">{move || t.get(Key::Any)}</option>
                    {options
                        .iter()
                        .map(|s| {
                            let s = *s;
                            view! { <option value=wire(s)>{move || t.get(name(s))}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        </form>
    }
}

/// `path` with `?status=` when one is chosen.
pub fn with_status(path: &str, status: &str) -> String {
    if status.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?status={status}")
    }
}

/// The outcome of a change as a message.
pub fn said<X>(t: T, result: &Result<X, Failure>, done: Key) -> Said {
    said_naming(t, result, done, |field| field)
}

/// The same, naming each field the API found wrong by `name`.
pub fn said_naming<X>(
    t: T,
    result: &Result<X, Failure>,
    done: Key,
    name: impl Fn(&str) -> &str,
) -> Said {
    match result {
        Ok(_) => Said::Done(t.get(done).to_owned()),
        Err(failure) => Said::Failed(failure.say_naming(t, name)),
    }
}

/// A review's or a returned item's photos, as the shop moderates them: each a thumbnail
/// linking to the full photo (the admin API serves them to the signed-in staff).
pub fn photos(t: T, ids: &[String]) -> impl IntoView {
    (!ids.is_empty()).then(|| {
        let shots = ids
            .iter()
            .enumerate()
            .map(|(n, id)| {
                let src = format!("/api/v1/admin/photos/{}", crate::api::encode(id));
                let alt = t.fill(Key::Photo, &[("n", &(n + 1).to_string())]);
                let href = src.clone();
                view! {
                    <a href=href target="_blank" rel="noopener">
                        <img src=src alt=alt width="96" height="96" loading="lazy" />
                    </a>
                }
            })
            .collect_view();
        view! { <p class="photos">{shots}</p> }
    })
}
