use leptos::prelude::*;

use crate::components::resource::server_resource;
use crate::features::orgs::api::get_seat_usage;

/// "Superuser 1/1 · Operator 0/5 · Basic 0/10", read from the database.
#[component]
pub fn SeatCounters() -> impl IntoView {
    // Refetched on every navigation of the page (an invite changes them).
    let location = leptos_router::hooks::use_location();
    let seats = server_resource(move || location.search.get(), |_| get_seat_usage());
    view! {
        <Transition fallback=|| view! { <p class="seats seats-placeholder" aria-hidden="true">" "</p> }>
            {move || Suspend::new(async move {
                match seats.await {
                    Ok(seats) => view! {
                        <ul class="seats" aria-label="Seats used">
                            {seats.into_iter().map(|seat| view! {
                                <li class:seats-full=seat.is_full()>
                                    <span class="seat-role">{seat.role.label()}</span>
                                    " "
                                    <span class="seat-count">{format!("{}/{}", seat.used, seat.quota)}</span>
                                    {seat.is_full().then(|| view! { <span class="visually-hidden">" (full)"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(_) => view! { <p class="seats">"Seat counts unavailable"</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
