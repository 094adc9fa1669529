//! Issue 13's hardening, tried as an attacker would: forged `Host` and
//! `X-Forwarded-For` headers.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::config::Config;
use roster::server::db::Db;

/// Every link in every mail to `email`.
async fn links_mailed_to(app: &TestApp, email: &str) -> Vec<String> {
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body_text FROM outbox WHERE recipient = $1")
        .bind(email)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    bodies
        .iter()
        .flat_map(|b| b.split_whitespace().filter(|w| w.contains("://")).map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

#[db_test]
async fn links_in_mails_come_from_configuration_never_from_the_requests_host(pool: Db) {
    // Development (no PUBLIC_ORIGIN): the listen address.
    let app = spawn_app(pool.clone()).await;
    let (admin, _) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let invite = invite_form(&email, "basic");
    let response = admin
        .client
        .post(app.url("/api/invite_user"))
        .header("host", "evil.example")
        .form(&invite)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());

    // The public "Send me a new link", with a forged Host, from anyone.
    sqlx::query("UPDATE invites SET expires_at = now() - interval '1 minute'").execute(&app.pool).await.unwrap();
    let token = latest_activation_token(&app.pool, &email).await;
    let response = app
        .browser()
        .client
        .post(app.url("/api/request_new_link"))
        .header("host", "evil.example:3000")
        .header("x-forwarded-host", "evil.example")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());

    let links = links_mailed_to(&app, &email).await;
    assert_eq!(links.len(), 2, "{links:?}");
    for link in &links {
        assert!(link.starts_with(&format!("http://{}/activate/", app.addr)), "{link}");
    }

    // Production: PUBLIC_ORIGIN, whatever the request says.
    let config = Config {
        public_origin: Some("https://roster.example.com".into()),
        ..Config::for_database("postgres://unused")
    };
    let production = spawn_app_with(pool, config).await;
    let (admin, _) = production.signed_up("Globex").await;
    let email = unique_email("alan");
    let invite = invite_form(&email, "basic");
    let response = admin
        .client
        .post(production.url("/api/invite_user"))
        .header("host", "evil.example")
        .form(&invite)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let links = links_mailed_to(&production, &email).await;
    assert!(links.len() == 1 && links[0].starts_with("https://roster.example.com/activate/"), "{links:?}");
}

/// Calls a rate-limited public endpoint as a client behind one nginx that
/// appends the address it saw to whatever `X-Forwarded-For` the client sent.
async fn link_request(app: &TestApp, forwarded_for: &str) -> StatusCode {
    app.browser()
        .client
        .post(app.url("/api/activation_link"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("token", "guess")])
        .send()
        .await
        .unwrap()
        .status()
}

