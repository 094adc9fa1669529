//! The test harness: the real app (`roster::server::app`) on a random port,
//! on a fresh PostgreSQL database per test (`#[db_test]`, see `db.rs`),
//! driven over HTTP like a browser would.
#![allow(dead_code)]

pub mod db;
pub mod instance;
pub mod mail_catcher;

pub use roster_test_macros::db_test;

use std::net::SocketAddr;

use leptos::config::LeptosOptions;
use reqwest::{Client, Response, StatusCode, header};
use roster::features::auth::types::Password;
use roster::server::cli::{OperatorOrganization, create_organization};
use roster::server::config::Config;
use roster::server::db::Db;
use roster::server::{AppState, app};
use serde_json::Value;
use uuid::Uuid;

pub const PASSWORD: &str = "Correct-Horse-42";

pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: Db,
    pub state: AppState,
}

pub async fn spawn_app(pool: Db) -> TestApp {
    spawn_app_with(pool, Config::for_database("postgres://unused")).await
}

pub async fn spawn_app_with(pool: Db, config: Config) -> TestApp {
    spawn_app_with_site(pool, config, "target/site").await
}

/// The app serving its static files from `site_root` (a folder the test
/// builds, since the real bundle is only built after the Rust tests).
pub async fn spawn_app_with_site(pool: Db, config: Config, site_root: &str) -> TestApp {
    spawn_app_with_options(pool, config, |options| options.site_root = site_root.into()).await
}

/// The app with its Leptos options as `adjust` leaves them.
pub async fn spawn_app_with_options(pool: Db, config: Config, adjust: impl FnOnce(&mut LeptosOptions)) -> TestApp {
    // Listening first, so the configured address (where links in mails
    // point without PUBLIC_ORIGIN) is the one the app really serves.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut options = LeptosOptions::builder()
        .output_name("roster")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    adjust(&mut options);
    let state = AppState::new(pool.clone(), config, options).await.expect("app state");
    let router = app(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap()
    });
    TestApp { addr, pool, state }
}

