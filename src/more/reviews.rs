//! Reviews of delivered items: stars, title, text and fit, shown exactly as typed.

use super::forms::*;
use super::*;

const FITS: [(&str, Key); 3] = [
    ("small", Key::FitSmall),
    ("true_to_size", Key::FitTrueToSize),
    ("large", Key::FitLarge),
];
const REVIEW_STATUSES: [(&str, Key); 3] = [
    ("pending", Key::ReviewsPending),
    ("published", Key::ReviewsPublished),
    ("rejected", Key::ReviewsRejected),
];

pub(super) fn reviews(t: Texts, formats: &Formats, panel: &Element, data: &JsValue) {
    for item in items(data) {
        let line = num(&item, "line_id").to_string();
        let name = text(&item, "name");
        let wrap = add(panel, "div", "pp-review", "");
        attr(&wrap, "part", "review");
        add(&wrap, "h5", "pp-subheading", &name);
        let review = get(&item, "review");
        if review.is_object() {
            let stars = num(&review, "stars").clamp(0, 5) as usize;
            let rated = add(&wrap, "p", "pp-rated", "");
            attr(
                &add(
                    &rated,
                    "span",
                    "",
                    &["★".repeat(stars), "☆".repeat(5 - stars)].concat(),
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
            add(&wrap, "p", "pp-review-title", &text(&review, "title"));
            add(&wrap, "p", "pp-review-body", &text(&review, "body"));
            if let Some(fit) = lookup(&FITS, &text(&review, "fit")) {
                add(&wrap, "p", "pp-note", t.get(fit));
            }
            if get(&review, "verified_buyer").as_bool() == Some(true) {
                attr(
                    &add(&wrap, "p", "pp-badge", t.get(Key::ReviewsVerified)),
                    "part",
                    "badge",
                );
            }
            if let Some(status) = lookup(&REVIEW_STATUSES, &text(&review, "status")) {
                add(&wrap, "p", "pp-note", t.get(status));
            }
            // The shop's public answer, as written: a text node.
            let reply = text(&review, "reply");
            if !reply.is_empty() {
                let answer = add(&wrap, "div", "pp-reply", "");
                attr(&answer, "part", "reply");
                add(&answer, "p", "pp-subheading", t.get(Key::ReviewsReply));
                add(&answer, "p", "pp-review-body", &reply);
            }
        } else if get(&item, "delivered").as_bool() != Some(true) {
            add(&wrap, "p", "pp-note", t.get(Key::ReviewsLater));
        } else {
            let id = ["pp-rv", &line].concat();
            let f = form(&wrap, &id, "reviews");
            attr(&f, "data-line", &line);
            attr(&f, "aria-label", &t.fill(Key::ReviewsWrite, &name));
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
            if get(&item, "sized").as_bool() == Some(true) {
                let fits = options(FITS.iter().map(|(v, k)| ((*v).into(), t.get(*k).into())));
                let set = group(&f, &id, "fit", t.get(Key::ReviewsFit), "radio", &fits, &[]);
                // The fit is optional.
                for input in all(&set, "input") {
                    let _ = input.remove_attribute("required");
                }
            }
            field(&f, &id, "title", t.get(Key::ReviewsHeadline), 100, 0, true);
            field(&f, &id, "body", t.get(Key::ReviewsBody), 2000, 4, true);
            actions(t, &f, Key::MoreSend, false);
        }
    }
}
