//! Creating an invite: the invited user, the activation link and its email,
//! in one transaction. The seat quota is enforced by the database (see the
//! `seats` table), so concurrent invites for the last seat create exactly one.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::link::{Origin, Recipient, issue};
use super::validate::ValidInvite;
use crate::error::AppError;
use crate::features::auth::server::guard::Actor;
use crate::features::auth::server::sign_up::{EMAIL_TAKEN, is_email_taken};
use crate::features::orgs::server::is_quota_exceeded;

/// Who sends (or resends) an invite, as its mail names them.
pub struct Inviter {
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub organization: String,
}

impl Inviter {
    /// The signed-in admin of the request.
    pub fn from_actor(actor: &Actor) -> Self {
        Self {
            org_id: actor.org_id,
            user_id: actor.user_id,
            name: format!("{} {}", actor.first_name, actor.last_name),
            organization: actor.organization.clone(),
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
    pool: &PgPool,
    inviter: &Inviter,
    invite: &ValidInvite,
    base_url: &str,
) -> Result<CreatedInvite, AppError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, mobile_phone, \
                            department, work_phone, work_phone_ext, date_of_birth, hire_date, invited_by) \
         VALUES ($1, $2, $3, $4, $5, 'invited', $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
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
    .fetch_one(&mut *tx)
    .await;
    let user_id: Uuid = match inserted {
        Ok(id) => id,
        Err(e) if is_email_taken(&e) => return Err(AppError::field("email", EMAIL_TAKEN)),
        Err(e) if is_quota_exceeded(&e) => {
            return Err(AppError::field(
                "role",
                format!("All {} seats are taken. Cancel an invite or choose another role.", invite.role.label()),
            ));
        }
        Err(e) => return Err(e.into()),
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
        Origin::Invite,
        base_url,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%user_id, invite_id = %link.invite_id, "user invited");
    Ok(CreatedInvite { user_id, invite_id: link.invite_id, expires_at: link.expires_at })
}
