//! Keeping a view fresh while something it shows is still changing on the
//! server (a queued mail becoming sent), without a reload. Browser only: the
//! server renders once.

use std::time::Duration;

/// How often a view that waits for the server looks again.
pub const REFRESH_EVERY: Duration = Duration::from_secs(4);

/// Calls `refetch` every `REFRESH_EVERY` while `pending()` is true, until the
/// component is unmounted. `pending` is evaluated in an effect (where reading
/// a resource is allowed), whenever what it reads changes.
pub fn refresh_while(pending: impl Fn() -> bool + 'static, refetch: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::{Effect, GetUntracked, RwSignal, Set, on_cleanup, set_interval_with_handle};
        let waiting = RwSignal::new(false);
        Effect::new(move |_| waiting.set(pending()));
        let handle = set_interval_with_handle(
            move || {
                if waiting.get_untracked() {
                    refetch();
                }
            },
            REFRESH_EVERY,
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (pending, refetch);
}
