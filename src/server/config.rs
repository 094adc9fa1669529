//! Configuration from the environment. Everything has a sensible default for
//! `make run` except the database URL, which the Makefile provides.

use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub db_max_connections: u32,
    /// How long a request waits for a database connection (and for a
    /// database that is down) before it is answered 503.
    pub db_acquire_timeout: Duration,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// A session unused for this long is signed out.
    pub session_idle: Duration,
    /// The address users open (`https://roster.example.com`): every link in
    /// a mail starts with it, and browsers may post to us from it besides the
    /// request's own host (behind a proxy that rewrites `Host`). Normalised to
    /// `scheme://host[:port]`, no trailing slash. Unset (development only):
    /// links use the listen address. Never taken from a request.
    pub public_origin: Option<String>,
    pub default_seats: DefaultSeats,
    pub argon2: Argon2Config,
    /// `smtp://host:port` (or `smtps://user:pass@host`): where mail goes.
    /// None: the development mailbox (`/dev/mailbox`).
    pub smtp_url: Option<String>,
    /// The sender of Roster's mail.
    pub mail_from: String,
    /// Deliver mail into the development mailbox (`/dev/mailbox`) when no
    /// SMTP server is configured. Off unless asked for (`make run` does), so
    /// an installation that forgot SMTP_URL never shows activation links to
    /// the public.
    pub dev_mailbox: bool,
    /// Requests per minute one client address may make to the endpoints
    /// whose credential is a link token (activation, "Send me a new link").
    pub token_requests_per_minute: u32,
    /// Password attempts per minute one client address may make (sign-in and
    /// sign-up): slows credential stuffing and keeps a flood of attempts from
    /// taking the hashing capacity of everyone else.
    pub password_requests_per_minute: u32,
    /// Requests per minute one API key may make to `/api/v1` (the
    /// organization's own systems asking who may do what).
    pub api_requests_per_minute: u32,
    /// How many reverse proxies stand in front of Roster, each appending to
    /// `X-Forwarded-For`: the client is the entry this far from the right.
    /// 0 (the default): the header is ignored and the peer is the client.
    pub trust_proxy_hops: usize,
    /// A request still unanswered after this long gets a 503 and its work is
    /// dropped, so a flood cannot keep connections hanging.
    pub request_timeout: Duration,
    /// On SIGTERM or Ctrl-C, how long requests in flight and the mail being
    /// sent may take to finish before the process exits anyway. At least
    /// the request timeout + 5 s, so no request that could still be answered
    /// is cut off.
    pub shutdown_grace: Duration,
    /// After SIGTERM, how long `/readyz` says "shutting down" while Roster
    /// still accepts and serves, before it stops accepting: time for a load
    /// balancer's health check to take it out of rotation, so no client is
    /// sent to a closing door. 0 (the default) for a single instance.
    pub shutdown_drain: Duration,
    /// How log lines are written: `text` for people, `json` (one object a
    /// line, with the request id) for a log collector.
    pub log_format: LogFormat,
    /// Where Prometheus metrics are served (`/metrics`), apart from the app:
    /// off unless set.
    pub metrics_addr: Option<std::net::SocketAddr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: `text` (the default) or `json`.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("LOG_FORMAT").ok().as_deref().map(str::trim) {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!("LOG_FORMAT must be text or json, not {other:?}")),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct DefaultSeats {
    pub basic: i32,
    pub operator: i32,
    pub superuser: i32,
}

#[derive(Clone, Copy, Debug)]
pub struct Argon2Config {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
    /// How many hashes may run at once; more wait their turn so a burst of
    /// sign-ins cannot take every core from the rest of the app.
    pub concurrency: usize,
    /// How many may wait for their turn. Beyond this a password check is
    /// refused at once (503, `Retry-After`) instead of joining a line that
    /// would only grow during a flood: at 50 per hashing thread a check
    /// waits about a second at most (a hash takes ~20 ms).
    pub queue_max: usize,
}

impl Default for Argon2Config {
    fn default() -> Self {
        // OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
        let concurrency = available_cores();
        Self { memory_kib: 19 * 1024, iterations: 2, lanes: 1, concurrency, queue_max: 50 * concurrency }
    }
}

pub fn available_cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// `PUBLIC_ORIGIN` as an origin: http or https, a host, an optional port,
/// nothing after it (a path would be silently dropped from links otherwise).
pub fn normalize_origin(value: &str) -> Result<String, String> {
    let invalid =
        |why: &str| Err(format!("PUBLIC_ORIGIN must look like https://roster.example.com ({why}), not {value:?}"));
    let Ok(url) = url::Url::parse(value.trim()) else {
        return invalid("not a URL");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return invalid("http or https only");
    }
    if url.host_str().is_none_or(str::is_empty) || !url.username().is_empty() || url.password().is_some() {
        return invalid("a host and nothing else before it");
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return invalid("no path, query or fragment");
    }
    Ok(url.origin().ascii_serialization())
}

