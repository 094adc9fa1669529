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

    /// The value in forms and URLs (the same as in JSON).
    pub fn param(self) -> &'static str {
        match self {
            Role::Basic => "basic",
            Role::Operator => "operator",
            Role::Superuser => "superuser",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Basic => "Basic",
            Role::Operator => "Operator",
            Role::Superuser => "Superuser",
        }
    }
}

/// An employee of the organization, or a portal user from outside it (a
/// customer or partner, ELMA365's "external user"). External users have
/// their own list, hold no position and can never serve the user menu or
/// hold a Superuser's rights (`AccessProfile::decide`, and a database check
/// for the role).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "user_kind", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    #[default]
    Internal,
    External,
}

impl UserKind {
    pub const ALL: [UserKind; 2] = [UserKind::Internal, UserKind::External];

    pub fn param(self) -> &'static str {
        match self {
            UserKind::Internal => "internal",
            UserKind::External => "external",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            UserKind::Internal => "Employee",
            UserKind::External => "External user",
        }
    }
}

/// At most this many matches of a filtered view are counted; a view with
/// more says "more than 10,000" rather than counting a million rows.
pub const COUNT_LIMIT: i64 = 10_000;

/// A count as people read it: 1,234,567.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The `kind` filter's value for "employees and external users".
pub const ALL_KINDS: &str = "all";

/// The page a user list lives on: it decides the list's address, and which
/// of the list's filters the address already implies (so its links do not
/// repeat them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListPage {
    /// User Management: the organization's employees.
    #[default]
    Users,
    /// External users (customers and partners).
    External,
    /// A group's members.
    Group(Uuid),
}

impl ListPage {
    pub fn path(self) -> String {
        match self {
            ListPage::Users => "/settings/users".to_owned(),
            ListPage::External => "/settings/external-users".to_owned(),
            ListPage::Group(id) => format!("/settings/groups/{id}"),
        }
    }

    /// The page at `path`, if it is one of them (anything else is not a
    /// place a form may send anyone back to).
    pub fn from_path(path: &str) -> Option<Self> {
        match path {
            "/settings/users" => Some(ListPage::Users),
            "/settings/external-users" => Some(ListPage::External),
            _ => path.strip_prefix("/settings/groups/").and_then(|id| Uuid::parse_str(id).ok()).map(ListPage::Group),
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

/// The status the user table shows: the stored status, with an invite
/// past its expiry shown as Invite expired (computed in the list query).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShownStatus {
    Active,
    Invited,
    InviteExpired,
    InviteCanceled,
    Disabled,
}

impl ShownStatus {
    pub const ALL: [ShownStatus; 5] = [
        ShownStatus::Active,
        ShownStatus::Invited,
        ShownStatus::InviteExpired,
        ShownStatus::InviteCanceled,
        ShownStatus::Disabled,
    ];

    /// The value in the URL (`?status=`) and in the list query's result.
    pub fn param(self) -> &'static str {
        match self {
            ShownStatus::Active => "active",
            ShownStatus::Invited => "invited",
            ShownStatus::InviteExpired => "invite_expired",
            ShownStatus::InviteCanceled => "invite_canceled",
            ShownStatus::Disabled => "disabled",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ShownStatus::Active => "Active",
            ShownStatus::Invited => "Invited",
            ShownStatus::InviteExpired => "Invite expired",
            ShownStatus::InviteCanceled => "Invite canceled",
            ShownStatus::Disabled => "Disabled",
        }
    }

    /// A symbol shown beside the label, so the state never relies on colour.
    pub fn icon(self) -> &'static str {
        match self {
            ShownStatus::Active => "✓",
            ShownStatus::Invited => "✉",
            ShownStatus::InviteExpired => "◔",
            ShownStatus::InviteCanceled => "✕",
            ShownStatus::Disabled => "⊘",
        }
    }

