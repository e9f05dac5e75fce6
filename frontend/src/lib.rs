//! Browser entry point: hydrates the server-rendered Tenantry app.

/// Called by the generated JS once the WASM module is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy routes need the asynchronous hydration: it waits for the current route's chunk.
    leptos::mount::hydrate_lazy(app::App);
}
