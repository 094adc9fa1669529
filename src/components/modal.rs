//! A modal dialog opened by its URL (so it works without JavaScript and
//! Back closes it). With JavaScript it behaves like a desktop dialog: focus
//! moves into it when it opens, Tab and Shift+Tab stay inside it, and
//! Escape closes it by going to `close_href`.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// What can take focus inside the dialog, in tab order.
#[cfg(feature = "hydrate")]
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Modal(
    /// The id of the element that names the dialog (its heading).
    labelled_by: &'static str,
    /// Where closing goes (the page without the dialog's query parameter).
    #[prop(into)]
    close_href: String,
    /// Extra classes: `drawer` slides it in from the right.
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Section>::new();
    let navigate = use_navigate();
    let on_keydown = move |event: leptos::ev::KeyboardEvent| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            navigate(&close_href, Default::default());
        }
        "Tab" => keep_focus_inside(&event, dialog),
        _ => {}
    };
    // Runs in the browser only (effects do not run on the server): put the
    // keyboard where the work is, unless something inside already has it.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(section) = dialog.get() {
            focus_first_field(section, 40);
        }
    });
    view! {
        <div class="modal-backdrop">
            <section
                node_ref=dialog
                class=format!("modal card {class}")
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                tabindex="-1"
                on:keydown=on_keydown
            >
                {children()}
            </section>
        </div>
    }
}

/// Moves focus into the dialog: onto the dialog itself at once, then onto
/// its first text field or list as soon as there is one (its content may still be
/// loading), unless the user has moved on by then. Looks every 50 ms, up to
/// `tries` times.
#[cfg(feature = "hydrate")]
fn focus_first_field(section: web_sys::HtmlElement, tries: u32) {
    let active = document().active_element();
    let on_dialog = active.as_ref().is_some_and(|a| a == section.as_ref() as &web_sys::Element);
    let inside = active.as_ref().is_some_and(|a| section.contains(Some(a)));
    if inside && !on_dialog {
        return;
    }
    // A field one types into: a radio button or checkbox (the dashboards
    // at the foot of a user's details) is not where a dialog's work starts.
    let field = focusables(&section).into_iter().find(|el| match el.tag_name().as_str() {
        "INPUT" => !matches!(el.get_attribute("type").as_deref(), Some("radio" | "checkbox")),
        "SELECT" | "TEXTAREA" => true,
        _ => false,
    });
    match field {
        Some(field) if section.is_connected() => {
            let _ = field.focus();
        }
        _ => {
            if section.is_connected() && !on_dialog {
                let _ = section.focus();
            }
            if tries > 0 {
                set_timeout(move || focus_first_field(section, tries - 1), std::time::Duration::from_millis(50));
            }
        }
    }
}

#[cfg(feature = "hydrate")]
fn focusables(section: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let Ok(list) = section.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|node| node.dyn_into().ok()).collect()
}

/// Tab from the last control goes to the first, Shift+Tab from the first to
/// the last, so the keyboard never wanders behind the dialog.
fn keep_focus_inside(event: &leptos::ev::KeyboardEvent, dialog: NodeRef<leptos::html::Section>) {
    #[cfg(feature = "hydrate")]
    {
        let Some(section) = dialog.get_untracked() else {
            return;
        };
        let items = focusables(&section);
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return;
        };
        let active = document().active_element();
        let at = |el: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == el.as_ref());
        let target = match (event.shift_key(), active.is_some()) {
            (true, _) if at(first) || !section.contains(active.as_ref().map(|a| a.as_ref())) => Some(last),
            (false, _) if at(last) => Some(first),
            _ => None,
        };
        if let Some(target) = target {
            event.prevent_default();
            let _ = target.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, dialog);
}
