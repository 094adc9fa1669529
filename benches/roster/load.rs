//! Under load (`BENCH_ONLY=load make bench`): 200 signed-in admins, each
//! with a session of their own, ask for User Management pages back to back
//! (no think time) for 60 s: plain pages and sorts, a deep page, short and
//! long searches, and advanced-search filters, all as full server-rendered
//! pages (`GET /settings/users?…`, what a browser loads), against the
//! release build of the server on its own runtime.
//!
//! Goal (the directory issue): at least 150 pages/s, p95 under 1.5 s, no
//! error. `LOAD_ADMINS` and `LOAD_SECONDS` change the shape of a run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use roster::features::users::types::UserListQuery;
use sqlx::PgPool;
use tokio::sync::Mutex;
use uuid::Uuid;

/// One kind of page in the mix, and the addresses it cycles through.
struct Kind {
    name: &'static str,
    addresses: Vec<String>,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn address(query: &UserListQuery) -> String {
    let pairs = query.pairs();
    if pairs.is_empty() {
        return "/settings/users".to_owned();
    }
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
    format!("/settings/users?{}", encoded.join("&"))
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The mix: what an admin's day looks like in User Management, weighted by
/// how many addresses each kind has (each worker walks the whole list).
async fn mix(pool: &PgPool, org_id: Uuid) -> Result<Vec<Kind>, String> {
    let err = |e: sqlx::Error| e.to_string();
    // A "Next" link deep in the list: the cursor of the row at 50,000.
    let deep: (String, Uuid) = sqlx::query_as(
        r#"SELECT u.last_name_key COLLATE "und-x-icu"::text, u.id FROM users u WHERE u.org_id = $1
           ORDER BY u.last_name_key COLLATE "und-x-icu", u.id OFFSET 50000 LIMIT 1"#,
    )
    .bind(org_id)
    .fetch_one(pool)
    .await
    .map_err(err)?;
    let cursor = roster::features::users::server::list::Cursor { key: deep.0, id: deep.1 }.encode();
    let groups: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM groups WHERE org_id = $1 ORDER BY name LIMIT 3")
        .bind(org_id)
        .fetch_all(pool)
        .await
        .map_err(err)?;
    let position = super::third_level_position(pool, org_id).await?;
    let q = |term: &str| UserListQuery { q: Some(term.to_owned()), ..Default::default() };
    let sorted = |sort: &str, dir: Option<&str>| UserListQuery {
        sort: Some(sort.to_owned()),
        dir: dir.map(str::to_owned),
        ..Default::default()
    };
    let kinds = vec![
        Kind {
            name: "plain pages and sorts",
            addresses: [
                UserListQuery::default(),
                sorted("email", None),
                sorted("last_name", Some("desc")),
                sorted("created", Some("desc")),
                UserListQuery { after: Some(cursor), ..Default::default() },
                UserListQuery { status: Some("disabled".into()), ..Default::default() },
            ]
            .iter()
            .map(address)
            .collect(),
        },
        Kind {
            name: "short searches (1–2 letters)",
            addresses: ["a", "an", "li", "x", "zy", "е"].iter().map(|t| address(&q(t))).collect(),
        },
        Kind {
            name: "longer searches",
            addresses: ["smith", "son", "olsen", "angstrom", "ivanova", "müller"]
                .iter()
                .map(|t| address(&q(t)))
                .collect(),
        },
        Kind {
            name: "advanced-search filters",
            addresses: groups
                .iter()
                .map(|g| UserListQuery { group: Some(*g), ..Default::default() })
                .chain([
                    UserListQuery { position: Some(position), q: Some("an".into()), ..Default::default() },
                    UserListQuery {
                        role: Some("operator".into()),
                        department: Some("Quality".into()),
                        created_from: Some("2025-06-01".into()),
                        ..Default::default()
                    },
                    UserListQuery { kind: Some("external".into()), ..Default::default() },
                ])
                .map(|query| address(&query))
                .collect(),
        },
    ];
    Ok(kinds)
}

/// Admins to sign in as: the Superuser and active internal operators who
/// are granted "Serving user menu", each with the Superuser's password.
async fn admins(pool: &PgPool, org_id: Uuid, admin_email: &str, count: usize) -> Result<Vec<String>, String> {
    let err = |e: sqlx::Error| e.to_string();
    let mut emails: Vec<String> = sqlx::query_scalar(
        "WITH chosen AS (SELECT id FROM users WHERE org_id = $1 AND status = 'active' AND role = 'operator' \
         AND kind = 'internal' ORDER BY id DESC LIMIT $2) \
         UPDATE users u SET password_hash = (SELECT password_hash FROM users WHERE lower(email) = lower($3)) \
         FROM chosen WHERE u.org_id = $1 AND u.id = chosen.id RETURNING u.email",
    )
    .bind(org_id)
    .bind(count as i64 - 1)
    .bind(admin_email)
    .fetch_all(pool)
    .await
    .map_err(err)?;
    sqlx::query(
        "INSERT INTO user_permissions (org_id, user_id, permission, granted, set_by_name) \
         SELECT org_id, id, 'user_menu', true, 'Bench' FROM users WHERE org_id = $1 AND email = ANY($2) \
         ON CONFLICT (org_id, user_id, permission) DO UPDATE SET granted = true",
    )
    .bind(org_id)
    .bind(&emails)
    .execute(pool)
    .await
    .map_err(err)?;
    emails.push(admin_email.to_owned());
    Ok(emails)
}

/// Signs each admin in (a session each, its cookie kept by its client), a
/// few at a time: the hashing line answers 503 to a flood, on purpose.
async fn sign_in_all(base: &str, emails: &[String], password: &str) -> Result<Vec<reqwest::Client>, String> {
    use futures::StreamExt;
    let attempts = emails.iter().map(|email| async move {
        let client = reqwest::Client::builder().cookie_store(true).build().map_err(|e| e.to_string())?;
        let response = client
            .post(format!("{base}/api/sign_in"))
            .form(&[("email", email.as_str()), ("password", password)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status().is_success() { Ok(client) } else { Err(format!("{email}: {}", response.status())) }
    });
    futures::stream::iter(attempts).buffer_unordered(4).collect::<Vec<_>>().await.into_iter().collect()
}

struct Sample {
    kind: usize,
    took: Duration,
}

/// The load against the `roster` binary as production runs it: a process of
/// its own (the release build), on this benchmark's database, so its peak
/// memory is its own (`VmHWM`), apart from the load generator's.
pub async fn run_against_binary(
    pool: &PgPool,
    hasher: &roster::features::auth::server::password::PasswordHasher,
    url: &str,
    org_id: Uuid,
    admin_email: &str,
    password: &str,
) -> Result<(), String> {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let base = format!("http://127.0.0.1:{port}");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        // One client address signing 200 admins in on purpose.
        .env("PASSWORD_REQUESTS_PER_MINUTE", "1000000")
        .env("RUST_LOG", "warn")
        .env_remove("SMTP_URL")
        .env_remove("LEPTOS_SITE_ROOT")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Ok(n) = std::env::var("HASH_CONCURRENCY") {
        command.env("HASH_CONCURRENCY", n);
    }
    let mut server = command.spawn().map_err(|e| format!("start {}: {e}", env!("CARGO_BIN_EXE_roster")))?;
    let pid = server.id().ok_or("the server exited at once")?;
    let started = Instant::now();
    while !reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status().is_success()) {
        if started.elapsed() > Duration::from_secs(60) {
            return Err("the roster binary was not ready within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // What this machine's cores sustain hashing alone (argon2 with the
    // server's parameters, every core, no HTTP or database), measured in
    // this run just before the load, for the sign-ins under load beside it.
    let bare = super::argon2_on_every_core(hasher, std::thread::available_parallelism().map_or(2, |n| n.get()));
    let result = run(pool, &base, org_id, admin_email, password, Some(pid), Some(bare)).await;
    let _ = server.kill().await;
    result
}

/// `server`: the pid of the server process, whose peak memory is reported
/// (without it, the benchmark process's own, the server included).
pub async fn run(
    pool: &PgPool,
    base: &str,
    org_id: Uuid,
    admin_email: &str,
    password: &str,
    server: Option<u32>,
    bare_hashes_per_second: Option<f64>,
) -> Result<(), String> {
    let admins_wanted = env_number("LOAD_ADMINS", 200) as usize;
    let seconds = env_number("LOAD_SECONDS", 60);
    let kinds = Arc::new(mix(pool, org_id).await?);
    let emails = admins(pool, org_id, admin_email, admins_wanted).await?;
    let started = Instant::now();
    let clients = sign_in_all(base, &emails, password).await?;
    let sign_ins = started.elapsed();

    // Each address alone first (one admin, one request at a time): what a
    // page costs without queueing, the baseline for the figures under load.
    let alone = &clients[0];
    println!("\n## Each page of the load mix alone (one admin, 20 requests each, median)\n");
    println!("| address | median ms |\n|---|---:|");
    for kind in kinds.iter() {
        for path in &kind.addresses {
            let mut times = Vec::new();
            for _ in 0..21 {
                let start = Instant::now();
                let response = alone.get(format!("{base}{path}")).send().await.map_err(|e| e.to_string())?;
                let status = response.status();
                let body = response.text().await.map_err(|e| e.to_string())?;
                if !status.is_success() || !body.contains("<table") {
                    return Err(format!("{path}: {status}"));
                }
                times.push(start.elapsed());
            }
            println!("| `{path}` | {:.1} |", super::percentile(&mut times[1..], 0.5));
        }
    }

    // Every worker walks the whole mix, starting at its own place in it.
    let schedule: Arc<Vec<(usize, String)>> = Arc::new(
        kinds.iter().enumerate().flat_map(|(k, kind)| kind.addresses.iter().map(move |a| (k, a.clone()))).collect(),
    );
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    // Beside the 200 readers, four people signing in again and again (a
    // fresh client each time, the right password): what sign-ins cost
    // while the pages are busy.
    let sign_ins_under_load = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let sign_in_errors = Arc::new(Mutex::new(0usize));
    let mut signers = Vec::new();
    for n in 0..4 {
        let (base, email, password) = (base.to_owned(), emails[n % emails.len()].clone(), password.to_owned());
        let (done, failed) = (sign_ins_under_load.clone(), sign_in_errors.clone());
        signers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let client = reqwest::Client::new();
                let start = Instant::now();
                let answer = client
                    .post(format!("{base}/api/sign_in"))
                    .header("origin", &base)
                    .form(&[("email", email.as_str()), ("password", password.as_str())])
                    .send()
                    .await;
                match answer {
                    Ok(response) if response.status().is_success() => done.lock().await.push(start.elapsed()),
                    _ => *failed.lock().await += 1,
                }
            }
        }));
    }
    for (n, client) in clients.into_iter().enumerate() {
        let (schedule, samples, errors, stop) = (schedule.clone(), samples.clone(), errors.clone(), stop.clone());
        let base = base.to_owned();
        workers.push(tokio::spawn(async move {
            let mut i = n * 7;
            let mut mine = Vec::new();
            while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                let (kind, path) = &schedule[i % schedule.len()];
                i += 1;
                let start = Instant::now();
                let outcome = match client.get(format!("{base}{path}")).send().await {
                    Ok(response) => {
                        let status = response.status();
                        match response.text().await {
                            // A real page: the table is there, not an error
                            // page or the sign-in form.
                            Ok(body) if status.is_success() && body.contains("<table") => Ok(()),
                            Ok(_) => Err(format!("{path}: {status}")),
                            Err(e) => Err(format!("{path}: {e}")),
                        }
                    }
                    Err(e) => Err(format!("{path}: {e}")),
                };
                let took = start.elapsed();
                match outcome {
                    Ok(()) => mine.push(Sample { kind: *kind, took }),
                    Err(e) => errors.lock().await.push(e),
                }
            }
            samples.lock().await.extend(mine);
        }));
    }
    for worker in workers.into_iter().chain(signers) {
        worker.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let samples = samples.lock().await;
    let errors = errors.lock().await;

    println!("\n## Under load: {} signed-in admins, no think time, {seconds} s\n", emails.len());
    println!(
        "Full server-rendered pages of User Management (`GET /settings/users?…`), each admin with a session \
         of their own, walking the mix below from its own starting point; the server is the release binary \
         (`roster serve`) in a process of its own, the load generator the benchmark's. Signing the admins \
         in took {:.1} s.\n",
        sign_ins.as_secs_f64()
    );
    println!("| pages | count | per s | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, mut times: Vec<Duration>| {
        if times.is_empty() {
            println!("| {name} | 0 | | | | | |");
            return;
        }
        let count = times.len();
        let p50 = super::percentile(&mut times, 0.5);
        let p95 = super::percentile(&mut times, 0.95);
        let p99 = super::percentile(&mut times, 0.99);
        let max = times.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        println!("| {name} | {count} | {:.0} | {p50:.0} | {p95:.0} | {p99:.0} | {max:.0} |", count as f64 / elapsed);
    };
    for (k, kind) in kinds.iter().enumerate() {
        row(kind.name, samples.iter().filter(|s| s.kind == k).map(|s| s.took).collect());
    }
    row("**all**", samples.iter().map(|s| s.took).collect());
    {
        let mut sign_ins = sign_ins_under_load.lock().await.clone();
        let count = sign_ins.len();
        if count > 0 {
            let p50 = super::percentile(&mut sign_ins, 0.5);
            let p95 = super::percentile(&mut sign_ins, 0.95);
            let rate = count as f64 / elapsed;
            let beside = match bare_hashes_per_second {
                // Four people who each wait for their answer: the rate
                // follows that wait (the pages' queue), not the hashing.
                Some(bare) => format!(
                    "; each waits in the same queue as the pages, so the rate follows the wait: argon2 alone on \
                     every core sustains {bare:.1} hashes/s on this machine (this run)"
                ),
                None => String::new(),
            };
            println!(
                "\nSign-ins under the same load (4 people signing in again and again): {count} in {elapsed:.0} s, \
                 {rate:.1}/s, p50 {p50:.0} ms, p95 {p95:.0} ms, {} refused{beside}.",
                *sign_in_errors.lock().await
            );
        }
    }
    println!("\nErrors: {}", errors.len());
    for error in errors.iter().take(5) {
        println!("- {error}");
    }
    println!("\nThe addresses of the mix:\n");
    for kind in kinds.iter() {
        println!("- {}: {}", kind.name, kind.addresses.join(" · "));
    }
    let throughput = samples.len() as f64 / elapsed;
    let mut all: Vec<Duration> = samples.iter().map(|s| s.took).collect();
    let p95 = super::percentile(&mut all, 0.95);
    println!(
        "\nGoal: at least 150 pages/s with p95 under 1,500 ms and no error: {:.0} pages/s, p95 {p95:.0} ms, {} errors: {}.",
        throughput,
        errors.len(),
        if throughput >= 150.0 && p95 < 1500.0 && errors.is_empty() { "met" } else { "NOT met" }
    );
    match server {
        Some(pid) => {
            if let Some(rss) = peak_rss_kib(&pid.to_string()) {
                let verdict = if rss / 1024 <= 150 { "met" } else { "NOT met" };
                println!(
                    "Peak RSS of the server process (the release binary, `VmHWM`): {} MB (goal: at most 150 MB: {verdict}).",
                    rss / 1024
                );
            }
        }
        None => {
            if let Some(rss) = peak_rss_kib("self") {
                println!(
                    "Peak RSS of the benchmark process (server, load generator and seeding together): {} MB.",
                    rss / 1024
                );
            }
        }
    }
    Ok(())
}

/// A process's peak resident set (`VmHWM`), in KiB (`process`: a pid or
/// `self`).
fn peak_rss_kib(process: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
