//! Tracking feeds: each source's webhook as it sends it, verified its own way, read into
//! carrier events with our statuses. The source's own code and words are kept verbatim;
//! each mapping table says where it comes from.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use postpurchase_api::{DeliveredTo, ShipmentStatus};
use serde_json::Value;

use super::{from_hex as hex, mac_matches, to_hex, Mapped};

/// The sources a shop can point at postpurchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Sendcloud,
    AfterShip,
    Dhl,
    EasyPost,
    Shippo,
    Karrio,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::Sendcloud,
        Source::AfterShip,
        Source::Dhl,
        Source::EasyPost,
        Source::Shippo,
        Source::Karrio,
    ];

    /// Its name in addresses and settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Sendcloud => "sendcloud",
            Source::AfterShip => "aftership",
            Source::Dhl => "dhl",
            Source::EasyPost => "easypost",
            Source::Shippo => "shippo",
            Source::Karrio => "karrio",
        }
    }

    pub fn parse(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The header that carries the signature.
    pub fn signature_header(self) -> &'static str {
        match self {
            Source::Sendcloud => "sendcloud-signature",
            Source::AfterShip => "aftership-hmac-sha256",
            // DHL's push sends the header and token the subscription names
            // (`hook.authentication`, type `ApiKeyAuthentication`): this header, the
            // shop's secret as its token.
            Source::Dhl => "x-postpurchase-key",
            Source::EasyPost => "x-hmac-signature",
            // Shippo's HMAC, which its team switches on per account; without it, the
            // address carries the secret as `?token=` (see [`Source::takes_token`]).
            Source::Shippo => "shippo-auth-signature",
            // Karrio's webhook sends its secret itself in this header (its events module,
            // `notify_subscribers`): nothing is signed.
            Source::Karrio => "x-event-id",
        }
    }

    /// Whether the source may instead name the secret in the address's `token` query
    /// parameter: Shippo's "self-generated token" (<https://docs.goshippo.com/docs/tracking/webhooksecurity>),
    /// the way every Shippo account can secure its webhook without asking Shippo.
    pub fn takes_token(self) -> bool {
        self == Source::Shippo
    }

    /// When a signature says it was made (Unix seconds), for sources that sign a time:
    /// Shippo's `t=`.
    pub fn signed_at(self, signature: &str) -> Option<i64> {
        match self {
            Source::Shippo => shippo_parts(signature).map(|(t, _)| t),
            _ => None,
        }
    }

    /// Whether `signature` (the header's value) signs `body` with `secret`: Sendcloud's
    /// is the hex HMAC-SHA256 of the body, AfterShip's its base64, EasyPost's and
    /// Shippo's hex with a prefix, all compared in constant time by the MAC itself; DHL's
    /// and Karrio's are the secret itself (they sign nothing), see [`same_secret`].
    pub fn verify(self, secret: &str, body: &[u8], signature: &str) -> bool {
        let expected = match self {
            Source::Sendcloud => hex(signature.trim()),
            Source::AfterShip => STANDARD.decode(signature.trim()).ok(),
            // `hmac-sha256-hex=` and the hex HMAC-SHA256 of the body, keyed with the
            // webhook secret (which EasyPost normalises to NFKD; secrets here are ASCII,
            // which NFKD leaves as they are).
            Source::EasyPost => signature
                .trim()
                .strip_prefix("hmac-sha256-hex=")
                .and_then(hex),
            // `t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
            Source::Shippo => {
                let Some((at, expected)) = shippo_parts(signature) else {
                    return false;
                };
                let at = at.to_string();
                return mac_matches(secret, &[at.as_bytes(), b".", body], Some(expected));
            }
            Source::Dhl | Source::Karrio => return same_secret(secret, signature),
        };
        mac_matches(secret, &[body], expected)
    }

    /// The events a body carries, or why it cannot be read.
    pub fn read(self, body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
        match self {
            Source::Sendcloud => sendcloud(body),
            Source::AfterShip => aftership(body),
            Source::Dhl => dhl(body),
            Source::EasyPost => easypost(body),
            Source::Shippo => shippo(body),
            Source::Karrio => karrio(body),
        }
    }
}

