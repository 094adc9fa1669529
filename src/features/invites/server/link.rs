//! Issuing a link: the one way Roster mails a token that lets its holder
//! act as a user. Activation (the first invite, an admin's resend, the
//! invited person's own "Send me a new link") and password recovery (an
//! admin's "Recover password", "Forgot password?", the lockout mail) all
//! come through `issue_link`, so a user never holds two working links of
//! one purpose and a withdrawn link is never mailed.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::features::mail::outbox::{OutgoingMail, enqueue};
use crate::features::mail::templates::InviteMail;
use crate::server::token;

/// Why a link is issued (stored with it; self-service requests are
/// counted for rate limiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkReason {
    Invite,
    Resend,
    /// Its holder asked for it ("Send me a new link", "Forgot password?").
    SelfService,
    /// An admin sent it ("Recover password").
    Admin,
    /// The account was locked by failed sign-ins; the lock mail carries it.
    Lockout,
}

impl LinkReason {
    fn as_str(self) -> &'static str {
        match self {
            LinkReason::Invite => "invite",
            LinkReason::Resend => "resend",
            LinkReason::SelfService => "self_service",
            LinkReason::Admin => "admin",
            LinkReason::Lockout => "lockout",
        }
    }
}

/// What a link lets its holder do. Each purpose has its own page, its own
/// mail kind in the outbox and its own lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Set the first password of an invited account (the organization's
    /// invite lifetime).
    Activation,
    /// Set a new password (one hour, as OWASP advises for reset tokens).
    Recovery,
    /// Confirm a new email address (24 hours; the link carries the address).
    EmailChange,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "activation",
            LinkPurpose::Recovery => "recovery",
            LinkPurpose::EmailChange => "email_change",
        }
    }

    /// The outbox `kind` of the mail that carries such a link.
    pub fn mail_kind(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "invite",
            LinkPurpose::Recovery => "recovery",
            LinkPurpose::EmailChange => "email_change",
        }
    }

    /// The page the link opens, before its token.
    fn page(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "/activate/",
            LinkPurpose::Recovery => "/recover/",
            LinkPurpose::EmailChange => "/confirm-email/",
        }
    }

    /// How long the link works: SQL for the interval, `o` being the
    /// organization's row.
    fn lifetime_sql(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "make_interval(hours => o.invite_ttl_hours)",
            LinkPurpose::Recovery => "interval '1 hour'",
            LinkPurpose::EmailChange => "interval '24 hours'",
        }
    }
}

/// What every link row says, whatever its purpose (select it with
/// `LINK_FACTS` from `invites i`).
#[derive(sqlx::FromRow)]
pub struct LinkFacts {
    pub link_id: Uuid,
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub const LINK_FACTS: &str = "i.id AS link_id, i.org_id, i.user_id, i.expires_at, i.used_at, i.revoked_at";

/// Where a link stands (activation adds its invite's own states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Valid,
    Expired,
    Used,
    /// A newer link of the same purpose revoked it.
    Replaced,
}

impl LinkFacts {
    pub fn state(&self, now: DateTime<Utc>) -> LinkState {
        if self.used_at.is_some() {
            LinkState::Used
        } else if self.revoked_at.is_some() {
            LinkState::Replaced
        } else if self.expires_at <= now {
            LinkState::Expired
        } else {
            LinkState::Valid
        }
    }
}

/// A link just issued: its full URL (only ever put in a mail), its row and
/// its expiry.
pub struct NewLink {
    pub url: String,
    pub id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Issues a link of `purpose` for a user, after revoking their earlier
/// open links of that purpose (and withdrawing those links' unsent mail).
/// `new_email` is the address an email-change link confirms (only then).
/// Part of the caller's transaction; the caller queues the mail with
/// `queue_link_mail`, so the link exists if and only if its mail is queued.
pub async fn issue_link(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    purpose: LinkPurpose,
    reason: LinkReason,
    new_email: Option<&str>,
    base_url: &str,
) -> Result<NewLink, AppError> {
    revoke_open_links(conn, org_id, user_id, purpose).await?;
    let (token, token_hash) = token::new_token();
    let (id, expires_at): (Uuid, DateTime<Utc>) = sqlx::query_as(&format!(
        "INSERT INTO invites (org_id, user_id, token_hash, expires_at, origin, purpose, new_email) \
         SELECT $1, $2, $3, now() + {}, $4, $5, $6 FROM organizations o WHERE o.id = $1 \
         RETURNING id, expires_at",
        purpose.lifetime_sql()
    ))
    .bind(org_id)
    .bind(user_id)
    .bind(&token_hash)
    .bind(reason.as_str())
    .bind(purpose.as_str())
    .bind(new_email)
    .fetch_one(&mut *conn)
    .await?;
    let url = format!("{}{}{token}", base_url.trim_end_matches('/'), purpose.page());
    Ok(NewLink { url, id, expires_at })
}

/// Queues the mail that carries `link` to `recipient`.
pub async fn queue_link_mail(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    purpose: LinkPurpose,
    link: &NewLink,
    recipient: &str,
    mail: crate::features::mail::templates::RenderedMail,
) -> Result<(), AppError> {
    enqueue(
        conn,
        OutgoingMail {
            org_id: Some(org_id),
            user_id: Some(user_id),
            invite_id: Some(link.id),
            sign_up_id: None,
            kind: purpose.mail_kind(),
            recipient,
            mail,
        },
    )
    .await?;
    Ok(())
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

/// Kills the user's open links of `purpose` and withdraws their mails that
/// have not left yet (a queued mail with a dead link would only confuse).
/// Part of the caller's transaction. A mail a worker is sending right now
/// is locked; this waits for it and then leaves it as sent.
pub async fn revoke_open_links(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    purpose: LinkPurpose,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invites SET revoked_at = now() \
         WHERE org_id = $1 AND user_id = $2 AND purpose = $3 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE outbox SET state = 'canceled', next_attempt_at = now() \
         WHERE org_id = $1 AND user_id = $2 AND kind = $3 AND state IN ('queued', 'retrying')",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(purpose.mail_kind())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Issues a fresh activation link (valid for the organization's invite
/// lifetime) and queues its mail, after revoking any earlier one. Part of
/// the caller's transaction.
pub async fn issue(
    conn: &mut PgConnection,
    recipient: Recipient<'_>,
    reason: LinkReason,
    base_url: &str,
) -> Result<IssuedLink, AppError> {
    let purpose = LinkPurpose::Activation;
    let link = issue_link(conn, recipient.org_id, recipient.user_id, purpose, reason, None, base_url).await?;
    let mail = InviteMail {
        first_name: recipient.first_name.to_owned(),
        organization: recipient.organization.to_owned(),
        inviter: recipient.inviter.to_owned(),
        link: link.url.clone(),
        expires: expiry_text(link.expires_at, recipient.time_zone),
        renewed: reason != LinkReason::Invite,
    }
    .render()?;
    queue_link_mail(conn, recipient.org_id, recipient.user_id, purpose, &link, recipient.email, mail).await?;
    Ok(IssuedLink { invite_id: link.id, expires_at: link.expires_at })
}
