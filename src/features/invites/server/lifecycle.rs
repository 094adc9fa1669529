//! The invite lifecycle after "Add user": the admin resends or cancels an
//! invite, and the invited person asks for a fresh link from an expired one.
//! Each is one transaction that locks the user's row first, so two admins
//! clicking at once cannot issue two working links or cancel half an invite.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::activate::{ActivationLink, lock_link, refusal};
use super::create::Inviter;
use super::link::{LinkPurpose, LinkReason, Recipient, issue, revoke_open_links};
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::orgs::server::is_quota_exceeded;
use crate::features::users::types::{Role, UserStatus};
use crate::server::db::Db;

/// How many fresh links an invited person may request for themselves in a
/// day. Each request also kills the link it came from, so this is a cap on
/// mail to one address, not the only guard.
pub const SELF_SERVICE_LINKS_PER_DAY: i64 = 3;

#[derive(FromRow)]
struct Target {
    email: String,
    first_name: String,
    last_name: String,
    time_zone: String,
    status: UserStatus,
    role: Role,
}

/// Locks one user of the admin's organization (another organization's user
/// is simply not found).
async fn lock_user(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Target, AppError> {
    sqlx::query_as(
        "SELECT email, first_name, last_name, time_zone, status, role FROM users \
         WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

fn not_pending(target: &Target) -> AppError {
    let name = format!("{} {}", target.first_name, target.last_name);
    AppError::bad_request(match target.status {
        UserStatus::Active => format!("{name} has already activated their account."),
        UserStatus::Disabled => format!("{name} is disabled; enable the account instead."),
        UserStatus::InviteCanceled => format!("The invite of {name} is already cancelled."),
        UserStatus::Invited => format!("{name} has a pending invite."),
    })
}

/// Resend: a new link and a new mail; the old link stops working and the
/// expiry starts over. A cancelled invite becomes Invited again, which
/// takes a seat of its role (refused when none is free).
#[tracing::instrument(skip_all, fields(org_id = %admin.org_id, %user_id))]
pub async fn resend(pool: &Db, admin: &Inviter, user_id: Uuid, base_url: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let target = lock_user(&mut tx, admin.org_id, user_id).await?;
    match target.status {
        UserStatus::Invited => {}
        UserStatus::InviteCanceled => {
            let reinstated = sqlx::query(
                "UPDATE users SET status = 'invited', invited_by = $3, version = version + 1 \
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(admin.org_id)
            .bind(user_id)
            .bind(admin.user_id)
            .execute(&mut *tx)
            .await;
            match reinstated {
                Ok(_) => {}
                Err(e) if is_quota_exceeded(&e) => {
                    return Err(AppError::bad_request(format!(
                        "All {} seats are taken, so this invite cannot be sent again. Cancel another invite first.",
                        target.role.label()
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
        UserStatus::Active | UserStatus::Disabled => return Err(not_pending(&target)),
    }
    let link = issue(
        &mut tx,
        Recipient {
            org_id: admin.org_id,
            user_id,
            email: &target.email,
            first_name: &target.first_name,
            time_zone: target.time_zone.parse().unwrap_or(Tz::UTC),
            organization: &admin.organization,
            inviter: &admin.name,
        },
        LinkReason::Resend,
        base_url,
    )
    .await?;
    let name = format!("{} {}", target.first_name, target.last_name);
    let entry = Entry::new(admin.org_id, Action::InviteResent)
        .about(user_id, &name)
        .with(serde_json::json!({ "email": target.email }));
    record(&mut tx, &admin.origin, entry).await?;
    tx.commit().await?;
    tracing::info!(invite_id = %link.invite_id, "invite resent");
    Ok(())
}

/// Cancel: the link stops working, unsent mail is withdrawn, the status
/// becomes Invite canceled and the seat is freed (by the seats trigger).
#[tracing::instrument(skip_all, fields(org_id = %admin.org_id, %user_id))]
pub async fn cancel(pool: &Db, admin: &Inviter, user_id: Uuid) -> Result<(), AppError> {
    let org_id = admin.org_id;
    let mut tx = pool.begin().await?;
    let target = lock_user(&mut tx, org_id, user_id).await?;
    if target.status != UserStatus::Invited {
        return Err(not_pending(&target));
    }
    sqlx::query("UPDATE users SET status = 'invite_canceled', version = version + 1 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    revoke_open_links(&mut tx, org_id, user_id, LinkPurpose::Activation).await?;
    let name = format!("{} {}", target.first_name, target.last_name);
    let entry = Entry::new(org_id, Action::InviteCanceled)
        .about(user_id, &name)
        .with(serde_json::json!({ "email": target.email }));
    record(&mut tx, &admin.origin, entry).await?;
    tx.commit().await?;
    tracing::info!("invite cancelled");
    Ok(())
}

pub struct NewLink {
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub time_zone: Tz,
}

/// "Send me a new link" from an expired link's page: no admin needed. Only
/// the current, expired link of a still-invited user can ask; the request
/// kills it, so each link asks at most once, and a user gets at most
/// `SELF_SERVICE_LINKS_PER_DAY` such links a day.
#[tracing::instrument(skip_all)]
pub async fn request_new_link(
    pool: &Db,
    link_token: &str,
    base_url: &str,
    origin: &Origin,
) -> Result<NewLink, AppError> {
    let mut tx = pool.begin().await?;
    let (state, row) = lock_link(&mut tx, link_token).await?;
    let (ActivationLink::Expired { organization }, Some(row)) = (&state, &row) else {
        return Err(match state {
            ActivationLink::Valid { .. } => {
                AppError::bad_request("This link still works: use it to activate your account.")
            }
            other => refusal(&other),
        });
    };
    let recent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invites WHERE org_id = $1 AND user_id = $2 AND purpose = 'activation' AND origin = 'self_service' \
         AND created_at > now() - make_interval(hours => 24)",
    )
    .bind(row.org_id)
    .bind(row.user_id)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= SELF_SERVICE_LINKS_PER_DAY {
        tracing::warn!(user_id = %row.user_id, "self-service link limit reached");
        return Err(AppError::RateLimited {
            message: "You have asked for several new links today. Ask your organization's admin to resend your invite."
                .into(),
        });
    }
    let time_zone: Tz = row.time_zone.parse().unwrap_or(Tz::UTC);
    let inviter = row.admin.clone().unwrap_or_else(|| organization.clone());
    let link = issue(
        &mut tx,
        Recipient {
            org_id: row.org_id,
            user_id: row.user_id,
            email: &row.email,
            first_name: &row.first_name,
            time_zone,
            organization,
            inviter: &inviter,
        },
        LinkReason::SelfService,
        base_url,
    )
    .await?;
    // The holder of the link acts: the invited person themself.
    let name = format!("{} {}", row.first_name, row.last_name);
    let entry = Entry::new(row.org_id, Action::NewLinkRequested).about(row.user_id, &name);
    record(&mut tx, &origin.clone().by(row.user_id, &name), entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = %row.user_id, org_id = %row.org_id, invite_id = %link.invite_id, "new link requested by the invitee");
    Ok(NewLink { email: row.email.clone(), expires_at: link.expires_at, time_zone })
}
