//! Types shared by the server and the browser for the user table.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Caps on every text field, stated in the forms and enforced on the server
/// (and by CHECK constraints in the database).
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;

/// Page sizes the user table offers; the user's choice is remembered.
pub const PAGE_SIZES: [u16; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u16 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "user_role", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Basic,
    Operator,
    Superuser,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Superuser, Role::Operator, Role::Basic];

    pub fn label(self) -> &'static str {
        match self {
            Role::Basic => "Basic",
            Role::Operator => "Operator",
            Role::Superuser => "Superuser",
        }
    }
}

/// The stored lifecycle state of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "user_status", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Invited,
    Disabled,
    InviteCanceled,
}

impl UserStatus {
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Active => "Active",
            UserStatus::Invited => "Invited",
            UserStatus::Disabled => "Disabled",
            UserStatus::InviteCanceled => "Invite canceled",
        }
    }

    /// A symbol shown beside the label, so the state never relies on colour.
    pub fn icon(self) -> &'static str {
        match self {
            UserStatus::Active => "✓",
            UserStatus::Invited => "✉",
            UserStatus::Disabled => "⊘",
            UserStatus::InviteCanceled => "✕",
        }
    }

    /// CSS modifier for the badge colour (an addition to icon and text).
    pub fn tone(self) -> &'static str {
        match self {
            UserStatus::Active => "ok",
            UserStatus::Invited => "pending",
            UserStatus::Disabled | UserStatus::InviteCanceled => "off",
        }
    }
}

/// A column the user table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    Status,
    Role,
    Active,
    Access,
    FirstName,
    #[default]
    LastName,
    Email,
    Created,
    LastSignIn,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Status,
        SortColumn::Role,
        SortColumn::Active,
        SortColumn::Access,
        SortColumn::FirstName,
        SortColumn::LastName,
        SortColumn::Email,
        SortColumn::Created,
        SortColumn::LastSignIn,
    ];

    pub fn param(self) -> &'static str {
        match self {
            SortColumn::Status => "status",
            SortColumn::Role => "role",
            SortColumn::Active => "active",
            SortColumn::Access => "access",
            SortColumn::FirstName => "first_name",
            SortColumn::LastName => "last_name",
            SortColumn::Email => "email",
            SortColumn::Created => "created",
            SortColumn::LastSignIn => "last_sign_in",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Status => "Status",
            SortColumn::Role => "Role",
            SortColumn::Active => "Active",
            SortColumn::Access => "Access",
            SortColumn::FirstName => "First name",
            SortColumn::LastName => "Last name",
            SortColumn::Email => "Email",
            SortColumn::Created => "Created",
            SortColumn::LastSignIn => "Last sign-in",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

impl SortDirection {
    pub fn param(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        match value {
            "asc" => Some(SortDirection::Asc),
            "desc" => Some(SortDirection::Desc),
            _ => None,
        }
    }

    pub fn flipped(self) -> Self {
        match self {
            SortDirection::Asc => SortDirection::Desc,
            SortDirection::Desc => SortDirection::Asc,
        }
    }
}

/// What the user table shows, exactly as in the page's query string, so a
/// view can be bookmarked, shared and reloaded. Unknown values fall back to
/// the defaults instead of failing the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct UserListQuery {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// `None` means the user's remembered page size.
    pub size: Option<u16>,
    /// Opaque keyset cursors: the page after / before this row.
    pub after: Option<String>,
    pub before: Option<String>,
}

impl UserListQuery {
    pub fn sort_column(&self) -> SortColumn {
        self.sort.as_deref().and_then(SortColumn::from_param).unwrap_or_default()
    }

    pub fn direction(&self) -> SortDirection {
        self.dir.as_deref().and_then(SortDirection::from_param).unwrap_or_default()
    }

    pub fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// The query string of this view with `changes` applied (cursors are
    /// dropped unless set again: a new sort or search starts at page 1).
    pub fn href(&self, changes: impl FnOnce(&mut UserListQuery)) -> String {
        let mut next = UserListQuery { after: None, before: None, ..self.clone() };
        changes(&mut next);
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(q) = next.search() {
            pairs.push(("q", q.to_owned()));
        }
        if let Some(sort) = &next.sort {
            pairs.push(("sort", sort.clone()));
        }
        if let Some(dir) = &next.dir {
            pairs.push(("dir", dir.clone()));
        }
        if let Some(size) = next.size {
            pairs.push(("size", size.to_string()));
        }
        if let Some(after) = &next.after {
            pairs.push(("after", after.clone()));
        }
        if let Some(before) = &next.before {
            pairs.push(("before", before.clone()));
        }
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        if query.is_empty() { "/settings/users".to_owned() } else { format!("/settings/users?{query}") }
    }
}

/// One row of the user table, with times already rendered in the viewer's
/// time zone (the browser has no time-zone database; the server does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub status: UserStatus,
    pub role: Role,
    /// Has activated the account (set a password).
    pub active: bool,
    /// Has signed in at least once.
    pub access: bool,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub created: Timestamp,
    pub last_sign_in: Option<Timestamp>,
}

/// A point in time as an ISO-8601 string (for `<time datetime>`) and as text
/// in the viewer's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    pub iso: String,
    pub local: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    /// Cursor for the next page (`after=`), if there is one.
    pub next: Option<String>,
    /// Cursor for the previous page (`before=`), if there is one.
    pub prev: Option<String>,
    /// The page size in effect (the remembered one when the URL names none).
    pub size: u16,
    /// The viewer's time zone, in which the times are shown.
    pub time_zone: String,
}