/// `TRUST_PROXY_HOPS`. The earlier `TRUST_PROXY=true` took the leftmost
/// entry, which the client writes; refuse it rather than guess a count.
fn trust_proxy_hops() -> Result<usize, String> {
    if std::env::var("TRUST_PROXY").is_ok_and(|v| !v.trim().is_empty()) {
        return Err("TRUST_PROXY is replaced by TRUST_PROXY_HOPS: set it to the number of reverse proxies \
                    in front of Roster (1 for a single nginx), and unset TRUST_PROXY"
            .into());
    }
    let hops = env_or("TRUST_PROXY_HOPS", 0usize)?;
    if hops > 10 {
        return Err(format!("TRUST_PROXY_HOPS={hops} is more proxies than any real deployment has"));
    }
    Ok(hops)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| format!("{name} has an invalid value: {v:?}")),
        _ => Ok(default),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let database_url = std::env::var("DATABASE_URL")
            .map_err(|_| "DATABASE_URL is not set (make run sets it for the private cluster)".to_string())?;
        let argon2_default = Argon2Config::default();
        let concurrency = env_or("HASH_CONCURRENCY", argon2_default.concurrency)?.max(1);
        let argon2 = Argon2Config {
            memory_kib: env_or("ARGON2_MEMORY_KIB", argon2_default.memory_kib)?,
            iterations: env_or("ARGON2_ITERATIONS", argon2_default.iterations)?,
            lanes: env_or("ARGON2_LANES", argon2_default.lanes)?,
            concurrency,
            queue_max: env_or("HASH_QUEUE_MAX", 50 * concurrency)?,
        };
        if argon2.memory_kib < 19 * 1024 || argon2.iterations < 2 || argon2.lanes < 1 {
            return Err("argon2 parameters below OWASP's minimum (19456 KiB, 2 iterations, 1 lane)".into());
        }
        let config = Self {
            database_url,
            db_max_connections: env_or("DB_MAX_CONNECTIONS", 20)?,
            db_acquire_timeout: Duration::from_secs(env_or::<u64>("DB_ACQUIRE_TIMEOUT_SECONDS", 3)?.max(1)),
            cookie_secure: env_or("COOKIE_SECURE", false)?,
            session_idle: Duration::from_secs(60 * env_or::<u64>("SESSION_IDLE_MINUTES", 8 * 60)?),
            public_origin: match std::env::var("PUBLIC_ORIGIN") {
                Ok(v) if !v.trim().is_empty() => Some(normalize_origin(&v)?),
                _ => None,
            },
            default_seats: DefaultSeats {
                basic: env_or("DEFAULT_SEATS_BASIC", 10)?,
                operator: env_or("DEFAULT_SEATS_OPERATOR", 5)?,
                superuser: env_or("DEFAULT_SEATS_SUPERUSER", 1)?,
            },
            argon2,
            smtp_url: std::env::var("SMTP_URL").ok().filter(|s| !s.trim().is_empty()),
            mail_from: std::env::var("MAIL_FROM").unwrap_or_else(|_| "Roster <roster@localhost>".into()),
            dev_mailbox: env_or("DEV_MAILBOX", false)?,
            token_requests_per_minute: env_or("TOKEN_REQUESTS_PER_MINUTE", 20u32)?.max(1),
            password_requests_per_minute: env_or("PASSWORD_REQUESTS_PER_MINUTE", 30u32)?.max(1),
            api_requests_per_minute: env_or("API_REQUESTS_PER_MINUTE", 600u32)?.max(1),
            trust_proxy_hops: trust_proxy_hops()?,
            request_timeout: Duration::from_secs(env_or::<u64>("REQUEST_TIMEOUT_SECONDS", 30)?.max(1)),
            shutdown_grace: Duration::from_secs(env_or::<u64>("SHUTDOWN_GRACE_SECONDS", 35)?),
            shutdown_drain: Duration::from_secs(env_or::<u64>("SHUTDOWN_DRAIN_SECONDS", 0)?),
            log_format: LogFormat::from_env()?,
            metrics_addr: match std::env::var("METRICS_ADDR").ok().filter(|v| !v.trim().is_empty()) {
                Some(addr) => Some(addr.trim().parse().map_err(|_| {
                    format!("METRICS_ADDR must be an address and port such as 127.0.0.1:9100, not {addr:?}")
                })?),
                None => None,
            },
        };
        config.check()?;
        Ok(config)
    }

    /// Refuses settings that would be unsafe together. A production
    /// installation (HTTPS cookies, or real mail) must say where users reach
    /// it: otherwise links in mails would point at the listen address.
    pub fn check(&self) -> Result<(), String> {
        let least = self.request_timeout + Duration::from_secs(5);
        if self.shutdown_grace < least {
            return Err(format!(
                "SHUTDOWN_GRACE_SECONDS is {}, but a request may run for REQUEST_TIMEOUT_SECONDS ({}): \
                 set it to at least {} so a restart never cuts off a request that could still be answered",
                self.shutdown_grace.as_secs(),
                self.request_timeout.as_secs(),
                least.as_secs()
            ));
        }
        if self.public_origin.is_none() && (self.cookie_secure || self.smtp_url.is_some()) {
            let why = if self.cookie_secure { "COOKIE_SECURE=true" } else { "SMTP_URL is set" };
            return Err(format!(
                "PUBLIC_ORIGIN is not set, but {why}. Links in Roster's mails are built from PUBLIC_ORIGIN only \
                 (never from a request's Host header): set it to the address your users open, \
                 e.g. PUBLIC_ORIGIN=https://roster.example.com"
            ));
        }
        Ok(())
    }

    /// The configuration the integration tests and benchmarks use: production
    /// defaults, for a database they provide.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            db_max_connections: 20,
            db_acquire_timeout: Duration::from_secs(3),
            cookie_secure: false,
            session_idle: Duration::from_secs(8 * 3600),
            public_origin: None,
            default_seats: DefaultSeats { basic: 10, operator: 5, superuser: 1 },
            argon2: Argon2Config::default(),
            smtp_url: None,
            mail_from: "Roster <roster@localhost>".into(),
            dev_mailbox: false,
            token_requests_per_minute: 20,
            password_requests_per_minute: 30,
            api_requests_per_minute: 600,
            trust_proxy_hops: 0,
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(35),
            shutdown_drain: Duration::ZERO,
            log_format: LogFormat::Text,
            metrics_addr: None,
        }
    }

    /// Whether `/dev/mailbox` may be shown: asked for, and no real SMTP.
    pub fn dev_mailbox_enabled(&self) -> bool {
        self.dev_mailbox && self.smtp_url.is_none()
    }
}

