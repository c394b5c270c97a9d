//! The widget's theme (owner only): a colour preset and the main variables of
//! docs/theming.md, with a live preview: the real widget, loaded in this page from this
//! server with a link to the shop's newest order, restyled as the fields change (custom
//! properties set through the CSS object model, which the page's policy allows). Saved, it
//! themes the hosted order page.

use std::collections::BTreeMap;

use gloo_net::http::Method;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{OrderList, ShopTheme, ThemePreset};

use crate::api::Session;
use crate::i18n::{Key, T};
use crate::parts::{fetched, said, shown, wire, Load, Message, Said};

const PATH: &str = "/api/v1/admin/theme";
const LOADER: &str = "/widget/postpurchase.js";

/// The variables offered here, with their label and kind of field.
const VARIABLES: [(&str, Key, &str); 6] = [
    ("--pp-accent", Key::Accent, "color"),
    ("--pp-accent-text", Key::AccentText, "color"),
    ("--pp-background", Key::Background, "color"),
    ("--pp-text", Key::Text, "color"),
    ("--pp-radius", Key::Radius, "text"),
    ("--pp-font", Key::Font, "text"),
];

const PRESETS: [(ThemePreset, Key); 3] = [
    (ThemePreset::Light, Key::PresetLight),
    (ThemePreset::Dark, Key::PresetDark),
    (ThemePreset::Auto, Key::PresetAuto),
];

/// Loads the widget's loader into this page, once.
fn load_widget() {
    let document = document();
    if document.get_element_by_id("pp-loader").is_some() {
        return;
    }
    if let Ok(script) = document.create_element("script") {
        let _ = script.set_attribute("id", "pp-loader");
        let _ = script.set_attribute("type", "module");
        let _ = script.set_attribute("src", LOADER);
        if let Some(head) = document.head() {
            let _ = head.append_child(&script);
        }
    }
}

#[component]
pub fn Theme() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (theme, _) = fetched(move || async move { session.get::<ShopTheme>(PATH).await });
    let (newest, _) = fetched(move || async move {
        session
            .get::<OrderList>("/api/v1/admin/orders?per_page=1")
            .await
    });
    let said_here = RwSignal::new(None::<Said>);
    let slug = move || {
        session
            .now
            .with(|s| s.as_ref().map(|s| s.shop.slug.clone()))
            .unwrap_or_default()
    };
    view! {
        <section aria-labelledby="theme">
            <h2 id="theme">{move || t.get(Key::Theme)}</h2>
            <Message said=said_here />
            {shown(theme, move |current: ShopTheme| {
                let preset = RwSignal::new(wire(current.preset));
                let values: Vec<(&'static str, Key, &'static str, RwSignal<String>)> = VARIABLES
                    .iter()
                    .map(|(name, key, kind)| {
                        let value = current.variables.get(*name).cloned().unwrap_or_default();
                        (*name, *key, *kind, RwSignal::new(value))
                    })
                    .collect();
                let token = RwSignal::new(None::<String>);
                let preview = NodeRef::<html::Div>::new();
                // The preview follows every field as it changes: set on the widget's own
                // element, as a shop's page rule would, so they win over its defaults.
                let applied = values.clone();
                Effect::new(move |_| {
                    token.track();
                    let Some(frame) = preview.get() else {
                        return;
                    };
                    let wanted: Vec<(&'static str, String)> = applied
                        .iter()
                        .map(|(name, _, _, value)| (*name, value.get().trim().to_owned()))
                        .collect();
                    request_animation_frame(move || {
                        let Some(widget) = frame
                            .query_selector("postpurchase-order")
                            .ok()
                            .flatten()
                            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                        else {
                            return;
                        };
                        let style = widget.style();
                        for (name, value) in &wanted {
                            if value.is_empty() {
                                let _ = style.remove_property(name);
                            } else {
                                let _ = style.set_property(name, value);
                            }
                        }
                    });
                });
                let show = move |number: String| {
                    spawn_local(async move {
                        match session.new_link(&number, Some(1)).await {
                            Ok(access) => {
                                load_widget();
                                token.set(Some(access.token));
                            }
                            Err(f) => said_here.set(Some(Said::Failed(f.say(t)))),
                        }
                    });
                };
                let saved = values.clone();
                let kept = current.clone();
                let save = move |e: ev::SubmitEvent| {
                    e.prevent_default();
                    let variables: BTreeMap<String, String> = saved
                        .iter()
                        .map(|(name, _, _, value)| ((*name).to_owned(), value.get_untracked().trim().to_owned()))
                        .filter(|(_, v)| !v.is_empty())
                        .collect();
                    let preset = PRESETS
                        .iter()
                        .map(|(p, _)| *p)
                        .find(|p| wire(*p) == preset.get_untracked())
                        .unwrap_or_default();
                    // The logo and web font are set through the API: kept as they are.
                    let theme = ShopTheme { preset, variables, ..kept.clone() };
                    spawn_local(async move {
                        let result = session.change::<_, ShopTheme>(Method::PUT, PATH, Some(&theme)).await;
                        said_here.set(Some(said(t, &result, Key::Saved)));
                    });
                };
                view! {
                    <form class="card stack" on:submit=save>
                        <label>
                            <span>{t.get(Key::Preset)}</span>
                            <select bind:value=preset>
                                {PRESETS.map(|(p, key)| view! { <option value=wire(p)>{t.get(key)}</option> }).collect_view()}
                            </select>
                        </label>
                        {values.iter().map(|(name, key, kind, value)| {
                            let id = format!("var{name}");
                            let value = *value;
                            view! {
                                <label for=id.clone()>{t.get(*key)}</label>
                                <input id=id type=*kind maxlength="200" bind:value=value />
                            }
                        }).collect_view()}
                        <div class="actions">
                            <button type="submit">{t.get(Key::SaveTheme)}</button>
                            {move || {
                                let number = match newest.get() {
                                    Load::Ready(list) => list.orders.first().map(|o| o.number.clone()),
                                    _ => None,
                                }?;
                                let label = t.fill(Key::Preview, &[("number", &number)]);
                                Some(view! { <button type="button" class="quiet" on:click=move |_| show(number.clone())>{label}</button> })
                            }}
                        </div>
                    </form>
                    <div class="preview" role="region" aria-label=t.get(Key::PreviewTitle) node_ref=preview>
                        {move || token.get().map(|order| view! {
                            <postpurchase-order shop=slug() order=order theme=move || preset.get()></postpurchase-order>
                        })}
                    </div>
                }
            })}
        </section>
    }
}
