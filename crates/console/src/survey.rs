//! The survey's answers: the net promoter score with its count (flagged below 30
//! answers) and its week-by-week trend, the comments, and how shoppers heard of the shop.
//! Every chart is also a table, so the numbers read without seeing the bars.

use leptos::prelude::*;
use postpurchase_api::SurveyResults;

use crate::api::Session;
use crate::i18n::{self, Key, T};
use crate::parts::{bar, fetched, shown};

#[component]
pub fn Survey() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (results, _) = fetched(move || async move {
        session
            .get::<SurveyResults>("/api/v1/admin/survey-results")
            .await
    });
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Survey)}</h1>
        {shown(results, move |r: SurveyResults| {
            let lang = t.lang();
            let Some(nps) = r.nps else {
                return view! { <p role="status">{t.get(Key::NoSurveyAnswers)}</p> }.into_any();
            };
            let score = format!("{nps:+.0}");
            let heard_total: u32 = r.heard.iter().map(|h| h.count).sum();
            view! {
                <section aria-labelledby="nps">
                    <h2 id="nps">{t.get(Key::NpsTitle)}</h2>
                    <p class="figure">
                        {t.fill(Key::NpsValue, &[("score", &score), ("count", &r.nps_answers.to_string())])}
                    </p>
                    {(r.nps_answers < 30).then(|| view! { <p class="quiet">{t.get(Key::FewAnswers)}</p> })}
                </section>
                <section aria-labelledby="trend">
                    <h2 id="trend">{t.get(Key::Trend)}</h2>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t.get(Key::Date)}</th>
                                <th scope="col" class="amount">{t.get(Key::AnswersCount)}</th>
                                <th scope="col" class="amount">{t.get(Key::Score)}</th>
                                <th scope="col"><span class="visually-hidden">{t.get(Key::Score)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {r.weekly.iter().map(|w| view! {
                                <tr>
                                    <th scope="row">{t.fill(Key::WeekOf, &[("date", &i18n::when(lang, &format!("{}T12:00:00Z", w.week), false))])}</th>
                                    <td class="amount">{w.answers}</td>
                                    <td class="amount">{format!("{:+.0}", w.nps)}</td>
                                    // −100…+100 drawn as 0…100 %.
                                    <td>{bar((w.nps + 100.0) / 2.0)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
                <section aria-labelledby="heard">
                    <h2 id="heard">{t.get(Key::HeardTitle)}</h2>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t.get(Key::Answer)}</th>
                                <th scope="col" class="amount">{t.get(Key::AnswersCount)}</th>
                                <th scope="col" class="amount">{t.get(Key::Share)}</th>
                                <th scope="col"><span class="visually-hidden">{t.get(Key::Share)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {r.heard.iter().map(|h| {
                                let share = f64::from(h.count) * 100.0 / f64::from(heard_total.max(1));
                                let option = if h.option == "other" { t.get(Key::HeardOther).to_owned() } else { h.option.clone() };
                                view! {
                                    <tr>
                                        <th scope="row">{option}</th>
                                        <td class="amount">{h.count}</td>
                                        <td class="amount">{format!("{share:.0} %")}</td>
                                        <td>{bar(share)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
                <section aria-labelledby="comments">
                    <h2 id="comments">{t.get(Key::Comments)}</h2>
                    <ul class="comments">
                        {r.latest.iter().filter(|a| a.comment.is_some()).map(|a| view! {
                            <li>
                                <strong>{a.score}</strong> " · "
                                <a href=crate::api::order_href(&a.order_number)>{t.fill(Key::OfOrder, &[("number", &a.order_number)])}</a>
                                " · " {i18n::when(lang, &a.answered_at, false)}
                                <p class="body">{a.comment.clone().unwrap_or_default()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
            .into_any()
        })}
    }
}
