//! Installing the widget: the embed snippet for each platform with the shop's slug, the
//! API's address and its order page filled in (and, at a click, a real test order's
//! link), and a check whether the shop's page may run the widget (its origin allowed).

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{InstallInfo, OrderList};

use crate::api::{self, Session};
use crate::i18n::{Key, T};
use crate::parts::{fetched, shown, Message, Said};

/// HTML attribute text.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// The snippets, each as a heading and its code.
fn snippets(info: &InstallInfo, token: &str) -> [(Key, String); 4] {
    let page = info.order_page.clone().unwrap_or_default();
    let tag = format!(
        "<script type=\"module\" async src=\"{}\"\n        data-shop=\"{}\" data-order=\"{}\"\n        data-order-page=\"{}\"></script>",
        attr(&info.loader_url),
        attr(&info.slug),
        attr(token),
        attr(&page)
    );
    let woo = format!(
        "add_action('woocommerce_thankyou', function ($order_id) {{\n    $order = wc_get_order($order_id);\n    $token = $order ? $order->get_meta('_postpurchase_token') : '';\n    if (!$token) return;\n    printf(\n        '<script type=\"module\" async src=\"%s\" data-shop=\"%s\" data-order=\"%s\" data-order-page=\"%s\" data-lang=\"%s\"></script>',\n        esc_url('{}'),\n        esc_attr('{}'),\n        esc_attr($token),\n        esc_url(wc_get_account_endpoint_url('orders')),\n        esc_attr(get_locale())\n    );\n}});",
        info.loader_url, info.slug
    );
    let shopware = format!(
        "{{% sw_extends '@Storefront/storefront/page/checkout/finish/index.html.twig' %}}\n\n{{% block page_checkout_finish_header %}}\n    {{{{ parent() }}}}\n    {{% set token = page.order.customFields.postpurchase_token|default('') %}}\n    {{% if token %}}\n        <script type=\"module\" async src=\"{}\"\n                data-shop=\"{}\" data-order=\"{{{{ token|e('html_attr') }}}}\"\n                data-order-page=\"{{{{ path('frontend.account.order.page') }}}}\"></script>\n    {{% endif %}}\n{{% endblock %}}",
        attr(&info.loader_url),
        attr(&info.slug)
    );
    let hosted = format!("{}/o/{}/{}", info.api_origin, info.slug, token);
    [
        (Key::SnippetHtml, tag),
        (Key::SnippetWoocommerce, woo),
        (Key::SnippetShopware, shopware),
        (Key::SnippetShopify, hosted),
    ]
}

#[component]
pub fn Install() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let asked = RwSignal::new(None::<String>);
    let (info, _) = fetched(move || {
        let path = match asked.get() {
            Some(page) => format!("/api/v1/admin/install?page={}", api::encode(&page)),
            None => "/api/v1/admin/install".to_owned(),
        };
        async move { session.get::<InstallInfo>(&path).await }
    });
    let (newest, _) = fetched(move || async move {
        session
            .get::<OrderList>("/api/v1/admin/orders?per_page=1")
            .await
    });
    let token = RwSignal::new("ORDER-TOKEN".to_owned());
    let said_here = RwSignal::new(None::<Said>);
    let fill = move |number: String| {
        spawn_local(async move {
            match session.new_link(&number, Some(7)).await {
                Ok(access) => {
                    token.set(access.token);
                    said_here.set(Some(Said::Done(
                        t.fill(Key::TestLinkReady, &[("number", &number)]),
                    )));
                }
                Err(f) => said_here.set(Some(Said::Failed(f.say(t)))),
            }
        });
    };
    let page = RwSignal::new(String::new());
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Install)}</h1>
        <p>{move || t.get(Key::InstallIntro)}</p>
        {shown(newest, move |list: OrderList| {
            list.orders.first().map(|o| {
                let number = o.number.clone();
                let label = t.fill(Key::TestLink, &[("number", &number)]);
                view! {
                    <div class="actions">
                        <button type="button" on:click=move |_| fill(number.clone())>{label}</button>
                    </div>
                }
            })
        })}
        <Message said=said_here />
        {shown(info, move |info: InstallInfo| {
            let code = {
                let info = info.clone();
                move |index: usize| {
                    let info = info.clone();
                    move || snippets(&info, &token.get())[index].1.clone()
                }
            };
            let allowed_now = if info.allowed_origins.is_empty() {
                t.get(Key::None).to_owned()
            } else {
                info.allowed_origins.join(", ")
            };
            let checked = info.checked.clone().map(|c| match (c.origin, c.allowed) {
                (None, _) => view! { <p class="message failure" role="alert">{t.get(Key::NotAnAddress)}</p> }.into_any(),
                (Some(origin), true) => view! {
                    <p class="message" role="status">{t.fill(Key::OriginAllowed, &[("origin", &origin)])}</p>
                }.into_any(),
                (Some(origin), false) => {
                    let mut all = info.allowed_origins.clone();
                    all.push(origin.clone());
                    let command = format!("postpurchase-server shops origins {} {}", info.slug, all.join(" "));
                    view! {
                        <div role="alert">
                            <p class="message failure">{t.fill(Key::OriginRefused, &[("origin", &origin)])}</p>
                            <pre><code>{command}</code></pre>
                        </div>
                    }.into_any()
                }
            });
            view! {
                {(0..4).map(|index| {
                    let key = snippets(&info, "")[index].0;
                    let id = format!("snippet-{index}");
                    let (section_by, area_by) = (id.clone(), id.clone());
                    view! {
                        <section aria-labelledby=section_by>
                            <h2 id=id>{t.get(key)}</h2>
                            <textarea readonly rows="6" class="code" aria-labelledby=area_by prop:value=code(index)></textarea>
                        </section>
                    }
                }).collect_view()}
                <section aria-labelledby="origin">
                    <h2 id="origin">{t.get(Key::CheckOrigin)}</h2>
                    <p class="quiet">{t.fill(Key::AllowedNow, &[("origins", &allowed_now)])}</p>
                    <form class="filters" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        asked.set(Some(page.get_untracked()));
                    }>
                        <label class="grow">
                            <span>{t.get(Key::PageAddress)}</span>
                            <input type="url" required maxlength="2000" placeholder="https://" bind:value=page />
                        </label>
                        <button type="submit">{t.get(Key::Check)}</button>
                    </form>
                    {checked}
                </section>
            }
        })}
    }
}
