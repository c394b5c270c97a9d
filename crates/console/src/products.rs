//! After delivery, per product: the SKUs the shop has words for (care, re-order
//! suggestion, what goes well with it, with clicks and waiting reminders), and one form to
//! put a product's words: picking a SKU from the list fills it in. Recommendations are
//! one per line: `name | price in cents | currency | url | image`.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::api::{encode, Session};
use crate::i18n::{Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

const PATH: &str = "/api/v1/admin/products";

/// A field of a product (JSON, as the admin API reads it) as text.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A recommendation as one line of the form.
fn line(p: &Value) -> String {
    ["name", "price", "currency", "url", "image_url"]
        .map(|k| text_of(&p[k]))
        .join(" | ")
}

/// The form's lines as recommendations; what a line lacks the API names.
fn pairs(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut part = l.split('|').map(str::trim);
            let mut next = || part.next().unwrap_or_default().to_owned();
            let (name, price, currency, url, image) = (next(), next(), next(), next(), next());
            json!({"name": name, "price": price.parse::<i64>().unwrap_or(-1),
                   "currency": currency, "url": url,
                   "image_url": (!image.is_empty()).then_some(image)})
        })
        .collect()
}

/// A labelled field of the form: a text box, or a text area of `rows` lines.
fn field(label: &'static str, value: RwSignal<String>, rows: u8) -> impl IntoView {
    let input = if rows == 0 {
        view! { <input bind:value=value /> }.into_any()
    } else {
        view! { <textarea rows=rows spellcheck="false" bind:value=value></textarea> }.into_any()
    };
    view! { <label><span>{label}</span>{input}</label> }
}

#[component]
pub fn Products() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (list, reload) = fetched(move || async move { session.get::<Vec<Value>>(PATH).await });
    let said_here = RwSignal::new(None::<Said>);
    let [sku, care, link, days, rows] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let text = |s: RwSignal<String>| {
        let v = s.get_untracked().trim().to_owned();
        (!v.is_empty()).then_some(v)
    };
    let save = move |e: ev::SubmitEvent| {
        e.prevent_default();
        // Days the field lets through but the server refuses are named by its answer.
        let asked = json!({
            "care": text(care),
            "care_url": text(link),
            "reorder_days": text(days).map(|d| d.parse::<u32>().unwrap_or(0)),
            "pairs": pairs(&rows.get_untracked()),
        });
        let path = format!("{PATH}/{}", encode(sku.get_untracked().trim()));
        after(t, said_here, reload, Key::Saved, async move {
            session
                .change::<_, Value>(Method::PUT, &path, Some(&asked))
                .await
        });
    };
    view! {
        <h1>{t.get(Key::Products)}</h1>
        <p class="hint">{t.get(Key::ProductsHint)}</p>
        <Message said=said_here />
        {shown(list, move |list: Vec<Value>| {
            // Each SKU with its suggestion, recommendations (clicks) and waiting
            // reminders; choosing it fills the form.
            list.into_iter()
                .map(|p| {
                    let pairs = p["pairs"].as_array().cloned().unwrap_or_default();
                    let said = format!(
                        "{} · {} · {} · {}",
                        text_of(&p["sku"]),
                        text_of(&p["reorder_days"]),
                        pairs
                            .iter()
                            .map(|q| format!("{} ({})", text_of(&q["name"]), q["clicks"]))
                            .collect::<Vec<_>>()
                            .join(", "),
                        p["reminders_waiting"]
                    );
                    let pick = move |_| {
                        for (signal, key) in [(sku, "sku"), (care, "care"), (link, "care_url"), (days, "reorder_days")] {
                            signal.set(text_of(&p[key]));
                        }
                        rows.set(pairs.iter().map(line).collect::<Vec<_>>().join("\n"));
                    };
                    view! { <p><button type="button" class="quiet" on:click=pick>{said}</button></p> }
                })
                .collect_view()
        })}
        <form class="card stack" on:submit=save>
            {field(t.get(Key::Sku), sku, 0)}
            {field(t.get(Key::CareWords), care, 3)}
            {field(t.get(Key::CareLink), link, 0)}
            {field(t.get(Key::ReorderDays), days, 0)}
            {field(t.get(Key::PairRows), rows, 4)}
            <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
        </form>
    }
}
