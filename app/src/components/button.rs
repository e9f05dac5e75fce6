//! Buttons: one look per [`Variant`] and [`Size`], so every page's buttons (and the links
//! styled as buttons) share their classes.
//!
//! [`Button`] renders a `<button>`; attributes and event listeners given to it with
//! `attr:` and `on:` land on that element (`attr:data-test`, `attr:name`, `attr:value`,
//! `attr:disabled`, `attr:aria-label`, `on:click`, `class:hidden`, …). Links keep their own
//! element (`<A>` or `<a>`) and take [`button_class`] as their class.

use leptos::prelude::*;

/// What a button does, by its colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// The main action of a form or page: filled indigo.
    #[default]
    Primary,
    /// A lesser action: outlined.
    Secondary,
    /// An action that removes or revokes something: outlined red.
    Danger,
    /// An approval: filled green.
    Success,
}

impl Variant {
    fn class(self) -> &'static str {
        match self {
            Self::Primary => "bg-indigo-600 font-semibold text-white hover:bg-indigo-500",
            Self::Secondary => "border border-slate-300 hover:bg-slate-50",
            Self::Danger => "border border-red-300 text-red-700 hover:bg-red-50",
            Self::Success => "bg-emerald-600 font-semibold text-white hover:bg-emerald-500",
        }
    }
}

/// How big a button is: padding and text size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Size {
    /// In a dense table cell next to a badge.
    Xs,
    /// In a table row.
    Sm,
    /// In a menu or beside a list.
    Md,
    /// In a form.
    #[default]
    Base,
    /// The calls to action of the landing page.
    Lg,
}

impl Size {
    fn class(self) -> &'static str {
        match self {
            Self::Xs => "px-2 py-0.5 text-xs",
            Self::Sm => "px-2 py-1 text-sm",
            Self::Md => "px-3 py-1.5 text-sm",
            Self::Base => "px-4 py-2",
            Self::Lg => "px-5 py-2.5",
        }
    }
}

/// The classes of a button of `variant` and `size`, with `extra` (width, margin, shadow)
/// appended. For links styled as buttons; [`Button`] uses it too.
pub fn button_class(variant: Variant, size: Size, extra: &str) -> String {
    let mut class = format!(
        "rounded-md {} {} disabled:opacity-60",
        variant.class(),
        size.class()
    );
    if !extra.is_empty() {
        class.push(' ');
        class.push_str(extra);
    }
    class
}

/// A `<button>`. By default a primary submit button, for `ActionForm` and plain forms;
/// `kind="button"` with `on:click` for one that only runs script.
#[component]
pub fn Button(
    #[prop(optional)] variant: Variant,
    #[prop(optional)] size: Size,
    /// The button's `type`: `submit` (the default) or `button`.
    #[prop(default = "submit")]
    kind: &'static str,
    /// Classes added to the variant's and size's (width, margin, shadow).
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <button type=kind class=button_class(variant, size, class)>
            {children()}
        </button>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::{Button, Size, Variant, button_class};
    use leptos::prelude::*;

    #[test]
    fn classes_join_variant_size_and_extra() {
        assert_eq!(
            button_class(Variant::Danger, Size::Sm, ""),
            "rounded-md border border-red-300 text-red-700 hover:bg-red-50 px-2 py-1 text-sm disabled:opacity-60"
        );
        assert!(button_class(Variant::Primary, Size::Base, "w-full").ends_with(" w-full"));
    }

    #[test]
    fn attributes_reach_the_button() {
        let owner = Owner::new();
        owner.set();
        let html = view! {
            <Button
                variant=Variant::Secondary
                size=Size::Xs
                class="w-full"
                attr:data-test="go"
                attr:name="status"
                attr:value="active"
                attr:disabled=true
                attr:aria-label="Go now"
                class:invisible=true
            >
                "Go"
            </Button>
        }
        .to_html();
        for part in [
            r#"type="submit""#,
            r#"data-test="go""#,
            r#"name="status""#,
            r#"value="active""#,
            " disabled",
            r#"aria-label="Go now""#,
            "px-2 py-0.5 text-xs",
            "w-full",
            "invisible",
            ">Go</button>",
        ] {
            assert!(html.contains(part), "{part} missing in {html}");
        }
        assert_eq!(html.matches("class=").count(), 1, "{html}");
    }

    #[test]
    fn kind_button() {
        let owner = Owner::new();
        owner.set();
        let html = view! {
            <Button kind="button" on:click=|_| ()>
                "Next"
            </Button>
        }
        .to_html();
        assert!(html.contains(r#"type="button""#), "{html}");
    }
}
