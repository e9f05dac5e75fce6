//! The data table every list page uses: a card, a header row of localized column names,
//! and the rows the caller renders.

use crate::{components::form::Text, i18n::use_texts};
use leptos::prelude::*;

/// A table with one header cell per entry of `columns`; `children` are the `<tr>` rows.
#[component]
pub fn DataTable(
    /// The table's `data-test` name.
    test: &'static str,
    columns: Vec<Text>,
    children: Children,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200" data-test=test>
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>
                        {columns
                            .into_iter()
                            .map(|column| {
                                view! {
                                    <th scope="col" class="px-4 py-3">
                                        {move || column(t.get())}
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}
