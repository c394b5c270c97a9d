//! The shop's own words in other languages, as plain rules: what a shop may give, and
//! which translations a shopper's answer carries.

use std::collections::BTreeMap;

use postpurchase_api::{FieldError, ShopWords, Word, LANGUAGES};

/// Words a language may have.
pub const PER_LANGUAGE: usize = 200;
/// Characters in a word and in its translation.
pub const WORD_MAX: usize = 80;

/// Every problem with the shop's words, each by its path (`translations.de`).
pub fn check(words: &ShopWords) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (language, list) in &words.translations {
        let field = format!("translations.{language}");
        if !LANGUAGES.contains(&language.as_str()) {
            errors.push(FieldError::new(
                field,
                format!(
                    "is not a language the widget speaks ({})",
                    LANGUAGES.join(", ")
                ),
            ));
            continue;
        }
        if list.len() > PER_LANGUAGE {
            errors.push(FieldError::new(
                field.clone(),
                format!("give at most {PER_LANGUAGE} words"),
            ));
        }
        let bad = list.iter().any(|(word, said)| {
            !super::list_entry_ok(word, WORD_MAX) || !super::list_entry_ok(said, WORD_MAX)
        });
        if bad {
            errors.push(FieldError::new(
                field,
                format!("each word and its translation is 1 to {WORD_MAX} characters on one line, without spaces around"),
            ));
        }
    }
    errors
}

/// The languages a request's `Accept-Language` asks for, most wanted first, each as its
/// primary tag (`de-AT` → `de`); `*` and weights of 0 left out.
pub fn asked(header: &str) -> Vec<String> {
    let mut tags: Vec<(String, f32)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let weight = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next()?.to_ascii_lowercase();
            (!primary.is_empty() && primary != "*" && weight > 0.0).then_some((primary, weight))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    tags.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out: Vec<String> = Vec::new();
    for (tag, _) in tags {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// The translations of `texts` in the first of the `asked` languages the shop has words
/// for, each once, in the order of their texts: only those it gave (the rest reads as
/// the shop wrote it).
pub fn pick<'a>(
    words: &ShopWords,
    asked: &[String],
    texts: impl IntoIterator<Item = &'a String>,
) -> Vec<Word> {
    let Some(list) = asked.iter().find_map(|l| words.translations.get(l)) else {
        return Vec::new();
    };
    let found: BTreeMap<&String, &String> = texts
        .into_iter()
        .filter_map(|t| Some((t, list.get(t)?)))
        .collect();
    found
        .into_iter()
        .map(|(text, said)| Word {
            text: text.clone(),
            translation: said.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> ShopWords {
        ShopWords {
            translations: [
                (
                    "de".to_owned(),
                    [(
                        "Arrived damaged".to_owned(),
                        "Beschädigt angekommen".to_owned(),
                    )]
                    .into(),
                ),
                (
                    "nl".to_owned(),
                    [(
                        "Arrived damaged".to_owned(),
                        "Beschadigd aangekomen".to_owned(),
                    )]
                    .into(),
                ),
            ]
            .into(),
        }
    }

    #[test]
    fn the_first_language_asked_that_the_shop_has_wins_and_the_rest_reads_as_written() {
        let texts = ["Arrived damaged".to_owned(), "Changed my mind".to_owned()];
        let german = pick(&words(), &asked("de-AT, nl;q=0.8"), &texts);
        assert_eq!(
            german,
            [Word {
                text: "Arrived damaged".into(),
                translation: "Beschädigt angekommen".into()
            }]
        );
        // French first, which the shop has not: Dutch; a text asked twice, once.
        let twice = [texts[0].clone(), texts[0].clone()];
        let dutch = pick(&words(), &asked("fr-FR,fr;q=0.9,nl;q=0.5"), &twice);
        assert_eq!(dutch.len(), 1);
        assert_eq!(dutch[0].translation, "Beschadigd aangekomen");
        // Weights order the languages, not their place in the header.
        assert_eq!(asked("en;q=0.2, nl, de;q=0.7"), ["nl", "de", "en"]);
        assert!(pick(&words(), &asked("en"), &texts).is_empty());
        assert!(pick(&words(), &asked(""), &texts).is_empty());
        assert_eq!(asked("*, de;q=0, id"), ["id"]);
    }

    #[test]
    fn a_shops_words_are_checked_by_language_and_length() {
        assert!(check(&words()).is_empty());
        let mut bad = words();
        bad.translations.insert("fr".into(), BTreeMap::new());
        bad.translations
            .get_mut("de")
            .unwrap()
            .insert("Too small".into(), " ".into());
        let fields: Vec<String> = check(&bad).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["translations.de", "translations.fr"]);
        let mut many = words();
        let de = many.translations.get_mut("de").unwrap();
        for n in 0..=PER_LANGUAGE {
            de.insert(format!("word {n}"), format!("Wort {n}"));
        }
        assert_eq!(check(&many).len(), 1);
    }
}
