//! Pickup points and parcel lockers: each one's name, address, opening hours and kind,
//! changed in place or removed (the API keeps one a shopper's parcel is headed for), and
//! new ones added.

use gloo_net::http::Method;
use leptos::ev;
use leptos::prelude::*;
use postpurchase_api::{NewPickupPoint, PickupPoint};

use crate::api::Session;
use crate::i18n::{Key, T};
use crate::parts::{after, fetched, shown, Message, Said};

const PATH: &str = "/api/v1/admin/pickup-points";

/// The fields of one pickup point, as typed.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    address: RwSignal<String>,
    hours: RwSignal<String>,
    locker: RwSignal<bool>,
}

impl Fields {
    fn of(point: Option<&PickupPoint>) -> Fields {
        Fields {
            name: RwSignal::new(point.map(|p| p.name.clone()).unwrap_or_default()),
            address: RwSignal::new(point.map(|p| p.address.clone()).unwrap_or_default()),
            hours: RwSignal::new(
                point
                    .map(|p| p.opening_hours.join("\n"))
                    .unwrap_or_default(),
            ),
            locker: RwSignal::new(point.is_some_and(|p| p.locker)),
        }
    }

    fn point(self) -> NewPickupPoint {
        NewPickupPoint {
            name: self.name.get_untracked(),
            address: self.address.get_untracked(),
            opening_hours: self
                .hours
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            locker: self.locker.get_untracked(),
            latitude: None,
            longitude: None,
        }
    }

    /// The form's fields; `id` keeps each label tied to its own field.
    fn view(self, t: T, id: &str) -> impl IntoView {
        let field = |name: &str| format!("{id}-{name}");
        view! {
            <label for=field("name")>{t.get(Key::Name)}</label>
            <input id=field("name") required maxlength="100" bind:value=self.name />
            <label for=field("address")>{t.get(Key::Address)}</label>
            <input id=field("address") required maxlength="200" bind:value=self.address />
            <label for=field("hours")>{t.get(Key::OpeningHours)}</label>
            <textarea id=field("hours") rows="3" bind:value=self.hours></textarea>
            <label class="check">
                <input type="checkbox" bind:checked=self.locker />
                <span>{t.get(Key::Locker)}</span>
            </label>
        }
    }
}

#[component]
pub fn Points() -> impl IntoView {
    let t = T::use_();
    let session = Session::use_();
    let (points, reload) =
        fetched(move || async move { session.get::<Vec<PickupPoint>>(PATH).await });
    let said_here = RwSignal::new(None::<Said>);
    let send = move |method: Method, path: String, point: Option<NewPickupPoint>| {
        after(t, said_here, reload, Key::Saved, async move {
            session
                .change::<_, serde_json::Value>(method, &path, point.as_ref())
                .await
        });
    };
    let fresh = Fields::of(None);
    view! {
        <section aria-labelledby="points">
            <h2 id="points">{move || t.get(Key::PickupPoints)}</h2>
            <Message said=said_here />
            {shown(points, move |list: Vec<PickupPoint>| {
                if list.is_empty() {
                    return view! { <p class="quiet">{t.get(Key::NoPickupPoints)}</p> }.into_any();
                }
                list.into_iter().map(|p| {
                    let fields = Fields::of(Some(&p));
                    let path = format!("{PATH}/{}", p.id);
                    let remove_path = path.clone();
                    let legend = t.fill(Key::EditPoint, &[("name", &p.name)]);
                    view! {
                        <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                            e.prevent_default();
                            send(Method::PUT, path.clone(), Some(fields.point()));
                        }>
                            <fieldset>
                                <legend>{legend}</legend>
                                {fields.view(t, &format!("point-{}", p.id))}
                            </fieldset>
                            <div class="actions">
                                <button type="submit">{t.get(Key::Save)}</button>
                                <button type="button" class="quiet" on:click=move |_| send(Method::DELETE, remove_path.clone(), None)>
                                    {format!("{} {}", t.get(Key::Remove), p.name)}
                                </button>
                            </div>
                        </form>
                    }
                }).collect_view().into_any()
            })}
            <form class="card stack" on:submit=move |e: ev::SubmitEvent| {
                e.prevent_default();
                send(Method::POST, PATH.to_owned(), Some(fresh.point()));
            }>
                <fieldset>
                    <legend>{move || t.get(Key::AddPickupPoint)}</legend>
                    {fresh.view(t, "new-point")}
                </fieldset>
                <div class="actions">
                    <button type="submit">{move || t.get(Key::Add)}</button>
                </div>
            </form>
        </section>
    }
}
