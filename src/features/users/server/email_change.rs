//! Changing a user's email (only where the organization's Security
//! settings allow it, as ELMA365 allows it only on-premises). An admin
//! enters the new address on Edit; it takes effect only when its owner
//! confirms it by the link mailed there (single use, 24 hours), and the old
//! address is told when it is asked for and when it is done (OWASP's advice
//! for changing a registered email). Until then the profile shows it as
//! pending.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::access::Admin;
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::invites::server::link::{
    LINK_FACTS, LinkFacts, LinkPurpose, LinkReason, LinkState, expiry_text, issue_link, queue_link_mail,
};
use crate::features::mail::outbox::{OutgoingMail, enqueue};
use crate::features::mail::templates::{EmailChangeConfirmMail, EmailChangeNoticeMail};
use crate::features::orgs::server::is_email_taken;
use crate::features::users::types::{EmailChangeLink, EmailChangeState, UserStatus};
use crate::server::db::Db;
use crate::server::token;

const TAKEN: &str = "Another Roster account already uses this address.";

/// The user whose address changes, locked by the caller's transaction.
pub struct Owner<'a> {
    pub user_id: Uuid,
    pub status: UserStatus,
    pub email: &'a str,
    pub first_name: &'a str,
    /// "First Last", for the audit log.
    pub name: &'a str,
    pub time_zone: &'a str,
}

/// Asks for the change, in the caller's transaction (Edit → Save): the
/// link to `new_email`, the notice to the old address, the audit entry.
/// `new_email` is already validated.
pub async fn request(
    conn: &mut PgConnection,
    admin: &Admin,
    owner: Owner<'_>,
    new_email: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let (allowed, organization): (bool, String) =
        sqlx::query_as("SELECT email_editable, name FROM organizations WHERE id = $1")
            .bind(admin.org_id)
            .fetch_one(&mut *conn)
            .await?;
    if !allowed {
        return Err(AppError::field(
            "email",
            "Email addresses cannot be changed in this organization. A Superuser can allow it in Security settings.",
        ));
    }
    if owner.status == UserStatus::Invited || owner.status == UserStatus::InviteCanceled {
        return Err(AppError::field(
            "email",
            "An invitation's address is not changed: cancel the invite and invite the right address.",
        ));
    }
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))")
        .bind(new_email)
        .fetch_one(&mut *conn)
        .await?;
    if taken {
        return Err(AppError::field("email", TAKEN));
    }
    let purpose = LinkPurpose::EmailChange;
    let link =
        issue_link(conn, admin.org_id, owner.user_id, purpose, LinkReason::Admin, Some(new_email), base_url).await?;
    let zone: Tz = owner.time_zone.parse().unwrap_or(Tz::UTC);
    let admin_name = admin.origin.actor_name.clone().unwrap_or_default();
    let mail = EmailChangeConfirmMail {
        first_name: owner.first_name.to_owned(),
        organization: organization.clone(),
        admin: admin_name.clone(),
        new_email: new_email.to_owned(),
        link: link.url.clone(),
        expires: expiry_text(link.expires_at, zone),
    }
    .render()?;
    queue_link_mail(conn, admin.org_id, owner.user_id, purpose, &link, new_email, mail).await?;
    let notice = EmailChangeNoticeMail {
        first_name: owner.first_name.to_owned(),
        organization,
        admin: admin_name,
        new_email: new_email.to_owned(),
        confirmed: false,
    };
    queue_notice(conn, admin.org_id, owner.user_id, owner.email, &notice).await?;
    let entry = Entry::new(admin.org_id, Action::EmailChangeRequested)
        .about(owner.user_id, owner.name)
        .with(serde_json::json!({ "email": format!("{} → {new_email} (pending)", owner.email) }));
    record(conn, &admin.origin, entry).await
}

async fn queue_notice(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    old_email: &str,
    notice: &EmailChangeNoticeMail,
) -> Result<(), AppError> {
    let outgoing = OutgoingMail {
        org_id: Some(org_id),
        user_id: Some(user_id),
        invite_id: None,
        sign_up_id: None,
        kind: "email_change_notice",
        recipient: old_email,
        mail: notice.render()?,
    };
    enqueue(conn, outgoing).await?;
    Ok(())
}

/// The address waiting for its owner's confirmation, if any.
pub async fn pending(pool: &Db, org_id: Uuid, user_id: Uuid) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT new_email FROM invites WHERE org_id = $1 AND user_id = $2 AND purpose = 'email_change' \
         AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 1",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?)
}

