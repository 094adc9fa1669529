//! Password hashing with argon2id. Hashing is CPU-bound and deliberately
//! slow, so it runs on `concurrency` threads of its own, off the async
//! runtime, at a lower CPU priority: at most that many hashes at once, the
//! rest queue, and Roster's other requests (a page of the user table) get a
//! core first whenever they need one. A burst of sign-ins cannot starve them.
//! The line is bounded (`queue_max`): a check that would wait longer than
//! about a second is refused at once with "busy" (503), so a flood of
//! sign-ins from many addresses cannot make every sign-in slower and slower.
//! (Against other processes, PostgreSQL included, nice counts only where
//! the kernel schedules them in one group.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHasher as _, PasswordVerifier, Version};

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
    /// Jobs for the hashing threads. They end when the hasher is dropped
    /// (the channel closes).
    jobs: mpsc::Sender<Job>,
    /// Verified against when the email is unknown, so that an unknown email
    /// and a wrong password take the same time.
    dummy_hash: String,
    /// Argon2's working memory (19 MiB each at OWASP's parameters), kept
    /// between hashes. Allocating and zeroing it for every hash cost about
    /// 15% of the hash itself (measured; see `make bench`). At most
    /// `concurrency` buffers exist, as at most that many hashes run at once.
    memory: Mutex<Vec<Vec<Block>>>,
    /// Checks waiting for a hashing thread, and how many may.
    waiting: Arc<AtomicUsize>,
    queue_max: usize,
    /// Password verifications started: every sign-in path must do exactly
    /// one, whatever the account (tests read this).
    verifications: std::sync::atomic::AtomicU64,
}

