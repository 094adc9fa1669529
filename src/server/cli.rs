//! Operator commands of the server binary (`roster org …`), for the people
//! who run the installation rather than an organization's admins.

use uuid::Uuid;

use super::config::Config;
use crate::features::orgs::server::{list_organizations, set_invite_ttl, set_quota};
use crate::features::users::types::Role;

const USAGE: &str = "usage:\n  roster org create --name <name> --time-zone <zone> --first-name <first> --last-name <last> --email <email>\n      (reads the Superuser's password from the first line of standard input)\n  roster org list\n  roster org set-quota --org <organization id> --role basic|operator|superuser --seats <n>\n  roster org set-invite-ttl --org <organization id> --hours <n>";

pub async fn org(config: Config, args: &[String]) -> Result<(), String> {
    let pool = super::db::connect(&config).await.map_err(|e| format!("cannot connect to the database: {e}"))?;
    super::db::migrate(&pool).await.map_err(|e| e.to_string())?;
    match args.first().map(String::as_str) {
        Some("create") => create(&pool, &config, &args[1..]).await,
        Some("list") => {
            for (id, name, seats) in list_organizations(&pool).await.map_err(|e| e.to_string())? {
                let seats: Vec<String> =
                    seats.iter().map(|s| format!("{} {}/{}", s.role.label(), s.used, s.quota)).collect();
                println!("{id}  {name}  ({})", seats.join(" · "));
            }
            Ok(())
        }
        Some("set-quota") => {
            let (mut org, mut role, mut seats) = (None, None, None);
            let mut rest = args[1..].iter();
            while let Some(flag) = rest.next() {
                let value = rest.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
                match flag.as_str() {
                    "--org" => org = Some(parse_org(value)?),
                    "--role" => {
                        role = Some(match value.as_str() {
                            "basic" => Role::Basic,
                            "operator" => Role::Operator,
                            "superuser" => Role::Superuser,
                            other => return Err(format!("unknown role {other:?}\n{USAGE}")),
                        })
                    }
                    "--seats" => seats = Some(value.parse::<i32>().map_err(|_| format!("not a number: {value}"))?),
                    other => return Err(format!("unknown option {other:?}\n{USAGE}")),
                }
            }
            let (Some(org), Some(role), Some(seats)) = (org, role, seats) else {
                return Err(USAGE.into());
            };
            let usage = set_quota(&pool, org, role, seats).await?;
            println!("{} seats: {}/{}", usage.role.label(), usage.used, usage.quota);
            Ok(())
        }
        Some("set-invite-ttl") => {
            let (mut org, mut hours) = (None, None);
            let mut rest = args[1..].iter();
            while let Some(flag) = rest.next() {
                let value = rest.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
                match flag.as_str() {
                    "--org" => org = Some(parse_org(value)?),
                    "--hours" => hours = Some(value.parse::<i32>().map_err(|_| format!("not a number: {value}"))?),
                    other => return Err(format!("unknown option {other:?}\n{USAGE}")),
                }
            }
            let (Some(org), Some(hours)) = (org, hours) else { return Err(USAGE.into()) };
            let hours = set_invite_ttl(&pool, org, hours).await?;
            println!("activation links of new invites stay valid for {hours} hours");
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

/// `roster org create`: reads the flags and the password, then creates.
async fn create(pool: &crate::server::db::Db, config: &Config, args: &[String]) -> Result<(), String> {
    use crate::features::auth::server::password::PasswordHasher;
    use crate::features::auth::types::Password;

    let mut input = OperatorOrganization::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?.clone();
        match flag.as_str() {
            "--name" => input.name = value,
            "--time-zone" => input.time_zone = value,
            "--first-name" => input.first_name = value,
            "--last-name" => input.last_name = value,
            "--email" => input.email = value,
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
    let password = Password::new(line.trim_end_matches(['\r', '\n']));
    let hasher = PasswordHasher::new(config.argon2).await?;
    let (org_id, _) = create_organization(pool, &hasher, config.default_seats, &input, &password).await?;
    println!(
        "{org_id}  {}: {} {} <{}> is its Superuser and can sign in",
        input.name.trim(),
        input.first_name.trim(),
        input.last_name.trim(),
        input.email.trim()
    );
    Ok(())
}

/// What `roster org create` takes besides the password.
#[derive(Debug, Clone, Default)]
pub struct OperatorOrganization {
    pub name: String,
    pub time_zone: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// An organization and its Superuser without the sign-up mail: for an
/// operator setting up a customer, and for tests that are not about
/// sign-up. The same checks as the sign-up form and its confirmation page;
/// the problems come back as one message per line, named by flag. Returns
/// the organization's and the Superuser's ids.
pub async fn create_organization(
    pool: &crate::server::db::Db,
    hasher: &crate::features::auth::server::password::PasswordHasher,
    seats: crate::server::config::DefaultSeats,
    input: &OperatorOrganization,
    password: &crate::features::auth::types::Password,
) -> Result<(Uuid, Uuid), String> {
    use crate::error::{AppError, Validator};
    use crate::features::auth::server::new_password;
    use crate::features::auth::types::MAX_ORG_NAME_CHARS;
    use crate::features::auth::types::PasswordPolicy;
    use crate::features::orgs::server::{NewOrganization, create_with_superuser};
    use crate::features::users::server::validate;

    let mut v = Validator::new();
    let name = validate::required_text(&mut v, "name", "Organization name", &input.name, MAX_ORG_NAME_CHARS);
    let time_zone = validate::time_zone(&mut v, "time-zone", &input.time_zone);
    let first_name = validate::name(&mut v, "first-name", "First name", &input.first_name);
    let last_name = validate::name(&mut v, "last-name", "Last name", &input.last_name);
    let email = validate::email(&mut v, "email", &input.email);
    let personal = [email.as_str(), &first_name, &last_name];
    new_password::check(&mut v, PasswordPolicy::default(), password, password, &personal);
    if let Err(AppError::Validation { fields }) = v.finish() {
        let problems: Vec<String> = fields.iter().map(|f| format!("--{}: {}", f.field, f.message)).collect();
        return Err(problems.join("\n"));
    }
    let time_zone = time_zone.expect("validated");
    let hash = hasher.hash(password).await.map_err(|e| e.to_string())?;
    let new = NewOrganization {
        name: &name,
        time_zone: time_zone.name(),
        first_name: &first_name,
        last_name: &last_name,
        email: &email,
    };
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let (org_id, user_id) = create_with_superuser(&mut tx, &new, &hash.0, seats).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    tracing::info!(%org_id, %user_id, "organization created by the operator");
    Ok((org_id, user_id))
}

fn parse_org(value: &str) -> Result<Uuid, String> {
    Uuid::parse_str(value).map_err(|_| format!("not an organization id: {value}"))
}
