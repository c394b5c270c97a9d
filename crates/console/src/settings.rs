//! The shop's settings (owner only): delivery choices, and webhooks: the address, the
//! signing secret (shown on request, made anew at a click) and the recent sends, each of
//! which can be sent again.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::{
    DeliverySettings, DeliverySettingsView, SlotPayment, WebhookDeliveryView, SAFE_PLACES,
};

use crate::api::Session;
use crate::i18n::{self, Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

const PATH: &str = "/api/v1/admin/delivery-settings";

fn place_key(code: &str) -> Option<Key> {
    Some(match code {
        "front_door" => Key::PlaceFrontDoor,
        "porch" => Key::PlacePorch,
        "garage" => Key::PlaceGarage,
        "back_door" => Key::PlaceBackDoor,
        "shed" => Key::PlaceShed,
        "mailbox" => Key::PlaceMailbox,
        _ => return None,
    })
}

fn state_key(state: &str) -> Key {
    match state {
        "delivered" => Key::StateDelivered,
        "failed" => Key::StateFailed,
        _ => Key::StatePending,
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (settings, reload) =
        fetched(move || async move { session.get::<DeliverySettingsView>(PATH).await });
    let (log, reload_log) = fetched(move || async move {
        session
            .get::<Vec<WebhookDeliveryView>>("/api/v1/admin/webhook-deliveries")
            .await
    });
    let said_here = RwSignal::new(None::<Said>);
    let save = move |settings: DeliverySettings, done: Key| {
        after(t, said_here, reload, done, async move {
            session
                .change::<_, DeliverySettingsView>(Method::PUT, PATH, Some(&settings))
                .await
        });
    };
    let resend = move |id: i64| {
        let path = format!("/api/v1/admin/webhook-deliveries/{id}/resend");
        after(t, said_here, reload_log, Key::SentAgain, async move {
            session.change::<(), ()>(Method::POST, &path, None).await
        });
    };
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Settings)}</h1>
        <Message said=said_here />
        {shown(settings, move |current: DeliverySettingsView| {
            let zone = RwSignal::new(current.time_zone.clone());
            let cutoff = RwSignal::new(current.cutoff.clone());
            let later = RwSignal::new(current.later_days.to_string());
            let places = RwSignal::new(current.safe_places.clone());
            let neighbour = RwSignal::new(current.neighbour);
            let payment = RwSignal::new(current.slot_payment.as_str().to_owned());
            let url = RwSignal::new(current.webhook_url.clone().unwrap_or_default());
            let reveal = RwSignal::new(false);
            let form = move |rotate: bool| DeliverySettings {
                time_zone: zone.get_untracked(),
                cutoff: cutoff.get_untracked(),
                later_days: later.get_untracked().trim().parse().unwrap_or(u32::MAX),
                safe_places: places.get_untracked(),
                neighbour: neighbour.get_untracked(),
                slot_payment: SlotPayment::parse(&payment.get_untracked()).unwrap_or_default(),
                webhook_url: Some(url.get_untracked()).filter(|u| !u.trim().is_empty()),
                rotate_webhook_secret: rotate,
            };
            let secret = current.webhook_secret.clone();
            view! {
                <section aria-labelledby="delivery">
                    <h2 id="delivery">{t.get(Key::DeliverySettings)}</h2>
                    <form class="stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        save(form(false), Key::Saved);
                    }>
                        <label>
                            <span>{t.get(Key::TimeZone)}</span>
                            <input required maxlength="64" bind:value=zone />
                        </label>
                        <label>
                            <span>{t.get(Key::Cutoff)}</span>
                            <input type="time" required bind:value=cutoff />
                        </label>
                        <label>
                            <span>{t.get(Key::LaterDays)}</span>
                            <input type="number" min="0" max="30" required class="short" bind:value=later />
                        </label>
                        <fieldset>
                            <legend>{t.get(Key::SafePlaces)}</legend>
                            {SAFE_PLACES.iter().map(|code| {
                                let code = (*code).to_owned();
                                let checked = {
                                    let code = code.clone();
                                    move || places.with(|p| p.contains(&code))
                                };
                                let toggle = {
                                    let code = code.clone();
                                    move |e: ev::Event| {
                                        let on = event_target_checked(&e);
                                        places.update(|p| {
                                            p.retain(|c| *c != code);
                                            if on {
                                                p.push(code.clone());
                                            }
                                        });
                                    }
                                };
                                let label = place_key(&code).map_or(code.clone(), |k| t.get(k).to_owned());
                                view! {
                                    <label class="check">
                                        <input type="checkbox" prop:checked=checked on:change=toggle />
                                        <span>{label}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <label class="check">
                            <input type="checkbox" bind:checked=neighbour />
                            <span>{t.get(Key::NeighbourAllowed)}</span>
                        </label>
                        <label>
                            <span>{t.get(Key::SlotPayment)}</span>
                            <select on:change=move |e| payment.set(event_target_value(&e))>
                                {SlotPayment::ALL.iter().map(|p| {
                                    let key = match p {
                                        SlotPayment::OrderPayment => Key::SlotPaidOrderPayment,
                                        SlotPayment::OnDelivery => Key::SlotPaidOnDelivery,
                                        SlotPayment::Invoice => Key::SlotPaidInvoice,
                                    };
                                    let chosen = payment.get_untracked() == p.as_str();
                                    view! { <option value=p.as_str() selected=chosen>{t.get(key)}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{t.get(Key::WebhookUrl)}</span>
                            <input type="url" maxlength="2000" placeholder="https://" bind:value=url />
                        </label>
                        <button type="submit">{t.get(Key::Save)}</button>
                    </form>
                </section>
                <section aria-labelledby="webhooks">
                    <h2 id="webhooks">{t.get(Key::Webhooks)}</h2>
                    {match secret {
                        None => view! { <p class="quiet">{t.get(Key::NoSecret)}</p> }.into_any(),
                        Some(secret) => view! {
                            <label>
                                <span>{t.get(Key::WebhookSecret)}</span>
                                <input readonly class="wide" prop:type=move || if reveal.get() { "text" } else { "password" }
                                    prop:value=secret />
                            </label>
                            <label class="check">
                                <input type="checkbox" bind:checked=reveal />
                                <span>{t.get(Key::ShowSecret)}</span>
                            </label>
                            <div class="actions">
                                <button type="button" on:click=move |_| save(form(true), Key::Rotated)>
                                    {t.get(Key::RotateSecret)}
                                </button>
                            </div>
                        }.into_any(),
                    }}
                </section>
            }
        })}
        <crate::origins::Origins />
        <crate::feeds::Feeds />
        <crate::delays::Delays />
        <crate::changes::Terms />
        <crate::followups::Followups />
        <crate::loyalty::Loyalty />
        <crate::theme::Theme />
        <section aria-labelledby="recent">
            <h2 id="recent">{move || t.get(Key::RecentWebhooks)}</h2>
            {shown(log, move |list: Vec<WebhookDeliveryView>| {
                if list.is_empty() {
                    return view! { <p class="quiet">{t.get(Key::NoDeliveries)}</p> }.into_any();
                }
                let lang = t.lang();
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t.get(Key::Event)}</th>
                                <th scope="col">{t.get(Key::State)}</th>
                                <th scope="col" class="amount">{t.get(Key::Attempts)}</th>
                                <th scope="col">{t.get(Key::Answer)}</th>
                                <th scope="col">{t.get(Key::Actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|d| {
                                let id = d.id;
                                let answer = match (d.last_status, &d.last_error) {
                                    (Some(status), _) => status.to_string(),
                                    (None, Some(error)) => error.clone(),
                                    (None, None) => String::new(),
                                };
                                view! {
                                    <tr>
                                        <th scope="row">{d.kind.clone()}<br /><span class="quiet">{i18n::when(lang, &d.created_at, true)}</span></th>
                                        <td>{t.get(state_key(&d.state))}</td>
                                        <td class="amount">{d.attempts}</td>
                                        <td>{answer}</td>
                                        <td>
                                            <button type="button" class="quiet" on:click=move |_| resend(id)>
                                                {format!("{} ({})", t.get(Key::SendAgain), d.kind)}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            })}
        </section>
    }
}
