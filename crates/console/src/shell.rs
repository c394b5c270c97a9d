//! The app: which page the address names, signing in (and setting a password with a
//! one-time link), and around every page the shop's header, the navigation, the language
//! and signing out.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{ConsoleSession, NewPassword, SignIn, StaffRole};

use crate::api::{self, Failure, Session};
use crate::i18n::{self, Key, Lang, T};
use crate::parts::{Message, Said};
use crate::{
    analytics, changes, install, orders, products, queue, reviews, settings, slots, staff, survey,
    upgrades,
};

const SESSION: &str = "/api/v1/console/session";

/// A page of the console, named by the address's fragment (`#/orders/1001`), so reloading
/// and the browser's back button keep the place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Analytics,
    Orders,
    Order(String),
    Returns,
    Changes,
    Upgrades,
    Products,
    Reviews,
    Slots,
    Staff,
    Settings,
    Survey,
    Install,
    /// `#password=<token>`: a one-time link to set a password.
    Password(String),
}

impl Route {
    fn current() -> Route {
        let hash = window().location().hash().unwrap_or_default();
        let hash = hash.trim_start_matches('#');
        if let Some(token) = hash.strip_prefix("password=") {
            return Route::Password(token.to_owned());
        }
        let mut parts = hash.trim_start_matches('/').splitn(2, '/');
        match (parts.next(), parts.next()) {
            (Some("orders"), Some(number)) if !number.is_empty() => Route::Order(
                js_sys::decode_uri_component(number)
                    .ok()
                    .and_then(|n| n.as_string())
                    .unwrap_or_default(),
            ),
            (Some("analytics"), _) => Route::Analytics,
            (Some("returns"), _) => Route::Returns,
            (Some("changes"), _) => Route::Changes,
            (Some("upgrades"), _) => Route::Upgrades,
            (Some("products"), _) => Route::Products,
            (Some("reviews"), _) => Route::Reviews,
            (Some("slots"), _) => Route::Slots,
            (Some("staff"), _) => Route::Staff,
            (Some("settings"), _) => Route::Settings,
            (Some("survey"), _) => Route::Survey,
            (Some("install"), _) => Route::Install,
            _ => Route::Orders,
        }
    }

    /// The navigation entry this page belongs to.
    fn section(&self) -> &'static str {
        match self {
            Route::Analytics => "#/analytics",
            Route::Orders | Route::Order(_) => "#/orders",
            Route::Returns => "#/returns",
            Route::Changes => "#/changes",
            Route::Upgrades => "#/upgrades",
            Route::Products => "#/products",
            Route::Reviews => "#/reviews",
            Route::Slots => "#/slots",
            Route::Staff => "#/staff",
            Route::Settings => "#/settings",
            Route::Survey => "#/survey",
            Route::Install => "#/install",
            Route::Password(_) => "",
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let t = T::provide(i18n::initial());
    i18n::choose(t.lang());
    let session = Session {
        now: RwSignal::new(None),
        ended: RwSignal::new(false),
    };
    provide_context(session);
    let route = RwSignal::new(Route::current());
    let _ = window_event_listener(ev::hashchange, move |_| route.set(Route::current()));
    let checked = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(current) = api::get::<ConsoleSession>(SESSION).await {
            session.now.set(Some(current));
        }
        checked.set(true);
    });
    let password = Memo::new(move |_| match route.get() {
        Route::Password(token) => Some(token),
        _ => None,
    });
    let signed_in = Memo::new(move |_| session.now.with(Option::is_some));
    Effect::new(move |_| {
        document().set_title(t.get(Key::Title));
    });
    move || {
        if !checked.get() {
            view! { <p class="loading" role="status">{t.get(Key::Loading)}</p> }.into_any()
        } else if let Some(token) = password.get() {
            view! { <SetPassword token /> }.into_any()
        } else if signed_in.get() {
            view! { <Shell route /> }.into_any()
        } else {
            view! { <SignInPage /> }.into_any()
        }
    }
}

