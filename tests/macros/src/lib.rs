//! `#[db_test]`, the attribute every integration test wears.
//!
//! It turns `async fn name(pool: Db) { … }` into a plain `#[test]` that
//! hands the body to `crate::common::db::run`, which gives the test a fresh
//! database copied from a migrated template, a time limit, and drops the
//! database afterwards. A macro rather than a helper call in each test so
//! that a test reads exactly as it did under `#[sqlx::test]`.

use proc_macro::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Error, ItemFn, parse_macro_input};

#[proc_macro_attribute]
pub fn db_test(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return Error::new(proc_macro2::Span::call_site(), "#[db_test] takes no arguments").to_compile_error().into();
    }
    let mut test = parse_macro_input!(item as ItemFn);
    if test.sig.asyncness.is_none() {
        return Error::new(test.sig.fn_token.span(), "#[db_test] goes on an `async fn name(pool: Db)`")
            .to_compile_error()
            .into();
    }
    if test.sig.inputs.len() != 1 {
        return Error::new(test.sig.inputs.span(), "a #[db_test] takes exactly one argument, its `Db`")
            .to_compile_error()
            .into();
    }
    // Doc comments and other attributes stay on the test the runner lists.
    let attrs = std::mem::take(&mut test.attrs);
    let name = test.sig.ident.clone();
    quote! {
        #[test]
        #(#attrs)*
        fn #name() {
            #test
            crate::common::db::run(concat!(module_path!(), "::", stringify!(#name)), #name);
        }
    }
    .into()
}
