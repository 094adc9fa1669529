//! The scripts that make a server-rendered page interactive: Leptos's own
//! `HydrationScripts`, changed in one respect.
//!
//! Leptos preloads the WASM bundle (300 KB Brotli) from the `<head>`, so on
//! a slow connection it shares the line with the stylesheet the first paint
//! waits for; Lighthouse (mobile) counted User Management's largest paint at
//! 2.6 s for it, while the page itself was ready to paint after its HTML
//! and CSS. Here the bundle is fetched once the page has painted (the next
//! frame): people see the page at once and can use its links and forms
//! (they work without JavaScript), and it turns interactive a moment later.
//! The script module (8 KB) is still preloaded, so the bundle's fetch
//! starts right after that paint.
//!
//! Everything else is as Leptos 0.8.23 does it (`leptos::hydration`): the
//! content-hashed names from `hash.txt`, the split bundle's manifest (which
//! lazy pages preload), the CSP nonce.

use leptos::config::LeptosOptions;
use leptos::prelude::*;

/// Starts hydration after the first paint (see the module's note), in a
/// task of its own after the bundle's instantiation (each task the browser
/// runs at once blocks input for its whole length). The arguments are the
/// site's root, the package folder, and the script's and the bundle's file
/// names.
#[cfg(feature = "ssr")]
const HYDRATE_AFTER_PAINT: &str = r#"(function (root, pkg, js, wasm) {
	const hydrate = () =>
		import(`${root}/${pkg}/${js}.js`).then((mod) =>
			mod.default({ module_or_path: `${root}/${pkg}/${wasm}.wasm` }).then(() => setTimeout(mod.hydrate, 0)));
	requestAnimationFrame(() => setTimeout(hydrate, 0));
})"#;

/// The stylesheet, by its content-hashed name in a release (read once, like
/// the scripts' names; leptos_meta's `HashedStylesheet` reads `hash.txt`
/// on every page).
#[component]
pub fn BundleStylesheet(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let href = format!("/{}/{}.css", options.site_pkg_dir, server::names(&options).css);
    #[cfg(not(feature = "ssr"))]
    let href = {
        let _ = options;
        String::new()
    };
    view! { <link rel="stylesheet" id="leptos" href=href /> }
}

#[component]
pub fn Hydration(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        server::hydration(options)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
    }
}

#[cfg(feature = "ssr")]
mod server {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::OnceLock;

    use leptos::WasmSplitManifest;
    use leptos::config::LeptosOptions;
    use leptos::prelude::*;

    /// The split bundle's manifest (which chunks each lazy page needs), read
    /// once: Leptos's server rendering preloads a lazy page's chunks from it.
    fn split_manifest(options: &LeptosOptions, hashes: &HashMap<String, String>) -> Option<WasmSplitManifest> {
        static MANIFEST: OnceLock<Option<WasmSplitManifest>> = OnceLock::new();
        MANIFEST
            .get_or_init(|| {
                let (split, manifest) = match (hashes.get("split"), hashes.get("manifest")) {
                    (Some(split), Some(manifest)) => {
                        (format!("__wasm_split.{split}.js"), format!("__wasm_split_manifest.{manifest}.json"))
                    }
                    _ => ("__wasm_split.______________________.js".to_owned(), "__wasm_split_manifest.json".to_owned()),
                };
                let path = PathBuf::from(&*options.site_root).join(&*options.site_pkg_dir).join(manifest);
                let file = std::fs::read_to_string(path).ok()?;
                let chunks = serde_json::from_str(&file).ok()?;
                Some(WasmSplitManifest(ArcStoredValue::new((format!("/{}", options.site_pkg_dir), chunks, split))))
            })
            .clone()
    }

    /// The bundle's file names without their extensions.
    pub struct Names {
        pub js: String,
        pub wasm: String,
        pub css: String,
        hashes: HashMap<String, String>,
    }

    /// Read once: the names cannot change while the server runs.
    pub fn names(options: &LeptosOptions) -> &'static Names {
        static NAMES: OnceLock<Names> = OnceLock::new();
        NAMES.get_or_init(|| {
            // Hashed names only when `site::as_installed` found them in the site.
            let hashes = if options.hash_files { crate::server::site::bundle_hashes(options) } else { HashMap::new() };
            let name = options.output_name.to_string();
            let named = |kind: &str| match hashes.get(kind) {
                Some(hash) => format!("{name}.{hash}"),
                None => name.clone(),
            };
            Names { js: named("js"), wasm: named("wasm"), css: named("css"), hashes }
        })
    }

    pub fn hydration(options: LeptosOptions) -> impl IntoView {
        let Names { js, wasm, hashes, .. } = names(&options);
        if let Some(manifest) = split_manifest(&options, hashes) {
            provide_context(manifest);
        }
        let pkg = options.site_pkg_dir.to_string();
        let nonce = leptos::nonce::use_nonce();
        view! {
            <link rel="modulepreload" href=format!("/{pkg}/{js}.js") crossorigin=nonce.clone() />
            <script type="module" nonce=nonce>
                {format!("{}(\"\", {pkg:?}, {js:?}, {wasm:?});", super::HYDRATE_AFTER_PAINT)}
            </script>
        }
    }
}
