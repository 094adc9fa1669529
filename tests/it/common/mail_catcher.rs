//! maildev, a real SMTP server with an HTTP API to read what arrived,
//! started by a test on ports of its own (from end2end/node_modules,
//! installed by `make test`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use roster::features::mail::worker::Delivery;
use serde_json::Value;

use super::free_port;

/// A maildev process: a real SMTP server with an HTTP API to read mail.
pub struct MailCatcher {
    child: Option<Child>,
    pub smtp: u16,
    pub web: u16,
}

impl MailCatcher {
    pub async fn start() -> Self {
        let mut catcher = MailCatcher { child: None, smtp: free_port(), web: free_port() };
        catcher.restart().await;
        catcher
    }

    pub async fn restart(&mut self) {
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

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn delivery(&self) -> Delivery {
        Delivery::from_config(Some(&format!("smtp://127.0.0.1:{}", self.smtp)), "Roster <roster@example.com>").unwrap()
    }

    pub async fn mails(&self) -> Vec<Value> {
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
