//! Sign-up, sign-in, sign-out and sessions, over HTTP against the real app
//! and a fresh PostgreSQL database per test.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::config::Config;
use roster::server::db::Db;
use uuid::Uuid;

#[db_test]
async fn sign_up_confirms_the_address_then_creates_the_organization_its_seats_and_a_signed_in_superuser(pool: Db) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let email = unique_email("ada");
    let response = browser.sign_up("Analytical Engines", &email).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/sign-up/sent");
    assert!(response.headers().get("set-cookie").is_none(), "nobody is signed in yet");
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 0, "nothing exists before the confirmation");

    // The mail: a link from configuration, valid for 24 hours.
    let (subject, text): (String, String) =
        sqlx::query_as("SELECT subject, body_text FROM outbox WHERE recipient = $1")
            .bind(&email)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(subject, "Confirm your email to create Analytical Engines on Roster");
    assert!(text.contains(&format!("http://{}/sign-up/confirm/", app.addr)), "{text}");
    let token = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;
    let (status, link) = app.browser().call_json("sign_up_link", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    assert_eq!(link["state"], "valid");
    assert_eq!(link["organization"], "Analytical Engines");
    assert_eq!(link["email"], email.as_str());
    assert!(link["expires"].as_str().unwrap().ends_with("(Europe/Zurich)"), "{link}");

    let response = browser.confirm_sign_up(&token, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/settings/users");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("roster_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http default must not set Secure: {cookie}");

    assert_eq!(browser.whoami().await.as_deref(), Some(email.as_str()));
    let (name, zone): (String, String) =
        sqlx::query_as("SELECT name, time_zone FROM organizations").fetch_one(&app.pool).await.unwrap();
    assert_eq!((name.as_str(), zone.as_str()), ("Analytical Engines", "Europe/Zurich"));
    let seats: Vec<(String, i32, i32)> =
        sqlx::query_as("SELECT role::text, used, quota FROM seats ORDER BY role").fetch_all(&app.pool).await.unwrap();
    assert_eq!(seats, vec![("basic".into(), 0, 10), ("operator".into(), 0, 5), ("superuser".into(), 1, 1)]);
    let (role, status, hash): (String, String, String) =
        sqlx::query_as("SELECT role::text, status::text, password_hash FROM users").fetch_one(&app.pool).await.unwrap();
    assert_eq!((role.as_str(), status.as_str()), ("superuser", "active"));
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");

    // The link works once.
    let (_, link) = app.browser().call_json("sign_up_link", &[("token", &token)]).await;
    assert_eq!(link["state"], "used");
    let (status, body) = app
        .browser()
        .call_json("confirm_sign_up", &[("token", &token), ("password", PASSWORD), ("password_confirmation", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already been created"), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);
}

/// Each case: the field that is wrong, how, and the message the user sees.
#[db_test]
async fn bad_sign_up_input_gets_a_field_error_and_creates_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let long = "x".repeat(101);
    let long_org = "x".repeat(121);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("email", "not-an-email", "Enter a valid email address"),
        ("email", "", "Email is required."),
        ("first_name", "   ", "First name is required."),
        ("last_name", &long, "Last name can be at most 100 characters."),
        ("organization", &long_org, "Organization name can be at most 120 characters."),
        ("organization", "", "Organization name is required."),
        ("time_zone", "Mars/Olympus_Mons", "is not a known time zone"),
        ("time_zone", "", "Choose a time zone."),
    ];
    for (field, value, message) in cases {
        let email = unique_email("case");
        let mut form = vec![
            ("organization", "Acme"),
            ("time_zone", "UTC"),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", email.as_str()),
        ];
        form.iter_mut().find(|(name, _)| *name == field).unwrap().1 = value;
        let (status, body) = app.browser().call_json("sign_up", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value:?}: {body}");
        let fields = body["fields"].as_array().unwrap();
        let reported = fields.iter().find(|f| f["field"] == field).unwrap_or_else(|| panic!("{field}: {body}"));
        assert!(reported["message"].as_str().unwrap().contains(message), "{field}: {body}");
    }
    assert_eq!(app.count("SELECT count(*) FROM sign_ups").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);

    // The password, on the confirmation page: refused, and the link still works.
    let email = unique_email("ada");
    assert_eq!(app.browser().sign_up("Acme", &email).await.status(), StatusCode::OK);
    let token = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;
    let cases = [
        ("alllowercase1!", "alllowercase1!", "password", "upper-case letter"),
        ("Short1!", "Short1!", "password", "at least 8 characters"),
        ("Lovelace2026!", "Lovelace2026!", "password", "Choose a stronger password"),
        (PASSWORD, "Correct-Horse-43", "password_confirmation", "do not match"),
    ];
    for (password, confirmation, field, message) in cases {
        let (status, body) = app
            .browser()
            .call_json(
                "confirm_sign_up",
                &[("token", &token), ("password", password), ("password_confirmation", confirmation)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{password}: {body}");
        assert_eq!(body["fields"][0]["field"], field, "{body}");
        assert!(body["fields"][0]["message"].as_str().unwrap().contains(message), "{body}");
    }
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 0);
    let (_, link) = app.browser().call_json("sign_up_link", &[("token", &token)]).await;
    assert_eq!(link["state"], "valid");
}

/// What a visitor learns from signing up with an address: nothing. The
/// answer is byte for byte the same (but for `Date` and the request id)
/// whether or not the address has an account; its owner gets a notice.
#[db_test]
async fn sign_up_answers_the_same_whether_or_not_the_address_has_an_account(pool: Db) {
    let app = spawn_app(pool).await;
    let email = unique_email("ada");
    async fn answer(app: &TestApp, email: &str) -> (StatusCode, Vec<(String, String)>, String) {
        let response = app.browser().sign_up("Acme", email).await;
        let status = response.status();
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        headers.sort();
        (status, headers, response.text().await.unwrap())
    }
    let free = answer(&app, &email).await;
    // The address gets an account (its owner confirms).
    let token = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;
    assert_eq!(app.browser().confirm_sign_up(&token, PASSWORD).await.status(), StatusCode::OK);
    let taken = answer(&app, &email).await;
    let taken_other_case = answer(&app, &email.to_uppercase()).await;
    assert_eq!(free, taken, "the answer tells whether the address has an account");
    assert_eq!(free.0, taken_other_case.0);
    assert_eq!(free.1, taken_other_case.1);

    // The owner was told, twice; no second organization, no working link.
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT subject, body_text FROM outbox WHERE lower(recipient) = lower($1) ORDER BY created_at")
            .bind(&email)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(mails.len(), 3);
    for (subject, text) in &mails[1..] {
        assert_eq!(subject, "Someone tried to create a Roster organization with your address");
        assert!(
            text.contains(&format!("http://{}/sign-in", app.addr)) && !text.contains("/sign-up/confirm/"),
            "{text}"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);
}

#[db_test]
async fn a_pending_sign_up_reserves_nothing_expires_and_is_replaced_by_the_next(pool: Db) {
    let app = spawn_app(pool).await;
    let email = unique_email("ada");
    let link_state = |token: String| {
        let app = &app;
        async move {
            app.browser().call_json("sign_up_link", &[("token", &token)]).await.1["state"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(app.browser().sign_up("First", &email).await.status(), StatusCode::OK);
    let first = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;

    // Expired after 24 hours: the link says so and cannot be used.
    sqlx::query("UPDATE sign_ups SET expires_at = now() - interval '1 second'").execute(&app.pool).await.unwrap();
    assert_eq!(link_state(first.clone()).await, "expired");
    let (status, body) = app
        .browser()
        .call_json("confirm_sign_up", &[("token", &first), ("password", PASSWORD), ("password_confirmation", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");

    // Signing up again: a fresh link, the old one replaced; the unsent mail
    // of a replaced sign-up is withdrawn.
    assert_eq!(app.browser().sign_up("Second", &email).await.status(), StatusCode::OK);
    let second = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;
    assert_eq!(link_state(first.clone()).await, "replaced");
    assert_eq!(link_state(second.clone()).await, "valid");
    assert_eq!(app.browser().sign_up("Third", &email).await.status(), StatusCode::OK);
    let third = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;
    assert_eq!(link_state(second.clone()).await, "replaced");
    let states: Vec<String> =
        sqlx::query_scalar("SELECT state::text FROM outbox ORDER BY created_at").fetch_all(&app.pool).await.unwrap();
    assert_eq!(states, ["canceled", "canceled", "queued"]);

    // Meanwhile an admin elsewhere invites the address: it is theirs now,
    // and the confirmation says so (only the mailbox's owner sees this).
    let (admin, _) = app.signed_up("Globex").await;
    let (status, body) = admin
        .call_json(
            "invite_user",
            &[
                ("invite[first_name]", "Ada"),
                ("invite[last_name]", "Lovelace"),
                ("invite[email]", &email),
                ("invite[role]", "basic"),
                ("invite[hire_date]", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .browser()
        .call_json("confirm_sign_up", &[("token", &third), ("password", PASSWORD), ("password_confirmation", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already has a Roster account"), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1, "Globex only");
}

#[db_test]
async fn an_address_gets_at_most_five_sign_up_mails_a_day_and_the_answer_never_changes(pool: Db) {
    let app = spawn_app(pool).await;
    let email = unique_email("target");
    for attempt in 0..8 {
        let response = app.browser().sign_up("Spam", &email).await;
        assert_eq!(response.status(), StatusCode::OK, "attempt {attempt}");
        assert_eq!(response.headers()["location"], "/sign-up/sent");
    }
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 5);
}

#[db_test]
async fn a_request_body_over_64_kib_is_refused_and_creates_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let huge = "x".repeat(65 * 1024);
    let response = app
        .browser()
        .call(
            "sign_up",
            &[
                ("organization", huge.as_str()),
                ("time_zone", "UTC"),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("email", "big@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 0);
}

#[db_test]
async fn malformed_requests_get_a_4xx_never_a_5xx(pool: Db) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    // Missing arguments.
    let (status, body) = browser.call_json("sign_up", &[("organization", "Acme")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["kind"], "bad_request");
    // Not form-encoded at all.
    let response = browser
        .client
        .post(app.url("/api/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%&&&=\u{0}")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    // A server function that does not exist.
    let response = browser.client.post(app.url("/api/no_such_function")).send().await.unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    // A forged keyset cursor.
    let (signed_in, _) = app.signed_up("Acme").await;
    let (status, _) = signed_in.list(&[("after", "garbage"), ("sort", "created")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) =
        signed_in.list(&[("after", "00000000000000000000000000000000.bm90LWEtZGF0ZQ"), ("sort", "created")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a cursor whose key is not a timestamp");
}

#[db_test]
async fn sign_in_accepts_the_right_password_and_refuses_others_alike(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;

    let browser = app.browser();
    let (status, body) = browser.sign_in(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(browser.whoami().await.as_deref(), Some(email.as_str()));

    let (wrong_status, wrong_body) = app.browser().sign_in(&email, "Wrong-Password-1").await;
    let (unknown_status, unknown_body) = app.browser().sign_in("nobody@example.com", PASSWORD).await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    // The same answer, so it does not tell which accounts exist.
    assert_eq!(wrong_body, unknown_body);
    assert_eq!(wrong_body["kind"], "invalid_credentials");
}

#[db_test]
async fn a_sign_in_never_waits_for_the_organizations_seats(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&email).await;
    let seats_in_use = || async {
        let seats = roster::features::orgs::server::seat_usage(&app.pool, org_id).await.unwrap();
        seats.iter().map(|seat| (seat.role.label(), seat.used)).collect::<Vec<_>>()
    };
    let seats_before = seats_in_use().await;

    // Another transaction (an invite, say) holds the seat rows. A sign-in
    // only records the time; it must not queue behind that transaction.
    let mut holder = app.pool.begin().await.unwrap();
    sqlx::query("SELECT * FROM seats WHERE org_id = $1 FOR UPDATE").bind(org_id).execute(&mut *holder).await.unwrap();
    let signed_in = tokio::time::timeout(std::time::Duration::from_secs(10), app.browser().sign_in(&email, PASSWORD))
        .await
        .expect("the sign-in waited for the seat rows' lock");
    assert_eq!(signed_in.0, StatusCode::OK, "{}", signed_in.1);
    holder.rollback().await.unwrap();

    assert_eq!(seats_before, seats_in_use().await);
    let signed_in_at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_sign_in_at FROM users WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(signed_in_at.is_some(), "the sign-in is recorded");
}

#[db_test]
async fn a_session_in_use_outlives_the_idle_time_and_an_unused_one_ends(pool: Db) {
    use std::time::Duration;
    let mut config = Config::for_database("postgres://unused");
    config.session_idle = Duration::from_secs(4);
    let app = spawn_app_with(pool, config).await;
    let (browser, email) = app.signed_up("Acme").await;
    // Used every 1.5 s for 7.5 s, well past the 4 s idle time (on the
    // app's clock, moved forward instead of waited for).
    for _ in 0..5 {
        app.state.clock.advance(Duration::from_millis(1500));
        assert_eq!(browser.whoami().await.as_deref(), Some(email.as_str()), "an active session must stay");
    }
    // Then left alone for longer than the idle time.
    app.state.clock.advance(Duration::from_secs(5));
    assert_eq!(browser.whoami().await, None, "an idle session must end");
}

#[db_test]
async fn sign_in_rotates_the_session_id(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;
    let browser = app.browser();
    let first = browser.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let first_id = set_session_cookie(&first).expect("a session cookie");
    let second = browser.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let second_id = set_session_cookie(&second).expect("a new session cookie");
    assert_ne!(first_id, second_id, "the id must change at sign-in");
    assert_eq!(with_cookie(&app, &second_id).whoami().await.as_deref(), Some(email.as_str()));
    assert_eq!(with_cookie(&app, &first_id).whoami().await, None, "the old id is dead");
}

#[db_test]
async fn sign_out_deletes_the_session_everywhere(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;
    let browser = app.browser();
    let response = browser.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let id = set_session_cookie(&response).unwrap();
    let sessions_before = app.count("SELECT count(*) FROM sessions").await;

    let response = browser.call("sign_out", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/sign-in");
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, sessions_before - 1);
    assert_eq!(browser.whoami().await, None);
    assert_eq!(with_cookie(&app, &id).whoami().await, None, "a copied cookie is dead too");
}

#[db_test]
async fn a_session_deleted_in_the_database_is_signed_out_on_its_next_request(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, email) = app.signed_up("Acme").await;
    assert_eq!(browser.whoami().await.as_deref(), Some(email.as_str()));
    sqlx::query("DELETE FROM sessions").execute(&app.pool).await.unwrap();
    assert_eq!(browser.whoami().await, None);
    let (status, _) = browser.list(&[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[db_test]
async fn bumping_the_session_epoch_signs_the_user_out(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, email) = app.signed_up("Acme").await;
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE email = $1")
        .bind(&email)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.whoami().await, None);
}

#[db_test]
async fn two_app_instances_on_one_database_share_sessions(pool: Db) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool).await;
    let (_, email) = first.signed_up("Acme").await;
    let response = first.browser().call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let id = set_session_cookie(&response).unwrap();
    assert_eq!(with_cookie(&second, &id).whoami().await.as_deref(), Some(email.as_str()));
    // Signing out on the second instance ends it on the first.
    with_cookie(&second, &id).call("sign_out", &[]).await;
    assert_eq!(with_cookie(&first, &id).whoami().await, None);
}

#[db_test]
async fn a_hash_with_weaker_parameters_is_upgraded_at_the_next_sign_in(pool: Db) {
    use argon2::password_hash::{SaltString, rand_core::OsRng};
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;
    let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap())
        .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
        .bind(&weak)
        .bind(&email)
        .execute(&app.pool)
        .await
        .unwrap();

    let (status, _) = app.browser().sign_in(&email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the old hash still verifies");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "rehashed: {hash}");
}

#[db_test]
async fn cross_site_state_changes_are_refused(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, email) = app.signed_up("Acme").await;
    let form = [
        ("organization", "Evil"),
        ("time_zone", "UTC"),
        ("first_name", "Eve"),
        ("last_name", "Evil"),
        ("email", "eve@example.com"),
        ("password", PASSWORD),
    ];
    let by_origin = app
        .browser()
        .client
        .post(app.url("/api/sign_up"))
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(by_origin.status(), StatusCode::FORBIDDEN);
    let by_fetch_metadata = app
        .browser()
        .client
        .post(app.url("/api/sign_up"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(by_fetch_metadata.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1, "nothing was created");

    // A cross-site sign-out cannot end someone's session either.
    let response =
        browser.client.post(app.url("/api/sign_out")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(browser.whoami().await.as_deref(), Some(email.as_str()));

    // Our own pages' posts pass.
    let own_origin = format!("http://{}", app.addr);
    let response = app
        .browser()
        .client
        .post(app.url("/api/sign_in"))
        .header("origin", own_origin)
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[db_test]
async fn a_form_post_without_javascript_redirects_with_the_error(pool: Db) {
    let app = spawn_app(pool).await;
    let response = app
        .browser()
        .client
        .post(app.url("/api/sign_in"))
        .header("accept", "text/html")
        .header("referer", app.url("/sign-in"))
        .form(&[("email", "nobody@example.com"), ("password", "Wrong-1!")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&app.url("/sign-in?")) && location.contains("__err="), "{location}");
}

#[db_test]
async fn sign_in_only_redirects_within_the_site(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;
    let response = app
        .browser()
        .call("sign_in", &[("email", &email), ("password", PASSWORD), ("next", "https://evil.example/")])
        .await;
    assert_eq!(response.headers()["location"], "/", "home, which sends each role where it works");
    let response = app
        .browser()
        .call("sign_in", &[("email", &email), ("password", PASSWORD), ("next", "/settings/users?q=a")])
        .await;
    assert_eq!(response.headers()["location"], "/settings/users?q=a");
}

#[db_test]
async fn sign_in_never_redirects_to_a_path_a_browser_reads_as_another_host(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, email) = app.signed_up("Acme").await;
    // A tab survives in a Location header; the browser drops it and goes to
    // //evil.example. The others become another host once decoded again.
    for next in ["/\t/evil.example", "/%5Cevil.example", "/%252F/evil.example"] {
        let response =
            app.browser().call("sign_in", &[("email", &email), ("password", PASSWORD), ("next", next)]).await;
        assert_eq!(response.headers()["location"], "/", "{next:?}");
    }
}

#[db_test]
async fn password_attempts_are_rate_limited_per_client_before_any_hashing(pool: Db) {
    let config = Config { password_requests_per_minute: 3, ..Config::for_database("postgres://unused") };
    let app = spawn_app_with(pool, config).await;
    // The confirmation's password is the first attempt.
    let (browser, email) = app.signed_up("Acme").await;
    for _ in 0..2 {
        let (status, _) = browser.sign_in(&email, "Wrong-Password-1!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The fourth attempt within the minute is refused, even with the right password.
    let (status, body) = browser.sign_in(&email, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["kind"], "rate_limited");
    assert!(body["message"].as_str().unwrap().contains("wait a minute"), "{body}");
    let grace = unique_email("grace");
    assert_eq!(app.browser().sign_up("Globex", &grace).await.status(), StatusCode::OK, "no password in the form");
    let token = latest_link_token(&app.pool, &grace, "/sign-up/confirm/").await;
    let response = app.browser().confirm_sign_up(&token, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "choosing the password shares the limit");
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1, "nothing created");
}

#[db_test]
async fn a_new_session_never_takes_over_an_existing_id(pool: Db) {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};
    let app = spawn_app(pool).await;
    let expiry = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let id = Id::default();
    let mut first = Record { id, data: Default::default(), expiry_date: expiry };
    app.state.sessions.create(&mut first).await.unwrap();
    assert_eq!(first.id, id);
    // The same id again (a collision): the store draws another one.
    let mut second = Record { id, data: Default::default(), expiry_date: expiry };
    app.state.sessions.create(&mut second).await.unwrap();
    assert_ne!(second.id, id);
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 2);
    assert!(app.state.sessions.load(&id).await.unwrap().is_some());
    assert!(app.state.sessions.load(&second.id).await.unwrap().is_some());
}

/// A session row names its organization and user, so loading the session
/// reads the user's row in the same query. That row is read fresh with every
/// request (a role or status change applies at once), is never written back
/// into the stored session, and the user's sessions go when the user does.
#[db_test]
async fn the_users_row_comes_fresh_with_each_session_load_and_is_never_stored(pool: Db) {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};
    let app = spawn_app(pool).await;
    let (browser, email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&email).await;
    let user_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(&email).fetch_one(&app.pool).await.unwrap();
    assert_eq!(browser.list(&[]).await.0, StatusCode::OK);

    let (id, row_org, row_user, data): (String, Option<Uuid>, Option<Uuid>, Vec<u8>) =
        sqlx::query_as("SELECT id, org_id, user_id, data FROM sessions").fetch_one(&app.pool).await.unwrap();
    assert_eq!((row_org, row_user), (Some(org_id), Some(user_id)));
    let stored: Record = rmp_serde::from_slice(&data).unwrap();
    assert!(stored.data.contains_key("auth"));
    assert!(!stored.data.contains_key("roster.actor"), "the user's row is not stored");

    // Loaded, the record carries the user's row; saved again, it does not.
    let id: Id = id.parse().unwrap();
    let loaded = app.state.sessions.load(&id).await.unwrap().unwrap();
    assert_eq!(loaded.data["roster.actor"]["email"], email.as_str());
    app.state.sessions.save(&loaded).await.unwrap();
    let data: Vec<u8> = sqlx::query_scalar("SELECT data FROM sessions").fetch_one(&app.pool).await.unwrap();
    let stored: Record = rmp_serde::from_slice(&data).unwrap();
    assert!(!stored.data.contains_key("roster.actor"));

    // A role change applies to the very next request.
    let set = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query(sql).bind(user_id).execute(&pool).await.unwrap() }
    };
    set("UPDATE users SET role = 'operator' WHERE id = $1").await;
    assert_eq!(browser.list(&[]).await.0, StatusCode::FORBIDDEN);
    set("UPDATE users SET role = 'superuser' WHERE id = $1").await;
    assert_eq!(browser.list(&[]).await.0, StatusCode::OK);
    // So does disabling, which also ends the session.
    set("UPDATE users SET status = 'disabled' WHERE id = $1").await;
    assert_eq!(browser.list(&[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 0);

    // Deleting a user deletes their sessions.
    set("UPDATE users SET status = 'active' WHERE id = $1").await;
    assert_eq!(browser.sign_in(&email, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 1);
    set("DELETE FROM users WHERE id = $1").await;
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 0);
    assert_eq!(browser.whoami().await, None);
}

/// A request that renews a session while another signs it out must not bring
/// it back: saving updates a session, it never creates one.
#[db_test]
async fn saving_a_session_that_was_signed_out_meanwhile_does_not_revive_it(pool: Db) {
    use tower_sessions::SessionStore;
    use tower_sessions::session::Id;
    let app = spawn_app(pool).await;
    let (browser, _) = app.signed_up("Acme").await;
    let id: String = sqlx::query_scalar("SELECT id FROM sessions").fetch_one(&app.pool).await.unwrap();
    let id: Id = id.parse().unwrap();
    let loaded = app.state.sessions.load(&id).await.unwrap().unwrap();

    assert_eq!(browser.call("sign_out", &[]).await.status(), StatusCode::OK);
    app.state.sessions.save(&loaded).await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 0);
    assert_eq!(browser.whoami().await, None);
}

/// The sign-in page never tells an unknown email from a wrong password or
/// an account that cannot sign in: each path does the same work, exactly
/// one argon2 verification (the dummy hash for an unknown email), and gets
/// the same answer.
#[db_test]
async fn every_sign_in_path_runs_exactly_one_password_verification_and_answers_alike(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let disabled = app.add_user(org_id, "basic", "Dora", "Disabled").await;
    let dora_id = app.user_id_of(&disabled).await.to_string();
    assert_eq!(admin.call_json("disable_access", &[("user", &dora_id)]).await.0, StatusCode::OK);
    let locked = app.add_user(org_id, "basic", "Lara", "Locked").await;
    sqlx::query("UPDATE users SET locked_at = now(), locked_until = now() + interval '15 minutes' WHERE email = $1")
        .bind(&locked)
        .execute(&app.pool)
        .await
        .unwrap();
    let mut answers = Vec::new();
    for (path, email, password) in [
        ("unknown email", unique_email("nobody"), PASSWORD),
        ("wrong password", anna.clone(), "Wrong-Password-1!"),
        ("disabled account", disabled.clone(), PASSWORD),
        ("locked account, wrong password", locked.clone(), "Wrong-Password-1!"),
        ("locked account, right password", locked.clone(), PASSWORD),
        ("right password", anna.clone(), PASSWORD),
    ] {
        let before = app.state.hasher.verifications();
        let (status, body) = app.browser().sign_in(&email, password).await;
        assert_eq!(app.state.hasher.verifications() - before, 1, "{path}");
        answers.push((path, status, body));
    }
    let refused: Vec<_> = answers.iter().filter(|(path, ..)| *path != "right password").collect();
    for (path, status, body) in &refused {
        assert_eq!((*status, body), (StatusCode::UNAUTHORIZED, &refused[0].2), "{path}");
    }
    assert_eq!(answers[5].1, StatusCode::OK);
}
