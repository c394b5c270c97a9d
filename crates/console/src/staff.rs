//! The shop's staff (owner only): who works in the console, adding someone (with a
//! one-time link to set their password) and removing them.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postpurchase_api::{NewStaff, PasswordLink, StaffMember, StaffRole};

use crate::api::Session;
use crate::i18n::{self, Key, T};
use crate::parts::{after, fetched, said, shown, Message, Said};

fn role_key(role: StaffRole) -> Key {
    match role {
        StaffRole::Owner => Key::RoleOwner,
        StaffRole::Staff => Key::RoleStaff,
    }
}

#[component]
pub fn Staff() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (members, reload) =
        fetched(
            move || async move { session.get::<Vec<StaffMember>>("/api/v1/admin/staff").await },
        );
    let said_here = RwSignal::new(None::<Said>);
    let link = RwSignal::new(None::<PasswordLink>);
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("staff".to_owned());
    let add = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let member = NewStaff {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: if role.get_untracked() == "owner" {
                StaffRole::Owner
            } else {
                StaffRole::Staff
            },
        };
        spawn_local(async move {
            let result = session
                .change::<_, PasswordLink>(Method::POST, "/api/v1/admin/staff", Some(&member))
                .await;
            match &result {
                Ok(Some(made)) => {
                    link.set(Some(made.clone()));
                    email.set(String::new());
                    name.set(String::new());
                }
                _ => link.set(None),
            }
            said_here.set(Some(said(t, &result, Key::Saved)));
            reload.again();
        });
    };
    let remove = move |id: i64| {
        let path = format!("/api/v1/admin/staff/{id}");
        after(t, said_here, reload, Key::Saved, async move {
            session.change::<(), ()>(Method::DELETE, &path, None).await
        });
    };
    view! {
        <h1 tabindex="-1">{move || t.get(Key::Staff)}</h1>
        <Message said=said_here />
        {shown(members, move |list: Vec<StaffMember>| {
            let lang = t.lang();
            view! {
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t.get(Key::Name)}</th>
                            <th scope="col">{t.get(Key::Email)}</th>
                            <th scope="col">{t.get(Key::Role)}</th>
                            <th scope="col">{t.get(Key::Password)}</th>
                            <th scope="col">{t.get(Key::Actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|m| {
                            let id = m.id;
                            view! {
                                <tr>
                                    <th scope="row">{m.name.clone()}</th>
                                    <td>{m.email.clone()}</td>
                                    <td>{t.get(role_key(m.role))}</td>
                                    <td>{if m.password_set { t.get(Key::PasswordReady) } else { t.get(Key::PasswordWaiting) }}
                                        " · " {i18n::when(lang, &m.created_at, false)}</td>
                                    <td>
                                        <button type="button" class="quiet" on:click=move |_| remove(id)>
                                            {format!("{} {}", t.get(Key::Remove), m.email)}
                                        </button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })}
        <section aria-labelledby="add-member">
            <h2 id="add-member">{move || t.get(Key::AddMember)}</h2>
            <form class="filters" on:submit=add>
                <label>
                    <span>{move || t.get(Key::Name)}</span>
                    <input required maxlength="100" autocomplete="off" bind:value=name />
                </label>
                <label>
                    <span>{move || t.get(Key::Email)}</span>
                    <input type="email" required maxlength="254" autocomplete="off" bind:value=email />
                </label>
                <label>
                    <span>{move || t.get(Key::Role)}</span>
                    <select bind:value=role>
                        <option value="staff">{move || t.get(Key::RoleStaff)}</option>
                        <option value="owner">{move || t.get(Key::RoleOwner)}</option>
                    </select>
                </label>
                <button type="submit">{move || t.get(Key::Add)}</button>
            </form>
            {move || link.get().map(|made| view! {
                <div class="card" role="region" aria-labelledby="member-link">
                    <p id="member-link">{t.fill(Key::MemberLink, &[("email", &made.staff.email)])}</p>
                    <input readonly class="wide" aria-labelledby="member-link" prop:value=made.link.clone() />
                </div>
            })}
        </section>
    }
}
