//! Where the browser's files are and what their names are, so an installed
//! release (the `make dist` tarball) runs as unpacked: the binary, `site/`
//! and `hash.txt` side by side, started from any working directory.

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
pub fn as_installed(mut options: LeptosOptions) -> LeptosOptions {
    let Some(dir) = beside_binary() else { return options };
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() && dir.join("site").is_dir() {
        options.site_root = dir.join("site").to_string_lossy().into();
    }
    options.hash_files = dir.join(&*options.hash_file).is_file();
    options
}
