//! Calls to the admin API with the session cookie (same origin, so the browser sends it)
//! and, for every change, the session's CSRF proof. Every failure becomes a [`Failure`]
//! the page can say in words.

use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::*;
use postpurchase_api::{ConsoleSession, ErrorBody, FieldError};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::i18n::{Key, T};

/// Why a call did not work.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The server was not reached, or answered something that is not ours.
    Network,
    /// Not signed in (any more).
    SignedOut,
    /// The API refused: its code and message, the fields named, and for a wait how long.
    Api {
        status: u16,
        code: String,
        message: String,
        fields: Vec<FieldError>,
        retry_after: Option<u32>,
    },
}

impl Failure {
    /// The failure in the staff member's words.
    pub fn say(&self, t: T) -> String {
        self.say_naming(t, |field| field)
    }

    /// The same, naming each field the API found wrong by `name` (a page's own label).
    pub fn say_naming<'a>(&'a self, t: T, name: impl Fn(&'a str) -> &'a str) -> String {
        match self {
            Failure::Network => t.get(Key::ErrorNetwork).to_owned(),
            Failure::SignedOut => t.get(Key::ErrorSession).to_owned(),
            Failure::Api {
                code, retry_after, ..
            } if code == "account_locked" => {
                let minutes = retry_after.unwrap_or(60).div_ceil(60).to_string();
                t.fill(Key::Locked, &[("minutes", &minutes)])
            }
            Failure::Api { code, .. } if code == "sign_in_failed" => {
                t.get(Key::SignInFailed).to_owned()
            }
            Failure::Api { code, .. } if code == "link_expired" => {
                t.get(Key::LinkExpired).to_owned()
            }
            // What the API found wrong, field by field, after its message.
            Failure::Api {
                message, fields, ..
            } => fields.iter().fold(message.clone(), |text, f| {
                format!("{text} {}: {}.", name(&f.field), f.message)
            }),
        }
    }
}

/// The signed-in session, shared by every page: who, which shop, and the CSRF proof; and
/// whether the last one ended on its own (the sign-in page then says so).
#[derive(Clone, Copy)]
pub struct Session {
    pub now: RwSignal<Option<ConsoleSession>>,
    pub ended: RwSignal<bool>,
}

impl Session {
    pub fn use_() -> Session {
        expect_context::<Session>()
    }

    fn csrf(self) -> String {
        self.now
            .with_untracked(|s| s.as_ref().map(|s| s.csrf_token.clone()))
            .unwrap_or_default()
    }

    pub fn is_owner(self) -> bool {
        self.now.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.staff.role == postpurchase_api::StaffRole::Owner)
        })
    }
}

async fn answer<T: DeserializeOwned>(response: Response) -> Result<Option<T>, Failure> {
    let status = response.status();
    // No content, or accepted to be done: nothing to read.
    if status == 204 || status == 202 {
        return Ok(None);
    }
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map(Some)
            .map_err(|_| Failure::Network);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.parse().ok());
    match response.json::<ErrorBody>().await {
        Ok(body) if status == 401 && body.error.code == "unauthorized" => Err(Failure::SignedOut),
        Ok(body) => Err(Failure::Api {
            status,
            code: body.error.code,
            message: body.error.message,
            fields: body.error.fields,
            retry_after,
        }),
        Err(_) => Err(Failure::Network),
    }
}

/// Reads `path` of the API, signed in or not.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    let response = RequestBuilder::new(path)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|_| Failure::Network)?;
    answer(response).await?.ok_or(Failure::Network)
}

/// `method` on `path` with a JSON body (or none) and these headers; `None` for an answer
/// without a body (204).
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&B>,
    csrf: &str,
) -> Result<Option<T>, Failure> {
    let request = RequestBuilder::new(path)
        .method(method)
        .header("accept", "application/json")
        .header("x-csrf-token", csrf);
    let request = match body {
        Some(body) => request.json(body).map_err(|_| Failure::Network)?,
        None => request.build().map_err(|_| Failure::Network)?,
    };
    let response = request.send().await.map_err(|_| Failure::Network)?;
    answer(response).await
}

impl Session {
    /// Reads `path`; a session that ended meanwhile leads back to signing in.
    pub async fn get<T: DeserializeOwned>(self, path: &str) -> Result<T, Failure> {
        let result = get(path).await;
        self.ended_if(&result);
        result
    }

    /// A change, carrying the session's CSRF proof.
    pub async fn change<B: Serialize, T: DeserializeOwned>(
        self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Option<T>, Failure> {
        let result = send(method, path, body, &self.csrf()).await;
        self.ended_if(&result);
        result
    }

    /// A new link to one of the shop's orders, valid `days` (the shop's default when
    /// `None`): for the order's page, the install snippets and the theme's preview.
    pub async fn new_link(
        self,
        number: &str,
        days: Option<u32>,
    ) -> Result<postpurchase_api::OrderAccess, Failure> {
        let path = format!("/api/v1/admin/orders/{}/tokens", encode(number));
        let request = postpurchase_api::NewAccessToken { valid_days: days };
        self.change(Method::POST, &path, Some(&request))
            .await?
            .ok_or(Failure::Network)
    }

    /// A session that ended elsewhere (signed out everywhere, a new password, removed
    /// from the staff): back to the sign-in page, which says why.
    fn ended_if<T>(self, result: &Result<T, Failure>) {
        if matches!(result, Err(Failure::SignedOut)) {
            self.now.set(None);
            self.ended.set(true);
        }
    }
}

/// The path of an order's page in the console.
pub fn order_href(number: &str) -> String {
    format!("#/orders/{}", encode(number))
}

/// `text` made safe for one part of a URL.
pub fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}
