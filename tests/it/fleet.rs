//! Several `roster` processes on one database, as an installation behind a
//! load balancer runs them, and the faults such an installation meets: an
//! instance killed mid-delivery, the mail server or PostgreSQL stopped and
//! started again.
//! Real binaries (`common::instance`), a real mail server
//! (`common::mail_catcher`), traffic on 127.0.0.1 only, every loop bounded.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::instance::{Instance, url_of};
use crate::common::mail_catcher::MailCatcher;
use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use uuid::Uuid;

const SENT: &str = r#"roster_mails_total{result="sent"}"#;

/// Queues `n` plain mails for the organization (what invites and notices
/// put in the outbox), waking the workers as a commit does.
async fn queue_mails(pool: &Db, org_id: Uuid, n: i64) {
    sqlx::query(
        "INSERT INTO outbox (org_id, kind, recipient, subject, body_text, body_html) \
         SELECT $1, 'notice', format('reader%s@example.com', i), format('Notice %s', i), 'Hello', '<p>Hello</p>' \
         FROM generate_series(1, $2) AS i",
    )
    .bind(org_id)
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
}

/// Waits (at most `within`) until the outbox has nothing left to send.
async fn wait_until_sent(pool: &Db, n: i64, within: Duration) {
    let started = Instant::now();
    loop {
        let sent: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'sent'").fetch_one(pool).await.unwrap();
        if sent == n {
            return;
        }
        assert!(started.elapsed() < within, "{sent} of {n} mails sent after {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many messages arrived for each recipient.
fn arrivals(mails: &[Value]) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for mail in mails {
        *count.entry(mail["to"][0]["address"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    count
}

/// An organization seeded in-process whose Superuser may invite `seats`
/// basic users, signed in on `roster`; and the organization's id.
async fn inviting_admin(pool: &Db, roster: &Instance, seats: i32) -> (TestApp, Browser, Uuid) {
    let seed = spawn_app(pool.clone()).await;
    let (_, admin_email) = seed.signed_up("Acme").await;
    let org_id = seed.org_id_of(&admin_email).await;
    roster::features::orgs::server::set_quota(pool, org_id, roster::features::users::types::Role::Basic, seats)
        .await
        .unwrap();
    let admin = roster.browser();
    assert_eq!(admin.sign_in(&admin_email, PASSWORD).await.0, StatusCode::OK);
    (seed, admin, org_id)
}

#[db_test]
async fn two_instances_share_sessions_sign_outs_and_the_outbox(pool: Db) {
    let catcher = MailCatcher::start().await;
    let url = url_of(&pool).await;
    let smtp = format!("smtp://127.0.0.1:{}", catcher.smtp);
    let env = [("SMTP_URL", smtp.as_str()), ("PUBLIC_ORIGIN", "http://roster.test")];
    let (a, b) = tokio::join!(Instance::start(&url, &env), Instance::start(&url, &env));
    // The in-process app only seeds (it runs no outbox worker).
    let seed = spawn_app(pool.clone()).await;
    let (_, admin_email) = seed.signed_up("Acme").await;
    let org_id = seed.org_id_of(&admin_email).await;
    let anna_email = seed.add_user(org_id, "basic", "Anna", "Berg").await;
    let anna_id = seed.user_id_of(&anna_email).await.to_string();

    // A session made on A works on B: the load balancer may send the next
    // request anywhere.
    let admin = a.browser();
    let signed_in = admin.call("sign_in", &[("email", &admin_email), ("password", PASSWORD)]).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let admin_on_b = Browser::with_session(&b.base, &set_session_cookie(&signed_in).unwrap());
    let (status, page) = admin_on_b.list(&[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["rows"].as_array().unwrap().iter().any(|r| r["email"] == anna_email.as_str()), "{page}");

    // Disabling Anna on A signs her out on B at her next request.
    let anna = b.browser();
    assert_eq!(anna.sign_in(&anna_email, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(anna.whoami().await.as_deref(), Some(anna_email.as_str()));
    assert_eq!(admin.call_json("disable_access", &[("user", &anna_id)]).await.0, StatusCode::OK);
    assert_eq!(anna.whoami().await, None, "signed out on the other instance");
    assert_eq!(anna.sign_in(&anna_email, PASSWORD).await.0.as_u16() / 100, 4, "and cannot sign in there");

    // Both instances' workers share 1,000 queued mails: each arrives once.
    queue_mails(&pool, org_id, 1000).await;
    wait_until_sent(&pool, 1000, Duration::from_secs(40)).await;
    let arrived = arrivals(&catcher.mails().await);
    let mail_count: usize = arrived.values().sum();
    assert_eq!((arrived.len(), mail_count), (1000, 1000), "1,000 distinct mails, none twice");
    let (by_a, by_b) = (a.metric(SENT).await, b.metric(SENT).await);
    assert_eq!(by_a + by_b, 1000.0);
    assert!(by_a > 0.0 && by_b > 0.0, "both workers delivered: A {by_a}, B {by_b}");
    assert_eq!(seed.count("SELECT count(*) FROM outbox WHERE attempts <> 1").await, 0, "no mail was tried twice");
}

#[db_test]
async fn an_instance_killed_mid_delivery_loses_no_mail_and_repeats_at_most_its_batch(pool: Db) {
    let catcher = MailCatcher::start().await;
    let seed = spawn_app(pool.clone()).await;
    let (_, admin_email) = seed.signed_up("Acme").await;
    let org_id = seed.org_id_of(&admin_email).await;
    queue_mails(&pool, org_id, 400).await;
    let smtp = format!("smtp://127.0.0.1:{}", catcher.smtp);
    let mut roster =
        Instance::start(&url_of(&pool).await, &[("SMTP_URL", smtp.as_str()), ("PUBLIC_ORIGIN", "http://roster.test")])
            .await;

    // SIGKILL while it is delivering: no chance to finish its batch.
    let started = Instant::now();
    while seed.count("SELECT count(*) FROM outbox WHERE state = 'sent'").await < 60 {
        assert!(started.elapsed() < Duration::from_secs(20), "delivery did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let roster_connections = "SELECT count(*) FROM pg_stat_activity \
                              WHERE datname = current_database() AND application_name = 'roster'";
    assert!(seed.count(roster_connections).await > 0, "the server's connections are named in pg_stat_activity");
    roster.kill().await;
    // PostgreSQL still runs what the dead process had sent before it died
    // (a confirmation may still turn a mail to 'sending'): count once its
    // connections are gone.
    let killed_at = Instant::now();
    while seed.count(roster_connections).await > 0 {
        assert!(killed_at.elapsed() < Duration::from_secs(10), "the killed instance's connections stay");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let in_flight = seed.count("SELECT count(*) FROM outbox WHERE state = 'sending'").await;
    let sent = seed.count("SELECT count(*) FROM outbox WHERE state = 'sent'").await;
    assert!(sent < 400, "killed mid-delivery ({sent} sent)");
    assert!(in_flight <= roster::features::mail::worker::BATCH, "{in_flight} mails in flight");

    // What it held is taken up again once its lease runs out (30 s; moved
    // here rather than waited for).
    sqlx::query("UPDATE outbox SET lease_until = now() - interval '1 second' WHERE lease_until IS NOT NULL")
        .execute(&pool)
        .await
        .unwrap();
    roster.restart().await;
    wait_until_sent(&pool, 400, Duration::from_secs(40)).await;
    let arrived = arrivals(&catcher.mails().await);
    assert_eq!(arrived.len(), 400, "no mail lost");
    let repeated: i64 = arrived.values().map(|n| *n as i64 - 1).sum();
    assert!(repeated <= in_flight, "{repeated} mails arrived twice; only the {in_flight} in flight may");
    assert_eq!(
        seed.count("SELECT count(*) FROM outbox WHERE attempts > 1").await,
        in_flight,
        "exactly the mails in flight were tried again"
    );
}

/// The mail server down while an admin invites 100 people through the
/// binary: every invitation is accepted and waits in the outbox (its error
/// kept), and once the server is back each arrives exactly once.
#[db_test]
async fn smtp_down_during_100_invites_each_arrives_exactly_once_when_it_is_back(pool: Db) {
    let mut catcher = MailCatcher::start().await;
    catcher.stop();
    let smtp = format!("smtp://127.0.0.1:{}", catcher.smtp);
    let roster =
        Instance::start(&url_of(&pool).await, &[("SMTP_URL", smtp.as_str()), ("PUBLIC_ORIGIN", "http://roster.test")])
            .await;
    let (seed, admin, _) = inviting_admin(&pool, &roster, 100).await;

    let mut invited = BTreeSet::new();
    for i in 0..100 {
        let email = format!("invitee.{i}@example.com");
        let answer = admin.call("invite_user", &invite_form(&email, "basic")).await;
        assert_eq!(answer.status(), StatusCode::OK, "invite {i} refused while SMTP is down");
        invited.insert(email);
    }
    // The worker tried each one, failed, and keeps it for a retry.
    let started = Instant::now();
    while seed.count("SELECT count(*) FROM outbox WHERE state = 'retrying' AND last_error IS NOT NULL").await < 100 {
        assert!(started.elapsed() < Duration::from_secs(20), "the invitations were not all tried");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seed.count("SELECT count(*) FROM outbox WHERE state = 'sent'").await, 0);

    // Back: the retry's wait (5 s after a first failure) is moved here
    // rather than waited for, and the workers woken as a new mail does.
    catcher.restart().await;
    sqlx::query("UPDATE outbox SET next_attempt_at = now() WHERE state = 'retrying'").execute(&pool).await.unwrap();
    sqlx::query("SELECT pg_notify('outbox', '')").execute(&pool).await.unwrap();
    wait_until_sent(&pool, 100, Duration::from_secs(30)).await;
    let arrived = arrivals(&catcher.mails().await);
    assert_eq!(arrived.keys().cloned().collect::<BTreeSet<_>>(), invited, "every invitation arrived");
    assert!(arrived.values().all(|n| *n == 1), "none twice: {arrived:?}");
    assert_eq!(roster.metric(SENT).await, 100.0);
    assert_eq!(seed.count("SELECT count(*) FROM outbox WHERE attempts < 2").await, 0, "each was retried");
}

/// A PostgreSQL cluster of the test's own (`scripts/pg.sh`), which it can
/// stop and start; stopped again when dropped.
struct Cluster {
    port: u16,
}

impl Cluster {
    fn pg(args: &[&str]) {
        let status = std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg.sh"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "scripts/pg.sh {args:?}");
    }

    /// Starts the "fault" cluster with an empty database `roster`.
    fn start() -> Self {
        let cluster = Cluster { port: free_port() };
        let port = cluster.port.to_string();
        Self::pg(&["start", "fault", &port]);
        Self::pg(&["psql", "fault", &port, "-qd", "postgres", "-c", "DROP DATABASE IF EXISTS roster WITH (FORCE)"]);
        Self::pg(&["psql", "fault", &port, "-qd", "postgres", "-c", "CREATE DATABASE roster"]);
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://roster@127.0.0.1:{}/roster", self.port)
    }

    fn stop(&self) {
        Self::pg(&["stop", "fault"]);
    }

    fn restart(&self) {
        Self::pg(&["start", "fault", &self.port.to_string()]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What one client request was answered, and when.
struct Outcome {
    sent_at: Instant,
    what: &'static str,
    status: Option<StatusCode>,
    took: Duration,
}

#[db_test]
async fn a_database_outage_is_answered_503_quickly_and_no_write_is_lost_or_doubled(_unused: Db) {
    let cluster = Cluster::start();
    let roster = Instance::start(&cluster.url(), &[("DEV_MAILBOX", "true")]).await;
    let pool = Db::from(sqlx::postgres::PgPoolOptions::new().max_connections(2).connect(&cluster.url()).await.unwrap());
    let (_seed, admin, org_id) = inviting_admin(&pool, &roster, 10_000).await;
    let admin = Arc::new(admin);

    // Four clients invite, list and load the page until told to stop; each
    // notes what it was told. Every invite has an email of its own, so the
    // rows show which invites exist.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let told_ok = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let mut clients = Vec::new();
    for client in 0..4 {
        let (admin, stop, outcomes, told_ok) = (admin.clone(), stop.clone(), outcomes.clone(), told_ok.clone());
        clients.push(tokio::spawn(async move {
            for round in 0..10_000 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let email = format!("outage.{client}.{round}@example.com");
                let sent_at = Instant::now();
                // Two clients write, one reads the list, one loads the page.
                let (what, status) = match client {
                    0 | 1 => ("invite", admin.call("invite_user", &invite_form(&email, "basic")).await.status()),
                    2 => ("list", admin.list(&[]).await.0),
                    _ => {
                        let request = admin.client.get(admin.url("/settings/users")).header("accept", "text/html");
                        ("page", request.send().await.unwrap().status())
                    }
                };
                if what == "invite" && status == StatusCode::OK {
                    told_ok.lock().unwrap().insert(email);
                }
                outcomes.lock().unwrap().push(Outcome { sent_at, what, status: Some(status), took: sent_at.elapsed() });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.stop();
    let down_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let ready = reqwest::get(roster.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reqwest::get(roster.url("/healthz")).await.unwrap().status(), StatusCode::OK, "alive all along");

    cluster.restart();
    let up_at = Instant::now();
    while admin.list(&[]).await.0 != StatusCode::OK {
        assert!(up_at.elapsed() < Duration::from_secs(5), "not serving 5 s after the database came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered_in = up_at.elapsed();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }

    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    let during: Vec<&Outcome> =
        outcomes.iter().filter(|o| o.sent_at > down_at + Duration::from_millis(200) && o.sent_at < up_at).collect();
    assert!(during.len() >= 3, "requests were made during the outage");
    for outcome in &outcomes {
        assert!(
            matches!(outcome.status, Some(StatusCode::OK | StatusCode::SERVICE_UNAVAILABLE)),
            "{} answered {:?}",
            outcome.what,
            outcome.status
        );
        assert!(outcome.took < Duration::from_secs(5), "{} took {:?}", outcome.what, outcome.took);
    }
    for what in ["invite", "list", "page"] {
        assert!(
            during.iter().any(|o| o.what == what && o.status == Some(StatusCode::SERVICE_UNAVAILABLE)),
            "a {what} during the outage was answered 503: {:?}",
            during.iter().map(|o| (o.what, o.status, o.took)).collect::<Vec<_>>()
        );
    }
    assert!(outcomes.iter().filter(|o| o.sent_at > up_at + recovered_in).all(|o| o.status == Some(StatusCode::OK)));

    // Every invite the clients were told about exists, once; none they were
    // told failed does.
    let told_ok = told_ok.lock().unwrap().clone();
    let stored: BTreeSet<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE org_id = $1 AND email LIKE 'outage.%'")
            .bind(org_id)
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert!(!told_ok.is_empty());
    assert_eq!(stored, told_ok, "the invites stored are exactly those the clients were told succeeded");
    let invites: i64 = sqlx::query_scalar("SELECT count(*) FROM invites WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(invites as usize, told_ok.len(), "one invite each");
    let readiness = reqwest::get(roster.url("/readyz")).await.unwrap();
    assert_eq!(readiness.status(), StatusCode::OK);
}

/// SIGTERM while clients are busy behind a load balancer: `/readyz` turns
/// 503 at once while Roster keeps serving for `SHUTDOWN_DRAIN_SECONDS`, the
/// balancer (here: a watcher polling `/readyz` every 100 ms) stops sending,
/// and every request that reached Roster is answered in full; none is cut
/// off. Afterwards the door is closed (connections refused).
#[db_test]
async fn sigterm_under_load_answers_every_accepted_request(pool: Db) {
    let seed = spawn_app(pool.clone()).await;
    let (_, admin_email) = seed.signed_up("Acme").await;
    let mut roster =
        Instance::start(&url_of(&pool).await, &[("SHUTDOWN_GRACE_SECONDS", "35"), ("SHUTDOWN_DRAIN_SECONDS", "1")])
            .await;
    let signed_in = roster.browser().call("sign_in", &[("email", &admin_email), ("password", PASSWORD)]).await;
    let cookie = set_session_cookie(&signed_in).unwrap();

    // A new connection for every request, as many clients behind a load
    // balancer make them: a kept-alive connection the server closes while
    // idle would be a race of the client's, not a lost request.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (stop, ready) = (stop.clone(), roster.url("/readyz"));
        tokio::spawn(async move {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(30) {
                if !reqwest::get(&ready).await.is_ok_and(|r| r.status() == StatusCode::OK) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    return started.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("/readyz never said no");
        })
    };
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (stop, base, cookie) = (stop.clone(), roster.base.clone(), cookie.clone());
        clients.push(tokio::spawn(async move {
            let client =
                reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build().unwrap();
            let (mut answered, mut refused, mut cut_off) = (0, 0, Vec::new());
            for _ in 0..100_000 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let request = client
                    .get(format!("{base}/settings/users"))
                    .header("cookie", format!("roster_session={cookie}"))
                    .header("accept", "text/html");
                match request.send().await {
                    Ok(response) => match response.text().await {
                        Ok(body) if body.contains("User Management") => answered += 1,
                        Ok(body) => cut_off.push(format!("an incomplete page: {}", &body[..body.len().min(200)])),
                        Err(error) => cut_off.push(format!("body: {error:?}")),
                    },
                    Err(error) if error.is_connect() => {
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(error) => cut_off.push(format!("{error:?}")),
                }
            }
            (answered, refused, cut_off)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let signalled = Instant::now();
    let status = roster.terminate(Duration::from_secs(40)).await;
    assert!(status.success(), "exit status {status}");
    assert!(signalled.elapsed() >= Duration::from_secs(1), "it kept serving for the drain");
    watcher.await.unwrap();
    let (mut answered, mut refused) = (0, 0);
    for client in clients {
        let (a, r, cut_off) = client.await.unwrap();
        assert!(cut_off.is_empty(), "a client was cut off: {cut_off:?}");
        answered += a;
        refused += r;
    }
    assert!(answered >= 8, "pages were served before the signal ({answered})");
    assert_eq!(refused, 0, "the balancer stopped sending before the door closed");
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", roster.port)).await.is_err(), "closed afterwards");
    assert!(roster.output().contains("every request in flight was answered"), "{}", roster.output());
}
