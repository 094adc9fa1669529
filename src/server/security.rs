//! Request-level protections that do not depend on the route: refusing
//! cross-site state changes (CSRF) and a few response headers.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "same-site" is another origin on our registrable domain (a sibling
        // subdomain): not ours either.
        if site != "same-origin" && site != "none" {
            return true;
        }
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

/// Headers every response carries.
pub async fn security_headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", "nosniff".parse().unwrap());
    headers.insert("x-frame-options", "DENY".parse().unwrap());
    // Same-origin keeps the Referer on our own form posts (the no-JS error
    // redirect relies on it) and sends nothing to other sites.
    headers.insert("referrer-policy", "same-origin".parse().unwrap());
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
    fn the_configured_public_origin_passes_behind_a_proxy() {
        let h = headers(&[("host", "internal:3000"), ("origin", "https://roster.example.com")]);
        assert!(!is_cross_site(&h, Some("https://roster.example.com/")));
        assert!(is_cross_site(&h, None));
    }
}