impl Inner {
    /// Runs `work` with at least `blocks` blocks of working memory.
    fn with_memory<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let mut buffer = self.memory.lock().map(|mut pool| pool.pop()).ok().flatten().unwrap_or_default();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        let result = work(&mut buffer[..blocks]);
        if let Ok(mut pool) = self.memory.lock() {
            pool.push(buffer);
        }
        result
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// How much lower than the rest of the server the hashing threads run (the
/// nice value, 0 to 19). At 10 a hash gets a tenth of a core's share against
/// a busy request handler of the server, yet all of an idle core: the
/// throughput of sign-ins is unchanged, and a table page requested during a
/// burst of them no longer waits for a time slice.
const HASHING_NICENESS: i32 = 10;

/// Starts `threads` hashing threads at the lower priority.
fn start_hashing_threads(threads: usize) -> Result<mpsc::Sender<Job>, String> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for n in 0..threads {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                // On Linux the nice value is per thread: only this one drops.
                // Elsewhere it is per process, so the server keeps its own.
                #[cfg(any(target_os = "linux", target_os = "android"))]
                if let Err(error) = rustix::process::nice(HASHING_NICENESS) {
                    tracing::warn!(%error, "could not lower the hashing thread's priority");
                }
                loop {
                    // The lock is held only while waiting for the next job.
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .map_err(|e| format!("could not start a hashing thread: {e}"))?;
    }
    Ok(sender)
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
        let jobs = start_hashing_threads(config.concurrency.max(1))?;
        let dummy_params = params.clone();
        let dummy_hash = run_on(&jobs, move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2(dummy_params)
                .hash_password(b"dummy password for unknown accounts", &salt)
                .map(|h| h.to_string())
                .map_err(|e| e.to_string())
        })
        .await??;
        let inner = Inner {
            params,
            jobs,
            dummy_hash,
            memory: Mutex::new(Vec::new()),
            waiting: Arc::default(),
            queue_max: config.queue_max,
            verifications: Default::default(),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    pub async fn hash(&self, password: &Password) -> Result<PasswordHashString, AppError> {
        let place = self.join_line()?;
        let inner = self.inner.clone();
        let password = password.clone();
        self.run_on_hashing_thread(place, move || {
            let params = &inner.params;
            inner
                .with_memory(params.block_count(), |blocks| hash_into_phc(params, password.expose().as_bytes(), blocks))
        })
        .await
    }

    /// Takes a place in the hashing line, or refuses with "busy" when it is
    /// full. A password check takes it before anything else (before reading
    /// the account), so a flood's refusals cost nothing but this.
    pub fn join_line(&self) -> Result<LinePlace, AppError> {
        match Place::take(&self.inner.waiting, self.inner.queue_max) {
            Some(place) => Ok(LinePlace(place)),
            None => {
                tracing::warn!(queue_max = self.inner.queue_max, "password check refused: the hashing line is full");
                Err(AppError::busy())
            }
        }
    }

    /// Checks a password against a stored hash, or against the dummy hash
    /// when there is none, so the time taken does not tell whether an
    /// account exists.
    pub async fn verify(&self, password: &Password, stored: Option<&str>) -> Result<Verification, AppError> {
        let place = self.join_line()?;
        self.verify_in_line(place, password, stored).await
    }

    /// `verify` with a place taken earlier (`join_line`).
    pub async fn verify_in_line(
        &self,
        place: LinePlace,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verification, AppError> {
        let known = stored.is_some();
        self.inner.verifications.fetch_add(1, Ordering::Relaxed);
        let stored = stored.unwrap_or(&self.inner.dummy_hash).to_owned();
        let password = password.clone();
        let inner = self.inner.clone();
        self.run_on_hashing_thread(place, move || {
            let current = &inner.params;
            let parsed = PasswordHash::new(&stored).map_err(|e| format!("unreadable password hash: {e}"))?;
            // The parameters come from the PHC string, so old hashes still verify.
            let matches = verify_phc(&inner, password.expose().as_bytes(), &parsed);
            let needs_rehash = parsed.algorithm != argon2::ARGON2ID_IDENT
                || Params::try_from(&parsed).map_or(true, |p| {
                    p.m_cost() < current.m_cost() || p.t_cost() < current.t_cost() || p.p_cost() < current.p_cost()
                });
            Ok(Verification { matches: matches && known, needs_rehash })
        })
        .await
    }

    /// Runs `work` on a hashing thread (queued behind earlier hashes when
    /// all are busy) and waits for it without blocking the async runtime.
    /// The place in line is given up when the work starts.
    async fn run_on_hashing_thread<T: Send + 'static>(
        &self,
        LinePlace(place): LinePlace,
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, AppError> {
        let queued = std::time::Instant::now();
        let work = move || {
            drop(place);
            metrics::histogram!(crate::server::metrics::HASH_WAIT_SECONDS).record(queued.elapsed().as_secs_f64());
            work()
        };
        match run_on(&self.inner.jobs, work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(internal("password hashing", message)),
            Err(message) => Err(internal("password hashing thread", message)),
        }
    }

    /// Password verifications started since the hasher was made.
    pub fn verifications(&self) -> u64 {
        self.inner.verifications.load(Ordering::Relaxed)
    }

    /// Password checks waiting for a hashing thread right now.
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// Hashes once with the configured parameters through argon2's own
    /// `hash_password` (which allocates its memory) and returns the time it
    /// took: the benchmark's reference for the sign-in throughput limit.
    pub fn time_one_hash(&self) -> std::time::Duration {
        let start = std::time::Instant::now();
        let salt = SaltString::generate(&mut OsRng);
        let _ = argon2(self.inner.params.clone()).hash_password(b"benchmark password", &salt);
        start.elapsed()
    }

    /// The same hash the way sign-in computes it (reused memory), for the
    /// benchmark to report beside `time_one_hash`.
    pub fn time_one_pooled_hash(&self) -> std::time::Duration {
        let start = std::time::Instant::now();
        let params = &self.inner.params;
        let _ =
            self.inner.with_memory(params.block_count(), |blocks| hash_into_phc(params, b"benchmark password", blocks));
        start.elapsed()
    }
}

/// A place in the hashing line, given up when its job starts (or is
/// dropped unrun).
struct Place(Arc<AtomicUsize>);

/// A caller's place in the hashing line (`PasswordHasher::join_line`).
pub struct LinePlace(Place);

impl Place {
    fn take(waiting: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        waiting.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then_some(n + 1)).ok()?;
        Some(Place(waiting.clone()))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Sends `work` to the hashing threads and awaits its result. A panic in
/// `work` is caught there (the thread lives on) and comes back as an error.
async fn run_on<T: Send + 'static>(
    jobs: &mpsc::Sender<Job>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The caller has gone (its request was dropped while this waited in
        // line): no one wants this hash.
        if done.is_closed() {
            drop(work);
            return;
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = done.send(outcome.map_err(|_| "a hash panicked".to_owned()));
    });
    jobs.send(job).map_err(|_| "the hashing threads have stopped".to_owned())?;
    result.await.map_err(|_| "a hashing thread ended without an answer".to_owned())?
}

/// argon2id of `password` with a fresh salt, as a PHC string, computed in
/// `blocks` (the same string `Argon2::hash_password` produces).
fn hash_into_phc(params: &Params, password: &[u8], blocks: &mut [Block]) -> Result<PasswordHashString, String> {
    let salt = SaltString::generate(&mut OsRng);
    let salt = salt.as_salt();
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buffer).map_err(|e| e.to_string())?;
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let hasher = argon2(params.clone());
    let output = Output::init_with(length, |out| {
        hasher
            .hash_password_into_with_memory(password, salt_bytes, out, &mut *blocks)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| e.to_string())?,
        salt: Some(salt),
        hash: Some(output),
    };
    Ok(PasswordHashString(phc.to_string()))
}

/// Whether `password` matches a stored PHC string, computed in pooled
/// memory. Hashes of other argon2 variants (none are written today) go
/// through argon2's own verifier.
fn verify_phc(inner: &Inner, password: &[u8], stored: &PasswordHash<'_>) -> bool {
    if stored.algorithm != argon2::ARGON2ID_IDENT {
        return Argon2::default().verify_password(password, stored).is_ok();
    }
    let (Ok(params), Some(salt), Some(expected)) = (Params::try_from(stored), stored.salt, stored.hash) else {
        return false;
    };
    let Ok(version) = stored.version.map_or(Ok(Version::V0x13), Version::try_from) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let hasher = Argon2::new(Algorithm::Argon2id, version, params.clone());
    let computed = inner.with_memory(params.block_count(), |blocks| {
        hasher.hash_password_into_with_memory(password, salt_bytes, &mut out, blocks)
    });
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::Argon2Config;

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[tokio::test]
    async fn hashes_run_on_their_own_bounded_threads_below_the_servers_priority() {
        let jobs = start_hashing_threads(2).unwrap();
        let server_nice = rustix::process::getpriority_process(None).unwrap();
        // Eight jobs at once: all of them run, on at most the two hashing threads.
        let runs = (0..8).map(|_| {
            run_on(&jobs, || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                let thread = std::thread::current().name().unwrap_or_default().to_owned();
                (thread, rustix::process::getpriority_process(None).unwrap())
            })
        });
        let results: Vec<_> = futures::future::join_all(runs).await.into_iter().map(Result::unwrap).collect();
        let threads: std::collections::BTreeSet<_> = results.iter().map(|(thread, _)| thread.clone()).collect();
        assert!(threads.len() <= 2 && threads.iter().all(|t| t.starts_with("argon2-")), "{threads:?}");
        let expected = (server_nice + HASHING_NICENESS).min(19);
        assert!(results.iter().all(|(_, nice)| *nice == expected), "{results:?}, expected nice {expected}");
        // The server's own threads keep their priority.
        assert_eq!(rustix::process::getpriority_process(None).unwrap(), server_nice);

        // A panicking job is an error for its caller, and the threads live on.
        assert!(run_on(&jobs, || -> i32 { panic!("boom") }).await.is_err());
        assert!(run_on(&jobs, || 42).await.is_ok_and(|n: i32| n == 42));
    }

