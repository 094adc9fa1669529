//! Issuing an activation link. The first invite, an admin's resend and the
//! invited person's own "Send me a new link" all come through here, so a
//! user never holds two working links and a withdrawn link is never mailed.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::features::mail::outbox::{OutgoingMail, enqueue};
use crate::features::mail::templates::InviteMail;
use crate::server::token;

/// Why a link is issued (stored on the invite; self-service requests are
/// counted for rate limiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkReason {
    Invite,
    Resend,
    SelfService,
}

impl LinkReason {
    fn as_str(self) -> &'static str {
        match self {
            LinkReason::Invite => "invite",
            LinkReason::Resend => "resend",
            LinkReason::SelfService => "self_service",
        }
    }
}

/// Who the link is for and what its mail says.
pub struct Recipient<'a> {
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub email: &'a str,
    pub first_name: &'a str,
    pub time_zone: Tz,
    pub organization: &'a str,
    /// Named in the mail as the one who invited them.
    pub inviter: &'a str,
}

pub struct IssuedLink {
    pub invite_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// How an expiry reads in the recipient's mail and on pages.
pub fn expiry_text(at: DateTime<Utc>, zone: Tz) -> String {
    format!("{} ({})", at.with_timezone(&zone).format("%-d %b %Y, %H:%M"), zone.name())
}

/// Kills the user's open links and withdraws their invite mails that have
/// not left yet (a queued mail with a dead link would only confuse). Part
/// of the caller's transaction. A mail a worker is sending right now is
/// locked; this waits for it and then leaves it as sent.
pub async fn revoke_open_links(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invites SET revoked_at = now() \
         WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE outbox SET state = 'canceled', next_attempt_at = now() \
         WHERE org_id = $1 AND user_id = $2 AND kind = 'invite' AND state IN ('queued', 'retrying')",
    )
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Issues a fresh link (valid for the organization's invite lifetime) and
/// queues its mail, after revoking any earlier link. Part of the caller's
/// transaction, so the link exists if and only if its mail is queued.
pub async fn issue(
    conn: &mut PgConnection,
    recipient: Recipient<'_>,
    reason: LinkReason,
    base_url: &str,
) -> Result<IssuedLink, AppError> {
    revoke_open_links(conn, recipient.org_id, recipient.user_id).await?;
    let (token, token_hash) = token::new_token();
    let (invite_id, expires_at): (Uuid, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO invites (org_id, user_id, token_hash, expires_at, origin) \
         SELECT $1, $2, $3, now() + make_interval(hours => o.invite_ttl_hours), $4 FROM organizations o WHERE o.id = $1 \
         RETURNING id, expires_at",
    )
    .bind(recipient.org_id)
    .bind(recipient.user_id)
    .bind(&token_hash)
    .bind(reason.as_str())
    .fetch_one(&mut *conn)
    .await?;

    let mail = InviteMail {
        first_name: recipient.first_name.to_owned(),
        organization: recipient.organization.to_owned(),
        inviter: recipient.inviter.to_owned(),
        link: format!("{}/activate/{token}", base_url.trim_end_matches('/')),
        expires: expiry_text(expires_at, recipient.time_zone),
        renewed: reason != LinkReason::Invite,
    }
    .render()?;
    enqueue(
        conn,
        OutgoingMail {
            org_id: Some(recipient.org_id),
            user_id: Some(recipient.user_id),
            invite_id: Some(invite_id),
            sign_up_id: None,
            kind: "invite",
            recipient: recipient.email,
            mail,
        },
    )
    .await?;
    Ok(IssuedLink { invite_id, expires_at })
}