    /// CSS modifier for the badge colour (an addition to icon and text).
    pub fn tone(self) -> &'static str {
        match self {
            ShownStatus::Active => "ok",
            ShownStatus::Invited => "pending",
            ShownStatus::InviteExpired => "warn",
            ShownStatus::InviteCanceled | ShownStatus::Disabled => "off",
        }
    }

    /// Whether the admin can resend (or re-send a cancelled) invite.
    pub fn can_resend(self) -> bool {
        matches!(self, ShownStatus::Invited | ShownStatus::InviteExpired | ShownStatus::InviteCanceled)
    }

    pub fn can_cancel(self) -> bool {
        matches!(self, ShownStatus::Invited | ShownStatus::InviteExpired)
    }
}

/// The table's status filter. As in ELMA365, the default list hides
/// cancelled invites; `?status=all` shows everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Everyone except Invite canceled.
    Default,
    All,
    Only(ShownStatus),
}

impl StatusFilter {
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some("all") => StatusFilter::All,
            Some(other) => ShownStatus::from_param(other).map_or(StatusFilter::Default, StatusFilter::Only),
            None => StatusFilter::Default,
        }
    }

    pub fn param(self) -> Option<&'static str> {
        match self {
            StatusFilter::Default => None,
            StatusFilter::All => Some("all"),
            StatusFilter::Only(status) => Some(status.param()),
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

/// Whether a search term finds names and addresses that *start* with its
/// words rather than contain it: a term without a word of three or more
/// letters or digits ("an", "x", "li mo"), which the trigram index cannot
/// narrow, and which a person typing means as a start anyway. A pasted user
/// id is neither: it finds that user.
pub fn matches_word_starts(term: &str) -> bool {
    uuid::Uuid::parse_str(term.trim()).is_err()
        && !term.split(|c: char| !c.is_alphanumeric()).any(|word| word.chars().count() >= 3)
}

/// The date filters of the advanced search, in their order: the address's
/// name of each and the label of its field (also in its error messages).
pub const DATE_FILTERS: [(&str, &str); 4] = [
    ("created_from", "Created from"),
    ("created_to", "Created until"),
    ("signed_in_from", "Last sign-in from"),
    ("signed_in_to", "Last sign-in until"),
];

/// What the user table shows, exactly as in the page's query string, so a
/// view can be bookmarked, shared and reloaded. Unknown values fall back to
/// the defaults instead of failing the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct UserListQuery {
    pub q: Option<String>,
    /// The status filter (see `StatusFilter`).
    pub status: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// `None` means the user's remembered page size.
    pub size: Option<u16>,
    /// Opaque keyset cursors: the page after / before this row.
    pub after: Option<String>,
    pub before: Option<String>,
    /// Internal or external users only (`UserKind::param`); "all" or
    /// none: both.
    pub kind: Option<String>,
    /// Members of this group only.
    pub group: Option<Uuid>,
    /// Members of the group of this name (the advanced search's "Group",
    /// typed; a group's own page uses `group`).
    pub group_name: Option<String>,
    /// Holders of this position or of any position below it.
    pub position: Option<Uuid>,
    /// Advanced search (ELMA365's filter icon): a role (`Role::param`).
    pub role: Option<String>,
    /// A department, matched whole and case-insensitively.
    pub department: Option<String>,
    /// Created, and last signed in, within these days (`YYYY-MM-DD`,
    /// inclusive, in the viewer's time zone).
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub signed_in_from: Option<String>,
    pub signed_in_to: Option<String>,
    /// Where the list is shown (not sent to the server: it only shapes
    /// links). Set by [`UserListQuery::on`].
    #[serde(skip)]
    pub page: ListPage,
}

impl UserListQuery {
    pub fn sort_column(&self) -> SortColumn {
        self.sort.as_deref().and_then(SortColumn::from_param).unwrap_or_default()
    }

    pub fn direction(&self) -> SortDirection {
        self.dir.as_deref().and_then(SortDirection::from_param).unwrap_or_default()
    }

