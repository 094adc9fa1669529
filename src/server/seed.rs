//! `roster seed --users N`: one organization with N realistic users (mixed
//! roles and statuses) for benchmarks and demos, inserted by one statement.

use std::time::Instant;

use uuid::Uuid;

use super::config::{Config, DefaultSeats};
use crate::features::auth::types::Password;
use crate::features::orgs::server::create_organization;
use crate::server::db::Db;

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Anders",
    "Aroha",
    "Beatriz",
    "Bruno",
    "Chen",
    "Chiara",
    "Dmitri",
    "Elena",
    "Emeka",
    "Farah",
    "Finn",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jamal",
    "Jana",
    "Kai",
    "Keiko",
    "Lars",
    "Leila",
    "Liam",
    "Lucia",
    "Mads",
    "Maria",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sami",
    "Sofia",
    "Tariq",
    "Thea",
    "Tomas",
    "Uma",
    "Victor",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zhang",
    "Zoë",
    "Łukasz",
    "Søren",
    "Émile",
    "Елена",
    "Иван",
    "Ольга",
    "Дмитрий",
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
    "Ångström",
    "Nguyễn",
    "Schütz",
    "Иванова",
    "Петров",
    "Смирнов",
];

pub struct Seeded {
    pub org_id: Uuid,
    pub admin_email: String,
}

/// Creates an organization whose Superuser is `admin_email` (password
/// `admin_password`) with `users` more users.
pub async fn seed_organization(
    pool: &Db,
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
    // Each employee is written with their displayed position, and the
    // position they hold follows in `seed_memberships`: rewriting a million
    // user rows afterwards took most of the seeding time.
    sqlx::query("SET CONSTRAINTS users_displayed_position_held DEFERRED")
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    seed_positions(&mut tx, org_id).await.map_err(|e| e.to_string())?;
    sqlx::query(
        "INSERT INTO users (id, org_id, email, first_name, last_name, role, status, time_zone, activated_at, \
                            last_sign_in_at, created_at, kind, department, displayed_position_id) \
         SELECT g.id, $1, translate(roster_fold(f || '.' || l), ' ' || chr(39), '__') || '.' || i || '@' || $5 || '.example.com', f, l, \
                CASE WHEN i % 10 < 3 THEN 'operator' ELSE 'basic' END::user_role, s, 'Europe/Zurich', \
                CASE WHEN s IN ('active', 'disabled') THEN created + interval '1 hour' END, \
                CASE WHEN s IN ('active', 'disabled') AND i % 7 <> 0 THEN created + (i % 500) * interval '1 hour' END, \
                created, (CASE WHEN i % 10 = 7 THEN 'external' ELSE 'internal' END)::user_kind, \
                (ARRAY['Sales', 'Quality', 'Logistics', 'Finance', 'Engineering'])[1 + i % 5], \
                CASE WHEN i % 10 <> 7 THEN (SELECT p.id FROM seeded_positions p \
                                            WHERE p.k = 1 + abs(hashtext(g.id::text || 'p')::bigint) % $6) END \
         FROM generate_series(1, $2::bigint) AS i, \
              LATERAL (SELECT ($3::text[])[1 + (i * 7919) % cardinality($3::text[])] AS f, \
                              ($4::text[])[1 + (i * 104729 / 7) % cardinality($4::text[])] AS l, \
                              (CASE WHEN i % 20 = 0 THEN 'invited' WHEN i % 50 = 1 THEN 'disabled' \
                                    WHEN i % 97 = 2 THEN 'invite_canceled' ELSE 'active' END)::user_status AS s, \
                              now() - (i % 1500) * interval '1 day' - (i % 86400) * interval '1 second' AS created, \
                              gen_random_uuid() AS id) AS g",
    )
    .bind(org_id)
    .bind(users)
    .bind(FIRST_NAMES)
    .bind(LAST_NAMES)
    .bind(tag)
    .bind(SEEDED_POSITIONS)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    // Statistics for the rows just written, so that what follows in this
    // transaction (the memberships, their checks) is planned for a million
    // users, not for the empty table the planner last saw.
    sqlx::query("ANALYZE users").execute(&mut *tx).await.map_err(|e| e.to_string())?;
    seed_memberships(&mut tx, org_id).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    // Fresh statistics and visibility map now, rather than an autovacuum
    // competing with whatever runs next.
    for table in ["users", "groups", "group_members", "positions", "user_positions"] {
        sqlx::query(&format!("VACUUM (ANALYZE) {table}")).execute(pool).await.map_err(|e| e.to_string())?;
    }
    Ok(Seeded { org_id, admin_email: admin_email.to_owned() })
}

/// Groups in the seeded organization: each user is in 0 to 5 of them.
pub const SEEDED_GROUPS: i64 = 2_000;
/// Positions, as a tree where each has three sub-positions (9 levels deep
/// at 5,000); each employee holds one.
pub const SEEDED_POSITIONS: i64 = 5_000;

/// The chart of a seeded organization: a tree of positions, kept in a
/// temporary table too so that users can be given one as they are written.
async fn seed_positions(tx: &mut sqlx::PgConnection, org_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TEMP TABLE seeded_positions ON COMMIT DROP AS \
         SELECT k, gen_random_uuid() AS id FROM generate_series(1, $1::bigint) k",
    )
    .bind(SEEDED_POSITIONS)
    .execute(&mut *tx)
    .await?;
    sqlx::query("CREATE UNIQUE INDEX ON seeded_positions (k)").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO positions (id, org_id, parent_id, name) \
         SELECT p.id, $1, parent.id, 'Position ' || lpad(p.k::text, 4, '0') FROM seeded_positions p \
         LEFT JOIN seeded_positions parent ON p.k > 1 AND parent.k = (p.k - 2) / 3 + 1 ORDER BY p.k",
    )
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Groups with their members (each user in 0 to 5), and the position each
/// employee was given as their displayed one. Set-based statements, so a
/// million users take seconds, not hours.
async fn seed_memberships(tx: &mut sqlx::PgConnection, org_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO groups (org_id, name, description) SELECT $1, 'Group ' || lpad(g::text, 4, '0'), 'Seeded' FROM generate_series(1, $2::bigint) g")
        .bind(org_id)
        .bind(SEEDED_GROUPS)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO group_members (org_id, group_id, user_id) \
         SELECT u.org_id, (g.ids)[1 + (abs(hashtext(u.id::text)::bigint) + k * 7919) % cardinality(g.ids)], u.id \
         FROM users u, (SELECT array_agg(id ORDER BY name) AS ids FROM groups WHERE org_id = $1) g, \
              LATERAL generate_series(1, abs(hashtext(u.id::text)::bigint) % 6) k \
         WHERE u.org_id = $1 AND u.role <> 'superuser' ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO user_positions (org_id, user_id, position_id) \
         SELECT org_id, id, displayed_position_id FROM users \
         WHERE org_id = $1 AND displayed_position_id IS NOT NULL",
    )
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
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