    #[tokio::test]
    async fn a_full_line_is_refused_at_once_and_places_come_back() {
        let config = Argon2Config { concurrency: 1, queue_max: 2, ..Argon2Config::default() };
        let hasher = PasswordHasher::new(config).await.unwrap();
        let password = Password::new("Correct-Horse-42");
        // Ten checks at once: one runs, two wait, the rest are told "busy".
        let checks = (0..10).map(|_| hasher.verify(&password, None));
        let results = futures::future::join_all(checks).await;
        let busy = results.iter().filter(|r| matches!(r, Err(AppError::Busy { .. }))).count();
        let done = results.iter().filter(|r| r.is_ok()).count();
        assert!(busy >= 7 && done >= 2 && busy + done == 10, "busy {busy}, done {done}");
        assert_eq!(hasher.waiting(), 0, "every place was given back");
        assert!(hasher.verify(&password, None).await.is_ok(), "an empty line takes checks again");
    }

    #[tokio::test]
    async fn pooled_hashes_match_argon2s_own_in_both_directions() {
        let hasher = PasswordHasher::new(Argon2Config::default()).await.unwrap();
        let password = Password::new("Correct-Horse-42");
        let ours = hasher.hash(&password).await.unwrap();
        assert!(ours.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", ours.0);
        let parsed = PasswordHash::new(&ours.0).unwrap();
        assert!(Argon2::default().verify_password(b"Correct-Horse-42", &parsed).is_ok(), "argon2 verifies ours");
        assert!(Argon2::default().verify_password(b"Correct-Horse-43", &parsed).is_err());

        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2(Params::new(19456, 2, 1, None).unwrap())
            .hash_password(b"Correct-Horse-42", &salt)
            .unwrap()
            .to_string();
        assert!(hasher.verify(&password, Some(&theirs)).await.unwrap().matches, "we verify argon2's");
        assert!(!hasher.verify(&Password::new("Correct-Horse-43"), Some(&theirs)).await.unwrap().matches);
        assert!(hasher.verify(&password, Some(&ours.0)).await.unwrap().matches);
        // Weaker (older) parameters still verify and ask for a rehash.
        let old = argon2(Params::new(8192, 1, 1, None).unwrap())
            .hash_password(b"Correct-Horse-42", &salt)
            .unwrap()
            .to_string();
        let verification = hasher.verify(&password, Some(&old)).await.unwrap();
        assert!(verification.matches && verification.needs_rehash);
    }
}