/// Whether `given` is the shop's `secret`, for sources that send the secret itself (a
/// header, or Shippo's `?token=`): compared by their MACs, which takes the same time
/// however they differ.
pub fn same_secret(secret: &str, given: &str) -> bool {
    let mac = |text: &str| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).ok()?;
        mac.update(text.as_bytes());
        Some(mac)
    };
    let theirs = mac(given.trim()).map(|m| m.finalize().into_bytes());
    match (mac(secret), theirs) {
        (Some(ours), Some(theirs)) => ours.verify_slice(&theirs).is_ok(),
        _ => false,
    }
}

/// Shippo's `Shippo-Auth-Signature`: its time and its MAC.
fn shippo_parts(signature: &str) -> Option<(i64, Vec<u8>)> {
    let (mut at, mut mac) = (None, None);
    for part in signature.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => at = t.parse().ok(),
            Some(("v1", v)) => mac = hex(v),
            _ => {}
        }
    }
    Some((at?, mac?))
}

/// One tracking update as a source sends it, mapped.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedEvent {
    /// Unique per source and update: a replay has the same.
    pub event_id: String,
    pub tracking_number: String,
    /// Unix seconds.
    pub occurred_at: i64,
    /// When the source sent it (Unix seconds), if it says: older ones are refused.
    pub sent_at: Option<i64>,
    /// The source's own code and words.
    pub code: String,
    pub text: Option<String>,
    pub location: Option<String>,
    pub mapped: Mapped,
}

/// How long a signed send stays acceptable: sources retry for a while, never for days.
pub const MAX_AGE: i64 = 3 * 86_400;

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Sendcloud's `parcel_status_changed` (API v2 and v3 webhooks,
/// <https://sendcloud.dev/api/v2/webhooks/parcel-status-changed>): the parcel with its
/// `status` `{id, message}`; `timestamp` and `carrier_status_change_timestamp` in
/// milliseconds. It has no event id: the parcel, the status and the carrier's time make
/// one, so a replay is the same update.
fn sendcloud(body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
    if body.get("action").and_then(Value::as_str) != Some("parcel_status_changed") {
        // Other actions (integration changes, refunds) carry no parcel news.
        return Ok(Vec::new());
    }
    let parcel = body.get("parcel").ok_or("`parcel` is missing")?;
    let tracking = text(parcel, "tracking_number").ok_or("`parcel.tracking_number` is missing")?;
    let status = parcel.get("status").ok_or("`parcel.status` is missing")?;
    let code = text(status, "id").ok_or("`parcel.status.id` is missing")?;
    let message = text(status, "message");
    let millis = |key: &str| body.get(key).and_then(Value::as_i64).map(|ms| ms / 1000);
    let sent_at = millis("timestamp");
    let occurred_at = millis("carrier_status_change_timestamp")
        .or(sent_at)
        .ok_or("`timestamp` is missing")?;
    let parcel_id = text(parcel, "id").unwrap_or_else(|| tracking.clone());
    Ok(vec![FeedEvent {
        event_id: format!("sendcloud-{parcel_id}-{code}-{occurred_at}"),
        tracking_number: tracking,
        occurred_at,
        sent_at,
        mapped: sendcloud_status(message.as_deref().unwrap_or_default()),
        code,
        text: message,
        location: None,
    }])
}

/// Sendcloud's parent statuses by their words, from "Tracking statuses"
/// (<https://sendcloud.dev/docs/tracking/tracking-statuses/>): Sendcloud folds every
/// carrier's messages into these. Anything else is `unknown`, with its words kept.
fn sendcloud_status(message: &str) -> Mapped {
    use ShipmentStatus as S;
    let status = match message.trim().to_lowercase().as_str() {
        "ready to send"
        | "being announced"
        | "announced"
        | "announced: not collected"
        | "no label"
        | "announcement failed" => S::Pending,
        "en route to sorting center"
        | "at sorting centre"
        | "at sorting center"
        | "sorted"
        | "being sorted"
        | "parcel en route"
        | "shipment picked up by driver"
        | "at customs"
        | "delivery address changed"
        | "delivery date changed"
        | "delivery method changed" => S::InTransit,
        "driver en route" | "out for delivery" => S::OutForDelivery,
        "awaiting customer pickup" | "ready for collection" => S::AvailableForPickup,
        "delivered" | "shipment collected by customer" => {
            return (S::Delivered, Some(DeliveredTo::Recipient))
        }
        "delivery attempt failed" => S::AttemptFailed,
        "delivery delayed" => S::Delayed,
        "unable to deliver"
        | "address invalid"
        | "exception"
        | "error collecting"
        | "parcel lost"
        | "damaged"
        | "refused by recipient" => S::Exception,
        "returned to sender" | "return to sender" | "returned" => S::ReturnToSender,
        "cancelled" | "cancelled upstream" | "cancellation requested" => S::Cancelled,
        _ => S::Unknown,
    };
    (status, None)
}

