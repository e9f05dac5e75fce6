//! The bundle's tags in the page's `<head>`: the stylesheet, the preloads of the JS and
//! WASM, and the module script that hydrates the page.
//!
//! Leptos' `HashedStylesheet` and `HydrationScripts` find the content-hashed file names by
//! reading `hash.txt` beside the executable on every render: a path lookup of the
//! executable, a `stat` and a read, twice per page (strace under load: 16 of the 20 system
//! calls of an anonymous page that are not the socket's). Here the names are read once per
//! process, and so is the split manifest that lazy routes preload their chunks from.

use leptos::{WasmSplitManifest, nonce::use_nonce, prelude::*};
use std::{collections::HashMap, path::PathBuf, sync::OnceLock};

/// The bundle's public paths, resolved once.
struct Bundle {
    css: String,
    js: String,
    wasm: String,
    /// The bootstrap: loads the JS glue, instantiates the WASM and hydrates.
    script: String,
    /// Which chunks each lazy route needs (absent without `--split`).
    split: Option<WasmSplitManifest>,
}

impl Bundle {
    fn resolve(options: &LeptosOptions) -> Bundle {
        let hashes = if options.hash_files {
            read_hashes(options)
        } else {
            HashMap::new()
        };
        let name = |kind: &str, bare: &str, ext: &str| match hashes.get(kind) {
            Some(hash) => format!("{}.{hash}.{ext}", options.output_name),
            None => format!("{}{bare}.{ext}", options.output_name),
        };
        // Without cargo-leptos (no LEPTOS_OUTPUT_NAME at build time) wasm-bindgen's default
        // `_bg` suffix stays on the WASM file, as Leptos expects.
        let wasm_bare = if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            "_bg"
        } else {
            ""
        };
        let pkg = format!("/{}", options.site_pkg_dir);
        let js = format!("{pkg}/{}", name("js", "", "js"));
        let wasm = format!("{pkg}/{}", name("wasm", wasm_bare, "wasm"));
        let script = format!(
            "import init, {{ hydrate }} from {js:?};\ninit({{ module_or_path: {wasm:?} }}).then(hydrate);"
        );
        Bundle {
            css: format!("{pkg}/{}", name("css", "", "css")),
            split: split_manifest(options, &pkg, &hashes),
            js,
            wasm,
            script,
        }
    }
}

/// `kind: hash` lines of the `hash.txt` cargo-leptos writes beside the executable.
fn read_hashes(options: &LeptosOptions) -> HashMap<String, String> {
    let path = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())));
    let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        tracing::error!(
            "file hashing is on but hash.txt cannot be read: the bundle's links will not resolve"
        );
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
        .collect()
}

/// The split build's manifest (lazy route → the chunks it needs) and loader name.
fn split_manifest(
    options: &LeptosOptions,
    pkg: &str,
    hashes: &HashMap<String, String>,
) -> Option<WasmSplitManifest> {
    let (manifest, loader) = match (hashes.get("manifest"), hashes.get("split")) {
        (Some(manifest), Some(split)) => (
            format!("__wasm_split_manifest.{manifest}.json"),
            format!("__wasm_split.{split}.js"),
        ),
        _ => (
            "__wasm_split_manifest.json".to_owned(),
            "__wasm_split.______________________.js".to_owned(),
        ),
    };
    let path = PathBuf::from(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join(manifest);
    // Not there: not a split build, so there is nothing to preload.
    let text = std::fs::read_to_string(&path).ok()?;
    match serde_json::from_str::<HashMap<String, Vec<String>>>(&text) {
        Ok(chunks) => Some(WasmSplitManifest(ArcStoredValue::new((
            pkg.to_owned(),
            chunks,
            loader,
        )))),
        Err(err) => {
            tracing::error!(%err, path = %path.display(), "unreadable split manifest: lazy routes will not preload their chunks");
            None
        }
    }
}

fn bundle(options: &LeptosOptions) -> &'static Bundle {
    static BUNDLE: OnceLock<Bundle> = OnceLock::new();
    BUNDLE.get_or_init(|| Bundle::resolve(options))
}

/// The stylesheet, the preloads and the hydration script, for the shell's `<head>`.
#[component]
pub fn BundleTags(options: LeptosOptions) -> impl IntoView {
    let bundle = bundle(&options);
    if let Some(split) = &bundle.split {
        provide_context(split.clone());
    }
    view! {
        <link rel="stylesheet" id="leptos" href=bundle.css.as_str() />
        <link rel="modulepreload" href=bundle.js.as_str() crossorigin="anonymous" />
        <link
            rel="preload"
            href=bundle.wasm.as_str()
            r#as="fetch"
            r#type="application/wasm"
            crossorigin="anonymous"
        />
        <script type="module" nonce=use_nonce()>
            {bundle.script.as_str()}
        </script>
    }
}
