//! The follow-ups the widget offers after the purchase, switched on and set (owner only):
//! returns (window, reasons, credit bonus), reviews, the survey (its "how did you hear"
//! options) and referral. Each form saves through its own admin route.

use std::collections::BTreeMap;

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{
    ReferralSettings, ReturnSettings, ReviewSettings, Reward, RewardKind, ShopWords,
    SurveySettings, LANGUAGES,
};
use serde::Serialize;

use crate::api::{Failure, Session};
use crate::i18n::{Key, T};
use crate::parts::{fetched, said, shown, Load, Message, Said};

/// Lines of `key<sep> value`, blank lines left out. A line without `sep` is kept as a key
/// with nothing after it, so the server names it instead of the line being lost.
fn keyed(text: &str, sep: char) -> impl Iterator<Item = (String, &str)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(move |line| {
            let (key, rest) = line.split_once(sep).unwrap_or((line, ""));
            (key.trim().to_owned(), rest.trim())
        })
}

/// The text [`keyed`] reads: one `key<sep> value` a line.
fn keyed_text<'a>(entries: impl Iterator<Item = (&'a String, String)>, sep: &str) -> String {
    entries
        .map(|(key, value)| format!("{key}{sep}{value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reasons per kind of product, one kind a line: `kind: reason; reason`.
fn kinds(text: &str) -> BTreeMap<String, Vec<String>> {
    keyed(text, ':')
        .map(|(kind, reasons)| {
            let reasons = reasons
                .split(';')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            (kind, reasons)
        })
        .collect()
}

/// A language's words, one a line: `word = how it reads`.
fn pairs(text: &str) -> BTreeMap<String, String> {
    keyed(text, '=')
        .map(|(word, said)| (word, said.to_owned()))
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn Followups() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let said_here = RwSignal::new(None::<Said>);
    let put = move |path: &'static str, body: serde_json::Value| {
        spawn_local(async move {
            let result = session
                .change::<_, serde_json::Value>(Method::PUT, path, Some(&body))
                .await;
            said_here.set(Some(said(t, &result, Key::Saved)));
        });
    };
    fn json<S: Serialize>(settings: &S) -> serde_json::Value {
        serde_json::to_value(settings).unwrap_or_default()
    }
    let (returns, _) = fetched(move || async move {
        session
            .get::<ReturnSettings>("/api/v1/admin/return-settings")
            .await
    });
    let (words, _) =
        fetched(move || async move { session.get::<ShopWords>("/api/v1/admin/words").await });
    let (reviews, _) = fetched(move || async move {
        session
            .get::<ReviewSettings>("/api/v1/admin/review-settings")
            .await
    });
    let (survey, _) = fetched(move || async move {
        session
            .get::<SurveySettings>("/api/v1/admin/survey-settings")
            .await
    });
    // Never set up is its own answer (`module_off`), not a failure.
    let (referral, _) = fetched(move || async move {
        match session
            .get::<ReferralSettings>("/api/v1/admin/referral-settings")
            .await
        {
            Ok(r) => Ok(Some(r)),
            Err(Failure::Api { code, .. }) if code == "module_off" => Ok(None),
            Err(e) => Err(e),
        }
    });
    view! {
        <section aria-labelledby="followups">
            <h2 id="followups">{move || t.get(Key::Followups)}</h2>
            <Message said=said_here />
            {shown(returns, move |r: ReturnSettings| {
                let enabled = RwSignal::new(r.enabled);
                let window = RwSignal::new(r.window_days.to_string());
                let reasons = RwSignal::new(r.reasons.join("\n"));
                let bonus = RwSignal::new(r.store_credit_bonus.to_string());
                let address = RwSignal::new(r.return_address.clone().unwrap_or_default());
                let send_days = RwSignal::new(r.send_within_days.to_string());
                let by_type = RwSignal::new(keyed_text(
                    r.reasons_by_type.iter().map(|(k, l)| (k, l.join("; "))),
                    ": ",
                ));
                let photo_reasons = RwSignal::new(r.photo_reasons.join("\n"));
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        put("/api/v1/admin/return-settings", json(&ReturnSettings {
                            enabled: enabled.get_untracked(),
                            window_days: window.get_untracked().trim().parse().unwrap_or(0),
                            reasons: lines(&reasons.get_untracked()),
                            store_credit_bonus: bonus.get_untracked().trim().parse().unwrap_or(u32::MAX),
                            return_address: Some(address.get_untracked()).filter(|a| !a.trim().is_empty()),
                            send_within_days: send_days.get_untracked().trim().parse().unwrap_or(0),
                            reasons_by_type: kinds(&by_type.get_untracked()),
                            photo_reasons: lines(&photo_reasons.get_untracked()),
                        }));
                    }>
                        <fieldset>
                            <legend>{t.get(Key::Returns)}</legend>
                            <label class="check">
                                <input type="checkbox" bind:checked=enabled />
                                <span>{t.get(Key::ReturnsOn)}</span>
                            </label>
                            <label>
                                <span>{t.get(Key::WindowDays)}</span>
                                <input type="number" min="1" max="365" required class="short" bind:value=window />
                            </label>
                            <label>
                                <span>{t.get(Key::Reasons)}</span>
                                <textarea rows="4" bind:value=reasons></textarea>
                            </label>
                            <label>
                                <span>{t.get(Key::ReasonsByType)}</span>
                                <textarea rows="3" bind:value=by_type></textarea>
                            </label>
                            <label>
                                <span>{t.get(Key::PhotoReasons)}</span>
                                <textarea rows="2" bind:value=photo_reasons></textarea>
                            </label>
                            <label>
                                <span>{t.get(Key::Bonus)}</span>
                                <input type="number" min="0" max="100" required class="short" bind:value=bonus />
                            </label>
                            <label>
                                <span>{t.get(Key::ReturnAddress)}</span>
                                <textarea rows="4" maxlength="300" autocomplete="off" bind:value=address></textarea>
                            </label>
                            <label>
                                <span>{t.get(Key::SendWithinDays)}</span>
                                <input type="number" min="1" max="60" required class="short" bind:value=send_days />
                            </label>
                        </fieldset>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
            {shown(reviews, move |r: ReviewSettings| {
                let enabled = RwSignal::new(r.enabled);
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        put("/api/v1/admin/review-settings", json(&ReviewSettings { enabled: enabled.get_untracked() }));
                    }>
                        <fieldset>
                            <legend>{t.get(Key::Reviews)}</legend>
                            <label class="check">
                                <input type="checkbox" bind:checked=enabled />
                                <span>{t.get(Key::ReviewsOn)}</span>
                            </label>
                        </fieldset>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
            {shown(survey, move |s: SurveySettings| {
                let enabled = RwSignal::new(s.enabled);
                let options = RwSignal::new(s.heard_options.join("\n"));
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        put("/api/v1/admin/survey-settings", json(&SurveySettings {
                            enabled: enabled.get_untracked(),
                            heard_options: lines(&options.get_untracked()),
                        }));
                    }>
                        <fieldset>
                            <legend>{t.get(Key::Survey)}</legend>
                            <label class="check">
                                <input type="checkbox" bind:checked=enabled />
                                <span>{t.get(Key::SurveyOn)}</span>
                            </label>
                            <label>
                                <span>{t.get(Key::HeardOptions)}</span>
                                <textarea rows="4" bind:value=options></textarea>
                            </label>
                        </fieldset>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
            {shown(words, move |w: ShopWords| {
                let fields = LANGUAGES.map(|code| {
                    let text = w
                        .translations
                        .get(code)
                        .map(|l| keyed_text(l.iter().map(|(k, v)| (k, v.clone())), " = "))
                        .unwrap_or_default();
                    (code, RwSignal::new(text))
                });
                view! {
                    <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                        e.prevent_default();
                        let translations = fields
                            .iter()
                            .map(|(code, text)| ((*code).to_owned(), pairs(&text.get_untracked())))
                            .filter(|(_, list)| !list.is_empty())
                            .collect();
                        put("/api/v1/admin/words", json(&ShopWords { translations }));
                    }>
                        <fieldset>
                            <legend>{t.get(Key::Words)}</legend>
                            <p class="quiet">{t.get(Key::WordsHelp)}</p>
                            {fields.into_iter().map(|(code, text)| view! {
                                <label>
                                    <span>{crate::i18n::Lang::from_code(code).name()}</span>
                                    <textarea rows="3" lang=code bind:value=text></textarea>
                                </label>
                            }).collect_view()}
                        </fieldset>
                        <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
                    </form>
                }
            })}
            {move || match referral.get() {
                Load::Ready(terms) => {
                    let unset = terms.is_none();
                    view! {
                        {unset.then(|| view! { <p class="quiet">{t.get(Key::ReferralUnset)}</p> })}
                        {referral_form(t, terms, put)}
                    }
                    .into_any()
                }
                Load::Loading => view! { <p class="loading">{t.get(Key::Loading)}</p> }.into_any(),
                Load::Failed(f) => view! { <p class="message failure" role="alert">{f.say(t)}</p> }.into_any(),
            }}
        </section>
    }
}

/// A reward's fields, as typed.
#[derive(Clone, Copy)]
struct RewardFields {
    kind: RwSignal<String>,
    value: RwSignal<String>,
    currency: RwSignal<String>,
}

impl RewardFields {
    fn new(reward: &Reward) -> RewardFields {
        let value = match reward.kind {
            RewardKind::PercentOff => reward.value.to_string(),
            _ => format!("{:.2}", reward.value as f64 / 100.0),
        };
        RewardFields {
            kind: RwSignal::new(wire(reward.kind).to_owned()),
            value: RwSignal::new(value),
            currency: RwSignal::new(reward.currency.clone().unwrap_or_default()),
        }
    }

    /// The reward as the API takes it: amounts in minor units; a value that is no number
    /// is sent as one the server refuses, so its message names the field.
    fn reward(self) -> Reward {
        let kind = match self.kind.get_untracked().as_str() {
            "percent_off" => RewardKind::PercentOff,
            "store_credit" => RewardKind::StoreCredit,
            _ => RewardKind::AmountOff,
        };
        let typed = self.value.get_untracked().trim().replace(',', ".");
        let value = match (kind, typed.parse::<f64>()) {
            (RewardKind::PercentOff, Ok(v)) => v.round() as i64,
            (_, Ok(v)) => (v * 100.0).round() as i64,
            (_, Err(_)) => -1,
        };
        let currency = self.currency.get_untracked().trim().to_uppercase();
        Reward {
            kind,
            value,
            currency: (kind != RewardKind::PercentOff && !currency.is_empty()).then_some(currency),
        }
    }

    fn view(self, t: T, legend: Key) -> impl IntoView {
        view! {
            <fieldset>
                <legend>{t.get(legend)}</legend>
                <label>
                    <span>{t.get(Key::RewardKind)}</span>
                    <select bind:value=self.kind>
                        {KINDS
                            .iter()
                            .map(|(kind, key)| {
                                let chosen = self.kind.get_untracked() == wire(*kind);
                                view! { <option value=wire(*kind) selected=chosen>{t.get(*key)}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t.get(Key::RewardValue)}</span>
                    <input inputmode="decimal" required class="short" bind:value=self.value />
                </label>
                <label>
                    <span>{t.get(Key::RewardCurrency)}</span>
                    <input maxlength="3" autocomplete="off" class="short" bind:value=self.currency />
                </label>
            </fieldset>
        }
    }
}

const KINDS: [(RewardKind, Key); 3] = [
    (RewardKind::AmountOff, Key::RewardAmountOff),
    (RewardKind::PercentOff, Key::RewardPercentOff),
    (RewardKind::StoreCredit, Key::RewardStoreCredit),
];

fn wire(kind: RewardKind) -> &'static str {
    match kind {
        RewardKind::AmountOff => "amount_off",
        RewardKind::PercentOff => "percent_off",
        RewardKind::StoreCredit => "store_credit",
    }
}

/// The referral's terms: on or off, the link friends open, and both rewards; a shop that
/// never set them starts from €10 off for the friend and €10 credit for the shopper.
fn referral_form(
    t: T,
    terms: Option<ReferralSettings>,
    put: impl Fn(&'static str, serde_json::Value) + Copy + 'static,
) -> impl IntoView {
    let euro = |kind| Reward {
        kind,
        value: 1000,
        currency: Some("EUR".to_owned()),
    };
    let terms = terms.unwrap_or_else(|| ReferralSettings {
        enabled: false,
        share_url: String::new(),
        friend_reward: euro(RewardKind::AmountOff),
        referrer_reward: euro(RewardKind::StoreCredit),
    });
    let enabled = RwSignal::new(terms.enabled);
    let share_url = RwSignal::new(terms.share_url.clone());
    let friend = RewardFields::new(&terms.friend_reward);
    let referrer = RewardFields::new(&terms.referrer_reward);
    view! {
        <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
            e.prevent_default();
            let terms = ReferralSettings {
                enabled: enabled.get_untracked(),
                share_url: share_url.get_untracked().trim().to_owned(),
                friend_reward: friend.reward(),
                referrer_reward: referrer.reward(),
            };
            put("/api/v1/admin/referral-settings", serde_json::to_value(&terms).unwrap_or_default());
        }>
            <fieldset>
                <legend>{t.get(Key::Referral)}</legend>
                <label class="check">
                    <input type="checkbox" bind:checked=enabled />
                    <span>{t.get(Key::ReferralOn)}</span>
                </label>
                <label>
                    <span>{t.get(Key::ShareUrl)}</span>
                    <input type="url" required bind:value=share_url />
                </label>
            </fieldset>
            {friend.view(t, Key::FriendReward)}
            {referrer.view(t, Key::ReferrerReward)}
            <div class="actions"><button type="submit">{t.get(Key::Save)}</button></div>
        </form>
    }
}