/// Redacted: `SMTP_URL` may carry a password.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("db_max_connections", &self.db_max_connections)
            .field("db_acquire_timeout", &self.db_acquire_timeout)
            .field("cookie_secure", &self.cookie_secure)
            .field("session_idle", &self.session_idle)
            .field("public_origin", &self.public_origin)
            .field("default_seats", &self.default_seats)
            .field("argon2", &self.argon2)
            .field("smtp", &self.smtp_url.as_ref().map(|_| "<configured>"))
            .field("mail_from", &self.mail_from)
            .field("dev_mailbox", &self.dev_mailbox)
            .field("token_requests_per_minute", &self.token_requests_per_minute)
            .field("password_requests_per_minute", &self.password_requests_per_minute)
            .field("api_requests_per_minute", &self.api_requests_per_minute)
            .field("trust_proxy_hops", &self.trust_proxy_hops)
            .field("request_timeout", &self.request_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("shutdown_drain", &self.shutdown_drain)
            .field("log_format", &self.log_format)
            .field("metrics_addr", &self.metrics_addr)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_origin_is_normalised_and_anything_but_an_origin_is_refused() {
        assert_eq!(normalize_origin("https://Roster.Example.com/").unwrap(), "https://roster.example.com");
        assert_eq!(normalize_origin(" http://10.0.0.5:8080 ").unwrap(), "http://10.0.0.5:8080");
        assert_eq!(normalize_origin("https://roster.example.com:443").unwrap(), "https://roster.example.com");
        for bad in [
            "roster.example.com",
            "ftp://roster.example.com",
            "https://roster.example.com/app",
            "https://user@roster.example.com",
            "https://roster.example.com/?x=1",
            "javascript:alert(1)",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn production_settings_without_a_public_origin_refuse_to_start() {
        let mut config = Config::for_database("postgres://x");
        assert!(config.check().is_ok(), "development: links use the listen address");
        config.cookie_secure = true;
        let message = config.check().unwrap_err();
        assert!(message.contains("PUBLIC_ORIGIN is not set, but COOKIE_SECURE=true"), "{message}");
        config.cookie_secure = false;
        config.smtp_url = Some("smtp://mail:25".into());
        assert!(config.check().unwrap_err().contains("SMTP_URL is set"));
        config.public_origin = Some("https://roster.example.com".into());
        assert!(config.check().is_ok());
    }

    #[test]
    fn the_shutdown_grace_outlasts_the_longest_request() {
        let mut config = Config::for_database("postgres://x");
        config.request_timeout = Duration::from_secs(60);
        let message = config.check().unwrap_err();
        assert!(message.contains("set it to at least 65"), "{message}");
        config.shutdown_grace = Duration::from_secs(65);
        assert!(config.check().is_ok());
    }
}