/// AfterShip's tracking update webhook (<https://www.aftership.com/docs/tracking/webhook>):
/// `event_id`, `ts` (seconds) and `msg`, the tracking with its `tag`, `subtag`, and its
/// `checkpoints`. The latest checkpoint is the update; without checkpoints the tracking's
/// own tag is.
fn aftership(body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
    let msg = body.get("msg").ok_or("`msg` is missing")?;
    let tracking = text(msg, "tracking_number").ok_or("`msg.tracking_number` is missing")?;
    let sent_at = body.get("ts").and_then(Value::as_i64);
    let latest = msg
        .get("checkpoints")
        .and_then(Value::as_array)
        .and_then(|c| c.last());
    let from = latest.unwrap_or(msg);
    let tag = text(from, "tag")
        .or_else(|| text(msg, "tag"))
        .ok_or("`tag` is missing")?;
    let subtag = text(from, "subtag").or_else(|| text(msg, "subtag"));
    let when = latest
        .and_then(|c| text(c, "checkpoint_time").or_else(|| text(c, "created_at")))
        .or_else(|| text(msg, "updated_at"));
    let occurred_at = when
        .as_deref()
        .and_then(super::parse_instant)
        .map(|t| t.unix_timestamp())
        .or(sent_at)
        .ok_or("the update's time is missing")?;
    let words = latest
        .and_then(|c| text(c, "message"))
        .or_else(|| text(msg, "subtag_message"));
    let location = latest.and_then(|c| text(c, "location").or_else(|| text(c, "city")));
    let id = text(body, "event_id")
        .or_else(|| text(msg, "id").map(|id| format!("{id}-{occurred_at}")))
        .ok_or("`event_id` is missing")?;
    let code = subtag.clone().unwrap_or_else(|| tag.clone());
    Ok(vec![FeedEvent {
        event_id: format!("aftership-{id}"),
        tracking_number: tracking,
        occurred_at,
        sent_at,
        mapped: aftership_status(&tag, subtag.as_deref()),
        code,
        text: words,
        location,
    }])
}

/// AfterShip's tags and sub-tags, from "Delivery Statuses" and "Delivery Sub-statuses"
/// (<https://www.aftership.com/docs/tracking/enum/delivery-statuses>,
/// <https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses>).
fn aftership_status(tag: &str, subtag: Option<&str>) -> Mapped {
    use DeliveredTo as To;
    use ShipmentStatus as S;
    match (tag, subtag) {
        (_, Some("Delivered_005")) => (S::Delivered, Some(To::Neighbour)),
        ("Delivered", _) => (S::Delivered, Some(To::Recipient)),
        // Delayed at customs, or by something outside the carrier's hands.
        (_, Some("Exception_004" | "Exception_005")) => (S::Delayed, None),
        ("Exception", _) => (S::Exception, None),
        ("Pending" | "InfoReceived", _) => (S::Pending, None),
        ("InTransit", _) => (S::InTransit, None),
        ("OutForDelivery", _) => (S::OutForDelivery, None),
        ("AttemptFail", _) => (S::AttemptFailed, None),
        ("AvailableForPickup", _) => (S::AvailableForPickup, None),
        _ => (S::Unknown, None),
    }
}

