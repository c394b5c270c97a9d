//! Reviews of delivered items: stars, title, text and fit, shown exactly as typed.

use postpurchase_api::{Fit, ReviewStatus};

use super::forms::*;
use super::*;
use crate::decode::ReviewItem;

/// How an item fits, in words.
fn fit(f: Fit) -> Key {
    match f {
        Fit::Small => Key::FitSmall,
        Fit::TrueToSize => Key::FitTrueToSize,
        Fit::Large => Key::FitLarge,
    }
}

/// Where a review stands, in words.
fn standing(status: ReviewStatus) -> Key {
    match status {
        ReviewStatus::Pending => Key::ReviewsPending,
        ReviewStatus::Published => Key::ReviewsPublished,
        ReviewStatus::Rejected => Key::ReviewsRejected,
    }
}

/// The order's items and their reviews; `base` is the order's address, under which the
/// shopper's own photos are.
pub(super) fn reviews(
    t: Texts,
    formats: &Formats,
    order: &OrderView,
    panel: &Element,
    items: &[ReviewItem],
    base: &str,
) {
    for item in items {
        let line = item.line_id.to_string();
        let name = item.name.as_str();
        let wrap = add(panel, "div", "pp-review", "");
        attr(&wrap, "part", "review");
        // The product's picture beside its name, as in the item list.
        let head = add(&wrap, "div", "pp-review-head", "");
        thumbnail(&head, picture(order, item.line_id));
        add(&head, "h5", "pp-subheading", name);
        if let Some(review) = &item.review {
            let stars = usize::from(review.stars.min(5));
            let rated = add(&wrap, "p", "pp-rated", "");
            attr(
                &add(
                    &rated,
                    "span",
                    "",
                    // `stars` full stars then empty ones, five in all (each three bytes).
                    &"★★★★★☆☆☆☆☆"[3 * (5 - stars)..3 * (10 - stars)],
                ),
                "aria-hidden",
                "true",
            );
            add(
                &rated,
                "span",
                "",
                &[" ", &t.fill(Key::ReviewsRated, &stars.to_string())].concat(),
            );
            // Exactly as typed: text nodes, never markup.
            if !review.title.is_empty() {
                add(&wrap, "p", "pp-review-title", &review.title);
            }
            add(&wrap, "p", "pp-review-body", &review.body);
            // Their photos, from the order's own address (the shop has not published
            // them yet, maybe).
            if !review.photos.is_empty() {
                let shots = add(&wrap, "p", "pp-shots", "");
                for (n, photo) in review.photos.iter().enumerate() {
                    let img = add(&shots, "img", "pp-shot", "");
                    let alt = t.fill_with(Key::ReviewsYourPhoto, &[("n", &(n + 1).to_string())]);
                    let src = [
                        base,
                        "/photos/",
                        &String::from(js_sys::encode_uri_component(photo)),
                    ]
                    .concat();
                    for (k, v) in [
                        ("src", src.as_str()),
                        ("alt", &alt),
                        ("width", "96"),
                        ("height", "96"),
                        ("loading", "lazy"),
                        ("part", "photo"),
                    ] {
                        attr(&img, k, v);
                    }
                }
            }
            if let Some(f) = review.fit {
                add(&wrap, "p", "pp-note", t.get(fit(f)));
            }
            if review.verified_buyer {
                attr(
                    &add(&wrap, "p", "pp-badge", t.get(Key::ReviewsVerified)),
                    "part",
                    "badge",
                );
            }
            if let Some(status) = review.status {
                add(&wrap, "p", "pp-note", t.get(standing(status)));
            }
            // The shop's public answer, as written: a text node.
            if let Some(reply) = review.reply.as_deref().filter(|r| !r.is_empty()) {
                let answer = add(&wrap, "div", "pp-reply", "");
                attr(&answer, "part", "reply");
                add(&answer, "p", "pp-subheading", t.get(Key::ReviewsReply));
                add(&answer, "p", "pp-review-body", reply);
            }
        } else if !item.delivered {
            add(&wrap, "p", "pp-note", t.get(Key::ReviewsLater));
        } else {
            let id = ["pp-rv", &line].concat();
            let f = form(&wrap, &id, "reviews");
            attr(&f, "data-line", &line);
            attr(&f, "aria-label", &t.fill(Key::ReviewsWrite, name));
            let set = group(
                &f,
                &id,
                "stars",
                t.get(Key::ReviewsStars),
                "radio",
                &options((1..=5).map(|n| {
                    let key = if formats.one(n) {
                        Key::ReviewsStarOne
                    } else {
                        Key::ReviewsStarOther
                    };
                    (n.to_string(), t.fill(key, &n.to_string()))
                })),
                &[],
            );
            set.set_class_name("pp-fieldset pp-scale pp-stars");
            if item.sized {
                let fits = Fit::ALL.map(|f| (f.as_str().into(), t.get(fit(f)).into()));
                let set = group(&f, &id, "fit", t.get(Key::ReviewsFit), "radio", &fits, &[]);
                // The fit is optional.
                for input in all(&set, "input") {
                    let _ = input.remove_attribute("required");
                }
            }
            field(&f, &id, "title", t.get(Key::ReviewsHeadline), 100, 0, false);
            field(&f, &id, "body", t.get(Key::ReviewsBody), 2000, 4, true);
            photos(&f, &id, "photos", t.get(Key::ReviewsPhotos));
            actions(t, &f, Key::MoreSend, false);
        }
    }
}
