//! The outbox against a real SMTP server: maildev, started by each test on
//! ports of its own (see `common::mail_catcher`).

use std::time::Duration;

use crate::common::mail_catcher::MailCatcher;
use crate::common::*;
use roster::features::invites::server::create::{Inviter, create_invite};
use roster::features::invites::server::validate;
use roster::features::invites::types::InviteForm;
use roster::features::mail::worker::{Delivery, claim, deliver_due, recover_abandoned, send_claimed};
use roster::features::orgs::server::set_quota;
use roster::features::users::types::Role;
use roster::server::db::Db;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Invites `n` users directly through the service; returns their emails.
async fn invite_many(app: &TestApp, n: usize) -> Vec<String> {
    let (_, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    set_quota(&app.pool, org_id, Role::Basic, n as i32).await.unwrap();
    let admin_id = app.user_id_of(&admin).await;
    let inviter = Inviter {
        org_id,
        user_id: admin_id,
        name: "Ada Lovelace".into(),
        organization: "Acme".into(),
        origin: Default::default(),
    };
    let mut emails = Vec::new();
    for i in 0..n {
        let email = unique_email(&format!("invitee{i}"));
        let form = InviteForm {
            first_name: "Invited".into(),
            last_name: format!("Person {i}"),
            email: email.clone(),
            role: "basic".into(),
            hire_date: "2026-01-05".into(),
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
async fn two_workers_deliver_every_mail_exactly_once(pool: Db) {
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
async fn mail_queued_while_smtp_is_down_arrives_exactly_once_when_it_is_back(pool: Db) {
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
async fn without_smtp_mail_goes_to_the_development_mailbox(pool: Db) {
    let app = spawn_app(pool).await;
    invite_many(&app, 3).await;
    assert_eq!(deliver_due(&app.pool, &Delivery::DevMailbox).await.unwrap(), 3);
    assert_eq!(app.count("SELECT count(*) FROM dev_mailbox").await, 3);
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE state = 'sent'").await, 3);
}

#[db_test]
async fn a_mail_that_keeps_failing_is_marked_failed_after_the_last_attempt(pool: Db) {
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
async fn the_development_mailbox_is_closed_unless_asked_for_and_without_smtp(pool: Db) {
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

/// An SMTP server that accepts everything but answers the end of each
/// message only after `delay_ms` (a mail server under load, or tarpitting).
/// Written here rather than found: no packaged mail catcher can be slowed.
struct SlowSmtp {
    port: u16,
    delay_ms: Arc<AtomicU64>,
    /// Messages whose data has begun arriving.
    started: Arc<AtomicUsize>,
    /// Recipients of the messages accepted, in order.
    accepted: Arc<Mutex<Vec<String>>>,
}

impl SlowSmtp {
    async fn start(delay: Duration) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = SlowSmtp {
            port: listener.local_addr().unwrap().port(),
            delay_ms: Arc::new(AtomicU64::new(delay.as_millis() as u64)),
            started: Arc::default(),
            accepted: Arc::default(),
        };
        let (delay_ms, started, accepted) = (server.delay_ms.clone(), server.started.clone(), server.accepted.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (delay_ms, started, accepted) = (delay_ms.clone(), started.clone(), accepted.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 slow.test ESMTP\r\n").await;
                    let mut recipients = Vec::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let command = line.to_ascii_uppercase();
                        let answer: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                            b"250 slow.test\r\n"
                        } else if command.starts_with("RCPT TO:") {
                            recipients.push(line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned());
                            b"250 OK\r\n"
                        } else if command == "DATA" {
                            started.fetch_add(1, Ordering::SeqCst);
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            while let Ok(Some(data)) = lines.next_line().await {
                                if data == "." {
                                    break;
                                }
                            }
                            tokio::time::sleep(Duration::from_millis(delay_ms.load(Ordering::SeqCst))).await;
                            accepted.lock().unwrap().append(&mut recipients);
                            b"250 accepted\r\n"
                        } else if command == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        if write.write_all(answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        server
    }

    fn delivery(&self) -> Delivery {
        Delivery::from_config(Some(&format!("smtp://127.0.0.1:{}", self.port)), "Roster <roster@example.com>").unwrap()
    }

    fn accepted(&self) -> Vec<String> {
        let mut to = self.accepted.lock().unwrap().clone();
        to.sort();
        to
    }
}

#[db_test]
async fn a_slow_mail_server_never_stalls_resend_or_cancel(pool: Db) {
    let app = spawn_app(pool).await;
    let emails = invite_many(&app, 3).await;
    let admin = app.browser();
    let (status, _) = admin.sign_in(&admin_email(&app).await, PASSWORD).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let smtp = SlowSmtp::start(Duration::from_secs(5)).await;
    let delivery = smtp.delivery();
    let pool = app.pool.clone();
    let worker = tokio::spawn(async move { deliver_due(&pool, &delivery).await });
    // Wait until all three are in the server's hands (and answered slowly).
    for _ in 0..100 {
        if smtp.started.load(Ordering::SeqCst) == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.started.load(Ordering::SeqCst), 3);

    let started = std::time::Instant::now();
    let (status, body) =
        admin.call_json("resend_invite", &[("user", &app.user_id_of(&emails[0]).await.to_string())]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (status, body) =
        admin.call_json("cancel_invite", &[("user", &app.user_id_of(&emails[1]).await.to_string())]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "resend and cancel waited {took:?} for the mail server");
    assert!(!worker.is_finished(), "the server is still answering");

    smtp.delay_ms.store(0, Ordering::SeqCst);
    assert_eq!(worker.await.unwrap().unwrap(), 4, "the three in flight, then the resent one");
    assert_eq!(app.mail_states(&emails[0]).await, ["sent", "sent"]);
    assert_eq!(app.mail_states(&emails[1]).await, ["sent"], "it had left before the cancel");
    assert_eq!(smtp.accepted().len(), 4);
}

async fn admin_email(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE role = 'superuser'").fetch_one(&app.pool).await.unwrap()
}

#[db_test]
async fn a_mail_withdrawn_after_its_claim_is_never_sent_and_a_lease_keeps_others_off(pool: Db) {
    let app = spawn_app(pool).await;
    let emails = invite_many(&app, 2).await;
    let admin = app.browser();
    admin.sign_in(&admin_email(&app).await, PASSWORD).await;
    let smtp = SlowSmtp::start(Duration::ZERO).await;

    let worker = uuid::Uuid::new_v4();
    let batch = claim(&app.pool, worker, 10).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert!(claim(&app.pool, uuid::Uuid::new_v4(), 10).await.unwrap().is_empty(), "leased rows are not claimable");

    // Cancelled between the claim and the send: committed at once, not blocked.
    let (status, _) =
        admin.call_json("cancel_invite", &[("user", &app.user_id_of(&emails[0]).await.to_string())]).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(send_claimed(&app.pool, &smtp.delivery(), worker, batch).await.unwrap(), 1);
    assert_eq!(smtp.accepted(), [emails[1].clone()]);
    assert_eq!(app.mail_states(&emails[0]).await, ["canceled"]);

    // A claim whose worker vanished: claimable again once its lease ran out.
    let (status, _) =
        admin.call_json("resend_invite", &[("user", &app.user_id_of(&emails[0]).await.to_string())]).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let abandoned = claim(&app.pool, uuid::Uuid::new_v4(), 10).await.unwrap();
    assert_eq!(abandoned.len(), 1);
    assert_eq!(deliver_due(&app.pool, &smtp.delivery()).await.unwrap(), 0, "held by the lease");
    sqlx::query("UPDATE outbox SET lease_until = now() - interval '1 second' WHERE lease_until IS NOT NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(deliver_due(&app.pool, &smtp.delivery()).await.unwrap(), 1);

    // A worker that died mid-send: the row goes again, as a counted attempt.
    sqlx::query(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_owner = gen_random_uuid(), \
                lease_until = now() - interval '1 second' WHERE recipient = $1",
    )
    .bind(&emails[1])
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(recover_abandoned(&app.pool).await.unwrap(), 1);
    assert_eq!(app.mail_states(&emails[1]).await, ["retrying"]);
    assert_eq!(deliver_due(&app.pool, &smtp.delivery()).await.unwrap(), 1);
    let attempts: i32 = sqlx::query_scalar("SELECT attempts FROM outbox WHERE recipient = $1")
        .bind(&emails[1])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 3);
    assert_eq!(smtp.accepted().len(), 3);
}