#[derive(FromRow)]
struct LinkRow {
    #[sqlx(flatten)]
    link: LinkFacts,
    new_email: String,
    email: String,
    first_name: String,
    last_name: String,
    organization: String,
}

fn link_query() -> String {
    format!("SELECT {LINK_FACTS}, {LINK_QUERY_REST}")
}

const LINK_QUERY_REST: &str = "i.new_email, u.email, u.first_name, u.last_name, o.name AS organization \
     FROM invites i \
     JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id \
     JOIN organizations o ON o.id = i.org_id \
     WHERE i.token_hash = $1 AND i.purpose = 'email_change'";

fn state_of(row: Option<&LinkRow>, now: DateTime<Utc>) -> EmailChangeLink {
    let state = match row.map(|row| row.link.state(now)) {
        None => EmailChangeState::Unknown,
        Some(LinkState::Used) => EmailChangeState::Used,
        Some(LinkState::Replaced) => EmailChangeState::Replaced,
        Some(LinkState::Expired) => EmailChangeState::Expired,
        Some(LinkState::Valid) => EmailChangeState::Valid,
    };
    match row.filter(|_| state == EmailChangeState::Valid) {
        Some(row) => {
            EmailChangeLink { state, new_email: row.new_email.clone(), organization: row.organization.clone() }
        }
        None => EmailChangeLink { state, new_email: String::new(), organization: String::new() },
    }
}

/// What the link leads to, without changing anything.
pub async fn inspect(pool: &Db, link_token: &str) -> Result<EmailChangeLink, AppError> {
    if link_token.len() > 100 {
        return Ok(state_of(None, Utc::now()));
    }
    let row: Option<LinkRow> = sqlx::query_as(&link_query()).bind(token::hash(link_token)).fetch_optional(pool).await?;
    Ok(state_of(row.as_ref(), Utc::now()))
}

/// Confirms the new address: it becomes the login, the link is used up,
/// the old address is told, all in one transaction. Returns the address.
pub async fn confirm(pool: &Db, link_token: &str, origin: &Origin) -> Result<String, AppError> {
    if link_token.len() > 100 {
        return Err(AppError::bad_request("This link is not valid."));
    }
    let mut tx = pool.begin().await?;
    let row: Option<LinkRow> = sqlx::query_as(&format!("{} FOR UPDATE OF u", link_query()))
        .bind(token::hash(link_token))
        .fetch_optional(&mut *tx)
        .await?;
    let state = state_of(row.as_ref(), Utc::now()).state;
    let (EmailChangeState::Valid, Some(row)) = (state, row) else {
        return Err(AppError::bad_request(match state {
            EmailChangeState::Expired => "This link has expired. Ask your admin to change the address again.",
            EmailChangeState::Used => "This address is already confirmed. Sign in with it.",
            EmailChangeState::Replaced => "A newer change was asked for since. Use the link in the most recent email.",
            EmailChangeState::Unknown | EmailChangeState::Valid => "This link is not valid.",
        }));
    };
    let updated = sqlx::query("UPDATE users SET email = $3, version = version + 1 WHERE org_id = $1 AND id = $2")
        .bind(row.link.org_id)
        .bind(row.link.user_id)
        .bind(&row.new_email)
        .execute(&mut *tx)
        .await;
    match updated {
        Ok(_) => {}
        // Someone took the address between the request and now.
        Err(e) if is_email_taken(&e) => return Err(AppError::bad_request(TAKEN)),
        Err(e) => return Err(e.into()),
    }
    sqlx::query("UPDATE invites SET used_at = now() WHERE org_id = $1 AND id = $2")
        .bind(row.link.org_id)
        .bind(row.link.link_id)
        .execute(&mut *tx)
        .await?;
    let name = format!("{} {}", row.first_name, row.last_name);
    let entry = Entry::new(row.link.org_id, Action::EmailChanged)
        .about(row.link.user_id, &name)
        .with(serde_json::json!({ "email": format!("{} → {}", row.email, row.new_email) }));
    record(&mut tx, &origin.clone().by(row.link.user_id, &name), entry).await?;
    let notice = EmailChangeNoticeMail {
        first_name: row.first_name.clone(),
        organization: row.organization.clone(),
        admin: String::new(),
        new_email: row.new_email.clone(),
        confirmed: true,
    };
    queue_notice(&mut tx, row.link.org_id, row.link.user_id, &row.email, &notice).await?;
    tx.commit().await?;
    tracing::info!(org_id = %row.link.org_id, user_id = %row.link.user_id, "email address changed");
    Ok(row.new_email)
}
