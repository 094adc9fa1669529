//! Malformed input everywhere: every server function (from the server
//! function registry, so a new one is covered without listing it) and every
//! page route, called anonymously and as a signed-in Superuser with empty,
//! wrong-typed, oversized, NUL-laden, invalid-UTF-8 and random bodies and
//! query strings. Nothing may answer 5xx or hang. Bounded (a few hundred
//! requests, on loopback) and seeded, so a failure can be replayed with
//! `ROSTER_FUZZ_SEED`.

use std::time::Duration;

use crate::common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use roster::server::config::Config;
use roster::server::db::Db;

/// Field names the server functions take (argument names and the nested
/// forms' keys); unknown ones are as interesting as known ones.
const FIELDS: &[&str] = &[
    "email",
    "password",
    "password_confirmation",
    "token",
    "next",
    "user",
    "id",
    "view",
    "organization",
    "time_zone",
    "first_name",
    "last_name",
    "query[q]",
    "query[status]",
    "query[sort]",
    "query[dir]",
    "query[size]",
    "query[after]",
    "query[before]",
    "invite[email]",
    "invite[role]",
    "invite[mobile_phone]",
    "invite[time_zone]",
    "invite[first_name]",
    "invite[kind]",
    "invite[hire_date]",
    "query[kind]",
    "query[group]",
    "unknown[deep][deeper]",
];

/// A hostile value, percent-encoded for a form or query string.
fn value(rng: &mut StdRng) -> String {
    match rng.gen_range(0..10) {
        0 => "%00".into(),
        1 => "a%00b".into(),
        2 => "%FF%FE%FD".into(),
        3 => "x".repeat(rng.gen_range(1_000..20_000)),
        4 => "-1".into(),
        5 => "00000000-0000-0000-0000-000000000000".into(),
        6 => "%E2%80%AE%F0%9F%98%80%C3".into(),
        7 => "%5B%5D%7B%7D".into(),
        8 => (0..rng.gen_range(1..40)).map(|_| format!("%{:02X}", rng.r#gen::<u8>())).collect(),
        _ => String::new(),
    }
}

fn random_form(rng: &mut StdRng) -> String {
    (0..rng.gen_range(0..6))
        .map(|_| {
            let field = FIELDS[rng.gen_range(0..FIELDS.len())];
            let field: String = form_urlencoded::byte_serialize(field.as_bytes()).collect();
            format!("{field}={}", value(rng))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A body and its content type.
fn random_body(rng: &mut StdRng) -> (Vec<u8>, &'static str) {
    match rng.gen_range(0..8) {
        0 => (Vec::new(), "application/x-www-form-urlencoded"),
        1 => (b"{\"email\": [1, {\"a\": null}], \"password\": 7}".to_vec(), "application/json"),
        2 => (b"not json at all \x00\xff".to_vec(), "application/json"),
        3 => (random_form(rng).into_bytes(), "text/plain"),
        4 => (
            b"--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n\xff\r\n--x--".to_vec(),
            "multipart/form-data; boundary=x",
        ),
        5 => ((0..rng.gen_range(1..2_000)).map(|_| rng.r#gen::<u8>()).collect(), "application/x-www-form-urlencoded"),
        _ => (random_form(rng).into_bytes(), "application/x-www-form-urlencoded"),
    }
}

/// Sends requests and keeps what went wrong.
#[derive(Default)]
struct Probe {
    failures: Vec<String>,
    requests: usize,
}

impl Probe {
    async fn send(&mut self, request: reqwest::RequestBuilder, what: String) {
        self.requests += 1;
        match tokio::time::timeout(Duration::from_secs(15), request.send()).await {
            Err(_) => self.failures.push(format!("hung: {what}")),
            Ok(Err(error)) => self.failures.push(format!("no answer ({error}): {what}")),
            Ok(Ok(response)) => {
                let status = response.status();
                if status.is_server_error() {
                    let body = response.text().await.unwrap_or_default();
                    self.failures.push(format!("{status}: {what}: {}", body.chars().take(200).collect::<String>()));
                }
            }
        }
    }
}

#[db_test]
async fn malformed_requests_to_every_function_and_page_never_get_a_5xx_or_hang(pool: Db) {
    // Generous limits: this is about malformed input, not rate limiting.
    let config = Config {
        password_requests_per_minute: 10_000,
        token_requests_per_minute: 10_000,
        ..Config::for_database("postgres://unused")
    };
    let app = spawn_app_with(pool, config).await;
    let (admin, _) = app.signed_up("Acme").await;
    let anonymous = app.browser();
    let seed = std::env::var("ROSTER_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_13u64);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut probe = Probe::default();

    let mut functions: Vec<(&str, Method)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path, Method::from_bytes(method.as_str().as_bytes()).unwrap()))
        .collect();
    functions.sort_by_key(|(path, _)| *path);
    assert!(functions.len() >= 14, "the registry lists every server function: {functions:?}");
    for (path, method) in &functions {
        for (who, browser) in [("anonymous", &anonymous), ("superuser", &admin)] {
            for _ in 0..8 {
                let (body, content_type) = random_body(&mut rng);
                let accept = if rng.gen_bool(0.3) { "text/html" } else { "application/json" };
                let query = random_form(&mut rng);
                let url = format!("{}{path}?{query}", browser.base);
                let what = format!(
                    "{who} {method} {path}?{} [{content_type}, {} bytes, accept {accept}]",
                    query.chars().take(80).collect::<String>(),
                    body.len()
                );
                let request = browser
                    .client
                    .request(method.clone(), &url)
                    .header("content-type", content_type)
                    .header("accept", accept)
                    .body(body);
                probe.send(request, what).await;
            }
            // Oversized: refused before any handler (413).
            let request = browser
                .client
                .request(method.clone(), format!("{}{path}", browser.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("email={}", "a".repeat(70 * 1024)));
            probe.send(request, format!("{who} oversized {path}")).await;
            // The other method.
            let other = if *method == Method::GET { Method::POST } else { Method::GET };
            let request =
                browser.client.request(other.clone(), format!("{}{path}?{}", browser.base, random_form(&mut rng)));
            probe.send(request, format!("{who} {other} {path}")).await;
        }
    }

    // Pages, with random path parameters and query strings.
    let mut pages: Vec<String> =
        leptos_axum::generate_route_list(roster::app::App).iter().map(|route| route.path().to_owned()).collect();
    pages.extend(["/pkg/roster.css".into(), "/no/such/page".into(), "/%00".into(), "/%FF".into()]);
    for page in &pages {
        for (who, browser) in [("anonymous", &anonymous), ("superuser", &admin)] {
            for _ in 0..4 {
                let path: String = page
                    .split('/')
                    .map(|segment| {
                        if segment.starts_with(':') || segment.starts_with('*') {
                            value(&mut rng)
                        } else {
                            segment.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let url = format!("{}{path}?{}", browser.base, random_form(&mut rng));
                let what = format!("{who} GET {}", url.chars().take(120).collect::<String>());
                let request = browser.client.get(&url).header("accept", "text/html");
                probe.send(request, what).await;
            }
        }
    }

    assert!(probe.requests > 300, "{} requests", probe.requests);
    assert!(
        probe.failures.is_empty(),
        "seed {seed}: {} of {} requests failed:\n{}",
        probe.failures.len(),
        probe.requests,
        probe.failures.join("\n")
    );
}