/// DHL's Shipment Tracking – Unified push
/// (<https://developer.dhl.com/api-reference/shipment-tracking-unified-push>): the
/// tracking API's answer, `shipments` each with its `id` (the tracking number) and its
/// latest `status` (`timestamp`, `statusCode`, `status`, `description`, `location`).
/// DHL's status codes map as our DHL table does (`pre-transit`, `transit`, `delivered`,
/// `failure`, `unknown`).
fn dhl(body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
    let shipments = body
        .get("shipments")
        .and_then(Value::as_array)
        .ok_or("`shipments` is missing")?;
    shipments
        .iter()
        .map(|s| {
            let tracking = text(s, "id").ok_or("a shipment's `id` is missing")?;
            let status = s.get("status").ok_or("a shipment's `status` is missing")?;
            let code = text(status, "statusCode").ok_or("`status.statusCode` is missing")?;
            let at = text(status, "timestamp").ok_or("`status.timestamp` is missing")?;
            let occurred_at = super::parse_instant(&at)
                .or_else(|| super::parse_instant(&format!("{at}Z")))
                .map(|t| t.unix_timestamp())
                .ok_or("`status.timestamp` is not a time")?;
            let location = status
                .pointer("/location/address/addressLocality")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let words = text(status, "description").or_else(|| text(status, "status"));
            Ok(FeedEvent {
                event_id: format!("dhl-{tracking}-{code}-{occurred_at}"),
                tracking_number: tracking,
                occurred_at,
                sent_at: None,
                mapped: super::carrier_status("dhl", &code),
                code,
                text: words,
                location,
            })
        })
        .collect()
}

/// EasyPost's `tracker.updated` Event (<https://docs.easypost.com/docs/events>,
/// <https://docs.easypost.com/docs/trackers>): `id` (the event's, the same on a retry),
/// `created_at`, and `result`, the Tracker with its `tracking_code`, `status`,
/// `status_detail` and `tracking_details`, of which the last is the update.
fn easypost(body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
    if body.get("description").and_then(Value::as_str) != Some("tracker.updated") {
        // Other events (batches, refunds, reports) carry no parcel news.
        return Ok(Vec::new());
    }
    let id = text(body, "id").ok_or("`id` is missing")?;
    let tracker = body.get("result").ok_or("`result` is missing")?;
    let tracking = text(tracker, "tracking_code").ok_or("`result.tracking_code` is missing")?;
    let latest = tracker
        .get("tracking_details")
        .and_then(Value::as_array)
        .and_then(|d| d.last());
    let from = latest.unwrap_or(tracker);
    let status = text(from, "status").ok_or("`status` is missing")?;
    let detail = text(from, "status_detail");
    let time = |v: &Value, key: &str| {
        text(v, key)
            .as_deref()
            .and_then(super::parse_instant)
            .map(|t| t.unix_timestamp())
    };
    let sent_at = time(body, "created_at");
    let occurred_at = latest
        .and_then(|d| time(d, "datetime"))
        .or_else(|| time(tracker, "updated_at"))
        .or(sent_at)
        .ok_or("the update's time is missing")?;
    let location = latest
        .and_then(|d| d.get("tracking_location"))
        .and_then(|l| text(l, "city"));
    let words = latest
        .and_then(|d| text(d, "message"))
        .or_else(|| detail.clone());
    Ok(vec![FeedEvent {
        event_id: format!("easypost-{id}"),
        tracking_number: tracking,
        occurred_at,
        sent_at,
        mapped: easypost_status(&status),
        code: match &detail {
            Some(d) => format!("{status}/{d}"),
            None => status,
        },
        text: words,
        location,
    }])
}

/// EasyPost's Tracker statuses, from "Trackers" (<https://docs.easypost.com/docs/trackers>).
fn easypost_status(status: &str) -> Mapped {
    use ShipmentStatus as S;
    let status = match status {
        "pre_transit" => S::Pending,
        "in_transit" => S::InTransit,
        "out_for_delivery" => S::OutForDelivery,
        "available_for_pickup" => S::AvailableForPickup,
        "delivered" => return (S::Delivered, None),
        "return_to_sender" => S::ReturnToSender,
        "failure" | "error" => S::Exception,
        "cancelled" => S::Cancelled,
        _ => S::Unknown,
    };
    (status, None)
}

