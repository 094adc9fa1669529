//! Creating an invite: the invited user, the activation link and its email,
//! in one transaction. The seat quota is enforced by the database (see the
//! `seats` table), so concurrent invites for the last seat create exactly one.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::link::{LinkReason, Recipient, issue};
use super::validate::ValidInvite;
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, count_recent, record};
use crate::features::auth::server::guard::Actor;
use crate::features::orgs::server::{is_email_taken, is_quota_exceeded};
use crate::server::db::Db;

/// ELMA365's rule: an address that already has a Roster account (logins
/// are unique across the installation) cannot be invited.
pub const EMAIL_TAKEN: &str = "A user with this email already exists.";

/// Refusals of that kind one organization may get per hour. Each one tells
/// the admin that an address has an account somewhere, so beyond this
/// every invite of the organization waits (probing addresses through the
/// dialog is slow), and each refusal is in the audit log (and visible).
pub const INVITE_REFUSALS_PER_HOUR: i64 = 10;

/// Who sends (or resends) an invite, as its mail names them.
pub struct Inviter {
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub organization: String,
    /// The request, for the audit log.
    pub origin: Origin,
}

impl Inviter {
    /// The signed-in admin of the request.
    pub fn of(ctx: &crate::server::respond::RequestContext, actor: &Actor) -> Self {
        Self {
            org_id: actor.org_id,
            user_id: actor.user_id,
            name: format!("{} {}", actor.first_name, actor.last_name),
            organization: actor.organization.clone(),
            origin: Origin::of(ctx, Some(actor)),
        }
    }
}

pub struct CreatedInvite {
    pub user_id: Uuid,
    pub invite_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(org_id = %inviter.org_id))]
pub async fn create_invite(
    pool: &Db,
    inviter: &Inviter,
    invite: &ValidInvite,
    base_url: &str,
) -> Result<CreatedInvite, AppError> {
    let mut tx = pool.begin().await?;
    let refusals = count_recent(&mut tx, inviter.org_id, Action::InviteRefusedExistingAccount, 1).await?;
    if refusals >= INVITE_REFUSALS_PER_HOUR {
        tracing::warn!(refusals, "invites paused: too many addresses with accounts tried in the last hour");
        return Err(AppError::RateLimited {
            message: "Too many invitations in the last hour went to addresses that already have a Roster account. \
                      Please try again later."
                .into(),
        });
    }
    let inserted = sqlx::query_scalar(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, mobile_phone, \
                            department, work_phone, work_phone_ext, date_of_birth, hire_date, invited_by, kind) \
         VALUES ($1, $2, $3, $4, $5, 'invited', $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(inviter.org_id)
    .bind(&invite.email)
    .bind(&invite.first_name)
    .bind(&invite.last_name)
    .bind(invite.role)
    .bind(invite.time_zone.name())
    .bind(&invite.mobile_phone)
    .bind(&invite.department)
    .bind(&invite.work_phone)
    .bind(&invite.work_phone_ext)
    .bind(invite.date_of_birth)
    .bind(invite.hire_date)
    .bind(inviter.user_id)
    .bind(invite.kind)
    .fetch_one(&mut *tx)
    .await;
    let user_id: Uuid = match inserted {
        Ok(id) => id,
        Err(e) if is_email_taken(&e) => {
            // The insert failed, so this transaction records the refusal only.
            tx.rollback().await?;
            let mut tx = pool.begin().await?;
            let entry = Entry::new(inviter.org_id, Action::InviteRefusedExistingAccount)
                .with(serde_json::json!({ "email": invite.email }));
            record(&mut tx, &inviter.origin, entry).await?;
            tx.commit().await?;
            tracing::info!("invite refused: the address already has an account");
            return Err(AppError::field("email", EMAIL_TAKEN));
        }
        Err(e) if is_quota_exceeded(&e) => {
            return Err(AppError::field(
                "role",
                format!("All {} seats are taken. Cancel an invite or choose another role.", invite.role.label()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if invite.dashboard_access != crate::features::access::types::DashboardAccess::None {
        set_dashboards(&mut tx, inviter.org_id, user_id, invite).await?;
    }
    let position = match &invite.position {
        Some(name) => {
            use crate::features::positions::server::{by_name, give};
            let id = by_name(&mut tx, inviter.org_id, name, "position").await?;
            give(&mut tx, inviter.org_id, user_id, id).await?;
            Some(name.clone())
        }
        None => None,
    };
    {
        use crate::features::profile::server::{fields, set_messengers, set_values};
        if !invite.messengers.is_empty() {
            set_messengers(&mut tx, inviter.org_id, user_id, &invite.messengers).await?;
        }
        let defined = fields(&mut tx, inviter.org_id).await?;
        set_values(&mut tx, inviter.org_id, user_id, &defined, &invite.field_values).await?;
    }
    let groups = if invite.groups.is_empty() {
        None
    } else {
        crate::features::groups::server::set_user_groups(&mut tx, inviter.org_id, user_id, &invite.groups)
            .await?
            .map(|change| change.trim_start_matches("none → ").to_owned())
    };

    let link = issue(
        &mut tx,
        Recipient {
            org_id: inviter.org_id,
            user_id,
            email: &invite.email,
            first_name: &invite.first_name,
            time_zone: invite.time_zone,
            organization: &inviter.organization,
            inviter: &inviter.name,
        },
        LinkReason::Invite,
        base_url,
    )
    .await?;
    let name = format!("{} {}", invite.first_name, invite.last_name);
    let entry = Entry::new(inviter.org_id, Action::InviteCreated).about(user_id, &name).with(serde_json::json!({
        "email": invite.email,
        "role": invite.role.label(),
        "type": invite.kind.label(),
        "groups": groups,
        "position": position,
    }));
    record(&mut tx, &inviter.origin, entry).await?;
    tx.commit().await?;
    tracing::info!(%user_id, invite_id = %link.invite_id, "user invited");
    Ok(CreatedInvite { user_id, invite_id: link.invite_id, expires_at: link.expires_at })
}

/// The invite's "Dashboard permissions", in its transaction: only the
/// organization's own dashboards can be chosen.
async fn set_dashboards(
    conn: &mut sqlx::PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    invite: &ValidInvite,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET dashboard_access = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .bind(invite.dashboard_access.param())
        .execute(&mut *conn)
        .await?;
    let chosen = sqlx::query(
        "INSERT INTO user_dashboards (org_id, user_id, dashboard_id) \
         SELECT $1, $2, d.id FROM dashboards d WHERE d.org_id = $1 AND d.id = ANY($3)",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(&invite.dashboards)
    .execute(&mut *conn)
    .await?;
    if chosen.rows_affected() != invite.dashboards.len() as u64 {
        return Err(AppError::field("dashboards", "Choose dashboards from the list."));
    }
    Ok(())
}
