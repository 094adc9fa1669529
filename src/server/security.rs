//! Request-level protections: refusing cross-site state changes (CSRF) and
//! the response headers that tell browsers what a page may do
//! (Content-Security-Policy, HSTS, Referrer-Policy, framing).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use super::AppState;

/// Refuses a state-changing request that a browser says comes from another
/// site. `Sec-Fetch-Site` is sent by every current browser; `Origin` covers
/// the rest. A request with neither header does not come from a web page (a
/// script or `curl`), so it cannot be riding on a victim's cookie.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(request.headers(), state.config.public_origin.as_deref()) {
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        // The browser's own word, which a page cannot forge. It is decisive:
        // a page with `Referrer-Policy: no-referrer` (a token page) posts
        // with `Origin: null`, which alone would look cross-site. "same-site"
        // is another origin on our registrable domain (a sibling
        // subdomain): not ours either.
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return true;
        };
        if public_origin.is_some_and(|allowed| allowed.trim_end_matches('/') == origin) {
            return false;
        }
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return origin == "null" || origin_host != host;
    }
    false
}

/// The Content-Security-Policy of Roster's pages. Scripts run only from our
/// own files and from inline scripts carrying this response's `nonce`
/// (Leptos's hydration and resource scripts); `'wasm-unsafe-eval'` lets the
/// browser compile our WebAssembly (without it nothing hydrates). No inline
/// event handlers, no inline styles, no plugins, no framing, no `<base>`,
/// forms post only to us. Without a nonce: no inline script at all.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self'"
    )
}

/// Pages whose URL carries a secret (an activation or sign-up confirmation
/// link's token): nothing, not even our own requests, is told where the
/// browser came from.
pub fn carries_token_in_url(path: &str) -> bool {
    path.starts_with("/activate/")
        || path.starts_with("/sign-up/confirm/")
        || path.starts_with("/recover/")
        || path.starts_with("/confirm-email/")
}

/// This response's Content-Security-Policy nonce: 128 random bits, made by
/// `security_headers` before the request is handled. The page's inline
/// scripts (Leptos's hydration and resource scripts) carry it: the router
/// gives it to Leptos as its `Nonce` (see `router::app`).
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    fn new() -> Self {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        CspNonce(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes).into())
    }
}

/// Headers every response carries.
pub async fn security_headers(State(state): State<AppState>, mut request: Request<Body>, next: Next) -> Response {
    let token_page = carries_token_in_url(request.uri().path());
    let nonce = CspNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let unavailable = response.status() == StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Only a page has inline scripts to allow; anything else gets the policy
    // without a nonce (and so answers are alike but for what must differ).
    let page =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let policy = content_security_policy(page.then_some(&*nonce.0));
    if page && !headers.contains_key(header::CACHE_CONTROL) {
        // A page is built for its reader and names the bundle it runs with:
        // a browser asks again each time (a cheap answer), no shared cache
        // keeps it, and after an upgrade it names the new bundle at once.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&policy).expect("ASCII policy"));
    // Same-origin elsewhere: no other site learns our URLs, and our own
    // no-JavaScript form posts keep the Referer their error redirect uses.
    let referrer = if token_page { "no-referrer" } else { "same-origin" };
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    // A 503 (busy, or the request timed out) says when to come back.
    if unavailable && !headers.contains_key(header::RETRY_AFTER) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    if state.config.cookie_secure {
        // Served over HTTPS (the session cookie is Secure): browsers never
        // try plain HTTP again for two years.
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_origin_requests_pass() {
        assert!(!is_cross_site(&headers(&[("host", "a:3000"), ("origin", "http://a:3000")]), None));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")]), None));
        assert!(!is_cross_site(&headers(&[]), None));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(is_cross_site(&headers(&[("host", "a:3000"), ("origin", "http://evil:3000")]), None));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), None));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), None));
        assert!(is_cross_site(&headers(&[("host", "a"), ("origin", "null")]), None));
    }

    #[test]
    fn a_token_page_posting_with_a_null_origin_is_same_origin_by_the_browsers_word() {
        let h = headers(&[("host", "a"), ("origin", "null"), ("sec-fetch-site", "same-origin")]);
        assert!(!is_cross_site(&h, None));
    }

    #[test]
    fn the_configured_public_origin_passes_behind_a_proxy() {
        let h = headers(&[("host", "internal:3000"), ("origin", "https://roster.example.com")]);
        assert!(!is_cross_site(&h, Some("https://roster.example.com/")));
        assert!(is_cross_site(&h, None));
    }
}