/// Shippo's `track_updated` (<https://docs.goshippo.com/docs/tracking/webhooks>,
/// <https://docs.goshippo.com/shippoapi/public-api/tracks>): `data` is the Track with its
/// `tracking_number` and `tracking_status` (`object_id`, `status`, `substatus`,
/// `status_details`, `status_date`, `location`), the update.
fn shippo(body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
    if body.get("event").and_then(Value::as_str) != Some("track_updated") {
        // Other events (transactions, batches) carry no parcel news.
        return Ok(Vec::new());
    }
    let track = body.get("data").ok_or("`data` is missing")?;
    let tracking = text(track, "tracking_number").ok_or("`data.tracking_number` is missing")?;
    let latest = track
        .get("tracking_status")
        .filter(|s| s.is_object())
        .ok_or("`data.tracking_status` is missing")?;
    let status = text(latest, "status").ok_or("`tracking_status.status` is missing")?;
    let substatus = latest.get("substatus").and_then(|s| text(s, "code"));
    let occurred_at = text(latest, "status_date")
        .as_deref()
        .and_then(super::parse_instant)
        .map(|t| t.unix_timestamp())
        .ok_or("`tracking_status.status_date` is missing")?;
    let id = text(latest, "object_id").unwrap_or_else(|| format!("{tracking}-{occurred_at}"));
    let location = latest.get("location").and_then(|l| text(l, "city"));
    Ok(vec![FeedEvent {
        event_id: format!("shippo-{id}"),
        tracking_number: tracking,
        occurred_at,
        sent_at: None,
        mapped: shippo_status(&status, substatus.as_deref()),
        code: match &substatus {
            Some(sub) => format!("{status}/{sub}"),
            None => status,
        },
        text: text(latest, "status_details"),
        location,
    }])
}

/// Shippo's tracking statuses and sub-statuses, from "Tracking status"
/// (<https://docs.goshippo.com/docs/tracking/tracking/#tracking-status>): the sub-status,
/// where it says more, first.
fn shippo_status(status: &str, substatus: Option<&str>) -> Mapped {
    use ShipmentStatus as S;
    let by_sub = match substatus {
        Some("out_for_delivery") => Some(S::OutForDelivery),
        Some("pickup_available") => Some(S::AvailableForPickup),
        Some("delivery_attempted" | "notice_left") => Some(S::AttemptFailed),
        Some("delayed" | "delivery_rescheduled" | "reschedule_delivery") => Some(S::Delayed),
        Some("return_to_sender" | "returned") => Some(S::ReturnToSender),
        Some(
            "address_issue"
            | "package_damaged"
            | "package_lost"
            | "package_undeliverable"
            | "package_disposed"
            | "package_unclaimed"
            | "location_inaccessible",
        ) => Some(S::Exception),
        _ => None,
    };
    let status = by_sub.unwrap_or(match status {
        "PRE_TRANSIT" => S::Pending,
        "TRANSIT" => S::InTransit,
        "DELIVERED" => return (S::Delivered, None),
        "RETURNED" => S::ReturnToSender,
        "FAILURE" => S::Exception,
        _ => S::Unknown,
    });
    (status, None)
}

/// Karrio's `tracker.updated` (its events module sends `{"event", "data"}`, `data` the
/// tracker as its API returns it: <https://docs.karrio.io/api/reference/trackers>): the
/// tracker's `id`, `tracking_number`, `status`, and `events`, newest first, each with
/// `date` (`YYYY-MM-DD`), `time` (`HH:MM`, with `AM`/`PM` from some carriers), `code`,
/// `description` and `location`. The newest event, with the tracker's status, is the
/// update; Karrio gives no zone with its times, so they are read as UTC.
fn karrio(body: &Value) -> Result<Vec<FeedEvent>, &'static str> {
    if !matches!(
        body.get("event").and_then(Value::as_str),
        Some("tracker.updated" | "tracker.created")
    ) {
        return Ok(Vec::new());
    }
    let tracker = body.get("data").ok_or("`data` is missing")?;
    let tracking = text(tracker, "tracking_number").ok_or("`data.tracking_number` is missing")?;
    let status = text(tracker, "status").ok_or("`data.status` is missing")?;
    let latest = tracker
        .get("events")
        .and_then(Value::as_array)
        .and_then(|e| e.first());
    let occurred_at = latest
        .and_then(karrio_time)
        .or_else(|| {
            text(tracker, "updated_at")
                .as_deref()
                .and_then(super::parse_instant)
                .map(|t| t.unix_timestamp())
        })
        .ok_or("the update's time is missing")?;
    let event_code = latest.and_then(|e| text(e, "code"));
    let id = text(tracker, "id").unwrap_or_else(|| tracking.clone());
    Ok(vec![FeedEvent {
        event_id: format!(
            "karrio-{id}-{occurred_at}-{}",
            event_code.as_deref().unwrap_or(&status)
        ),
        tracking_number: tracking,
        occurred_at,
        sent_at: None,
        mapped: karrio_status(&status),
        code: match event_code {
            Some(code) => format!("{status}/{code}"),
            None => status,
        },
        text: latest.and_then(|e| text(e, "description")),
        location: latest.and_then(|e| text(e, "location")),
    }])
}

