//! The `roster` binary as an installation runs it (`CARGO_BIN_EXE_roster`),
//! on a port of its own, against a database the test names, its output in
//! a log file under `target/instances/` (kept for a look after a failure).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::{Browser, free_port};
use roster::server::db::Db;

pub struct Instance {
    pub port: u16,
    pub metrics_port: u16,
    pub base: String,
    database_url: String,
    env: Vec<(String, String)>,
    child: Option<tokio::process::Child>,
    pub log: PathBuf,
}

/// `DATABASE_URL` (the test cluster) with the test's own database.
pub async fn url_of(pool: &Db) -> String {
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").unwrap();
    let (address, params) = base.split_once('?').unwrap_or((&base, ""));
    let (server, _) = address.rsplit_once('/').unwrap();
    if params.is_empty() { format!("{server}/{database}") } else { format!("{server}/{database}?{params}") }
}

impl Instance {
    /// Starts the binary with only the documented variables (and `env`),
    /// and waits until `/readyz` says ready.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut instance = Instance {
            port,
            metrics_port: free_port(),
            base: format!("http://127.0.0.1:{port}"),
            database_url: database_url.to_owned(),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            child: None,
            log: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/instances")).join(format!("{port}.log")),
        };
        let _ = std::fs::remove_file(&instance.log);
        instance.restart().await;
        instance
    }

    /// Starts it again on the same ports (after [`Instance::kill`]); its
    /// output goes on in the same log.
    pub async fn restart(&mut self) {
        std::fs::create_dir_all(self.log.parent().unwrap()).unwrap();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &self.database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("LEPTOS_OUTPUT_NAME", "roster")
            .env("LEPTOS_SITE_ROOT", concat!(env!("CARGO_MANIFEST_DIR"), "/target/site"))
            .env("METRICS_ADDR", format!("127.0.0.1:{}", self.metrics_port))
            .env("RUST_LOG", "info");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let child = command
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("start the roster binary");
        self.child = Some(child);
        self.wait_ready().await;
    }

    pub async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(response) = client.get(self.url("/readyz")).send().await
                && response.status() == StatusCode::OK
            {
                return;
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                panic!("roster exited with {status}:\n{}", self.output());
            }
            assert!(started.elapsed() < Duration::from_secs(30), "not ready within 30 s:\n{}", self.output());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser of its own (cookie jar, no redirects) on this instance.
    pub fn browser(&self) -> Browser {
        Browser::at(&self.base)
    }

    /// Everything it wrote so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().and_then(|c| c.id()).expect("running")
    }

    /// SIGKILL: no chance to finish anything.
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().await.unwrap();
    }

    /// SIGTERM, then waits for the exit (at most `within`).
    pub async fn terminate(&mut self, within: Duration) -> std::process::ExitStatus {
        assert!(
            std::process::Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap().success()
        );
        self.wait_exit(within).await
    }

    /// Waits for it to exit (at most `within`).
    pub async fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        tokio::time::timeout(within, child.wait()).await.expect("exits in time").unwrap()
    }

    /// Its Prometheus page (`METRICS_ADDR`).
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("http://127.0.0.1:{}/metrics", self.metrics_port)).await.unwrap().text().await.unwrap()
    }

    /// The value of the metric line starting with `series` (0 when absent).
    pub async fn metric(&self, series: &str) -> f64 {
        let page = self.metrics().await;
        page.lines()
            .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
            .map(|line| line.rsplit(' ').next().unwrap().parse().unwrap())
            .unwrap_or(0.0)
    }
}