    pub fn status_filter(&self) -> StatusFilter {
        StatusFilter::from_param(self.status.as_deref())
    }

    /// The kind filter: `None` lists both.
    pub fn kind(&self) -> Option<UserKind> {
        self.kind.as_deref().and_then(UserKind::from_param)
    }

    /// This view as shown on `page`, with the filters the page implies.
    pub fn on(self, page: ListPage) -> Self {
        let asked = self.kind.as_deref().filter(|k| *k == ALL_KINDS || UserKind::from_param(k).is_some());
        let (kind, group) = match page {
            // Employees, unless the filter asks for external users or both.
            ListPage::Users => (Some(asked.unwrap_or(UserKind::Internal.param()).to_owned()), self.group),
            ListPage::External => (Some(UserKind::External.param().to_owned()), self.group),
            ListPage::Group(id) => (asked.map(str::to_owned), Some(id)),
        };
        UserListQuery { kind, group, page, ..self }
    }

    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(Role::from_param)
    }

    pub fn group_name(&self) -> Option<&str> {
        self.group_name.as_deref().map(str::trim).filter(|g| !g.is_empty())
    }

    pub fn department(&self) -> Option<&str> {
        self.department.as_deref().map(str::trim).filter(|d| !d.is_empty())
    }

    /// The date filters as given (each may be empty), by field name.
    pub fn date_filters(&self) -> [(&'static str, Option<&str>); 4] {
        fn value(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let values = [&self.created_from, &self.created_to, &self.signed_in_from, &self.signed_in_to];
        std::array::from_fn(|i| (DATE_FILTERS[i].0, value(values[i])))
    }

    /// What is wrong with the date filters, as (field, message): a value
    /// that is not a calendar day written like 2024-03-31, or a range that
    /// ends before it starts. The one rule: the server refuses such a view
    /// with these messages, and the toolbar shows them next to the fields
    /// from the address alone (it must not read the list's answer, see
    /// `UsersToolbar`).
    pub fn date_filter_errors(&self) -> Vec<(&'static str, String)> {
        let mut errors = Vec::new();
        let days: Vec<Option<(u32, u32, u32)>> = self
            .date_filters()
            .iter()
            .zip(DATE_FILTERS.map(|(_, label)| label))
            .map(|((field, value), label)| {
                let value = (*value)?;
                let day = calendar_day(value);
                if day.is_none() {
                    errors.push((*field, format!("{label} must be a date like 2024-03-31.")));
                }
                day
            })
            .collect();
        if let (Some(from), Some(to)) = (days[0], days[1])
            && to < from
        {
            errors.push(("created_to", "Created until cannot be before Created from.".to_owned()));
        }
        if let (Some(from), Some(to)) = (days[2], days[3])
            && to < from
        {
            errors.push(("signed_in_to", "Last sign-in until cannot be before Last sign-in from.".to_owned()));
        }
        errors
    }

    /// How many advanced-search filters are set (the "Filters" button shows
    /// it; kind and group count where the page does not imply them).
    pub fn advanced_filters(&self) -> usize {
        let kind = match self.page {
            ListPage::Users => self.kind.as_deref().is_some_and(|k| k != UserKind::Internal.param()),
            ListPage::External => false,
            ListPage::Group(_) => self.kind().is_some(),
        };
        let group = self.group.is_some() && !matches!(self.page, ListPage::Group(_));
        [
            kind,
            group,
            self.group_name().is_some(),
            self.position.is_some(),
            self.role().is_some(),
            self.department().is_some(),
        ]
        .into_iter()
        .filter(|f| *f)
        .count()
            + self.date_filters().iter().filter(|(_, v)| v.is_some()).count()
    }

    /// Whether anything narrows the list beyond the page itself.
    pub fn is_filtered(&self) -> bool {
        self.search().is_some() || self.status_filter() != StatusFilter::Default || self.advanced_filters() > 0
    }

    pub fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// The search's term, when it is matched at the start of names and
    /// addresses only (see [`matches_word_starts`]).
    pub fn word_start_search(&self) -> Option<&str> {
        self.search().filter(|term| matches_word_starts(term))
    }

    /// Reads a view from its query parameters, however they are looked up
    /// (the router's query map, or a parsed query string); other keys are
    /// never read, so the result only ever holds the view's own fields.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        UserListQuery {
            q: get("q"),
            status: get("status"),
            sort: get("sort"),
            dir: get("dir"),
            size: get("size").and_then(|s| s.parse().ok()),
            after: get("after"),
            before: get("before"),
            group: get("group").and_then(|g| Uuid::parse_str(&g).ok()),
            kind: get("kind"),
            group_name: get("group_name"),
            position: get("position").and_then(|p| Uuid::parse_str(&p).ok()),
            role: get("role"),
            department: get("department"),
            created_from: get("created_from"),
            created_to: get("created_to"),
            signed_in_from: get("signed_in_from"),
            signed_in_to: get("signed_in_to"),
            page: ListPage::default(),
        }
    }

    /// Reads a view from its address: a list page's path with its query
    /// string, or (for User Management) the query string alone. A path that
    /// is not a list page's means User Management.
    pub fn parse(address: &str) -> Self {
        let (page, query_string) = match address.split_once('?') {
            Some((path, query)) if path.starts_with('/') => (ListPage::from_path(path), query),
            None if address.starts_with('/') => (ListPage::from_path(address), ""),
            _ => (None, address),
        };
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query_string.trim_start_matches('?').as_bytes()).into_owned().collect();
        Self::from_params(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
            .on(page.unwrap_or_default())
    }

    /// The URL of this exact view, its page cursor included.
    pub fn current_href(&self) -> String {
        self.href(|q| {
            q.after = self.after.clone();
            q.before = self.before.clone();
        })
    }

    /// This exact view (cursor included) with the details panel of `user`
    /// open and a notice to show: where an action in the panel returns to.
    pub fn href_with_panel(&self, user: Uuid, notice: Option<&str>) -> String {
        let base = self.current_href();
        let mut extra = form_urlencoded::Serializer::new(String::new());
        extra.append_pair("user", &user.to_string());
        if let Some(notice) = notice {
            extra.append_pair("notice", notice);
        }
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}{}", extra.finish())
    }

    /// The query string of this view with `changes` applied (cursors are
    /// dropped unless set again: a new sort or search starts at page 1).
    pub fn href(&self, changes: impl FnOnce(&mut UserListQuery)) -> String {
        let mut next = UserListQuery { after: None, before: None, ..self.clone() };
        changes(&mut next);
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(next.pairs()).finish();
        let path = next.page.path();
        if query.is_empty() { path } else { format!("{path}?{query}") }
    }

    /// The view's query parameters, in a stable order: what its address
    /// carries and what a form on the page repeats as hidden fields.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let next = self;
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        if let Some(q) = next.search() {
            pairs.push(("q", q.to_owned()));
        }
        if let Some(status) = next.status_filter().param() {
            pairs.push(("status", status.to_owned()));
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
        // The page implies its kind and group; elsewhere they are filters.
        if let (Some(group), false) = (next.group, matches!(next.page, ListPage::Group(_))) {
            pairs.push(("group", group.to_string()));
        }
        let kind = match next.page {
            ListPage::Users => next.kind.as_deref().filter(|k| *k != UserKind::Internal.param()),
            ListPage::External => None,
            ListPage::Group(_) => next.kind.as_deref(),
        };
        if let Some(kind) = kind {
            pairs.push(("kind", kind.to_owned()));
        }
        if let Some(name) = next.group_name() {
            pairs.push(("group_name", name.to_owned()));
        }
        if let Some(position) = next.position {
            pairs.push(("position", position.to_string()));
        }
        if let Some(role) = next.role() {
            pairs.push(("role", role.param().to_owned()));
        }
        if let Some(department) = next.department() {
            pairs.push(("department", department.to_owned()));
        }
        for (name, value) in next.date_filters() {
            if let Some(value) = value {
                pairs.push((name, value.to_owned()));
            }
        }
        pairs
    }
}

