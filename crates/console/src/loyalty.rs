//! Loyalty and the unboxing, switched on and set (owner only, in Settings): the
//! programme's name, points, the next-purchase voucher's rule and the product pages "Buy
//! again" links to; the notes a delivered order shows and how it is shared.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::{LoyaltySettings, Reward, RewardKind, UnboxingSettings, VoucherRule};

use crate::api::Session;
use crate::followups::RewardFields;
use crate::i18n::{Key, T};
use crate::parts::{after_naming, fetched, shown, Message, Said};

const LOYALTY: &str = "/api/v1/admin/loyalty-settings";
const UNBOXING: &str = "/api/v1/admin/unboxing-settings";

/// Each field the API may name, with its label.
const FIELDS: [(&str, Key); 15] = [
    ("name", Key::LoyaltyName),
    ("points_per_unit", Key::PointsPerUnit),
    ("voucher.reward.value", Key::RewardValue),
    ("voucher.reward.currency", Key::RewardCurrency),
    ("voucher.valid_days", Key::VoucherDays),
    ("voucher.prefix", Key::VoucherPrefix),
    ("product_url", Key::ProductUrl),
    ("thanks", Key::UnboxingThanks),
    ("eco", Key::UnboxingEco),
    ("eco_url", Key::UnboxingEcoUrl),
    ("hashtag", Key::Hashtag),
    ("handle", Key::Handle),
    ("share_url", Key::UnboxingShareUrl),
    ("enabled", Key::LoyaltyOn),
    ("voucher", Key::Voucher),
];

/// A typed text as sent: `None` when blank.
fn typed(text: RwSignal<String>) -> Option<String> {
    Some(text.get_untracked().trim().to_owned()).filter(|t| !t.is_empty())
}

fn text(value: &Option<String>) -> RwSignal<String> {
    RwSignal::new(value.clone().unwrap_or_default())
}

/// A field the API named, by its label.
fn label(t: T, field: &str) -> &str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(field, |(_, key)| t.get(*key))
}

#[component]
pub fn Loyalty() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let said_here = RwSignal::new(None::<Said>);
    let (loyalty, reload) =
        fetched(move || async move { session.get::<LoyaltySettings>(LOYALTY).await });
    let (unboxing, reload_unboxing) =
        fetched(move || async move { session.get::<UnboxingSettings>(UNBOXING).await });
    view! {
        <section aria-labelledby="loyalty">
            <h2 id="loyalty">{move || t.get(Key::Loyalty)}</h2>
            <Message said=said_here />
            {shown(loyalty, move |s: LoyaltySettings| {
                let enabled = RwSignal::new(s.enabled);
                let title = text(&s.name);
                let points = RwSignal::new(s.points_per_unit.to_string());
                let rule = s.voucher.clone();
                let prefix = text(&rule.as_ref().map(|r| r.prefix.clone()));
                let days = RwSignal::new(rule.as_ref().map_or(60, |r| r.valid_days).to_string());
                let returning = RwSignal::new(rule.as_ref().is_none_or(|r| r.returning_only));
                let reward = RewardFields::new(&rule.map_or(
                    Reward { kind: RewardKind::PercentOff, value: 10, currency: None },
                    |r| r.reward,
                ));
                let product = text(&s.product_url);
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        let asked = LoyaltySettings {
                            enabled: enabled.get_untracked(),
                            name: typed(title),
                            points_per_unit: points.get_untracked().trim().parse().unwrap_or(u32::MAX),
                            voucher: typed(prefix).map(|prefix| VoucherRule {
                                reward: reward.reward(),
                                valid_days: days.get_untracked().trim().parse().unwrap_or(0),
                                returning_only: returning.get_untracked(),
                                prefix,
                            }),
                            product_url: typed(product),
                        };
                        after_naming(t, said_here, reload, Key::Saved, move |f| label(t, f), async move {
                            session.change::<_, LoyaltySettings>(Method::PUT, LOYALTY, Some(&asked)).await
                        });
                    }>
                        <fieldset>
                            <legend>{t.get(Key::Loyalty)}</legend>
                            <label class="check">
                                <input type="checkbox" bind:checked=enabled />
                                <span>{t.get(Key::LoyaltyOn)}</span>
                            </label>
                            <label>
                                <span>{t.get(Key::LoyaltyName)}</span>
                                <input maxlength="60" bind:value=title />
                            </label>
                            <label>
                                <span>{t.get(Key::PointsPerUnit)}</span>
                                <input type="number" min="0" max="100" required class="short" bind:value=points />
                            </label>
                            <label>
                                <span>{t.get(Key::ProductUrl)}</span>
                                <input type="url" bind:value=product />
                            </label>
                            <label>
                                <span>{t.get(Key::VoucherPrefix)}</span>
                                <input maxlength="8" class="short" bind:value=prefix />
                            </label>
                            <label>
                                <span>{t.get(Key::VoucherDays)}</span>
                                <input type="number" min="1" max="365" class="short" bind:value=days />
                            </label>
                            <label class="check">
                                <input type="checkbox" bind:checked=returning />
                                <span>{t.get(Key::VoucherReturning)}</span>
                            </label>
                        </fieldset>
                        {reward.view(t, Key::Voucher)}
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
            {shown(unboxing, move |s: UnboxingSettings| {
                let enabled = RwSignal::new(s.enabled);
                let thanks = text(&s.thanks);
                let eco = text(&s.eco);
                let eco_url = text(&s.eco_url);
                let hashtag = text(&s.hashtag);
                let handle = text(&s.handle);
                let share_url = text(&s.share_url);
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        let asked = UnboxingSettings {
                            enabled: enabled.get_untracked(),
                            thanks: typed(thanks),
                            eco: typed(eco),
                            eco_url: typed(eco_url),
                            hashtag: typed(hashtag),
                            handle: typed(handle),
                            share_url: typed(share_url),
                        };
                        after_naming(t, said_here, reload_unboxing, Key::Saved, move |f| label(t, f), async move {
                            session.change::<_, UnboxingSettings>(Method::PUT, UNBOXING, Some(&asked)).await
                        });
                    }>
                        <fieldset>
                            <legend>{t.get(Key::Unboxing)}</legend>
                            <label class="check">
                                <input type="checkbox" bind:checked=enabled />
                                <span>{t.get(Key::UnboxingOn)}</span>
                            </label>
                            <label>
                                <span>{t.get(Key::UnboxingThanks)}</span>
                                <textarea rows="3" maxlength="600" bind:value=thanks></textarea>
                            </label>
                            <label>
                                <span>{t.get(Key::UnboxingEco)}</span>
                                <textarea rows="3" maxlength="600" bind:value=eco></textarea>
                            </label>
                            <label>
                                <span>{t.get(Key::UnboxingEcoUrl)}</span>
                                <input type="url" bind:value=eco_url />
                            </label>
                            <label>
                                <span>{t.get(Key::Hashtag)}</span>
                                <input maxlength="41" class="short" bind:value=hashtag />
                            </label>
                            <label>
                                <span>{t.get(Key::Handle)}</span>
                                <input maxlength="31" class="short" bind:value=handle />
                            </label>
                            <label>
                                <span>{t.get(Key::UnboxingShareUrl)}</span>
                                <input type="url" bind:value=share_url />
                            </label>
                        </fieldset>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
        </section>
    }
}
