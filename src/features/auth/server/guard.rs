//! The one way a server function learns who is calling and whether they may
//! do what they ask: `Actor::require(Permission::…)`.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use uuid::Uuid;

use super::session::{self, SessionAuth};
use crate::error::AppError;
use crate::features::access::server::{ProfileColumns, access_profile_columns};
use crate::features::access::types::{AccessPermission, AccessProfile};
use crate::features::auth::types::{CurrentUser, PasswordPolicy};
use crate::features::users::types::{Role, UserStatus};
use crate::server::db::Db;
use crate::server::respond::RequestContext;

/// What a server function may ask permission for: each maps to one
/// requirement (below), so no server function decides access its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Change one's own profile and password, see one's own access (every
    /// signed-in user).
    OwnAccount,
    /// User Management ("Serving user menu"): see the table and seat
    /// counters, invite, edit, disable and enable Basic and Operator users,
    /// resend and cancel invites. Acting on a Superuser takes being one
    /// (`Actor::may_act_on`).
    UserMenu,
    /// The directory: groups and their members, positions (the org chart)
    /// and their holders. Part of managing people, so it goes with the user
    /// menu.
    ManageDirectory,
    /// Define the organization's "Additional data" fields (Superuser).
    ManageFields,
    /// Delete users (Superuser).
    DeleteUsers,
    /// Hand the Superuser role to someone else (Superuser).
    TransferSuperuser,
    /// Read the organization's audit log (Superuser).
    ViewAudit,
    /// Change the organization's Security settings (Superuser).
    ManageSecurity,
    /// Change what the Basic and Operator roles hold (Superuser).
    ManageRoles,
    /// Change a user's own grants and denials (Superuser).
    ManageAccess,
    /// Create and revoke the organization's API keys (Superuser).
    ManageApiKeys,
    /// Create, rename and delete the organization's dashboards (Superuser).
    ManageDashboards,
}

/// What a permission takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    SignedIn,
    /// One of the catalogue's permissions, as the user's access decides it.
    Holds(AccessPermission),
    Superuser,
}

impl Permission {
    pub fn requirement(self) -> Requirement {
        match self {
            Permission::OwnAccount => Requirement::SignedIn,
            Permission::UserMenu | Permission::ManageDirectory => Requirement::Holds(AccessPermission::UserMenu),
            Permission::DeleteUsers
            | Permission::TransferSuperuser
            | Permission::ViewAudit
            | Permission::ManageSecurity
            | Permission::ManageRoles
            | Permission::ManageAccess
            | Permission::ManageApiKeys
            | Permission::ManageDashboards
            | Permission::ManageFields => Requirement::Superuser,
        }
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
    /// Role, role defaults and own grants, as they are at this request.
    pub access: AccessProfile,
}

/// Where a loaded session carries its user's row (see `session_store`).
pub(super) const ACTOR_SNAPSHOT_KEY: &str = "roster.actor";

/// The columns of [`ActorRow`], from `users u` joined with `organizations o`.
pub(super) const ACTOR_COLUMNS: &str = concat!(
    "u.id AS user_id, u.org_id, u.role, u.status, u.session_epoch, u.first_name, u.last_name, u.email, \
     u.time_zone, o.name AS organization, o.time_zone AS organization_time_zone, u.page_size, \
     u.mobile_phone, o.password_policy, ",
    access_profile_columns!()
);

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
    #[serde(flatten)]
    #[sqlx(flatten)]
    access: ProfileColumns,
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
        if !actor.may(permission) {
            tracing::warn!(user_id = %actor.user_id, org_id = %actor.org_id, ?permission, "permission denied");
            return Err(AppError::Forbidden);
        }
        Ok(actor)
    }

    pub async fn load(pool: &Db, auth: SessionAuth) -> Result<Option<Actor>, AppError> {
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
                access: r.access.profile(r.role, r.status),
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

    /// Whether this actor may do what `permission` covers: the one check.
    pub fn may(&self, permission: Permission) -> bool {
        match permission.requirement() {
            Requirement::SignedIn => true,
            Requirement::Holds(access) => self.access.allows(access),
            Requirement::Superuser => self.role == Role::Superuser,
        }
    }

    /// A holder of the user menu manages Basic and Operator users; acting on
    /// a Superuser takes being one. Forbidden otherwise.
    pub fn may_act_on(&self, target: Role) -> Result<(), AppError> {
        may_act_on(self.role, target)
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
            access: self.access.effective(),
        }
    }
}

/// See `Actor::may_act_on`; for services that know the acting role.
pub fn may_act_on(actor: Role, target: Role) -> Result<(), AppError> {
    if target == Role::Superuser && actor != Role::Superuser {
        return Err(AppError::Forbidden);
    }
    Ok(())
}
