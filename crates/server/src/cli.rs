//! The command line: `postpurchase-server` (or `serve`) runs the server; `shops …` sets up
//! and manages shops, on SQLite or PostgreSQL alike, with no SQL.

use std::io::Write;

use postpurchase_api::ShopProfile;

use crate::store::{NewOwner, NewShop};
use crate::{domain, Config, Storage};

#[derive(Debug, clap::Parser)]
#[command(
    name = "postpurchase-server",
    version,
    about = "postpurchase: the API server, and the operator's commands",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no command: serve.
    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Runs the server (also what no command does).
    Serve(Config),
    /// Sets up and manages shops.
    Shops(Shops),
}

#[derive(Debug, clap::Args)]
pub struct Shops {
    #[command(flatten)]
    pub storage: Storage,
    /// Origin under which browsers reach the server, for the console links printed.
    #[arg(
        long,
        env = "PP_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub public_url: String,
    #[command(subcommand)]
    pub command: ShopsCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ShopsCommand {
    /// Sets up a shop and prints its admin API key, once (only its hash is kept).
    Create(NewShopArgs),
    /// Lists the shops with their origins and how many orders each holds.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Gives a shop a new admin API key and prints it; the old key stops working at once.
    RotateKey {
        slug: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sets the exact origins a shop's storefront calls the shopper API from (replacing
    /// the ones it had); browsers on any other origin are refused.
    Origins {
        slug: String,
        /// The origins, e.g. https://koffie.example https://www.koffie.example.
        origins: Vec<String>,
        /// Allow no origin at all (the hosted order page still works).
        #[arg(long, conflicts_with = "origins")]
        none: bool,
    },
    /// Prints a one-time link with which a member of a shop's staff sets a new password
    /// (a reset; no e-mail is sent). Any older link stops working.
    PasswordLink {
        slug: String,
        /// The member's e-mail.
        email: String,
    },
    /// Deletes a shop and everything it holds: orders, customers, parcels, returns,
    /// reviews, answers, webhooks. There is no undo.
    Delete {
        slug: String,
        /// Confirms the deletion.
        #[arg(long)]
        yes: bool,
    },
}

/// A shop to set up.
#[derive(Debug, clap::Args)]
pub struct NewShopArgs {
    /// The shop's slug in embed tags and URLs: 2 to 40 of a-z, 0-9 and -.
    #[arg(long)]
    slug: String,
    /// The shop's name as shoppers see it.
    #[arg(long)]
    name: String,
    /// An origin the storefront calls the API from, exactly (e.g.
    /// https://koffie.example); repeat for more.
    #[arg(long = "origin")]
    origins: Vec<String>,
    /// The e-mail of the shop's owner, who signs in to the console (the command prints a
    /// one-time link to set their password).
    #[arg(long)]
    owner: String,
    /// The owner's name as the console shows it.
    #[arg(long, default_value = "Owner")]
    owner_name: String,
    /// Where shoppers write to.
    #[arg(long)]
    email: Option<String>,
    /// Where shoppers call.
    #[arg(long)]
    phone: Option<String>,
    /// The shop's help or contact page.
    #[arg(long)]
    help_url: Option<String>,
    /// The shop's own order page, the widget's fallback link.
    #[arg(long)]
    order_page: Option<String>,
    /// The language of the shop's pages when the shopper's browser asks for none of
    /// ours (en, nl, de, id).
    #[arg(long, default_value = "en")]
    language: String,
    /// Print the shop and its key as JSON.
    #[arg(long)]
    json: bool,
}

impl NewShopArgs {
    /// The profile these flags give, tidied as the admin API tidies one.
    fn profile(&self) -> ShopProfile {
        domain::shops::tidy_profile(ShopProfile {
            slug: self.slug.clone(),
            name: self.name.clone(),
            support_email: self.email.clone(),
            support_phone: self.phone.clone(),
            support_url: self.help_url.clone(),
            order_status_url: self.order_page.clone(),
            language: self.language.clone(),
            ..ShopProfile::default()
        })
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Runs a `shops` command, printing to standard output.
pub async fn shops(shops: Shops) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let text = run(shops).await?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the answer: {e}"))
}

/// Runs a `shops` command; returns what to print.
pub async fn run(shops: Shops) -> Result<String, String> {
    // Checked before the database is opened: a typo creates nothing.
    check(&shops.command)?;
    let db = shops.storage.open().await?;
    let public_url = shops.public_url.trim_end_matches('/');
    let failed = |e: crate::error::ApiError| e.to_string();
    match shops.command {
        ShopsCommand::Create(args) => {
            let api_key = new_api_key()?;
            let link_token = crate::domain::new_token().map_err(|e| e.to_string())?;
            let link = crate::console::password_link(public_url, &link_token);
            let origins = exact_origins(&args.origins)?;
            let profile = args.profile();
            let shop = db
                .create_shop(NewShop {
                    slug: profile.slug,
                    name: profile.name,
                    api_key: api_key.clone(),
                    allowed_origins: origins,
                    locale: profile.language,
                    support_email: profile.support_email,
                    support_phone: profile.support_phone,
                    support_url: profile.support_url,
                    order_status_url: profile.order_status_url,
                    owner: Some(NewOwner {
                        email: args.owner.clone(),
                        name: args.owner_name.trim().to_owned(),
                        link_token,
                        now: now(),
                    }),
                })
                .await
                .map_err(failed)?;
            Ok(if args.json {
                json_line(&serde_json::json!({
                    "slug": shop.slug,
                    "name": shop.name,
                    "allowed_origins": shop.allowed_origins,
                    "api_key": api_key,
                    "owner_link": link,
                }))
            } else {
                format!(
                    "Shop `{}` ({}) is set up.\n\
                     Admin API key, shown this once (only its hash is kept; rotate it if lost):\n\
                     \n    {api_key}\n\n\
                     Allowed origins: {}\n\
                     The owner ({}) sets a password for the console here (works once, for 72 hours):\n\
                     \n    {link}\n",
                    shop.slug,
                    shop.name,
                    listed(&shop.allowed_origins),
                    crate::domain::staff::normalize_email(&args.owner),
                )
            })
        }
        ShopsCommand::List { json } => {
            let shops = db.list_shops().await.map_err(failed)?;
            Ok(if json {
                json_line(&shops)
            } else if shops.is_empty() {
                "No shops yet: `postpurchase-server shops create --slug … --name …` sets one up.\n"
                    .to_owned()
            } else {
                shops
                    .iter()
                    .map(|s| {
                        format!(
                            "{}\t{}\t{}\t{}\n",
                            s.slug,
                            s.name,
                            counted(s.orders as u64, "order"),
                            listed(&s.allowed_origins)
                        )
                    })
                    .collect()
            })
        }
        ShopsCommand::RotateKey { slug, json } => {
            let api_key = new_api_key()?;
            if !db.rotate_api_key(&slug, &api_key).await.map_err(failed)? {
                return Err(no_shop(&slug));
            }
            Ok(if json {
                json_line(&serde_json::json!({ "slug": slug, "api_key": api_key }))
            } else {
                format!(
                    "New admin API key of `{slug}` (the old one no longer works):\n\n    {api_key}\n\n"
                )
            })
        }
        ShopsCommand::Origins {
            slug,
            origins,
            none: _,
        } => {
            let origins = exact_origins(&origins)?;
            if !db
                .set_allowed_origins(&slug, origins.clone())
                .await
                .map_err(failed)?
            {
                return Err(no_shop(&slug));
            }
            Ok(format!(
                "Allowed origins of `{slug}`: {}\n",
                listed(&origins)
            ))
        }
        ShopsCommand::PasswordLink { slug, email } => {
            let token = crate::domain::new_token().map_err(|e| e.to_string())?;
            let member = db
                .password_link(&slug, &email, token.clone(), now())
                .await
                .map_err(failed)?;
            Ok(format!(
                "One-time link for {} of `{slug}` to set a new password (works once, for 72 hours):\n\n    {}\n\n",
                member.email,
                crate::console::password_link(public_url, &token)
            ))
        }
        ShopsCommand::Delete { slug, .. } => {
            let removed = db
                .delete_shop(&slug)
                .await
                .map_err(failed)?
                .ok_or_else(|| no_shop(&slug))?;
            Ok(format!(
                "Deleted `{slug}` and all it held: {}, {}, {} in all.\n",
                counted(removed.orders, "order"),
                counted(removed.customers, "customer"),
                counted(removed.rows, "record")
            ))
        }
    }
}

/// What can be told wrong without the database.
fn check(command: &ShopsCommand) -> Result<(), String> {
    match command {
        ShopsCommand::Create(args) => {
            let slug = &args.slug;
            let profile = args.profile();
            let mut problems: Vec<String> = domain::shops::validate_profile(&profile, slug)
                .into_iter()
                .map(|e| format!("--{}: {}", flag_of(&e.field), e.message))
                .collect();
            if !domain::shops::slug_ok(slug) {
                problems.insert(
                    0,
                    "--slug: must be 2 to 40 of a-z, 0-9 and -, not starting or ending with -"
                        .to_owned(),
                );
            }
            if !domain::email_ok(&domain::staff::normalize_email(&args.owner)) {
                problems.push("--owner: must be an e-mail address".to_owned());
            }
            let owner_name = args.owner_name.trim().chars().count();
            if !(1..=100).contains(&owner_name) {
                problems.push("--owner-name: must be 1 to 100 characters".to_owned());
            }
            if let Err(e) = exact_origins(&args.origins) {
                problems.push(e);
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("\n"))
            }
        }
        ShopsCommand::Origins { origins, none, .. } => {
            if origins.is_empty() && !none {
                return Err("name the origins, or pass --none to allow none".to_owned());
            }
            exact_origins(origins).map(|_| ())
        }
        ShopsCommand::Delete { slug, yes } if !yes => Err(format!(
            "deleting `{slug}` removes all its orders and customers for good; add --yes to confirm"
        )),
        _ => Ok(()),
    }
}

/// The command-line flag behind a profile field.
fn flag_of(field: &str) -> &str {
    match field {
        "support_email" => "email",
        "support_phone" => "phone",
        "support_url" => "help-url",
        "order_status_url" => "order-page",
        other => other,
    }
}

fn exact_origins(origins: &[String]) -> Result<Vec<String>, String> {
    let mut exact = Vec::new();
    for origin in origins {
        let o = domain::shops::origin(origin).ok_or_else(|| {
            format!(
                "`{origin}` is not an origin: give scheme and host (and port), nothing else, \
                 e.g. https://koffie.example (plain http only for localhost)"
            )
        })?;
        if !exact.contains(&o) {
            exact.push(o);
        }
    }
    Ok(exact)
}

/// A new admin API key: `ppk_` and 144 random bits.
pub fn new_api_key() -> Result<String, String> {
    domain::new_token()
        .map(|t| format!("ppk_{t}"))
        .map_err(|e| format!("no randomness for a key: {e}"))
}

fn no_shop(slug: &str) -> String {
    format!("there is no shop `{slug}` (`postpurchase-server shops list` lists them)")
}

fn listed(origins: &[String]) -> String {
    if origins.is_empty() {
        "none (only the hosted order page)".to_owned()
    } else {
        origins.join(", ")
    }
}

/// `1 order`, `2 orders`.
fn counted(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn json_line(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default() + "\n"
}
