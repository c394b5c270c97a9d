//! Reviews: publish or reject what shoppers wrote, and answer publicly; the answer shows
//! under the review in the shopper's widget.

use gloo_net::http::Method;
use leptos::prelude::*;
use postpurchase_api::{AdminReview, Moderation, ReviewReply, ReviewStatus};

use crate::api::{self, Session};
use crate::i18n::{self, Key, T};
use crate::parts::{self, after, fetched, filter, shown, with_status, Message, Said};

const STATUSES: [ReviewStatus; 3] = [
    ReviewStatus::Pending,
    ReviewStatus::Published,
    ReviewStatus::Rejected,
];

pub fn review_status(status: ReviewStatus) -> Key {
    match status {
        ReviewStatus::Pending => Key::ReviewPending,
        ReviewStatus::Published => Key::ReviewPublished,
        ReviewStatus::Rejected => Key::ReviewRejected,
    }
}

#[component]
pub fn Reviews() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let status = RwSignal::new(String::new());
    let (reviews, reload) = fetched(move || {
        let path = with_status("/api/v1/admin/reviews", &status.get());
        async move { session.get::<Vec<AdminReview>>(&path).await }
    });
    let said_here = RwSignal::new(None::<Said>);
    let moderate = move |id: i64, to: ReviewStatus| {
        let path = format!("/api/v1/admin/reviews/{id}/moderation");
        after(t, said_here, reload, Key::Saved, async move {
            session
                .change::<_, ()>(Method::POST, &path, Some(&Moderation { status: to }))
                .await
        });
    };
    let answer = move |id: i64, text: Option<String>| {
        let path = format!("/api/v1/admin/reviews/{id}/reply");
        let (method, body) = match text {
            Some(text) => (Method::PUT, Some(ReviewReply { text })),
            None => (Method::DELETE, None),
        };
        after(t, said_here, reload, Key::Saved, async move {
            session.change::<_, ()>(method, &path, body.as_ref()).await
        });
    };
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Reviews)}</h1>
        {filter(t, Key::Status, status, &STATUSES, review_status)}
        <Message said=said_here />
        {shown(reviews, move |list: Vec<AdminReview>| {
            if list.is_empty() {
                return view! { <p role="status">{t.get(Key::NoReviews)}</p> }.into_any();
            }
            let lang = t.lang();
            list.into_iter()
                .map(|item| {
                    let r = item.review;
                    let id = r.id;
                    let heading = format!("review-{id}");
                    let labelled_by = heading.clone();
                    let reply = RwSignal::new(r.reply.clone().unwrap_or_default());
                    let field = format!("reply-{id}");
                    let had_reply = r.reply.is_some();
                    view! {
                        <article class="card" aria-labelledby=labelled_by>
                            <h2 id=heading>{r.title.clone()}</h2>
                            <p>
                                <span aria-hidden="true" class="stars">
                                    {"★".repeat(usize::from(r.stars.min(5)))}{"☆".repeat(5 - usize::from(r.stars.min(5)))}
                                </span>
                                " " {t.fill(Key::Stars, &[("count", &r.stars.to_string())])}
                                " · " <a href=api::order_href(&item.order_number)>{t.fill(Key::OfOrder, &[("number", &item.order_number)])}</a>
                                " · " {item.sku.clone()} " · " {i18n::when(lang, &r.created_at, false)}
                            </p>
                            <p class="body">{r.body.clone()}</p>
                            {parts::photos(t, &r.photos)}
                            <p><strong>{t.get(review_status(r.status))}</strong></p>
                            <div class="actions">
                                {(r.status != ReviewStatus::Published).then(|| view! {
                                    <button type="button" on:click=move |_| moderate(id, ReviewStatus::Published)>{t.get(Key::Publish)}</button>
                                })}
                                {(r.status != ReviewStatus::Rejected).then(|| view! {
                                    <button type="button" on:click=move |_| moderate(id, ReviewStatus::Rejected)>{t.get(Key::Reject)}</button>
                                })}
                            </div>
                            <form class="stack" on:submit=move |e| {
                                e.prevent_default();
                                answer(id, Some(reply.get_untracked()));
                            }>
                                <label for=field.clone()>{t.get(Key::Reply)}</label>
                                <textarea id=field required maxlength="2000" rows="3" bind:value=reply></textarea>
                                <div class="actions">
                                    <button type="submit">{t.get(Key::SaveReply)}</button>
                                    {had_reply.then(|| view! {
                                        <button type="button" class="quiet" on:click=move |_| answer(id, None)>{t.get(Key::RemoveReply)}</button>
                                    })}
                                </div>
                            </form>
                        </article>
                    }
                })
                .collect_view()
                .into_any()
        })}
    }
}
