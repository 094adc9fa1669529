//! `roster seed --users N`: one organization with N realistic users (mixed
//! roles and statuses) for benchmarks and demos, inserted by one statement.

use std::time::Instant;

use sqlx::PgPool;
use uuid::Uuid;

use super::config::{Config, DefaultSeats};
use crate::features::auth::types::Password;
use crate::features::orgs::server::create_organization;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Anders", "Aroha", "Beatriz", "Bruno", "Chen", "Chiara", "Dmitri", "Elena", "Emeka",
    "Farah", "Finn", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal", "Jana", "Kai", "Keiko", "Lars", "Leila", "Liam",
    "Lucia", "Mads", "Maria", "Mateo", "Mei", "Nadia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Rosa", "Sami",
    "Sofia", "Tariq", "Thea", "Tomas", "Uma", "Victor", "Yara", "Yusuf", "Zoe", "Zhang",
];
const LAST_NAMES: &[&str] = &[
    "Andersen",
    "Baker",
    "Bianchi",
    "Brown",
    "Castro",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "Garcia",
    "Gonzalez",
    "Haddad",
    "Hansen",
    "Ivanova",
    "Jansen",
    "Johnson",
    "Kim",
    "Kowalski",
    "Lee",
    "Lopez",
    "Martin",
    "Meier",
    "Moreau",
    "Müller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Olsen",
    "Patel",
    "Perez",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Taylor",
    "Weber",
    "Williams",
    "Wilson",
    "Wong",
    "Yamamoto",
    "Zimmermann",
    "Goldsmith",
    "Smithson",
];

pub struct Seeded {
    pub org_id: Uuid,
    pub admin_email: String,
}

/// Creates an organization whose Superuser is `admin_email` (password
/// `admin_password`) with `users` more users.
pub async fn seed_organization(
    pool: &PgPool,
    hasher: &crate::features::auth::server::password::PasswordHasher,
    users: i64,
    admin_email: &str,
    admin_password: &Password,
) -> Result<Seeded, String> {
    let hash = hasher.hash(admin_password).await.map_err(|e| e.to_string())?;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    // Seeding is the installation operator's job, so it may size the plan.
    let plan = DefaultSeats { basic: users as i32 + 10, operator: users as i32 + 5, superuser: 1 };
    let org_id =
        create_organization(&mut tx, "Seeded Organization", "Europe/Zurich", plan).await.map_err(|e| e.to_string())?;
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, password_hash, \
                            activated_at, last_sign_in_at) \
         VALUES ($1, $2, 'Sam', 'Seeder', 'superuser', 'active', 'Europe/Zurich', $3, now(), now())",
    )
    .bind(org_id)
    .bind(admin_email)
    .bind(&hash.0)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    let tag = &org_id.simple().to_string()[..8];
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at, \
                            last_sign_in_at, created_at) \
         SELECT $1, lower(translate(f || '.' || l, ' ''ü', '__u')) || '.' || i || '@' || $5 || '.example.com', f, l, \
                CASE WHEN i % 10 < 3 THEN 'operator' ELSE 'basic' END::user_role, s, 'Europe/Zurich', \
                CASE WHEN s IN ('active', 'disabled') THEN created + interval '1 hour' END, \
                CASE WHEN s IN ('active', 'disabled') AND i % 7 <> 0 THEN created + (i % 500) * interval '1 hour' END, \
                created \
         FROM generate_series(1, $2::bigint) AS i, \
              LATERAL (SELECT ($3::text[])[1 + (i * 7919) % cardinality($3::text[])] AS f, \
                              ($4::text[])[1 + (i * 104729 / 7) % cardinality($4::text[])] AS l, \
                              (CASE WHEN i % 20 = 0 THEN 'invited' WHEN i % 50 = 1 THEN 'disabled' \
                                    WHEN i % 97 = 2 THEN 'invite_canceled' ELSE 'active' END)::user_status AS s, \
                              now() - (i % 1500) * interval '1 day' - (i % 86400) * interval '1 second' AS created) AS g",
    )
    .bind(org_id)
    .bind(users)
    .bind(FIRST_NAMES)
    .bind(LAST_NAMES)
    .bind(tag)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    // Fresh statistics and visibility map now, rather than an autovacuum
    // competing with whatever runs next.
    sqlx::query("VACUUM (ANALYZE) users").execute(pool).await.map_err(|e| e.to_string())?;
    Ok(Seeded { org_id, admin_email: admin_email.to_owned() })
}

pub async fn run(config: Config, args: &[String]) -> Result<(), String> {
    let mut users: i64 = 100_000;
    let mut email = format!("admin-{}@seed.example.com", &Uuid::new_v4().simple().to_string()[..8]);
    let mut password = "Seeded-Admin-1".to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--users" => users = value()?.parse().map_err(|_| "--users needs a number".to_string())?,
            "--admin-email" => email = value()?,
            "--admin-password" => password = value()?,
            other => {
                return Err(format!(
                    "unknown option {other:?} (options: --users N --admin-email E --admin-password P)"
                ));
            }
        }
    }
    let pool = super::db::connect(&config).await.map_err(|e| e.to_string())?;
    super::db::migrate(&pool).await.map_err(|e| e.to_string())?;
    let hasher = crate::features::auth::server::password::PasswordHasher::new(config.argon2).await?;
    let started = Instant::now();
    let seeded = seed_organization(&pool, &hasher, users, &email, &Password::new(password.clone())).await?;
    println!(
        "Seeded {users} users into organization {} in {:.1} s. Sign in as {} with password {password}",
        seeded.org_id,
        started.elapsed().as_secs_f64(),
        seeded.admin_email
    );
    Ok(())
}
