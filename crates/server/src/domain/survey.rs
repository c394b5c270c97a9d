//! The survey as plain rules: which answers count, and the net promoter score.

use postpurchase_api::{FieldError, HeardAnswer, NpsAnswer};

/// The answer always offered besides the shop's own.
pub const OTHER: &str = "other";

/// Checks an NPS answer.
pub fn validate_nps(answer: &NpsAnswer) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if answer.score > 10 {
        errors.push(FieldError::new("score", "must be 0 to 10"));
    }
    if answer
        .comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > 1000)
    {
        errors.push(FieldError::new(
            "comment",
            "must be at most 1000 characters",
        ));
    }
    errors
}

/// Checks a "how did you hear" answer against the shop's options.
pub fn validate_heard(answer: &HeardAnswer, options: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let other = answer.option == OTHER;
    if !other && !options.contains(&answer.option) {
        errors.push(FieldError::new(
            "option",
            "must be one of the shop's answers or `other`",
        ));
    }
    let words = answer.other.as_deref().map(str::trim).unwrap_or_default();
    if other && words.is_empty() {
        errors.push(FieldError::new("other", "say how, in a few words"));
    }
    if words.chars().count() > 200 {
        errors.push(FieldError::new("other", "must be at most 200 characters"));
    }
    errors
}

/// Promoters minus detractors, in percent of all scores.
pub fn net_promoter_score(scores: &[u8]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    Some((promoters - detractors) * 100.0 / scores.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_net_promoter_score_counts_promoters_against_detractors() {
        assert_eq!(net_promoter_score(&[]), None);
        assert_eq!(net_promoter_score(&[10, 9, 8, 7]), Some(50.0));
        assert_eq!(net_promoter_score(&[0, 6, 10, 7]), Some(-25.0));
    }

    #[test]
    fn answers_are_checked() {
        let long = "x".repeat(1001);
        let fields = |a: NpsAnswer| -> Vec<String> {
            validate_nps(&a).into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(NpsAnswer {
                score: 11,
                comment: Some(long)
            }),
            ["score", "comment"]
        );
        assert!(fields(NpsAnswer {
            score: 0,
            comment: None
        })
        .is_empty());
        let options = vec!["Instagram".to_owned()];
        let heard = |option: &str, other: Option<&str>| -> Vec<String> {
            let answer = HeardAnswer {
                option: option.into(),
                other: other.map(Into::into),
            };
            validate_heard(&answer, &options)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert!(heard("Instagram", None).is_empty());
        assert!(heard("other", Some("A friend at work")).is_empty());
        assert_eq!(heard("TikTok", None), ["option"]);
        assert_eq!(heard("other", Some("  ")), ["other"]);
    }
}
