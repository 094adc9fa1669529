//! Operator commands of the server binary (`roster org …`), for the people
//! who run the installation rather than an organization's admins.

use uuid::Uuid;

use super::config::Config;
use crate::features::orgs::server::{list_organizations, set_invite_ttl, set_quota};
use crate::features::users::types::Role;

const USAGE: &str = "usage:\n  roster org list\n  roster org set-quota --org <organization id> --role basic|operator|superuser --seats <n>\n  roster org set-invite-ttl --org <organization id> --hours <n>";

pub async fn org(config: Config, args: &[String]) -> Result<(), String> {
    let pool = super::db::connect(&config).await.map_err(|e| format!("cannot connect to the database: {e}"))?;
    super::db::migrate(&pool).await.map_err(|e| e.to_string())?;
    match args.first().map(String::as_str) {
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

fn parse_org(value: &str) -> Result<Uuid, String> {
    Uuid::parse_str(value).map_err(|_| format!("not an organization id: {value}"))
}