/// One row of the user table, with times already rendered in the viewer's
/// time zone (the browser has no time-zone database; the server does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub status: ShownStatus,
    pub role: Role,
    #[serde(default)]
    pub kind: UserKind,
    /// The address of their photo, if they have one.
    #[serde(default)]
    pub photo: Option<String>,
    /// Has activated the account (set a password).
    pub active: bool,
    /// Has signed in at least once.
    pub access: bool,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub created: Timestamp,
    pub last_sign_in: Option<Timestamp>,
    /// For a pending or cancelled invite: its expiry and its mail's state.
    pub invite: Option<InviteDelivery>,
    /// Locked by failed sign-ins (ELMA365's "Account is locked"); the
    /// status stays Active.
    pub lock: Option<AccountLock>,
    /// ELPRO's "Access Settings" column: "Operator defaults − 2 + 1".
    #[serde(default)]
    pub access_settings: String,
}

/// An automatic lockout in effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountLock {
    /// When it ends by itself; `None`: when an admin unlocks it.
    pub until: Option<Timestamp>,
}

impl AccountLock {
    /// The label the table and the profile show.
    pub fn label(&self) -> String {
        match &self.until {
            Some(until) => format!("Account is locked until {}", until.local),
            None => "Account is locked until unlocked".to_owned(),
        }
    }
}

