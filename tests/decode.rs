//! The API's answers besides the order view (the follow-ups', a quote, a refusal) read by
//! the one decoder (`src/decode.rs`), a test per type: a field this widget does not know
//! is ignored, and a name a newer server adds to an enum leaves out what it names — never
//! the whole answer.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown
//! --test decode`.
#![cfg(target_arch = "wasm32")]

use postpurchase_api::*;
use postpurchase_widget::decode::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `json` parsed by the browser, as the API's answers are, and read as a `T`.
fn read<T: FromJs>(json: &str) -> Option<T> {
    T::from_js(&js_sys::JSON::parse(json).unwrap())
}

const LINE: &str = r#"{"line_id": 1, "name": "Kettle", "quantity": 0, "reason": "final_sale",
    "window_closes_at": null, "exchange_options": [], "colour": "black"}"#;

const RETURN: &str = r#"{"number": "1004-R1", "status": "approved", "resolution": "store_credit",
    "method": "label", "items": [], "refund": 6900, "bonus": 690, "currency": "EUR",
    "created_at": "2026-11-22T10:00:00Z", "carrier": "dhl"}"#;

#[wasm_bindgen_test]
fn a_returnable_line_without_a_reason_this_widget_knows_has_none() {
    let line: ReturnableLine = read(LINE).unwrap();
    assert_eq!(line.reason, Some(NotReturnable::FinalSale));
    assert_eq!((line.line_id, line.quantity), (1, 0));
    let newer = LINE.replace("final_sale", "recalled");
    let line: ReturnableLine = read(&newer).unwrap();
    assert_eq!(line.reason, None, "not offered either: its quantity is 0");
    assert_eq!(line.name, "Kettle");
    assert!(
        read::<ReturnableLine>(&LINE.replace("\"quantity\": 0", "\"quantity\": \"0\"")).is_none()
    );
}

#[wasm_bindgen_test]
fn an_exchange_option_ignores_what_it_does_not_know() {
    let option: ExchangeOption =
        read(r#"{"sku": "TEE-L", "variant": "L", "in_stock": true, "warehouse": 3}"#).unwrap();
    assert_eq!(
        option,
        ExchangeOption {
            sku: "TEE-L".into(),
            variant: "L".into(),
            in_stock: true
        }
    );
    assert!(read::<ExchangeOption>(r#"{"sku": "TEE-L", "variant": "L"}"#).is_none());
}

#[wasm_bindgen_test]
fn a_return_item_ignores_what_it_does_not_know() {
    let item: ReturnItemView = read(
        r#"{"line_id": 1, "quantity": 2, "reason": "Too small", "comment": null,
            "exchange_sku": "TEE-L", "photo": "x.jpg"}"#,
    )
    .unwrap();
    assert_eq!(
        item,
        ReturnItemView {
            line_id: 1,
            quantity: 2,
            reason: "Too small".into(),
            comment: None,
            exchange_sku: Some("TEE-L".into()),
            photos: Vec::new(),
        }
    );
    // An older server's item has no photos: none.
    let photographed: ReturnItemView = read(
        r#"{"line_id": 1, "quantity": 1, "reason": "Arrived damaged", "comment": null,
            "exchange_sku": null, "photos": ["P1", "P2"]}"#,
    )
    .unwrap();
    assert_eq!(photographed.photos, ["P1", "P2"]);
}

#[wasm_bindgen_test]
fn a_return_with_a_status_resolution_or_method_this_widget_does_not_know_is_still_listed() {
    let known: ListedReturn = read(RETURN).unwrap();
    assert_eq!(
        (known.status, known.resolution, known.method),
        (
            Some(ReturnStatus::Approved),
            Some(Resolution::StoreCredit),
            Some(ReturnMethod::Label)
        )
    );
    assert_eq!((known.refund, known.bonus), (6900, 690));
    let newer = RETURN
        .replace("approved", "on_hold")
        .replace("store_credit", "gift_card")
        .replace("\"label\"", "\"courier\"");
    let listed: ListedReturn = read(&newer).unwrap();
    assert_eq!(listed.number, "1004-R1");
    assert_eq!(
        (listed.status, listed.resolution, listed.method),
        (None, None, None)
    );
    assert_eq!((listed.refund, listed.bonus), (6900, 690));
}

#[wasm_bindgen_test]
fn the_returns_answer_keeps_every_line_and_return_a_newer_server_sends() {
    let json = format!(
        r#"{{"lines": [{LINE}, {}], "reasons": ["Too small"], "store_credit_bonus": 10,
            "returns": [{RETURN}, {}], "policy_url": "https://shop.example/returns"}}"#,
        LINE.replace("final_sale", "recalled"),
        RETURN.replace("approved", "on_hold"),
    );
    let returns: Returns = read(&json).unwrap();
    assert_eq!(returns.store_credit_bonus, 10);
    assert_eq!(returns.reasons, ["Too small"]);
    // An older server's answer has no photo reasons and no reasons per line: none.
    assert!(returns.photo_reasons.is_empty());
    assert!(returns.lines.iter().all(|l| l.reasons.is_empty()));
    assert_eq!(
        returns.lines.iter().map(|l| l.reason).collect::<Vec<_>>(),
        [Some(NotReturnable::FinalSale), None]
    );
    assert_eq!(
        returns.returns.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(ReturnStatus::Approved), None]
    );
}

