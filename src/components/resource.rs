//! The one way a page loads server data: `server_resource`, a `Resource`
//! whose server-rendered value reaches the browser as JSON.
//!
//! Why not `Resource::new`: its codec decodes the value embedded in the page
//! with `serde_json::from_str`, while server functions decode their answers
//! with `serde_json::from_slice`. Each compiles its own copy of every data
//! type's deserializer into the WASM bundle (about 75 KB before compression).
//! This codec decodes from bytes too, so the browser carries one copy.

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, decoded the way server function answers are.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(value: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(value.as_bytes())
    }
}

/// A page's server data: `fetcher` runs on the server during rendering, its
/// value travels in the page, and it runs again in the browser whenever
/// `source` changes.
#[track_caller]
pub fn server_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
