//! The merchants' console: a leptos app (client-side rendered) served by the server at
//! `/admin`, never loaded by shoppers. It signs staff in, then works only through the
//! documented admin API with the session cookie and its CSRF proof: there is no back door.
//!
//! Layout, one way down: `shell` (the app, its routes, signing in and out) → one module
//! per page (`analytics`, `orders`, `queue`, `changes` (its terms shown in Settings), `upgrades` (faster delivery, its offers on its own page), `reviews`, `slots` with `points`, `staff`, `settings` with `followups`, `delays` and `theme`, `survey`, `install`) → `parts` (what pages share:
//! loading, messages) → `api` and `i18n`.

mod analytics;
mod api;
mod changes;
mod delays;
mod feeds;
mod followups;
mod i18n;
mod install;
mod loyalty;
mod orders;
mod origins;
mod parts;
mod points;
mod products;
mod queue;
mod reviews;
mod settings;
mod shell;
mod slots;
mod staff;
mod survey;
mod theme;
mod upgrades;

fn main() {
    leptos::mount::mount_to_body(shell::App);
}