/// A browser-like client: its own cookie jar, no automatic redirects.
pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn browser(&self) -> Browser {
        Browser { client: client(true, header::HeaderMap::new()), base: format!("http://{}", self.addr) }
    }

    /// A browser that names itself with `user_agent` on every request.
    pub fn browser_named(&self, user_agent: &str) -> Browser {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::USER_AGENT, header::HeaderValue::from_str(user_agent).unwrap());
        Browser { client: client(true, headers), base: format!("http://{}", self.addr) }
    }

    /// A fresh organization whose Superuser (Ada Lovelace, Europe/Zurich)
    /// is signed in: returns the browser and the Superuser's email. Made
    /// through the operator's `roster org create` (no sign-up mail in the
    /// outbox); the sign-up tests go through the form and the mail.
    pub async fn signed_up(&self, org: &str) -> (Browser, String) {
        let email = unique_email(org);
        let input = OperatorOrganization {
            name: org.into(),
            time_zone: "Europe/Zurich".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: email.clone(),
        };
        let seats = self.state.config.default_seats;
        create_organization(&self.pool, &self.state.hasher, seats, &input, &Password::new(PASSWORD)).await.unwrap();
        let browser = self.browser();
        let (status, body) = browser.sign_in(&email, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "sign-in failed: {body}");
        (browser, email)
    }

    /// Each denial of a user-management endpoint acting on `form`'s user of
    /// `org_id`: no session 401, a Basic and an Operator user 403, another
    /// organization's Superuser 404 (that user does not exist for them).
    pub async fn assert_each_denial(&self, org_id: Uuid, function: &str, form: &[(&str, &str)]) {
        let (status, _) = self.browser().call_json(function, form).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{function}: no session");
        for role in ["basic", "operator"] {
            let email = self.add_user(org_id, role, "Not", "Admin").await;
            let browser = self.browser();
            browser.sign_in(&email, PASSWORD).await;
            let (status, _) = browser.call_json(function, form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {role}");
        }
        let (other, _) = self.signed_up("Globex").await;
        let (status, _) = other.call_json(function, form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{function}: another organization's user does not exist for them");
    }

    /// Makes the user at `email` an external one (a customer or partner).
    pub async fn make_external(&self, email: &str) {
        sqlx::query("UPDATE users SET kind = 'external' WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap()
    }

    /// The id of the user with this email.
    pub async fn user_id_of(&self, email: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// The states of the mails to `email`, oldest first.
    pub async fn mail_states(&self, email: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT state::text FROM outbox WHERE recipient = $1 ORDER BY created_at")
            .bind(email)
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    pub async fn org_id_of(&self, email: &str) -> Uuid {
        sqlx::query_scalar("SELECT org_id FROM users WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Adds an active user with a password directly (the invite flow comes
    /// in a later issue); returns the user's email.
    pub async fn add_user(&self, org_id: Uuid, role: &str, first: &str, last: &str) -> String {
        let email = unique_email(&format!("{first}.{last}"));
        let hash = self.state.hasher.hash(&Password::new(PASSWORD)).await.unwrap();
        // More seats through the installation operator's own path.
        let seats = roster::features::orgs::server::seat_usage(&self.pool, org_id).await.unwrap();
        let seat = seats.iter().find(|s| s.role.label().eq_ignore_ascii_case(role)).unwrap();
        roster::features::orgs::server::set_quota(&self.pool, org_id, seat.role, seat.used + 1).await.unwrap();
        sqlx::query(
            "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, password_hash, activated_at) \
             VALUES ($1, $2, $3, $4, $5::user_role, 'active', 'UTC', $6, now())",
        )
        .bind(org_id)
        .bind(&email)
        .bind(first)
        .bind(last)
        .bind(role)
        .bind(hash.0)
        .execute(&self.pool)
        .await
        .unwrap();
        email
    }
}

/// The activation token in the newest mail to `email`, as its recipient
/// reads it from the link.
pub async fn latest_activation_token(pool: &Db, email: &str) -> String {
    latest_link_token(pool, email, "/activate/").await
}

/// The token of the link containing `path` in the newest mail to `email`.
pub async fn latest_link_token(pool: &Db, email: &str, path: &str) -> String {
    let text: String =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1")
            .bind(email)
            .fetch_one(pool)
            .await
            .unwrap();
    let link = text.lines().find(|l| l.contains(path)).unwrap_or_else(|| panic!("a {path} link in: {text}")).trim();
    link.rsplit('/').next().unwrap().to_owned()
}

/// The invite dialog's form for Grace Hopper at `email` as `role`.
pub fn invite_form<'a>(email: &'a str, role: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("invite[first_name]", "Grace"),
        ("invite[last_name]", "Hopper"),
        ("invite[email]", email),
        ("invite[role]", role),
        ("invite[hire_date]", "2026-01-05"),
    ]
}

pub fn unique_email(hint: &str) -> String {
    let local: String = hint.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
    format!("{}.{}@example.com", local.to_lowercase(), &Uuid::new_v4().simple().to_string()[..8])
}

/// A free TCP port on 127.0.0.1 (for a process the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Browser {
    /// A browser of its own (cookie jar, no redirects) on the server at `base`.
    pub fn at(base: &str) -> Browser {
        Browser { client: client(true, header::HeaderMap::new()), base: base.to_owned() }
    }

    /// A client without a jar that sends exactly this session cookie to the
    /// server at `base`.
    pub fn with_session(base: &str, cookie: &str) -> Browser {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::COOKIE, format!("roster_session={cookie}").parse().unwrap());
        Browser { client: client(false, headers), base: base.to_owned() }
    }

    /// The full address of `path` on the app under test.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function the way the hydrated app does (URL-encoded
    /// POST, JSON answer).
    pub async fn call(&self, function: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}/api/{function}", self.base)).form(form).send().await.unwrap()
    }

    pub async fn call_json(&self, function: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self.call(function, form).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Posts a form the way a browser without JavaScript does (it follows
    /// the answer's redirect itself).
    pub async fn post_form(&self, function: &str, form: &[(&str, &str)]) -> Response {
        let url = format!("{}/api/{function}", self.base);
        self.client.post(url).header("accept", "text/html").form(form).send().await.unwrap()
    }

    /// A page as a browser without JavaScript gets it: the server-rendered HTML.
    pub async fn page_html(&self, path: &str) -> String {
        let response =
            self.client.get(format!("{}{path}", self.base)).header("accept", "text/html").send().await.unwrap();
        response.text().await.unwrap()
    }

    /// Step 1 of sign-up: the form.
    pub async fn sign_up(&self, org: &str, email: &str) -> Response {
        self.call(
            "sign_up",
            &[
                ("organization", org),
                ("time_zone", "Europe/Zurich"),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("email", email),
            ],
        )
        .await
    }

    /// Step 2: the confirmation link's page, with a password.
    pub async fn confirm_sign_up(&self, token: &str, password: &str) -> Response {
        self.call("confirm_sign_up", &[("token", token), ("password", password), ("password_confirmation", password)])
            .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.call_json("sign_in", &[("email", email), ("password", password)]).await
    }

    /// The signed-in user's email, or None.
    pub async fn whoami(&self) -> Option<String> {
        let (status, body) = self.call_json("current_user", &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.get("email").and_then(Value::as_str).map(str::to_owned)
    }

    pub async fn list(&self, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let form: Vec<(String, &str)> = query.iter().map(|(k, v)| (format!("query[{k}]"), *v)).collect();
        let response = self.client.post(format!("{}/api/list_users", self.base)).form(&form).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// The `roster_session` value from a response's Set-Cookie, if any.
pub fn set_session_cookie(response: &Response) -> Option<String> {
    response.headers().get_all(header::SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let pair = v.split(';').next()?;
        pair.strip_prefix("roster_session=").map(str::to_owned)
    })
}

/// A client without a jar that sends exactly the cookie it is given.
pub fn with_cookie(app: &TestApp, cookie: &str) -> Browser {
    Browser::with_session(&format!("http://{}", app.addr), cookie)
}

/// An HTTP client that does not follow redirects (tests look at them).
fn client(cookie_jar: bool, headers: header::HeaderMap) -> Client {
    Client::builder()
        .cookie_store(cookie_jar)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