impl UserRow {
    /// Whether this row's invite mail is still queued or retrying.
    pub fn mail_pending(&self) -> bool {
        self.invite.as_ref().and_then(|i| i.mail.as_ref()).is_some_and(|m| m.state.is_pending())
    }
}

/// Where an invite stands, so an admin never has to guess whether the mail
/// left: when its link expires and what became of its latest mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteDelivery {
    pub expires: Timestamp,
    pub mail: Option<MailStatus>,
}

/// The state of one mail, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailStatus {
    pub state: MailState,
    pub attempts: i32,
    /// The SMTP server's last answer when delivery failed.
    pub last_error: Option<String>,
    pub sent: Option<Timestamp>,
    pub queued: Timestamp,
}

/// `mail_state` in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "mail_state", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    Queued,
    /// A worker is talking to the mail server right now.
    Sending,
    Sent,
    Retrying,
    Failed,
    Canceled,
}

impl MailState {
    /// Still on its way: the view showing it refreshes until it settles.
    pub fn is_pending(self) -> bool {
        matches!(self, MailState::Queued | MailState::Sending | MailState::Retrying)
    }

    pub fn label(self) -> &'static str {
        match self {
            MailState::Queued => "Mail queued",
            MailState::Sending => "Mail sending",
            MailState::Sent => "Mail sent",
            MailState::Retrying => "Mail retrying",
            MailState::Failed => "Mail failed",
            MailState::Canceled => "Mail withdrawn",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            MailState::Queued => "◷",
            MailState::Sending => "→",
            MailState::Sent => "✓",
            MailState::Retrying => "↻",
            MailState::Failed => "!",
            MailState::Canceled => "–",
        }
    }
}

