//! Where the browser's files are and what their names are, so an installed
//! release (the `make dist` tarball) runs as unpacked: the binary, `site/`
//! and `hash.txt` side by side, started from any working directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

/// The folder holding the running binary.
fn beside_binary() -> Option<PathBuf> {
    std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf))
}

/// `options` for the files as installed:
/// - without `LEPTOS_SITE_ROOT`, a `site` folder beside the binary is the
///   site (a development build keeps its default, `target/site`);
/// - the bundle's file names carry content hashes exactly when cargo-leptos
///   left its `hash.txt` beside the binary (a release build, see
///   `scripts/release.sh`), so the page names the files that exist and the
///   server may let browsers keep them for a year.
///
/// A `hash.txt` whose script is not in the site (a site from another build)
/// is ignored with a warning: the page then names the files the site has,
/// rather than files that are not there.
/// The `name: hash` lines of the `hash.txt` cargo-leptos leaves beside the
/// binary when it hashed the bundle's names (`js`, `wasm`, `css`, `split`,
/// `manifest`); empty without one.
pub fn bundle_hashes(options: &LeptosOptions) -> HashMap<String, String> {
    let Some(path) = beside_binary().map(|dir| dir.join(&*options.hash_file)) else { return HashMap::new() };
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, hash)| (name.trim().to_owned(), hash.trim().to_owned()))
        .collect()
}

pub fn as_installed(mut options: LeptosOptions) -> LeptosOptions {
    let Some(dir) = beside_binary() else { return options };
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() && dir.join("site").is_dir() {
        options.site_root = dir.join("site").to_string_lossy().into();
    }
    let script = bundle_hashes(&options).get("js").map(|hash| {
        Path::new(&*options.site_root).join(&*options.site_pkg_dir).join(format!("{}.{hash}.js", options.output_name))
    });
    options.hash_files = match script {
        Some(script) if script.is_file() => true,
        Some(script) => {
            tracing::warn!(
                missing = %script.display(),
                site = %options.site_root,
                "hash.txt beside the binary names a script the site does not have (a site from another build?): \
                 serving the site's names as they are"
            );
            false
        }
        None => false,
    };
    options
}