#[wasm_bindgen_test]
fn a_quote_ignores_what_it_does_not_know() {
    let quote: ReturnQuote =
        read(r#"{"refund": 5000, "bonus": 500, "currency": "EUR", "valid_until": "soon"}"#)
            .unwrap();
    assert_eq!(
        quote,
        ReturnQuote {
            refund: 5000,
            bonus: 500,
            currency: "EUR".into()
        }
    );
    assert!(read::<ReturnQuote>(r#"{"refund": 50.5, "bonus": 0, "currency": "EUR"}"#).is_none());
}

const REVIEW: &str = r#"{"id": 9, "line_id": 2, "stars": 4, "title": "Good", "body": "Fine",
    "fit": "small", "verified_buyer": true, "status": "published",
    "created_at": "2026-11-22T10:00:00Z", "helpful": 3}"#;

#[wasm_bindgen_test]
fn a_review_with_a_fit_or_status_this_widget_does_not_know_is_shown_without_it() {
    let review: Review = read(REVIEW).unwrap();
    assert_eq!(
        (review.fit, review.status, review.reply),
        (Some(Fit::Small), Some(ReviewStatus::Published), None)
    );
    let newer = REVIEW
        .replace("\"small\"", "\"slim\"")
        .replace("published", "featured");
    let review: Review = read(&newer).unwrap();
    assert_eq!((review.fit, review.status), (None, None));
    assert_eq!((review.stars, review.title.as_str()), (4, "Good"));
}

#[wasm_bindgen_test]
fn a_reviewable_item_keeps_its_review_whatever_its_status() {
    let json = format!(
        r#"{{"line_id": 2, "name": "Filters", "delivered": true, "sized": true,
            "review": {}, "returnable": false}}"#,
        REVIEW.replace("published", "featured")
    );
    let item: ReviewItem = read(&json).unwrap();
    assert!(item.delivered && item.sized);
    assert_eq!(item.review.map(|r| r.title), Some("Good".into()));
    let unwritten: ReviewItem = read(
        r#"{"line_id": 1, "name": "Kettle", "delivered": false, "sized": false, "review": null}"#,
    )
    .unwrap();
    assert_eq!(unwritten.review, None);
    let items: Vec<ReviewItem> = read(&format!("[{json}]")).unwrap();
    assert_eq!(items.len(), 1);
}

#[wasm_bindgen_test]
fn the_survey_ignores_what_it_does_not_know() {
    let survey: SurveyView = read(
        r#"{"ask_nps": true, "ask_heard": false, "heard_options": ["Friends"],
            "preferences": null, "ask_reasons": true}"#,
    )
    .unwrap();
    assert_eq!(
        survey,
        SurveyView {
            ask_nps: true,
            ask_heard: false,
            heard_options: vec!["Friends".into()],
            preferences: None,
            // Said by no older server: nothing is asked.
            phone_known: true,
            words: Default::default(),
        }
    );
    // The shop's words in the widget's language: texts kept, anything else left out.
    let worded: SurveyView = read(
        r#"{"ask_nps": true, "ask_heard": true, "heard_options": ["Friends"],
            "preferences": null, "words": [{"text": "Friends", "translation": "Freunde"}]}"#,
    )
    .unwrap();
    assert_eq!(
        postpurchase_widget::decode::said(&worded.words, "Friends"),
        "Freunde"
    );
    assert_eq!(
        postpurchase_widget::decode::said(&worded.words, "Instagram"),
        "Instagram"
    );
}

