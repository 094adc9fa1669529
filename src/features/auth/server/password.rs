//! Password hashing with argon2id. Hashing is CPU-bound and deliberately
//! slow, so it runs on the blocking pool behind a semaphore: at most
//! `concurrency` hashes at once, the rest queue instead of starving the
//! async runtime that serves every other request.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::features::auth::types::Password;
use crate::server::config::Argon2Config;
use crate::server::respond::internal;

/// A stored PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). Not `Serialize`
/// and `Debug` is redacted: it cannot end up in a response or a log.
#[derive(Clone)]
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(<redacted>)")
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    permits: Semaphore,
    /// Verified against when the email is unknown, so that an unknown email
    /// and a wrong password take the same time.
    dummy_hash: String,
}

/// The outcome of checking a password.
pub struct Verification {
    pub matches: bool,
    /// The stored hash uses weaker parameters than today's: rehash it now
    /// that we know the password.
    pub needs_rehash: bool,
}

impl PasswordHasher {
    pub async fn new(config: Argon2Config) -> Result<Self, String> {
        let params = Params::new(config.memory_kib, config.iterations, config.lanes, None)
            .map_err(|e| format!("invalid argon2 parameters: {e}"))?;
        let dummy_params = params.clone();
        let dummy_hash = tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2(dummy_params).hash_password(b"dummy password for unknown accounts", &salt).map(|h| h.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        Ok(Self { inner: Arc::new(Inner { params, permits: Semaphore::new(config.concurrency), dummy_hash }) })
    }

    pub async fn hash(&self, password: &Password) -> Result<PasswordHashString, AppError> {
        let params = self.inner.params.clone();
        let password = password.clone();
        self.run_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2(params)
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| PasswordHashString(h.to_string()))
                .map_err(|e| e.to_string())
        })
        .await
    }

    /// Checks a password against a stored hash, or against the dummy hash
    /// when there is none, so the time taken does not tell whether an
    /// account exists.
    pub async fn verify(&self, password: &Password, stored: Option<&str>) -> Result<Verification, AppError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.inner.dummy_hash).to_owned();
        let password = password.clone();
        let current = self.inner.params.clone();
        self.run_blocking(move || {
            let parsed = PasswordHash::new(&stored).map_err(|e| format!("unreadable password hash: {e}"))?;
            // The parameters come from the PHC string, so old hashes still verify.
            let matches = Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok();
            let needs_rehash = parsed.algorithm != argon2::ARGON2ID_IDENT
                || Params::try_from(&parsed).map_or(true, |p| {
                    p.m_cost() < current.m_cost() || p.t_cost() < current.t_cost() || p.p_cost() < current.p_cost()
                });
            Ok(Verification { matches: matches && known, needs_rehash })
        })
        .await
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.inner.permits.acquire().await.map_err(|e| internal("password hasher", e))?;
        match tokio::task::spawn_blocking(work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(internal("password hashing", message)),
            Err(join) => Err(internal("password hashing task", join)),
        }
    }

    /// Hashes once with the configured parameters and returns the time it
    /// took: the benchmark uses it to compute the sign-in throughput limit.
    pub fn time_one_hash(&self) -> std::time::Duration {
        let start = std::time::Instant::now();
        let salt = SaltString::generate(&mut OsRng);
        let _ = argon2(self.inner.params.clone()).hash_password(b"benchmark password", &salt);
        start.elapsed()
    }
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}