#[db_test]
async fn a_client_cannot_choose_its_address_by_forging_x_forwarded_for(pool: Db) {
    let config =
        Config { token_requests_per_minute: 2, trust_proxy_hops: 1, ..Config::for_database("postgres://unused") };
    let app = spawn_app_with(pool, config).await;
    // The attacker (203.0.113.7) writes a fresh address to the left each time.
    for forged in ["1.1.1.1", "1.1.1.2"] {
        assert_eq!(link_request(&app, &format!("{forged}, 203.0.113.7")).await, StatusCode::OK);
    }
    assert_eq!(
        link_request(&app, "1.1.1.3, 203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS,
        "counted under the address nginx appended"
    );
    // Someone else behind the same proxy is not affected.
    assert_eq!(link_request(&app, "198.51.100.20").await, StatusCode::OK);

    // An IPv6 client rotating through its /64 is one client.
    assert_eq!(link_request(&app, "2001:db8:1:2::1").await, StatusCode::OK);
    assert_eq!(link_request(&app, "2001:db8:1:2:ffff::99").await, StatusCode::OK);
    assert_eq!(link_request(&app, "2001:db8:1:2:abcd::7").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(link_request(&app, "2001:db8:1:3::1").await, StatusCode::OK, "the next /64 is someone else");
}

#[db_test]
async fn without_trusted_proxies_x_forwarded_for_is_ignored(pool: Db) {
    let config = Config { token_requests_per_minute: 2, ..Config::for_database("postgres://unused") };
    let app = spawn_app_with(pool, config).await;
    for i in 0..2 {
        assert_eq!(link_request(&app, &format!("1.1.1.{i}")).await, StatusCode::OK);
    }
    assert_eq!(link_request(&app, "1.1.1.9").await, StatusCode::TOO_MANY_REQUESTS, "the peer is the client");
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[db_test]
async fn pages_carry_a_strict_content_security_policy_with_a_fresh_nonce(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let anonymous = app.browser();
    let mut nonces = Vec::new();
    for path in ["/sign-in", "/settings/users"] {
        let client = if path == "/sign-in" { &anonymous.client } else { &admin.client };
        let response = client.get(app.url(path)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let policy = header(&response, "content-security-policy").to_owned();
        for directive in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "style-src 'self';",
        ] {
            assert!(policy.contains(directive), "{path}: {directive} missing from {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
        assert!(nonce.len() >= 16, "{nonce}");
        nonces.push(nonce.to_owned());
        let html = response.text().await.unwrap();
        // Every inline script carries the nonce; no handler attributes.
        let scripts = html.matches("<script").count();
        assert!(scripts >= 1 && scripts == html.matches(&format!("nonce=\"{nonce}\"")).count(), "{html}");
        for handler in [" onchange=", " onclick=", " onload=", " onsubmit=", " style="] {
            assert!(!html.contains(handler), "{path}: {handler} in the page");
        }
    }
    assert_ne!(nonces[0], nonces[1], "a nonce per response");

    // Anything else gets the policy without a nonce: no inline script at all.
    let response = admin.call("current_user", &[]).await;
    let policy = header(&response, "content-security-policy");
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'") && !policy.contains("nonce"), "{policy}");
    // No HSTS over plain HTTP (development).
    assert_eq!(header(&response, "strict-transport-security"), "");
}

#[db_test]
async fn token_pages_send_no_referrer_and_https_installations_send_hsts(pool: Db) {
    let app = spawn_app(pool.clone()).await;
    let visitor = app.browser();
    let page = visitor.client.get(app.url("/activate/some-token")).send().await.unwrap();
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    let page = visitor.client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(header(&page, "referrer-policy"), "same-origin");

    let config = Config {
        cookie_secure: true,
        public_origin: Some("https://roster.example.com".into()),
        ..Config::for_database("postgres://unused")
    };
    let production = spawn_app_with(pool, config).await;
    let page = production.browser().client.get(production.url("/sign-in")).send().await.unwrap();
    assert_eq!(header(&page, "strict-transport-security"), "max-age=63072000");
}

#[db_test]
async fn a_no_javascript_form_on_a_token_page_posts_with_a_null_origin_and_gets_its_error_back(pool: Db) {
    let app = spawn_app(pool).await;
    // What Chromium sends for a form post from a `no-referrer` page.
    let response = app
        .browser()
        .client
        .post(app.url("/api/activate_account"))
        .header("accept", "text/html")
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("token", "expired-or-unknown"),
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("time_zone", "UTC"),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = header(&response, "location");
    assert!(location.starts_with("/activate/expired-or-unknown?__path=%2Fapi%2Factivate_account&__err="), "{location}");
}

#[db_test]
async fn a_full_password_line_answers_busy_at_once(pool: Db) {
    let mut config = Config { password_requests_per_minute: 1000, ..Config::for_database("postgres://unused") };
    // One slow hashing thread (~10x the usual work) and room for one waiting.
    config.argon2.concurrency = 1;
    config.argon2.queue_max = 1;
    config.argon2.iterations = 20;
    let app = &spawn_app_with(pool, config).await;
    let attempts = (0..12).map(|i| async move {
        let started = std::time::Instant::now();
        let response = app
            .browser()
            .client
            .post(app.url("/api/sign_in"))
            .form(&[("email", format!("nobody{i}@example.com").as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        (
            response.status(),
            header(&response, "retry-after").to_owned(),
            started.elapsed(),
            response.text().await.unwrap(),
        )
    });
    let results = futures::future::join_all(attempts).await;
    let busy: Vec<_> = results.iter().filter(|r| r.0 == StatusCode::SERVICE_UNAVAILABLE).collect();
    let checked = results.iter().filter(|r| r.0 == StatusCode::UNAUTHORIZED).count();
    assert!(busy.len() >= 6 && checked >= 1 && busy.len() + checked == 12, "{results:?}");
    let slowest_check = results.iter().filter(|r| r.0 == StatusCode::UNAUTHORIZED).map(|r| r.2).max().unwrap();
    for (_, retry_after, took, body) in &busy {
        assert_eq!(retry_after, "2");
        assert!(body.contains("\"kind\":\"busy\"") && body.contains("try again in a few seconds"), "{body}");
        assert!(*took < slowest_check, "refused at once ({took:?}), not after waiting ({slowest_check:?})");
    }
    assert_eq!(app.state.hasher.waiting(), 0);
}

#[db_test]
async fn a_request_that_never_finishes_gets_a_503_not_a_hung_connection(pool: Db) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config =
        Config { request_timeout: std::time::Duration::from_secs(1), ..Config::for_database("postgres://unused") };
    let app = spawn_app_with(pool, config).await;
    // Promises 100 bytes of body, sends 7, then waits (slowloris).
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/sign_in HTTP/1.1\r\nHost: roster\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nemail=a",
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 1024];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("answered within the timeout, not hung")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after:"), "{answer}");
}
