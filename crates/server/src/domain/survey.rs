//! The survey as plain rules: which answers count, and the net promoter score.

use postpurchase_api::{FieldError, HeardAnswer, NpsAnswer, Preferences};

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
/// Checks shipping-news preferences: texts need a number, the shop's (`phone_known`) or
/// one given with them.
pub fn validate_preferences(p: &Preferences, phone_known: bool) -> Vec<FieldError> {
    // An empty number is no number.
    match p.phone.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(phone) if !super::phone_ok(phone) => {
            vec![FieldError::new("phone", super::PHONE_RULE)]
        }
        None if p.sms && !phone_known => {
            vec![FieldError::new("phone", "is needed for text messages")]
        }
        _ => Vec::new(),
    }
}

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

/// The score week by week: `(answered_at, score)` pairs grouped by the Monday (UTC) of
/// their week, the last `weeks` weeks that have answers, oldest first.
pub fn weekly_scores(answers: &[(i64, u8)], weeks: usize) -> Vec<postpurchase_api::NpsWeek> {
    use std::collections::BTreeMap;
    const DAY: i64 = 86_400;
    let mut by_week: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    for (at, score) in answers {
        // 1970-01-01 was a Thursday: day 4 counted from Monday 1969-12-29.
        let days = at.div_euclid(DAY);
        let monday = days - (days + 3).rem_euclid(7);
        by_week.entry(monday).or_default().push(*score);
    }
    let skip = by_week.len().saturating_sub(weeks);
    by_week
        .into_iter()
        .skip(skip)
        .filter_map(|(monday, scores)| {
            let week = time::OffsetDateTime::from_unix_timestamp(monday * DAY)
                .ok()?
                .date();
            Some(postpurchase_api::NpsWeek {
                week: week.to_string(),
                answers: scores.len() as u32,
                nps: net_promoter_score(&scores)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_grouped_by_the_monday_of_their_week() {
        // 2026-11-30 is a Monday; 2026-12-06 the Sunday after; 2026-12-07 the next Monday.
        let monday = 1_795_996_800;
        let answers = [
            (monday, 10),
            (monday + 6 * 86_400 + 86_399, 0),
            (monday + 7 * 86_400, 9),
        ];
        let weeks = weekly_scores(&answers, 12);
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].week, "2026-11-30");
        assert_eq!((weeks[0].answers, weeks[0].nps), (2, 0.0));
        assert_eq!(weeks[1].week, "2026-12-07");
        assert_eq!((weeks[1].answers, weeks[1].nps), (1, 100.0));
        assert_eq!(weekly_scores(&answers, 1).len(), 1);
    }

    #[test]
    fn the_net_promoter_score_counts_promoters_against_detractors() {
        assert_eq!(net_promoter_score(&[]), None);
        assert_eq!(net_promoter_score(&[10, 9, 8, 7]), Some(50.0));
        assert_eq!(net_promoter_score(&[0, 6, 10, 7]), Some(-25.0));
    }

    #[test]
    fn texts_need_a_number_the_shop_has_or_one_given() {
        let prefs = |sms, phone: Option<&str>| Preferences {
            email: true,
            sms,
            phone: phone.map(str::to_owned),
        };
        let fields = |p: Preferences, known| -> Vec<String> {
            validate_preferences(&p, known)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert!(fields(prefs(false, None), false).is_empty());
        assert!(fields(prefs(false, Some("")), false).is_empty());
        assert!(fields(prefs(true, None), true).is_empty());
        assert_eq!(fields(prefs(true, None), false), ["phone"]);
        assert_eq!(fields(prefs(true, Some("  ")), false), ["phone"]);
        assert!(fields(prefs(true, Some("+31 6 1234 5678")), false).is_empty());
        for bad in [
            "call me",
            "12345",
            "+31 6 1234 5678 9012 34",
            "06-12345678x",
        ] {
            assert_eq!(fields(prefs(true, Some(bad)), false), ["phone"], "{bad}");
        }
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
