//! The transactional outbox: a mail is a row written in the same transaction
//! as the change it reports, so it is sent if and only if the change commits.

use sqlx::PgConnection;
use uuid::Uuid;

use super::templates::RenderedMail;
use crate::error::AppError;

pub struct OutgoingMail<'a> {
    /// None only for mail about no organization yet (a sign-up's confirmation).
    pub org_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub invite_id: Option<Uuid>,
    pub sign_up_id: Option<Uuid>,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub mail: RenderedMail,
}

pub async fn enqueue(conn: &mut PgConnection, outgoing: OutgoingMail<'_>) -> Result<Uuid, AppError> {
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (org_id, user_id, invite_id, sign_up_id, kind, recipient, subject, body_text, body_html) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(outgoing.org_id)
    .bind(outgoing.user_id)
    .bind(outgoing.invite_id)
    .bind(outgoing.sign_up_id)
    .bind(outgoing.kind)
    .bind(outgoing.recipient)
    .bind(&outgoing.mail.subject)
    .bind(&outgoing.mail.text)
    .bind(&outgoing.mail.html)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}
