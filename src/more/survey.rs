//! The short survey: how likely the shopper is to recommend the shop, how they heard of
//! it, and the shipping news they want; each question skippable, none asked twice.

use postpurchase_api::SurveyView;

use super::forms::*;
use super::*;

pub(super) fn survey(t: Texts, order: &OrderView, panel: &Element, data: &SurveyView) {
    if data.ask_nps {
        let f = form(panel, "pp-nps", "survey/nps");
        let set = group(
            &f,
            "pp-nps",
            "score",
            &t.fill(Key::SurveyNps, &order.shop.name),
            "radio",
            &options((0..=10).map(|n| (n.to_string(), n.to_string()))),
            &[],
        );
        set.set_class_name("pp-fieldset pp-scale");
        let scale = add(&set, "p", "pp-sub", t.get(Key::SurveyNpsScale));
        let _ = set.insert_before(&scale, set.children().item(1).as_ref().map(|e| e.as_ref()));
        field(
            &f,
            "pp-nps",
            "comment",
            t.get(Key::SurveyComment),
            1000,
            3,
            false,
        );
        actions(t, &f, Key::MoreSend, true);
    }
    if data.ask_heard {
        let f = form(panel, "pp-heard", "survey/heard");
        // Sent as the shop wrote them, read in the shopper's language.
        let said = |o: &String| crate::decode::said(&data.words, o).to_owned();
        let mut choices = options(data.heard_options.iter().map(|o| (o.clone(), said(o))));
        choices.push(("other".into(), t.get(Key::SurveyOther).into()));
        group(
            &f,
            "pp-heard",
            "option",
            t.get(Key::SurveyHeard),
            "radio",
            &choices,
            &[],
        );
        field(
            &f,
            "pp-heard",
            "other",
            t.get(Key::SurveyOtherWords),
            200,
            0,
            false,
        );
        actions(t, &f, Key::MoreSend, true);
    }
    let f = form(panel, "pp-prefs", "preferences");
    // Nothing ticked until the shopper chose.
    let now = data
        .preferences
        .as_ref()
        .map_or((false, false), |p| (p.email, p.sms));
    // By hand: an iterator adapter is code of its own.
    let mut on = Vec::new();
    if now.0 {
        on.push("email");
    }
    if now.1 {
        on.push("sms");
    }
    group(
        &f,
        "pp-prefs",
        "channels",
        t.get(Key::SurveyPreferences),
        "checkbox",
        &options([
            ("email".into(), t.get(Key::SurveyEmail).into()),
            ("sms".into(), t.get(Key::SurveySms).into()),
        ]),
        &on,
    );
    // Texts need a number; the shop has none, so ask, saying when it is needed.
    if !data.phone_known {
        field(
            &f,
            "pp-prefs",
            "phone",
            t.get(Key::SurveyPhone),
            30,
            0,
            false,
        );
        if let Some(input) = find(&f, "[name=phone]") {
            for (k, v) in [
                ("type", "tel"),
                ("autocomplete", "tel"),
                ("inputmode", "tel"),
                // Needed once texts are ticked; `check` asks for it then.
                ("data-needed-with", "sms"),
            ] {
                attr(&input, k, v);
            }
        }
    }
    actions(t, &f, Key::SurveySave, false);
}
