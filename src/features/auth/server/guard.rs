//! The one way a server function learns who is calling and whether they may
//! do what they ask: `Actor::require(Permission::…)`.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::session::{self, SessionAuth};
use crate::error::AppError;
use crate::features::auth::types::{CurrentUser, PasswordPolicy};
use crate::features::users::types::{Role, UserStatus};
use crate::server::respond::RequestContext;

/// What a server function may ask permission for. Today the roles grant them;
/// the permission catalogue (per-user grants) plugs in here later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See the User Management table and seat counters.
    ViewUsers,
    /// Invite users, resend and cancel invites.
    ManageUsers,
    /// Read the organization's audit log.
    ViewAudit,
    /// Change one's own profile and password (every signed-in user).
    OwnAccount,
    /// Change the organization's Security settings.
    ManageSecurity,
}

fn role_grants(role: Role, permission: Permission) -> bool {
    match permission {
        Permission::ViewUsers | Permission::ManageUsers | Permission::ViewAudit | Permission::ManageSecurity => {
            role == Role::Superuser
        }
        Permission::OwnAccount => true,
    }
}

/// The signed-in user behind the current request, loaded fresh from the
/// database on every request (so a disabled user or a revoked session stops
/// working at once, and tenants are never taken from the client).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub role: Role,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub time_zone: Tz,
    pub organization: String,
    /// The organization's zone: the default for the people it invites.
    pub organization_time_zone: Tz,
    pub page_size: i16,
    pub mobile_phone: Option<String>,
    pub password_policy: PasswordPolicy,
}

/// Where a loaded session carries its user's row (see `session_store`).
pub(super) const ACTOR_SNAPSHOT_KEY: &str = "roster.actor";

/// The columns of [`ActorRow`], from `users u` joined with `organizations o`.
pub(super) const ACTOR_COLUMNS: &str = "u.id AS user_id, u.org_id, u.role, u.status, u.session_epoch, u.first_name, u.last_name, u.email, \
     u.time_zone, o.name AS organization, o.time_zone AS organization_time_zone, u.page_size, \
     u.mobile_phone, o.password_policy";

/// The signed-in user's row, read with the session or on its own.
#[derive(FromRow, Serialize, Deserialize)]
pub(super) struct ActorRow {
    user_id: Uuid,
    org_id: Uuid,
    role: Role,
    status: UserStatus,
    session_epoch: i32,
    first_name: String,
    last_name: String,
    email: String,
    time_zone: String,
    organization: String,
    organization_time_zone: String,
    page_size: i16,
    #[serde(default)]
    mobile_phone: Option<String>,
    #[serde(default)]
    password_policy: String,
}

impl Actor {
    /// The actor of the current request, or `None` when nobody is signed in.
    pub async fn current(ctx: &RequestContext) -> Result<Option<Actor>, AppError> {
        let Some(auth) = session::read(ctx).await? else {
            return Ok(None);
        };
        // Loading the session read the user's row along with it; only a
        // session signed in during this very request lacks it.
        let loaded = session::actor_snapshot(ctx).await?;
        let actor = match loaded {
            Some(row) => Self::from_row(auth, row),
            None => Self::load(&ctx.state.pool, auth).await?,
        };
        match actor {
            Some(actor) => Ok(Some(actor)),
            None => {
                // The user is gone, disabled or signed out everywhere: drop
                // this session too.
                session::end(ctx).await?;
                Ok(None)
            }
        }
    }

    /// The actor, if signed in and granted `permission`: else 401 or 403.
    pub async fn require(ctx: &RequestContext, permission: Permission) -> Result<Actor, AppError> {
        let actor = Self::current(ctx).await?.ok_or(AppError::Unauthorized)?;
        if !role_grants(actor.role, permission) {
            tracing::warn!(user_id = %actor.user_id, org_id = %actor.org_id, ?permission, "permission denied");
            return Err(AppError::Forbidden);
        }
        Ok(actor)
    }

    pub async fn load(pool: &PgPool, auth: SessionAuth) -> Result<Option<Actor>, AppError> {
        let row: Option<ActorRow> = sqlx::query_as(&format!(
            "SELECT {ACTOR_COLUMNS} FROM users u JOIN organizations o ON o.id = u.org_id \
             WHERE u.id = $1 AND u.org_id = $2"
        ))
        .bind(auth.user_id)
        .bind(auth.org_id)
        .fetch_optional(pool)
        .await?;
        Ok(row.and_then(|row| Self::from_row(auth, row)))
    }

    /// The actor a row describes, if it is the user `auth` names and that
    /// user may still act under it: active, and not signed out everywhere
    /// since (the session epoch).
    fn from_row(auth: SessionAuth, row: ActorRow) -> Option<Actor> {
        Some(row)
            .filter(|r| (r.user_id, r.org_id) == (auth.user_id, auth.org_id))
            .filter(|r| r.status == UserStatus::Active && r.session_epoch == auth.epoch)
            .map(|r| Actor {
                user_id: auth.user_id,
                org_id: auth.org_id,
                role: r.role,
                first_name: r.first_name,
                last_name: r.last_name,
                email: r.email,
                time_zone: r.time_zone.parse().unwrap_or(Tz::UTC),
                organization: r.organization,
                organization_time_zone: r.organization_time_zone.parse().unwrap_or(Tz::UTC),
                page_size: r.page_size,
                mobile_phone: r.mobile_phone,
                password_policy: PasswordPolicy::from_param(&r.password_policy).unwrap_or_default(),
            })
    }

    pub fn to_current_user(&self) -> CurrentUser {
        CurrentUser {
            id: self.user_id,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            role: self.role,
            organization: self.organization.clone(),
            time_zone: self.time_zone.name().to_owned(),
            mobile_phone: self.mobile_phone.clone(),
            password_policy: self.password_policy,
        }
    }
}