/// A Karrio event's `date` and `time`, as UTC.
fn karrio_time(event: &Value) -> Option<i64> {
    let date: jiff::civil::Date = text(event, "date")?.parse().ok()?;
    let time = text(event, "time").unwrap_or_else(|| "00:00".to_owned());
    let upper = time.to_uppercase();
    let (clock, pm) = match upper.split_once(' ') {
        Some((clock, half)) => (clock.to_owned(), Some(half.trim() == "PM")),
        None => (upper.clone(), None),
    };
    let mut parts = clock.split(':').map(|p| p.trim().parse::<i8>().ok());
    let (mut hour, minute) = (parts.next()??, parts.next().flatten().unwrap_or(0));
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let at = date.at(hour, minute, 0, 0);
    Some(
        at.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second(),
    )
}

/// Karrio's tracker statuses (`TrackerStatus` in its server's serializers).
fn karrio_status(status: &str) -> Mapped {
    use ShipmentStatus as S;
    let status = match status {
        "pending" => S::Pending,
        "in_transit" => S::InTransit,
        "out_for_delivery" => S::OutForDelivery,
        "ready_for_pickup" => S::AvailableForPickup,
        "delivery_failed" => S::AttemptFailed,
        "delivery_delayed" | "on_hold" => S::Delayed,
        "delivered" => return (S::Delivered, None),
        "return_to_sender" => S::ReturnToSender,
        "cancelled" => S::Cancelled,
        _ => S::Unknown,
    };
    (status, None)
}

/// The signature a source would send for `body` with `secret`: for tests and for shops
/// trying their set-up with `curl`.
pub fn sign(source: Source, secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    match source {
        Source::Sendcloud => to_hex(&bytes),
        Source::AfterShip => STANDARD.encode(bytes),
        Source::Dhl | Source::Karrio => secret.to_owned(),
        Source::EasyPost => format!("hmac-sha256-hex={}", to_hex(&bytes)),
        Source::Shippo => sign_shippo(secret, 0, body),
    }
}