#[wasm_bindgen_test]
fn preferences_ignore_channels_this_widget_does_not_know() {
    let prefs: Preferences = read(r#"{"email": true, "sms": false, "push": true}"#).unwrap();
    assert_eq!(
        prefs,
        Preferences {
            email: true,
            sms: false,
            phone: None,
        }
    );
}

#[wasm_bindgen_test]
fn a_reward_of_a_kind_this_widget_does_not_know_is_unreadable_alone() {
    let reward: Reward =
        read(r#"{"kind": "percent_off", "value": 15, "currency": null, "max": 50}"#).unwrap();
    assert_eq!((reward.kind, reward.value), (RewardKind::PercentOff, 15));
    assert!(read::<Reward>(r#"{"kind": "free_shipping", "value": 1}"#).is_none());
}

#[wasm_bindgen_test]
fn a_referral_leaves_out_a_reward_of_a_kind_this_widget_does_not_know() {
    let referral: Referral = read(
        r#"{"code": "ADA-7K4QX", "share_url": "https://shop.example/?ref=ADA-7K4QX",
            "friend_reward": {"kind": "free_shipping", "value": 1, "currency": null},
            "referrer_reward": {"kind": "store_credit", "value": 1000, "currency": "EUR"},
            "friends": 2, "tier": "gold"}"#,
    )
    .unwrap();
    assert_eq!(referral.code, "ADA-7K4QX");
    assert_eq!(referral.friend_reward, None);
    assert_eq!(
        referral.referrer_reward.map(|r| (r.kind, r.value)),
        Some((RewardKind::StoreCredit, 1000))
    );
    assert_eq!(referral.friends, 2);
}

#[wasm_bindgen_test]
fn a_refusal_is_read_with_or_without_fields_and_ignores_what_it_does_not_know() {
    let body: ErrorBody = read(
        r#"{"error": {"code": "invalid_fields", "message": "Check these.", "trace": "x",
            "fields": [{"field": "items[0].quantity", "message": "Too many.", "max": 1}]}}"#,
    )
    .unwrap();
    assert_eq!(body.error.code, "invalid_fields");
    assert_eq!(
        body.error.fields,
        [FieldError::new("items[0].quantity", "Too many.")]
    );
    // No fields at all is how the API says there are none.
    let body: ErrorBody = read(r#"{"error": {"code": "slot_full", "message": "Taken."}}"#).unwrap();
    assert!(body.error.fields.is_empty());
    assert!(read::<ErrorBody>(r#"{"error": {"message": "no code"}}"#).is_none());
}

const CHANGES: &str = r#"{"cancel": true, "address": false, "until": "2026-11-17T12:00:00Z",
    "request": {"kind": "address", "status": "refused", "requested_at": "2026-11-17T10:30:00Z",
    "address": {"name": "Ada J.", "street": "Prinsengracht ***", "postcode": "10** **",
    "city": "Amsterdam", "country": "NL"}, "message": "Already packed", "by": "staff"},
    "fee": 0}"#;

#[wasm_bindgen_test]
fn a_change_request_of_a_kind_or_status_this_widget_does_not_know_reads_as_none() {
    let changes: OrderChanges = read(CHANGES).unwrap();
    let request = changes.request.unwrap();
    assert_eq!(
        (request.kind, request.status),
        (ChangeKind::Address, ChangeStatus::Refused)
    );
    assert_eq!(request.message.as_deref(), Some("Already packed"));
    assert_eq!(request.address.unwrap().city, "Amsterdam");
    assert_eq!(changes.until.as_deref(), Some("2026-11-17T12:00:00Z"));
    // What may still be asked is read all the same.
    for newer in [
        CHANGES.replace("\"refused\"", "\"withdrawn\""),
        CHANGES.replace("\"kind\": \"address\"", "\"kind\": \"swap\""),
    ] {
        let changes: OrderChanges = read(&newer).unwrap();
        assert_eq!(changes.request, None);
        assert!(changes.cancel && !changes.address);
    }
}
