//! Reviews as plain rules: what a review may say.

use postpurchase_api::{FieldError, NewReview};

pub const TITLE_MAX: usize = 100;
pub const BODY_MAX: usize = 2000;

/// Checks a review's own fields (the line's eligibility is the store's); every problem is
/// reported at once. The text is kept exactly as typed, so it is only measured here.
pub fn validate(review: &NewReview, sized: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&review.stars) {
        errors.push(FieldError::new("stars", "must be 1 to 5"));
    }
    // The title is optional: empty, or words.
    for (field, text, max, optional) in [
        ("title", &review.title, TITLE_MAX, true),
        ("body", &review.body, BODY_MAX, false),
    ] {
        let fine = super::text_ok(text, max) || (optional && text.is_empty());
        if !fine {
            errors.push(FieldError::new(
                field,
                format!("must be 1 to {max} characters"),
            ));
        }
    }
    if review.photos.len() > super::photo::MAX_PHOTOS {
        errors.push(FieldError::new(
            "photos",
            format!("at most {} photos", super::photo::MAX_PHOTOS),
        ));
    }
    if review.fit.is_some() && !sized {
        errors.push(FieldError::new(
            "fit",
            "only for products that come in sizes",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use postpurchase_api::Fit;

    fn review(stars: u8, title: &str, body: &str, fit: Option<Fit>) -> NewReview {
        NewReview {
            line_id: 1,
            stars,
            title: title.into(),
            body: body.into(),
            fit,
            photos: Vec::new(),
        }
    }

    #[test]
    fn reviews_are_measured_but_never_rewritten() {
        let fields = |r: NewReview, sized: bool| -> Vec<String> {
            validate(&r, sized).into_iter().map(|e| e.field).collect()
        };
        assert!(fields(
            review(5, "Lovely", "<b>soft</b> & warm", Some(Fit::Large)),
            true
        )
        .is_empty());
        // No title is fine; a title of spaces is not.
        assert!(fields(review(4, "", "Warm", None), false).is_empty());
        assert_eq!(
            fields(review(0, " ", &"x".repeat(2001), Some(Fit::Small)), false),
            ["stars", "title", "body", "fit"]
        );
        assert_eq!(
            fields(review(6, &"t".repeat(101), "ok", None), false),
            ["stars", "title"]
        );
    }
}
