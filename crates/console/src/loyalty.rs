//! Loyalty and the unboxing, switched on and set (owner only, in Settings): one small form
//! each, drawn from a table of fields (the settings' JSON paths, labels and kinds), so the
//! two cost one form's code. A field the API refuses is named by its label.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use serde_json::Value;

use crate::api::Session;
use crate::i18n::{Key, T};
use crate::parts::{after_naming, fetched, shown, Message, Said};

/// A field: its dotted path in the settings (as the API names it), its label, and
/// whether it is a checkbox, a number or a text.
type Field = (&'static str, Key, u8);

const CHECK: u8 = 0;
const NUMBER: u8 = 1;
const TEXT: u8 = 2;

const LOYALTY: &[Field] = &[
    ("enabled", Key::LoyaltyOn, CHECK),
    ("name", Key::LoyaltyName, TEXT),
    ("points_per_unit", Key::PointsPerUnit, NUMBER),
    ("product_url", Key::ProductUrl, TEXT),
    ("voucher.prefix", Key::VoucherPrefix, TEXT),
    ("voucher.reward.value", Key::Voucher, NUMBER),
    ("voucher.valid_days", Key::VoucherDays, NUMBER),
    ("voucher.returning_only", Key::VoucherReturning, CHECK),
];

const UNBOXING: &[Field] = &[
    ("enabled", Key::UnboxingOn, CHECK),
    ("thanks", Key::UnboxingThanks, TEXT),
    ("eco", Key::UnboxingEco, TEXT),
    ("eco_url", Key::UnboxingEcoUrl, TEXT),
    ("hashtag", Key::Hashtag, TEXT),
    ("handle", Key::Handle, TEXT),
    ("share_url", Key::UnboxingShareUrl, TEXT),
];

/// A shop that has no voucher rule yet starts from 10 % off for 60 days, for returning
/// customers; an empty prefix sends none.
const NEW_VOUCHER: &str = r#"{"reward":{"kind":"percent_off","value":10},"valid_days":60,"returning_only":true,"prefix":""}"#;

/// The value at a dotted path, made when missing.
fn at<'a>(mut value: &'a mut Value, path: &str) -> &'a mut Value {
    for part in path.split('.') {
        value = &mut value[part];
    }
    value
}

/// The input of a field, by its id.
fn input(id: &str) -> Option<web_sys::HtmlInputElement> {
    let element = document().get_element_by_id(id)?;
    Some(wasm_bindgen::JsCast::unchecked_into(element))
}

#[component]
pub fn Loyalty() -> impl IntoView {
    let t = T::use_();
    let said_here = RwSignal::new(None::<Said>);
    view! {
        <section aria-labelledby="loyalty">
            <h2 id="loyalty">{move || t.get(Key::Loyalty)}</h2>
            <Message said=said_here />
            {form(t, said_here, "/api/v1/admin/loyalty-settings", Key::Loyalty, LOYALTY)}
            {form(t, said_here, "/api/v1/admin/unboxing-settings", Key::Unboxing, UNBOXING)}
        </section>
    }
}

fn form(
    t: T,
    said_here: RwSignal<Option<Said>>,
    path: &'static str,
    legend: Key,
    fields: &'static [Field],
) -> impl IntoView {
    let session = Session::use_();
    let (settings, reload) = fetched(move || async move { session.get::<Value>(path).await });
    let id = move |name: &str| format!("{path}#{name}");
    shown(settings, move |mut current: Value| {
        if current.get("voucher").is_some_and(Value::is_null) {
            current["voucher"] = serde_json::from_str(NEW_VOUCHER).unwrap_or_default();
        }
        let inputs = fields
            .iter()
            .map(|(name, label, kind)| {
                let value = at(&mut current.clone(), name).clone();
                let check = *kind == CHECK;
                view! {
                    <label class:check=check>
                        <span>{t.get(*label)}</span>
                        <input id=id(name) type=if check { "checkbox" } else { "text" }
                            value=value.as_str().map_or_else(|| value.as_i64().map(|n| n.to_string()).unwrap_or_default(), str::to_owned)
                            checked=value.as_bool() == Some(true) />
                    </label>
                }
            })
            .collect_view();
        view! {
            <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                e.prevent_default();
                let mut asked = current.clone();
                for (name, _, kind) in fields {
                    let Some(field) = input(&id(name)) else { continue };
                    let text = field.value().trim().to_owned();
                    // A number the field lets through but the server refuses is named by
                    // its answer.
                    *at(&mut asked, name) = match *kind {
                        CHECK => Value::Bool(field.checked()),
                        _ if text.is_empty() => Value::Null,
                        NUMBER => text.parse::<i64>().map_or(Value::String(text), Value::from),
                        _ => Value::String(text),
                    };
                }
                if asked.get("voucher").is_some_and(|v| v["prefix"].is_null()) {
                    asked["voucher"] = Value::Null;
                }
                after_naming(t, said_here, reload, Key::Saved, move |field| {
                    fields.iter().find(|(f, _, _)| *f == field).map_or(field, |(_, key, _)| t.get(*key))
                }, async move {
                    session.change::<_, Value>(Method::PUT, path, Some(&asked)).await
                });
            }>
                <fieldset>
                    <legend>{t.get(legend)}</legend>
                    {inputs}
                </fieldset>
                <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
            </form>
        }
    })
}