/// Everything about one user, for the details panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDetails {
    pub row: UserRow,
    pub time_zone: String,
    pub department: Option<String>,
    pub mobile_phone: Option<String>,
    pub work_phone: Option<String>,
    pub work_phone_ext: Option<String>,
    pub date_of_birth: Option<String>,
    pub hire_date: Option<String>,
    pub invited_by: Option<String>,
    pub activated: Option<Timestamp>,
    /// The user's invite mails, newest first.
    pub mails: Vec<MailStatus>,
    /// The user's password recovery mails, newest first.
    pub recovery_mails: Vec<MailStatus>,
    /// Invites this user sent that still wait: disabling them leaves these
    /// without an owner, so the confirmation lists them.
    pub pending_invites_sent: Vec<String>,
    /// The row's version when read: an edit form carries it back, and a
    /// save over someone else's newer one is refused.
    pub version: i64,
    /// Whether the organization lets admins change email addresses.
    pub email_editable: bool,
    /// A new address waiting for its owner's confirmation.
    pub pending_email: Option<String>,
    /// The groups the user is in, by name.
    #[serde(default)]
    pub groups: Vec<crate::features::groups::types::GroupRef>,
    /// Every group of the organization, when asked for (the edit form).
    #[serde(default)]
    pub group_choices: Vec<crate::features::groups::types::GroupRef>,
    /// The positions the user holds, by name, and the displayed one.
    #[serde(default)]
    pub positions: Vec<crate::features::positions::types::PositionRef>,
    #[serde(default)]
    pub displayed_position: Option<Uuid>,
    #[serde(default)]
    pub messengers: Vec<crate::features::profile::types::Messenger>,
    /// "Additional data" the user has.
    #[serde(default)]
    pub field_values: Vec<crate::features::profile::types::FieldValue>,
    /// Every field of the organization, when asked for (the edit form).
    #[serde(default)]
    pub custom_fields: Vec<crate::features::profile::types::CustomField>,
    /// As typed in the edit form: the dates as `YYYY-MM-DD`, the work
    /// phone in international form.
    #[serde(default)]
    pub date_of_birth_input: String,
    #[serde(default)]
    pub hire_date_input: String,
    #[serde(default)]
    pub work_phone_input: String,
}

/// What an email-change link leads to, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChangeLink {
    pub state: EmailChangeState,
    /// Only for a valid link.
    pub new_email: String,
    pub organization: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailChangeState {
    Valid,
    Expired,
    Used,
    Replaced,
    Unknown,
}

/// The profile's Edit form, as it posts (a plain HTML form sends every
/// field as text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub version: String,
    pub first_name: String,
    pub last_name: String,
    /// A new address is confirmed by its owner first (only where the
    /// organization allows changing it); empty or unchanged: no change.
    pub email: String,
    /// "basic" or "operator" (a Superuser's role is not changed here).
    pub role: String,
    /// In international form, with its country code (+41 79 123 45 67).
    pub mobile_phone: String,
    pub department: String,
    pub time_zone: String,
    /// "Groups": `groups[id-<uuid>]=on` for each ticked.
    pub groups: std::collections::HashMap<String, String>,
    /// Set when the form showed the groups, so that ticking none removes
    /// every group (a form or API call without it leaves them alone).
    pub groups_shown: String,
    /// "Positions": the held ones still ticked (`positions[id-<uuid>]=on`),
    /// one more by name, and the displayed one; only with `positions_shown`.
    pub positions: std::collections::HashMap<String, String>,
    pub add_position: String,
    pub displayed_position: String,
    pub positions_shown: String,
    /// The employee fields, saved only with `profile_shown`: work phone
    /// (international form) and extension, date of birth, hire date,
    /// "Additional data" (`fields[id-<uuid>]`) and messenger accounts
    /// (`messengers[kind-N]`, `messengers[handle-N]`).
    pub work_phone: String,
    pub work_phone_ext: String,
    pub date_of_birth: String,
    pub hire_date: String,
    pub fields: std::collections::HashMap<String, String>,
    pub messengers: std::collections::HashMap<String, String>,
    pub profile_shown: String,
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
    /// For a filtered view: how many users it holds, exactly up to
    /// `COUNT_LIMIT`; one more means "more than that".
    #[serde(default)]
    pub matching: Option<i64>,
    /// When the count was not exact: more than this many match.
    #[serde(default)]
    pub matching_more_than: Option<i64>,
}