/// Shippo's signature for `body` sent at `at` (Unix seconds).
pub fn sign_shippo(secret: &str, at: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(at.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={at},v1={}", to_hex(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signatures_are_checked_the_sources_own_way() {
        // Sendcloud's own example: HMAC-SHA256 of `{"key": "value"}` with `secretkey`.
        let body = br#"{"key": "value"}"#;
        let example = "1eed4b3d41f4653ac64fd56f1bf1cbfd349e4482cbc11dff7134bd93e5da4b0a";
        assert_eq!(sign(Source::Sendcloud, "secretkey", body), example);
        assert!(Source::Sendcloud.verify("secretkey", body, example));
        assert!(Source::Sendcloud.verify("secretkey", body, &example.to_uppercase()));
        assert!(!Source::Sendcloud.verify("other", body, example));
        assert!(!Source::Sendcloud.verify("secretkey", b"{}", example));
        assert!(!Source::Sendcloud.verify("secretkey", body, "zz"));
        assert!(!Source::Sendcloud.verify("secretkey", body, ""));
        let signed = sign(Source::AfterShip, "s3cret", body);
        assert!(Source::AfterShip.verify("s3cret", body, &signed));
        assert!(!Source::AfterShip.verify("s3cret", body, "not base64!"));
        assert!(!Source::AfterShip.verify("s3cret", b"{ }", &signed));
    }

    #[test]
    fn an_easypost_tracker_update_is_its_latest_detail() {
        let body = json!({"object": "Event", "id": "evt_1", "description": "tracker.updated",
            "created_at": "2026-11-23T11:00:00Z",
            "result": {"object": "Tracker", "tracking_code": "EZ1000000001",
                "status": "out_for_delivery", "status_detail": "out_for_delivery",
                "tracking_details": [
                    {"status": "in_transit", "status_detail": "arrived_at_facility",
                     "message": "Arrived", "datetime": "2026-11-22T08:00:00Z"},
                    {"status": "out_for_delivery", "status_detail": "out_for_delivery",
                     "message": "Out for delivery", "datetime": "2026-11-23T07:00:00Z",
                     "tracking_location": {"city": "Utrecht"}}]}});
        let e = &Source::EasyPost.read(&body).unwrap()[0];
        assert_eq!(e.event_id, "easypost-evt_1");
        assert_eq!(e.code, "out_for_delivery/out_for_delivery");
        assert_eq!(e.mapped.0, ShipmentStatus::OutForDelivery);
        assert_eq!(
            (e.occurred_at, e.sent_at),
            (1_795_417_200, Some(1_795_431_600))
        );
        assert_eq!(e.location.as_deref(), Some("Utrecht"));
        let bytes = body.to_string().into_bytes();
        let signed = sign(Source::EasyPost, "whsec", &bytes);
        assert!(signed.starts_with("hmac-sha256-hex="));
        assert!(Source::EasyPost.verify("whsec", &bytes, &signed));
        assert!(!Source::EasyPost.verify(
            "whsec",
            &bytes,
            signed.trim_start_matches("hmac-sha256-hex=")
        ));
        assert_eq!(
            easypost_status("return_to_sender").0,
            ShipmentStatus::ReturnToSender
        );
        assert_eq!(easypost_status("something_else").0, ShipmentStatus::Unknown);
        assert_eq!(
            Source::EasyPost.read(&json!({"description": "batch.updated"})),
            Ok(Vec::new())
        );
    }

    #[test]
    fn a_dhl_push_is_one_event_per_shipment_with_the_shops_key() {
        assert!(Source::Dhl.verify("the-shops-key", b"{}", "the-shops-key"));
        assert!(!Source::Dhl.verify("the-shops-key", b"{}", "the-shops-kez"));
        assert!(!Source::Dhl.verify("the-shops-key", b"{}", ""));
        let body = json!({"shipments": [{"id": "JVGL0000000003", "service": "parcel-de",
            "status": {"timestamp": "2026-11-23T10:00:00", "statusCode": "delivered",
                       "status": "DELIVERED", "description": "Delivered to the recipient",
                       "location": {"address": {"addressLocality": "Amsterdam"}}}}]});
        let e = &Source::Dhl.read(&body).unwrap()[0];
        assert_eq!(e.tracking_number, "JVGL0000000003");
        assert_eq!(e.occurred_at, 1_795_428_000);
        assert_eq!(e.mapped.0, ShipmentStatus::Delivered);
        assert_eq!(e.location.as_deref(), Some("Amsterdam"));
        assert!(Source::Dhl
            .read(&json!({"shipments": [{"id": "X"}]}))
            .is_err());
    }

    #[test]
    fn a_sendcloud_status_change_is_one_event() {
        let body = json!({"action": "parcel_status_changed", "timestamp": 1_795_435_200_123_i64,
            "carrier_status_change_timestamp": 1_795_431_600_000_i64,
            "parcel": {"id": 7, "tracking_number": "3SYZXG132912330",
                       "status": {"id": 11, "message": "Delivered"}}});
        let events = Source::Sendcloud.read(&body).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.event_id, "sendcloud-7-11-1795431600");
        assert_eq!(
            (e.code.as_str(), e.text.as_deref()),
            ("11", Some("Delivered"))
        );
        assert_eq!(
            (e.occurred_at, e.sent_at),
            (1_795_431_600, Some(1_795_435_200))
        );
        assert_eq!(
            e.mapped,
            (ShipmentStatus::Delivered, Some(DeliveredTo::Recipient))
        );
        let other = json!({"action": "integration_updated"});
        assert_eq!(Source::Sendcloud.read(&other), Ok(Vec::new()));
        let broken = json!({"action": "parcel_status_changed", "parcel": {}});
        assert!(Source::Sendcloud.read(&broken).is_err());
        for (words, status) in [
            (
                "Awaiting customer pickup",
                ShipmentStatus::AvailableForPickup,
            ),
            ("Driver en route", ShipmentStatus::OutForDelivery),
            ("Delivery attempt failed", ShipmentStatus::AttemptFailed),
            ("Delivery delayed", ShipmentStatus::Delayed),
            ("Cancelled", ShipmentStatus::Cancelled),
            ("Something new", ShipmentStatus::Unknown),
        ] {
            assert_eq!(sendcloud_status(words).0, status, "{words}");
        }
    }

    #[test]
    fn shippo_and_karrio_read_their_own_words() {
        assert_eq!(
            shippo_status("TRANSIT", Some("out_for_delivery")).0,
            ShipmentStatus::OutForDelivery
        );
        assert_eq!(
            shippo_status("TRANSIT", Some("package_departed")).0,
            ShipmentStatus::InTransit
        );
        assert_eq!(
            shippo_status("FAILURE", Some("package_lost")).0,
            ShipmentStatus::Exception
        );
        assert_eq!(shippo_status("NEW", None).0, ShipmentStatus::Unknown);
        let body = br#"{"event":"track_updated"}"#;
        let signed = sign_shippo("s", 1_795_435_200, body);
        assert!(signed.starts_with("t=1795435200,v1="));
        assert!(Source::Shippo.verify("s", body, &signed));
        assert_eq!(Source::Shippo.signed_at(&signed), Some(1_795_435_200));
        assert!(!Source::Shippo.verify("s", body, &signed.replace("t=17", "t=18")));
        assert!(!Source::Shippo.verify("s", body, "v1=00"));
        assert!(Source::Karrio.verify("k", body, "k"));
        assert!(!Source::Karrio.verify("k", body, "K"));
        for (time, at) in [
            ("10:15 AM", 1_795_428_900),
            ("12:05 AM", 1_795_392_300),
            ("12:05 PM", 1_795_435_500),
            ("22:15", 1_795_472_100),
        ] {
            let event = json!({"date": "2026-11-23", "time": time});
            assert_eq!(karrio_time(&event), Some(at), "{time}");
        }
        assert_eq!(karrio_time(&json!({"date": "23/11/2026"})), None);
        assert_eq!(karrio_status("on_hold").0, ShipmentStatus::Delayed);
        assert_eq!(
            karrio_status("delivery_failed").0,
            ShipmentStatus::AttemptFailed
        );
    }

    #[test]
    fn an_aftership_update_is_its_latest_checkpoint() {
        let body = json!({"event": "tracking_update", "event_id": "ev-1", "ts": 1_795_435_200,
            "msg": {"id": "t1", "tracking_number": "JVGL1", "slug": "dhl", "tag": "Delivered",
                    "subtag": "Delivered_005",
                    "checkpoints": [
                        {"checkpoint_time": "2026-11-22T08:00:00+01:00", "tag": "InTransit",
                         "subtag": "InTransit_001", "message": "In transit"},
                        {"checkpoint_time": "2026-11-23T11:00:00+01:00", "tag": "Delivered",
                         "subtag": "Delivered_005", "message": "Delivered to a neighbour",
                         "location": "Amsterdam"}]}});
        let e = &Source::AfterShip.read(&body).unwrap()[0];
        assert_eq!(e.event_id, "aftership-ev-1");
        assert_eq!(e.code, "Delivered_005");
        assert_eq!(e.occurred_at, 1_795_428_000);
        assert_eq!(e.location.as_deref(), Some("Amsterdam"));
        assert_eq!(
            e.mapped,
            (ShipmentStatus::Delivered, Some(DeliveredTo::Neighbour))
        );
        assert_eq!(
            aftership_status("Exception", Some("Exception_004")).0,
            ShipmentStatus::Delayed
        );
        assert_eq!(
            aftership_status("Exception", Some("Exception_013")).0,
            ShipmentStatus::Exception
        );
        assert_eq!(aftership_status("Expired", None).0, ShipmentStatus::Unknown);
        assert!(Source::AfterShip.read(&json!({"msg": {}})).is_err());
    }
}