/// The language picker, on every page.
#[component]
fn LanguagePicker() -> impl IntoView {
    let t = T::use_();
    view! {
        <label class="language">
            <span>{move || t.get(Key::Language)}</span>
            <select on:change=move |e| t.set(Lang::from_code(&event_target_value(&e)))>
                {Lang::all()
                    .map(|lang| {
                        view! {
                            <option value=lang.code() selected=move || t.lang() == lang>
                                {lang.name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn SignInPage() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    // The shop from the last sign-in in this browser, or from `?shop=` in the address.
    let remembered = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item("pp-console-shop").ok().flatten())
        .unwrap_or_default();
    let shop = RwSignal::new(remembered);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let said = RwSignal::new(
        session
            .ended
            .get_untracked()
            .then(|| Said::Failed(t.get(Key::ErrorSession).to_owned())),
    );
    let busy = RwSignal::new(false);
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        said.set(None);
        let request = SignIn {
            shop: shop.get_untracked().trim().to_owned(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result =
                api::send::<_, ConsoleSession>(Method::POST, SESSION, Some(&request), "").await;
            busy.set(false);
            match result {
                Ok(Some(current)) => {
                    if let Ok(Some(storage)) = window().local_storage() {
                        let _ = storage.set_item("pp-console-shop", &current.shop.slug);
                    }
                    session.ended.set(false);
                    session.now.set(Some(current));
                }
                Ok(None) => said.set(Some(Said::Failed(Failure::Network.say(t)))),
                Err(failure) => {
                    password.set(String::new());
                    said.set(Some(Said::Failed(failure.say(t))));
                }
            }
        });
    };
    view! {
        <main class="narrow" id="main">
            <LanguagePicker />
            <h1>{move || t.get(Key::SignInTitle)}</h1>
            <form on:submit=submit class="stack">
                <label>
                    <span>{move || t.get(Key::Shop)}</span>
                    <input
                        name="shop"
                        autocomplete="organization"
                        required
                        maxlength="40"
                        aria-describedby="shop-hint"
                        bind:value=shop
                    />
                </label>
                <p class="hint" id="shop-hint">
                    {move || t.get(Key::ShopHint)}
                </p>
                <label>
                    <span>{move || t.get(Key::Email)}</span>
                    <input
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        maxlength="254"
                        bind:value=email
                    />
                </label>
                <label>
                    <span>{move || t.get(Key::Password)}</span>
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        maxlength="200"
                        bind:value=password
                    />
                </label>
                <button type="submit" disabled=move || busy.get()>
                    {move || t.get(Key::SignIn)}
                </button>
                <Message said />
            </form>
        </main>
    }
}

#[component]
fn SetPassword(token: String) -> impl IntoView {
    let t = T::use_();
    let first = RwSignal::new(String::new());
    let second = RwSignal::new(String::new());
    let said = RwSignal::new(None);
    let done = RwSignal::new(false);
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        if first.get_untracked() != second.get_untracked() {
            said.set(Some(Said::Failed(t.get(Key::PasswordsDiffer).to_owned())));
            return;
        }
        let request = NewPassword {
            token: token.clone(),
            password: first.get_untracked(),
        };
        spawn_local(async move {
            let result =
                api::send::<_, ()>(Method::POST, "/api/v1/console/password", Some(&request), "")
                    .await;
            match result {
                Ok(_) => {
                    done.set(true);
                    said.set(Some(Said::Done(t.get(Key::PasswordSet).to_owned())));
                }
                Err(failure) => said.set(Some(Said::Failed(failure.say(t)))),
            }
        });
    };
    view! {
        <main class="narrow" id="main">
            <LanguagePicker />
            <h1>{move || t.get(Key::SetPasswordTitle)}</h1>
            <form on:submit=submit class="stack">
                <label>
                    <span>{move || t.get(Key::NewPassword)}</span>
                    <input
                        type="password"
                        autocomplete="new-password"
                        required
                        minlength="10"
                        maxlength="200"
                        aria-describedby="password-hint"
                        bind:value=first
                    />
                </label>
                <p class="hint" id="password-hint">
                    {move || t.get(Key::NewPasswordHint)}
                </p>
                <label>
                    <span>{move || t.get(Key::RepeatPassword)}</span>
                    <input
                        type="password"
                        autocomplete="new-password"
                        required
                        minlength="10"
                        maxlength="200"
                        bind:value=second
                    />
                </label>
                <button type="submit" disabled=move || done.get()>
                    {move || t.get(Key::SetPassword)}
                </button>
                <Message said />
                <Show when=move || done.get()>
                    <p>
                        <a href="#/orders">{move || t.get(Key::SignIn)}</a>
                    </p>
                </Show>
            </form>
        </main>
    }
}

/// Around every page once signed in.
#[component]
fn Shell(route: RwSignal<Route>) -> impl IntoView {
    orders::KeptSearch::provide();
    let t = T::use_();
    let session = Session::use_();
    let who = move || {
        session.now.with(|s| {
            s.as_ref()
                .map(|s| {
                    let role = match s.staff.role {
                        StaffRole::Owner => t.get(Key::RoleOwner),
                        StaffRole::Staff => t.get(Key::RoleStaff),
                    };
                    t.fill(
                        Key::SignedIn,
                        &[
                            ("name", &s.staff.name),
                            ("role", role),
                            ("shop", &s.shop.name),
                        ],
                    )
                })
                .unwrap_or_default()
        })
    };
    let said = RwSignal::new(None);
    let sign_out = move |everywhere: bool| {
        let path = if everywhere {
            "/api/v1/console/sessions"
        } else {
            SESSION
        };
        spawn_local(async move {
            match session.change::<(), ()>(Method::DELETE, path, None).await {
                Ok(_) | Err(Failure::SignedOut) => session.now.set(None),
                Err(failure) => said.set(Some(Said::Failed(failure.say(t)))),
            }
        });
    };
    // A new page: focus its heading, so keyboard and screen reader users start there.
    Effect::new(move |_| {
        route.track();
        request_animation_frame(|| {
            if let Some(heading) = document()
                .query_selector("main h1")
                .ok()
                .flatten()
                .and_then(|h| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h).ok())
            {
                let _ = heading.focus();
            }
        });
    });
    let link = move |href: &'static str, key: Key| {
        view! {
            <li>
                <a
                    href=href
                    aria-current=move || (route.get().section() == href).then_some("page")
                >
                    {move || t.get(key)}
                </a>
            </li>
        }
    };
    view! {
        <a class="skip" href="#main" on:click=move |e| {
            e.prevent_default();
            if let Some(main) = document().get_element_by_id("main") {
                let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(main).focus();
            }
        }>{move || t.get(Key::Skip)}</a>
        <header class="top">
            <p class="who">{who}</p>
            <LanguagePicker />
            <button type="button" class="quiet" on:click=move |_| sign_out(false)>
                {move || t.get(Key::SignOut)}
            </button>
            <button type="button" class="quiet" on:click=move |_| sign_out(true)>
                {move || t.get(Key::SignOutEverywhere)}
            </button>
        </header>
        <nav aria-label=move || t.get(Key::Nav)>
            <ul>
                {link("#/analytics", Key::Analytics)}
                {link("#/orders", Key::Orders)}
                {link("#/returns", Key::Returns)}
                {link("#/changes", Key::Changes)}
                {link("#/upgrades", Key::Upgrades)}
                {link("#/reviews", Key::Reviews)}
                {link("#/products", Key::Products)}
                {link("#/slots", Key::Slots)}
                {link("#/survey", Key::Survey)}
                {link("#/install", Key::Install)}
                {move || session.is_owner().then(|| link("#/staff", Key::Staff))}
                {move || session.is_owner().then(|| link("#/settings", Key::Settings))}
            </ul>
        </nav>
        <Message said />
        <main id="main" tabindex="-1">
            {move || match route.get() {
                Route::Analytics => view! { <analytics::Dashboard /> }.into_any(),
                Route::Orders | Route::Password(_) => view! { <orders::List /> }.into_any(),
                Route::Order(number) => view! { <orders::Record number /> }.into_any(),
                Route::Returns => view! { <queue::Queue /> }.into_any(),
                Route::Changes => view! { <changes::Changes /> }.into_any(),
                Route::Upgrades => view! { <upgrades::Upgrades /> }.into_any(),
                Route::Products => view! { <products::Products /> }.into_any(),
                Route::Reviews => view! { <reviews::Reviews /> }.into_any(),
                Route::Slots => view! { <slots::Slots /> }.into_any(),
                Route::Staff => view! { <staff::Staff /> }.into_any(),
                Route::Settings => view! { <settings::Settings /> }.into_any(),
                Route::Survey => view! { <survey::Survey /> }.into_any(),
                Route::Install => view! { <install::Install /> }.into_any(),
            }}
        </main>
    }
}