#[cfg(test)]
mod search_tests {
    use super::matches_word_starts;

    #[test]
    fn short_words_match_at_the_start_longer_ones_inside() {
        assert!(!matches_word_starts("smi"));
        assert!(!matches_word_starts("olsen.12"));
        assert!(!matches_word_starts("Ång"));
        assert!(!matches_word_starts("67e55044-10b1-426f-9247-bb680e5fe0c8"));
        assert!(matches_word_starts("ab"));
        assert!(matches_word_starts("o.1"));
        assert!(matches_word_starts("a b c"));
    }
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_view_keeps_its_filters_in_its_address_and_the_page_implies_its_own() {
        let query = UserListQuery::parse(
            "/settings/users?q=an&role=operator&kind=all&group_name=Berlin&department=Sales&created_from=2026-01-01&bogus=1",
        );
        assert_eq!(query.page, ListPage::Users);
        assert_eq!(query.kind(), None, "everyone");
        assert_eq!(query.advanced_filters(), 5);
        let href = query.current_href();
        assert_eq!(
            href,
            "/settings/users?q=an&kind=all&group_name=Berlin&role=operator&department=Sales&created_from=2026-01-01"
        );
        assert_eq!(UserListQuery::parse(&href), query);
        // Employees are User Management's own: no filter, no parameter.
        let employees = UserListQuery::parse("/settings/users?kind=internal");
        assert_eq!((employees.kind(), employees.current_href()), (Some(UserKind::Internal), "/settings/users".into()));
        // The External users page is external users, whatever the address says.
        let external = UserListQuery::parse("/settings/external-users?kind=internal");
        assert_eq!(external.kind(), Some(UserKind::External));
        assert_eq!(external.advanced_filters(), 0);
        // A group's page implies its group, and may still filter by kind.
        let id = Uuid::new_v4();
        let group = UserListQuery::parse(&format!("/settings/groups/{id}?kind=external"));
        assert_eq!((group.group, group.kind()), (Some(id), Some(UserKind::External)));
        assert_eq!(group.current_href(), format!("/settings/groups/{id}?kind=external"));
    }
}

/// `YYYY-MM-DD` as (year, month, day) when it names a day of the
/// (proleptic Gregorian) calendar; what an `<input type="date">` sends.
/// Shared with the browser, which has no date library (and needs none for
/// this).
fn calendar_day(value: &str) -> Option<(u32, u32, u32)> {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = value.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1 && (1..=days_in_month).contains(&day)).then_some((year, month, day))
}

#[cfg(test)]
mod date_filter_tests {
    use super::*;

    #[test]
    fn date_filters_are_calendar_days_in_order() {
        let query = |from: &str, to: &str| UserListQuery {
            created_from: Some(from.into()),
            created_to: Some(to.into()),
            ..Default::default()
        };
        assert!(query("2024-02-29", "2024-03-01").date_filter_errors().is_empty());
        assert!(query("2024-03-01", "2024-03-01").date_filter_errors().is_empty());
        assert_eq!(
            query("2023-02-29", "").date_filter_errors(),
            [("created_from", "Created from must be a date like 2024-03-31.".to_owned())]
        );
        for bad in ["2024-13-01", "2024-04-31", "24-01-01", "2024-1-01", "2024-01-01x", "０２０24-01-01", "yesterday"]
        {
            assert_eq!(query(bad, "").date_filter_errors().len(), 1, "{bad}");
        }
        assert_eq!(
            query("2024-03-02", "2024-03-01").date_filter_errors(),
            [("created_to", "Created until cannot be before Created from.".to_owned())]
        );
        let signed_in = UserListQuery {
            signed_in_from: Some("2025-01-02".into()),
            signed_in_to: Some("2025-01-01".into()),
            ..Default::default()
        };
        assert_eq!(signed_in.date_filter_errors()[0].0, "signed_in_to");
    }
}
