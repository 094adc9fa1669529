//! Configuration from the environment. Everything has a sensible default for
//! `make run` except the database URL, which the Makefile provides.

use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub db_max_connections: u32,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// A session unused for this long is signed out.
    pub session_idle: Duration,
    /// Origins allowed to post to us besides the request's own host, for
    /// deployments behind a proxy that rewrites `Host` (e.g. `https://roster.example.com`).
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
    /// Take the client address from `X-Forwarded-For` (only behind a proxy
    /// that sets it; otherwise clients could pick their own address).
    pub trust_proxy: bool,
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
}

impl Default for Argon2Config {
    fn default() -> Self {
        // OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
        Self { memory_kib: 19 * 1024, iterations: 2, lanes: 1, concurrency: available_cores() }
    }
}

pub fn available_cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
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
        let argon2 = Argon2Config {
            memory_kib: env_or("ARGON2_MEMORY_KIB", argon2_default.memory_kib)?,
            iterations: env_or("ARGON2_ITERATIONS", argon2_default.iterations)?,
            lanes: env_or("ARGON2_LANES", argon2_default.lanes)?,
            concurrency: env_or("HASH_CONCURRENCY", argon2_default.concurrency)?.max(1),
        };
        if argon2.memory_kib < 19 * 1024 || argon2.iterations < 2 || argon2.lanes < 1 {
            return Err("argon2 parameters below OWASP's minimum (19456 KiB, 2 iterations, 1 lane)".into());
        }
        Ok(Self {
            database_url,
            db_max_connections: env_or("DB_MAX_CONNECTIONS", 20)?,
            cookie_secure: env_or("COOKIE_SECURE", false)?,
            session_idle: Duration::from_secs(60 * env_or::<u64>("SESSION_IDLE_MINUTES", 8 * 60)?),
            public_origin: std::env::var("PUBLIC_ORIGIN").ok().filter(|s| !s.is_empty()),
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
            trust_proxy: env_or("TRUST_PROXY", false)?,
        })
    }

    /// The configuration the integration tests and benchmarks use: production
    /// defaults, for a database they provide.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            db_max_connections: 20,
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
            trust_proxy: false,
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
            .field("trust_proxy", &self.trust_proxy)
            .finish_non_exhaustive()
    }
}
