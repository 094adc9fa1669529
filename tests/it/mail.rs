//! The outbox against a real SMTP server: maildev, started by each test on
//! ports of its own (from end2end/node_modules, installed by `make test`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::*;
use roster::features::invites::server::create::{Inviter, create_invite};
use roster::features::invites::server::validate;
use roster::features::invites::types::InviteForm;
use roster::features::mail::worker::{Delivery, deliver_due};
use roster::features::orgs::server::set_quota;
use roster::features::users::types::Role;
use serde_json::Value;
use sqlx::PgPool;

/// A maildev process: a real SMTP server with an HTTP API to read mail.
struct MailCatcher {
    child: Option<Child>,
    smtp: u16,
    web: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl MailCatcher {
    async fn start() -> Self {
        let mut catcher = MailCatcher { child: None, smtp: free_port(), web: free_port() };
        catcher.restart().await;
        catcher
    }

    async fn restart(&mut self) {
        let binary = concat!(env!("CARGO_MANIFEST_DIR"), "/end2end/node_modules/.bin/maildev");
        assert!(std::path::Path::new(binary).exists(), "maildev is missing: run `make tools` (npm ci in end2end)");
        let child = Command::new(binary)
            .args(["--ip", "127.0.0.1", "--smtp", &self.smtp.to_string(), "--web", &self.web.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start maildev");
        self.child = Some(child);
        for _ in 0..100 {
            if reqwest::get(format!("http://127.0.0.1:{}/api/email", self.web)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("maildev did not start");
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn delivery(&self) -> Delivery {
        Delivery::from_config(Some(&format!("smtp://127.0.0.1:{}", self.smtp)), "Roster <roster@example.com>").unwrap()
    }

    async fn mails(&self) -> Vec<Value> {
        let body: Value =
            reqwest::get(format!("http://127.0.0.1:{}/api/email", self.web)).await.unwrap().json().await.unwrap();
        body.as_array().unwrap().clone()
    }
}

impl Drop for MailCatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Invites `n` users directly through the service; returns their emails.
async fn invite_many(app: &TestApp, n: usize) -> Vec<String> {
    let (_, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    set_quota(&app.pool, org_id, Role::Basic, n as i32).await.unwrap();
    let admin_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(&admin).fetch_one(&app.pool).await.unwrap();
    let inviter = Inviter { org_id, user_id: admin_id, name: "Ada Lovelace".into(), organization: "Acme".into() };
    let mut emails = Vec::new();
    for i in 0..n {
        let email = unique_email(&format!("invitee{i}"));
        let form = InviteForm {
            first_name: "Invited".into(),
            last_name: format!("Person {i}"),
            email: email.clone(),
            role: "basic".into(),
            ..Default::default()
        };
        let valid = validate::invite(&form, chrono_tz::Tz::UTC).unwrap();
        create_invite(&app.pool, &inviter, &valid, "http://roster.test").await.unwrap();
        emails.push(email);
    }
    emails
}

fn recipients(mails: &[Value]) -> Vec<String> {
    let mut to: Vec<String> = mails.iter().map(|m| m["to"][0]["address"].as_str().unwrap().to_owned()).collect();
    to.sort();
    to
}

#[db_test]
async fn two_workers_deliver_every_mail_exactly_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let catcher = MailCatcher::start().await;
    let mut emails = invite_many(&app, 120).await;
    let delivery = catcher.delivery();
    let (a, b) = tokio::join!(deliver_due(&app.pool, &delivery), deliver_due(&app.pool, &delivery));
    assert_eq!(a.unwrap() + b.unwrap(), 120, "between them, the two workers sent each mail once");
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE state = 'sent' AND attempts = 1").await, 120);
    emails.sort();
    let mails = catcher.mails().await;
    assert_eq!(recipients(&mails), emails, "120 distinct messages arrived, none twice");
    let mail = &mails[0];
    assert!(mail["subject"].as_str().unwrap().contains("invited you to Acme"));
    assert!(mail["text"].as_str().unwrap().contains("http://roster.test/activate/"));
    assert!(mail["html"].as_str().unwrap().contains("Activate your account"));
}

#[db_test]
async fn mail_queued_while_smtp_is_down_arrives_exactly_once_when_it_is_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mut catcher = MailCatcher::start().await;
    let delivery = catcher.delivery();
    catcher.stop();
    let mut emails = invite_many(&app, 100).await;

    assert_eq!(deliver_due(&app.pool, &delivery).await.unwrap(), 0);
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE state = 'retrying' AND attempts = 1").await, 100);
    let error: String = sqlx::query_scalar("SELECT last_error FROM outbox LIMIT 1").fetch_one(&app.pool).await.unwrap();
    assert!(!error.is_empty(), "the SMTP error is kept for the admin to see");
    // Backoff: nothing is retried before its time.
    assert_eq!(deliver_due(&app.pool, &delivery).await.unwrap(), 0);
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE attempts = 1").await, 100);

    catcher.restart().await;
    // Let the backoff elapse.
    sqlx::query("UPDATE outbox SET next_attempt_at = now()").execute(&app.pool).await.unwrap();
    assert_eq!(deliver_due(&app.pool, &delivery).await.unwrap(), 100);
    assert_eq!(deliver_due(&app.pool, &delivery).await.unwrap(), 0, "nothing is sent twice");
    emails.sort();
    assert_eq!(recipients(&catcher.mails().await), emails);
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE state = 'sent' AND attempts = 2").await, 100);
}

#[db_test]
async fn without_smtp_mail_goes_to_the_development_mailbox(pool: PgPool) {
    let app = spawn_app(pool).await;
    invite_many(&app, 3).await;
    assert_eq!(deliver_due(&app.pool, &Delivery::DevMailbox).await.unwrap(), 3);
    assert_eq!(app.count("SELECT count(*) FROM dev_mailbox").await, 3);
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE state = 'sent'").await, 3);
}

#[db_test]
async fn a_mail_that_keeps_failing_is_marked_failed_after_the_last_attempt(pool: PgPool) {
    let app = spawn_app(pool).await;
    invite_many(&app, 1).await;
    let nowhere =
        Delivery::from_config(Some(&format!("smtp://127.0.0.1:{}", free_port())), "roster@example.com").unwrap();
    for _ in 0..roster::features::mail::worker::MAX_ATTEMPTS {
        sqlx::query("UPDATE outbox SET next_attempt_at = now()").execute(&app.pool).await.unwrap();
        deliver_due(&app.pool, &nowhere).await.unwrap();
    }
    let (state, attempts): (String, i32) =
        sqlx::query_as("SELECT state::text, attempts FROM outbox").fetch_one(&app.pool).await.unwrap();
    assert_eq!((state.as_str(), attempts), ("failed", roster::features::mail::worker::MAX_ATTEMPTS));
    sqlx::query("UPDATE outbox SET next_attempt_at = now()").execute(&app.pool).await.unwrap();
    assert_eq!(deliver_due(&app.pool, &nowhere).await.unwrap(), 0, "a failed mail is not retried");
}

#[db_test]
async fn the_development_mailbox_is_closed_unless_asked_for_and_without_smtp(pool: PgPool) {
    use roster::server::config::Config;
    let closed = spawn_app(pool.clone()).await;
    let (status, _) = closed.browser().call_json("dev_mailbox", &[]).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "off by default");

    let mut with_smtp = Config::for_database("postgres://unused");
    with_smtp.dev_mailbox = true;
    with_smtp.smtp_url = Some("smtp://127.0.0.1:1".into());
    let production = spawn_app_with(pool.clone(), with_smtp).await;
    let (status, _) = production.browser().call_json("dev_mailbox", &[]).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "never with SMTP configured");

    let mut dev = Config::for_database("postgres://unused");
    dev.dev_mailbox = true;
    let app = spawn_app_with(pool, dev).await;
    invite_many(&app, 2).await;
    deliver_due(&app.pool, &Delivery::DevMailbox).await.unwrap();
    let (status, mails) = app.browser().call_json("dev_mailbox", &[]).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(mails.as_array().unwrap().len(), 2);
}
