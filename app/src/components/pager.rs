//! Previous / "page x of y" / next links for paginated lists; plain links, no script.

use crate::i18n::use_texts;
use leptos::prelude::*;

/// Number of pages for `total` items, at least 1.
pub fn page_count(total: i64, per_page: u32) -> u32 {
    let per_page = i64::from(per_page.max(1));
    u32::try_from((total.max(1) + per_page - 1) / per_page).unwrap_or(u32::MAX)
}

/// The paging line; `href(n)` is the address of page `n`.
#[component]
pub fn Pager(current: u32, pages: u32, href: impl Fn(u32) -> String) -> impl IntoView {
    let t = use_texts();
    let prev = (current > 1).then(|| href(current - 1));
    let next = (current < pages).then(|| href(current + 1));
    view! {
        <nav class="mt-4 flex items-center gap-4 text-sm" aria-label="pagination">
            {prev
                .map(|href| {
                    view! {
                        <a
                            href=href
                            data-test="page-prev"
                            class="font-medium text-indigo-700 hover:underline"
                        >
                            {move || t.get().previous}
                        </a>
                    }
                })}
            <span class="text-slate-600">{move || (t.get().page_of)(current, pages)}</span>
            {next
                .map(|href| {
                    view! {
                        <a
                            href=href
                            data-test="page-next"
                            class="font-medium text-indigo-700 hover:underline"
                        >
                            {move || t.get().next}
                        </a>
                    }
                })}
        </nav>
    }
}
