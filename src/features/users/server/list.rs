//! The user table query: one organization's users, sorted by any column,
//! filtered by a search term, paged with a keyset cursor (never OFFSET, so
//! page 4,000 costs what page 1 costs).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::error::AppError;
use crate::features::access::server::{ProfileColumns, access_profile_columns};
use crate::features::users::types::{
    AccountLock, DEFAULT_PAGE_SIZE, InviteDelivery, MailState, MailStatus, PAGE_SIZES, Role, ShownStatus, SortColumn,
    SortDirection, StatusFilter, Timestamp, UserKind, UserListQuery, UserPage, UserRow, UserStatus,
    matches_word_starts,
};
use crate::server::db::Db;

/// The SQL expression a column sorts by and its type. Each has a matching
/// `(org_id, expr, id)` index in the migrations; keep them in step.
fn sort_expression(column: SortColumn) -> (&'static str, &'static str) {
    match column {
        SortColumn::Status => ("u.status", "user_status"),
        SortColumn::Role => ("u.role", "user_role"),
        SortColumn::Active => ("(u.activated_at IS NOT NULL)", "boolean"),
        SortColumn::Access => ("(u.last_sign_in_at IS NOT NULL)", "boolean"),
        // Names in the Unicode collation (see `…_people_search.sql`).
        // (`*_key` is the stored `lower(name)`.)
        SortColumn::FirstName => (r#"u.first_name_key COLLATE "und-x-icu""#, "text"),
        SortColumn::LastName => (r#"u.last_name_key COLLATE "und-x-icu""#, "text"),
        SortColumn::Email => ("lower(u.email)", "text"),
        SortColumn::Created => ("u.created_at", "timestamptz"),
        SortColumn::LastSignIn => ("coalesce(u.last_sign_in_at, '-infinity'::timestamptz)", "timestamptz"),
    }
}

/// What a search matches: the stored, folded (lower case, no accents)
/// "first last email" (a generated column, see
/// `migrations/…_people_search.sql`), which the trigram index covers. The
/// term goes through the same `roster_fold`, in SQL, so both fold alike.
pub const SEARCH_EXPRESSION: &str = "u.search_text";

/// What a search term asks for, and so which index serves it.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// A pasted user id: that user (of this organization) only.
    Id(Uuid),
    /// Anywhere inside "first last email" (a `LIKE` pattern): a term with a
    /// word of three or more letters, which the trigram index can narrow.
    Inside(String),
    /// Shorter words ("an", "x", "li mo"): each must begin the first name,
    /// the last name or the email, served by their prefix indexes.
    Prefixes(Vec<String>),
}

impl Search {
    pub fn of(query: &UserListQuery) -> Option<Search> {
        let term = query.search()?;
        Some(if let Ok(id) = Uuid::parse_str(term) {
            Search::Id(id)
        } else if !matches_word_starts(term) {
            Search::Inside(like_pattern(term))
        } else {
            Search::Prefixes(term.split_whitespace().map(str::to_owned).collect())
        })
    }

    /// Adds the search's condition on the row `u` to `sql`.
    pub(crate) fn push_condition<'a>(&self, sql: &mut QueryBuilder<'a, Postgres>) {
        match self {
            Search::Id(id) => {
                sql.push(" AND u.id = ").push_bind(*id);
            }
            Search::Inside(pattern) => {
                sql.push(format!(" AND {SEARCH_EXPRESSION} LIKE roster_fold(")).push_bind(pattern.clone()).push(")");
            }
            Search::Prefixes(words) => {
                // `s` starts with `w` exactly when w ≤ s < w || U+10FFFF in
                // byte order (the text_pattern_ops operators), a range each
                // prefix index serves even in a generic plan, where a
                // `LIKE 'an%'` on a parameter could not use it.
                for word in words {
                    sql.push(" AND (");
                    // The stored folded forms (`…_people_search.sql`).
                    for (i, column) in ["u.first_name_fold", "u.last_name_fold", "u.email_fold"].into_iter().enumerate()
                    {
                        if i > 0 {
                            sql.push(" OR ");
                        }
                        sql.push(format!("({column} ~>=~ roster_fold("))
                            .push_bind(word.clone())
                            .push(format!(") AND {column} ~<~ (roster_fold("))
                            .push_bind(word.clone())
                            .push(") || chr(1114111)))");
                    }
                    sql.push(")");
                }
            }
        }
    }
}

/// A keyset cursor: the sort key (as PostgreSQL prints it) and id of a row.
/// Opaque to the browser; a tampered one is a 400, not a 500.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: String,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.id.simple(), URL_SAFE_NO_PAD.encode(self.key.as_bytes()))
    }

    pub fn decode(value: &str) -> Result<Self, AppError> {
        let bad = stale_link;
        let (id, key) = value.split_once('.').ok_or_else(bad)?;
        let id = Uuid::parse_str(id).map_err(|_| bad())?;
        let key = URL_SAFE_NO_PAD
            .decode(key)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            // PostgreSQL text cannot hold a NUL byte: no key of ours has one.
            .filter(|key| !key.contains('\0'))
            .ok_or_else(bad)?;
        Ok(Cursor { key, id })
    }
}

/// A search term reaches SQL only as text PostgreSQL can hold and compare:
/// a NUL byte (which a PostgreSQL string cannot contain) or another control
/// character is refused with a 400 that says so, rather than failing in SQL
/// (where it used to be reported as a stale page link).
fn check_search(query: &UserListQuery) -> Result<(), AppError> {
    match query.search() {
        Some(term) if term.chars().any(char::is_control) => Err(AppError::bad_request(
            "The search contains an invisible control character. Remove it and search again.",
        )),
        _ => Ok(()),
    }
}

/// A cursor that cannot be read, or whose key does not fit the column: a
/// forged or stale link, answered with a 400 the page shows.
fn stale_link() -> AppError {
    AppError::bad_request("This page link is no longer valid. Start again from the first page.")
}

/// The expiry of a user's current link: the newest one (a resend revokes
/// the older ones). Shared by the filter and the displayed status so both
/// agree on what "Invite expired" means.
const CURRENT_EXPIRY: &str = "(SELECT i.expires_at FROM invites i WHERE i.org_id = u.org_id AND i.user_id = u.id AND i.purpose = 'activation' ORDER BY i.created_at DESC LIMIT 1)";

/// The user columns every level of the page query selects: the row's own,
/// and what the filters read (`search_text` and the folded names for a
/// search, `department` for its filter).
const ROW_COLUMNS: &str = "u.id, u.org_id, u.status, u.role, u.kind, u.first_name, u.last_name, u.email, \
     u.activated_at, u.last_sign_in_at, u.created_at, u.search_text, u.first_name_key, u.last_name_key, \
     u.first_name_fold, u.last_name_fold, u.email_fold, u.department, u.locked_at, u.locked_until";

/// A row of the page query: the user, the shown status, and for invites the
/// link's expiry and the state of its newest mail.
#[derive(FromRow)]
pub struct Row {
    pub(super) id: Uuid,
    pub(super) shown_status: String,
    pub(super) role: Role,
    pub(super) kind: UserKind,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) activated_at: Option<DateTime<Utc>>,
    pub(super) last_sign_in_at: Option<DateTime<Utc>>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) sort_key: String,
    pub(super) invite_expires_at: Option<DateTime<Utc>>,
    pub(super) mail_state: Option<MailState>,
    pub(super) mail_attempts: Option<i32>,
    pub(super) mail_error: Option<String>,
    pub(super) mail_sent_at: Option<DateTime<Utc>>,
    pub(super) mail_created_at: Option<DateTime<Utc>>,
    pub(super) locked: bool,
    pub(super) locked_until: Option<DateTime<Utc>>,
    pub(super) photo_version: Option<String>,
    #[sqlx(flatten)]
    pub(super) access: ProfileColumns,
}

/// The columns after the page's own: the shown status and the invite's
/// delivery, joined per row of the page only (after LIMIT), so a page of
/// 25 costs 25 index lookups, not a join over the organization.
pub(super) const DELIVERY_COLUMNS: &str = concat!(
    "CASE WHEN u.status = 'invited' AND ci.expires_at <= now() THEN 'invite_expired' \
                 ELSE u.status::text END AS shown_status, \
            ci.expires_at AS invite_expires_at, m.state AS mail_state, m.attempts AS mail_attempts, \
            m.last_error AS mail_error, m.sent_at AS mail_sent_at, m.created_at AS mail_created_at, \
            (u.locked_at IS NOT NULL AND (u.locked_until IS NULL OR u.locked_until > now())) AS locked, \
            u.locked_until, ph.version AS photo_version, ",
    access_profile_columns!()
);

pub(super) const DELIVERY_JOINS: &str = " LEFT JOIN LATERAL (SELECT i.id, i.expires_at FROM invites i \
                WHERE i.org_id = u.org_id AND i.user_id = u.id AND i.purpose = 'activation' \
                ORDER BY i.created_at DESC LIMIT 1) ci \
                ON u.status IN ('invited', 'invite_canceled') \
            LEFT JOIN LATERAL (SELECT o.state, o.attempts, o.last_error, o.sent_at, o.created_at FROM outbox o \
                WHERE o.org_id = u.org_id AND o.user_id = u.id AND o.invite_id = ci.id \
                ORDER BY o.created_at DESC LIMIT 1) m ON true \
            LEFT JOIN user_photos ph ON ph.org_id = u.org_id AND ph.user_id = u.id";

/// Escapes `%`, `_` and `\` so a search term is matched literally.
pub(crate) fn like_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub fn page_size(requested: Option<u16>, remembered: i16) -> u16 {
    match requested {
        Some(size) if PAGE_SIZES.contains(&size) => size,
        _ if PAGE_SIZES.contains(&(remembered as u16)) => remembered as u16,
        _ => DEFAULT_PAGE_SIZE,
    }
}

/// How the rows of a page are found.
///
/// A search and a sort order pull against each other: the sort column's
/// index yields rows in order but knows nothing of the term, the trigram
/// index finds the matches but in no order. Walking the sort index and
/// filtering is instant when matches are everywhere ("example.com") and a
/// scan of the organization when they cluster far down the order (a search
/// for "smi" sorted by last name walks past every A to R). Collecting the
/// matches through the trigram index costs in proportion to how many there
/// are. PostgreSQL's estimate cannot tell these apart (it assumes matches
/// are spread evenly, and its guess for an infix term is often off by a
/// hundredfold), so its plan for the same search flipped between 20 and
/// 75 ms from one `ANALYZE` to the next. The choice is made by trying, each
/// step bounded: see [`strategies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Walk the sort column's index from the cursor, keeping the rows that
    /// match, until the page is full or the organization ends.
    InOrder,
    /// The matches, if there are at most [`FEW_MATCHES`] of them past the
    /// cursor: then this is the page; else it says nothing.
    FewMatches,
    /// Walk at most [`SEARCH_WINDOW`] rows in order ([`COVERED_WINDOW`]
    /// where the sort index covers the search): a page this fills is the
    /// right page; one it does not fill says nothing.
    InOrderWindow,
    /// Every match past the cursor, then sorted.
    Matches,
}

/// Up to this many matches, a search sorts them all (a millisecond or so).
pub const FEW_MATCHES: i64 = 200;

/// How many rows a search with many matches walks in order before it
/// collects them through the trigram index instead (a few milliseconds).
pub const SEARCH_WINDOW: i64 = 1000;

/// The window when the sort index itself holds everything the search
/// checks (see [`window_is_covered`]): each row walked then costs a read of
/// the index alone, about 0.15 µs, so 250,000 of them take about as long
/// (30–40 ms on a 2-core machine) as collecting and sorting 15,000 matches
/// through the trigram index, which visits a table page for each match.
/// A name searched for in a large organization is usually a whole cluster
/// of last names ("son" in every "Eriksson"); walking the name order finds
/// the cluster without reading the tens of thousands of other matches.
pub const COVERED_WINDOW: i64 = 250_000;

/// Whether the last-name sort index covers the window: sorted by last name
/// (the default), searched for a term inside names (the `search_text` it
/// includes), with at most the status and type filters (also included), so
/// PostgreSQL walks it with an index-only scan and never reads the table
/// (`migrations/…_covering_name_order.sql`). Anything else (another order,
/// a group, a role, the invite-expiry statuses, which look up the invite)
/// reads a table row per row walked and keeps the short window.
pub fn window_is_covered(query: &UserListQuery) -> bool {
    query.sort_column() == SortColumn::LastName
        && matches!(Search::of(query), Some(Search::Inside(_)))
        && !narrows(query)
        && !matches!(
            query.status_filter(),
            StatusFilter::Only(ShownStatus::Invited) | StatusFilter::Only(ShownStatus::InviteExpired)
        )
}

/// The strategies for a query, tried in turn until one answers (the last
/// one always does). A search the trigram index can serve looks for a few
/// matches, then walks [`SEARCH_WINDOW`] rows in order, then collects every
/// match; anything else walks the sort index.
pub fn strategies(query: &UserListQuery, filters: &ListFilters) -> &'static [Strategy] {
    match Search::of(query) {
        Some(Search::Id(_)) => &[Strategy::InOrder],
        // A search within a filter ("an" below a position) intersects two
        // large sets: neither index finds their few common rows cheaply (at
        // a million users, looking for 200 of them walked 15,000 users in
        // id order, 130 ms; collecting them all, 280 ms), but in name order
        // they come as they are, so in a large organization the walk goes
        // first. The count is then only "more than a page" (see `Found`);
        // a smaller one keeps its exact counts, which cost at most a walk
        // of its users.
        Some(Search::Inside(_) | Search::Prefixes(_)) if narrows(query) && filters.large => {
            &[Strategy::InOrderWindow, Strategy::FewMatches, Strategy::Matches]
        }
        Some(Search::Inside(_) | Search::Prefixes(_)) => {
            &[Strategy::FewMatches, Strategy::InOrderWindow, Strategy::Matches]
        }
        // A group's members, a role, a department or a date range are sets
        // like a search's matches: few (sorted at once), spread through the
        // order (walked), or many and clustered (collected).
        None if narrows(query) => &[Strategy::FewMatches, Strategy::InOrderWindow, Strategy::Matches],
        None => &[Strategy::InOrder],
    }
}

/// Whether an advanced-search filter narrows the list to a set of its own.
fn narrows(query: &UserListQuery) -> bool {
    query.group.is_some()
        || query.group_name().is_some()
        || query.position.is_some()
        || query.role().is_some()
        || query.department().is_some()
        || query.date_filters().iter().any(|(_, v)| v.is_some())
}

/// The date filters as instants: each day starts at midnight in the
/// viewer's zone; a "to" day is inclusive, so it ends where the next
/// begins. A date that does not parse, or a range that ends before it
/// starts, is a field error.
#[derive(Debug, Default, Clone, Copy)]
pub struct DateBounds {
    created_from: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    signed_in_from: Option<DateTime<Utc>>,
    signed_in_before: Option<DateTime<Utc>>,
}

/// What a view's filters mean once resolved on the server: its dates as
/// instants, its position as the position and everything below it.
#[derive(Debug, Default, Clone)]
pub struct ListFilters {
    pub bounds: DateBounds,
    pub positions: Option<Vec<Uuid>>,
    /// For a search within a filter: whether the organization holds more
    /// than [`EXACT_WITHIN_FILTERS`] users (see [`strategies`]).
    pub large: bool,
}

/// Up to this many users (by their seats), a search within a filter is
/// counted exactly: finding up to 200 of its matches walks at most them
/// all, about 40 ms.
pub const EXACT_WITHIN_FILTERS: i64 = 10_000;

impl ListFilters {
    pub async fn resolve(pool: &Db, org_id: Uuid, query: &UserListQuery, zone: Tz) -> Result<Self, AppError> {
        let bounds = DateBounds::of(query, zone)?;
        let positions = match query.position {
            Some(position) => Some(crate::features::positions::server::subtree(pool, org_id, position).await.map_err(
                |e| match e {
                    AppError::NotFound => {
                        AppError::field("position", "That position no longer exists. Choose another in the org chart.")
                    }
                    other => other,
                },
            )?),
            None => None,
        };
        let large = Search::of(query).is_some() && narrows(query) && {
            let seats = crate::features::orgs::server::seat_usage(pool, org_id).await?;
            seats.iter().map(|seat| i64::from(seat.used)).sum::<i64>() > EXACT_WITHIN_FILTERS
        };
        Ok(ListFilters { bounds, positions, large })
    }
}

impl DateBounds {
    pub fn of(query: &UserListQuery, zone: Tz) -> Result<Self, AppError> {
        use chrono::{NaiveDate, TimeZone};
        let mut v = crate::error::Validator::new();
        for (field, message) in query.date_filter_errors() {
            v.add(field, message);
        }
        v.finish()?;
        // Checked above: each value is a calendar day.
        let days: Vec<Option<NaiveDate>> = query
            .date_filters()
            .iter()
            .map(|(_, value)| value.and_then(|value| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()))
            .collect();
        // Midnight in the zone (the earliest, where a day begins twice; the
        // first instant after it where a change of clocks skips it).
        let start = |day: NaiveDate| {
            let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
            zone.from_local_datetime(&midnight)
                .earliest()
                .or_else(|| zone.from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest())
                .map(|at| at.with_timezone(&Utc))
        };
        let next = |day: NaiveDate| day.succ_opt().and_then(start);
        Ok(DateBounds {
            created_from: days[0].and_then(start),
            created_before: days[1].and_then(next),
            signed_in_from: days[2].and_then(start),
            signed_in_before: days[3].and_then(next),
        })
    }
}

/// The conditions every strategy applies where it reads users: the status
/// filter and the kind (employees, external users or both).
fn push_status_and_kind(sql: &mut QueryBuilder<'_, Postgres>, query: &UserListQuery) {
    match query.status_filter() {
        StatusFilter::Default => {
            sql.push(" AND u.status <> 'invite_canceled'");
        }
        StatusFilter::All => {}
        StatusFilter::Only(ShownStatus::Invited) => {
            sql.push(format!(" AND u.status = 'invited' AND {CURRENT_EXPIRY} > now()"));
        }
        StatusFilter::Only(ShownStatus::InviteExpired) => {
            sql.push(format!(" AND u.status = 'invited' AND {CURRENT_EXPIRY} <= now()"));
        }
        StatusFilter::Only(status) => {
            // Active, Disabled and Invite canceled are stored as such.
            sql.push(format!(" AND u.status = '{}'", status.param()));
        }
    }
    if let Some(kind) = query.kind() {
        sql.push(" AND u.kind = ").push_bind(kind);
    }
}

/// The conditions that narrow the list to a set (a search's matches, a
/// group's members, a role, a department, date ranges): each strategy
/// applies them at its own level, each served by an index of its own.
fn push_narrowing(
    sql: &mut QueryBuilder<'_, Postgres>,
    query: &UserListQuery,
    search: Option<&Search>,
    filters: &ListFilters,
) {
    let bounds = filters.bounds;
    if let Some(positions) = &filters.positions {
        sql.push(
            " AND EXISTS (SELECT 1 FROM user_positions up WHERE up.org_id = u.org_id AND up.user_id = u.id \
             AND up.position_id = ANY(",
        )
        .push_bind(positions.clone())
        .push("))");
    }
    if let Some(search) = search {
        search.push_condition(sql);
    }
    if let Some(group) = query.group {
        sql.push(
            " AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.org_id = u.org_id AND gm.user_id = u.id \
             AND gm.group_id = ",
        )
        .push_bind(group)
        .push(")");
    }
    if let Some(name) = query.group_name() {
        sql.push(
            " AND EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.org_id = gm.org_id AND g.id = gm.group_id \
             WHERE gm.org_id = u.org_id AND gm.user_id = u.id AND lower(g.name) = lower(",
        )
        .push_bind(name.to_owned())
        .push("))");
    }
    if let Some(role) = query.role() {
        sql.push(" AND u.role = ").push_bind(role);
    }
    if let Some(department) = query.department() {
        sql.push(" AND lower(u.department) = lower(").push_bind(department.to_owned()).push(")");
    }
    if let Some(from) = bounds.created_from {
        sql.push(" AND u.created_at >= ").push_bind(from);
    }
    if let Some(before) = bounds.created_before {
        sql.push(" AND u.created_at < ").push_bind(before);
    }
    // The expression of the last sign-in's sort index, so it serves these.
    if bounds.signed_in_from.is_some() || bounds.signed_in_before.is_some() {
        sql.push(" AND u.last_sign_in_at IS NOT NULL");
    }
    if let Some(from) = bounds.signed_in_from {
        sql.push(" AND coalesce(u.last_sign_in_at, '-infinity'::timestamptz) >= ").push_bind(from);
    }
    if let Some(before) = bounds.signed_in_before {
        sql.push(" AND coalesce(u.last_sign_in_at, '-infinity'::timestamptz) < ").push_bind(before);
    }
}

pub use crate::features::users::types::COUNT_LIMIT;

/// How many users a filtered view holds, up to one more than
/// [`COUNT_LIMIT`].
pub async fn count_matches(
    pool: &Db,
    org_id: Uuid,
    query: &UserListQuery,
    filters: &ListFilters,
) -> Result<i64, AppError> {
    let search = Search::of(query);
    let mut sql = QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.org_id = ");
    sql.push_bind(org_id);
    push_status_and_kind(&mut sql, query);
    push_narrowing(&mut sql, query, search.as_ref(), filters);
    sql.push(" LIMIT ").push_bind(COUNT_LIMIT + 1).push(") matches");
    Ok(sql.build_query_scalar().fetch_one(pool).await?)
}

/// Builds the page query for one strategy. Public so the benchmark can time
/// (and `EXPLAIN`, through `prefix`) the very same SQL directly against
/// PostgreSQL.
pub fn build_query<'a>(
    prefix: &str,
    org_id: Uuid,
    query: &'a UserListQuery,
    size: u16,
    strategy: Strategy,
    filters: &'a ListFilters,
) -> Result<(QueryBuilder<'a, Postgres>, bool), AppError> {
    let (expr, sql_type) = sort_expression(query.sort_column());
    let direction = query.direction();
    // Paging backwards reads the index the other way and reverses the rows.
    let (cursor, backwards) = match (&query.after, &query.before) {
        (Some(after), _) => (Some(Cursor::decode(after)?), false),
        (None, Some(before)) => (Some(Cursor::decode(before)?), true),
        (None, None) => (None, false),
    };
    let ascending = (direction == SortDirection::Asc) != backwards;
    let order = if ascending { "ASC" } else { "DESC" };
    let order_by = format!(" ORDER BY {expr} {order}, u.id {order}");
    let search = Search::of(query);

    // The page itself is the inner query (served by the sort index, or by the
    // trigram index for `Matches`); the outer one adds each row's invite
    // delivery and keeps the order. The sort expression only reads columns
    // the inner query selects, so every level can order by it verbatim.
    let candidates = if strategy == Strategy::FewMatches { "u.candidates" } else { "NULL::bigint" };
    let mut sql = QueryBuilder::new(format!(
        "{prefix}SELECT u.id, u.role, u.kind, u.first_name, u.last_name, u.email, u.activated_at, u.last_sign_in_at, \
         u.created_at, u.sort_key, {candidates} AS candidates, {DELIVERY_COLUMNS} FROM ("
    ));
    match strategy {
        Strategy::InOrder => {}
        // How many matches the capped level below found, on every row.
        Strategy::FewMatches => {
            sql.push("SELECT *, count(*) OVER () AS candidates FROM (");
        }
        Strategy::Matches => {
            sql.push("SELECT * FROM (");
        }
        // The window yields only the ids of the page, so that PostgreSQL
        // can leave every column the filters do not read out of the walk
        // (it drops a subquery's unused outputs) and, when the sort index
        // covers what they read, never touch the table; the page's rows
        // are read by id afterwards.
        Strategy::InOrderWindow => {
            sql.push(format!("SELECT {ROW_COLUMNS}, {expr}::text AS sort_key FROM (SELECT u.id FROM ("));
        }
    }
    sql.push(format!("SELECT {ROW_COLUMNS}, {expr}::text AS sort_key FROM users u WHERE u.org_id = "));
    sql.push_bind(org_id);
    push_status_and_kind(&mut sql, query);
    if let Some(cursor) = cursor {
        let op = if ascending { ">" } else { "<" };
        sql.push(format!(" AND ({expr}, u.id) {op} (CAST("))
            .push_bind(cursor.key)
            .push(format!(" AS {sql_type}), "))
            .push_bind(cursor.id)
            .push(")");
    }
    let push_search = |sql: &mut QueryBuilder<'a, Postgres>| push_narrowing(sql, query, search.as_ref(), filters);
    match strategy {
        Strategy::InOrder => {
            push_search(&mut sql);
            sql.push(&order_by);
        }
        Strategy::InOrderWindow => {
            let window = if window_is_covered(query) { COVERED_WINDOW } else { SEARCH_WINDOW };
            sql.push(&order_by).push(" LIMIT ").push_bind(window).push(") u WHERE true");
            push_search(&mut sql);
            sql.push(&order_by).push(" LIMIT ").push_bind(i64::from(size) + 1);
            sql.push(") w JOIN users u ON u.org_id = ").push_bind(org_id).push(" AND u.id = w.id");
            sql.push(&order_by);
        }
        Strategy::FewMatches => {
            push_search(&mut sql);
            // Unordered: PostgreSQL fetches through the trigram index when
            // it expects few matches, else scans until it has enough.
            sql.push(" LIMIT ").push_bind(FEW_MATCHES + 1).push(") u");
            sql.push(&order_by);
        }
        Strategy::Matches => {
            push_search(&mut sql);
            // OFFSET 0 keeps PostgreSQL from planning this level together
            // with the ORDER BY and LIMIT around it, which would bring back
            // the walk along the sort index: alone, it collects every match
            // (through the trigram index when they are few).
            sql.push(" OFFSET 0) u");
            sql.push(&order_by);
        }
    }
    // One extra row tells whether another page follows.
    sql.push(" LIMIT ").push_bind(i64::from(size) + 1);
    sql.push(format!(") u {DELIVERY_JOINS}{order_by}"));
    Ok((sql, backwards))
}

#[derive(FromRow)]
struct CandidateRow {
    #[sqlx(flatten)]
    row: Row,
    /// For `FewMatches`: how many matches it found (at most one more than
    /// the cap, which means "too many").
    candidates: Option<i64>,
}

/// What fetching a page learned of how many rows match past its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// [`Strategy::FewMatches`] collected them all: exactly this many.
    Exactly(i64),
    /// At least one more than this: more than [`FEW_MATCHES`] when that
    /// step found too many, more than a page when a walk in order filled
    /// one before any count.
    MoreThan(i64),
    /// Nothing: a plain walk.
    Unknown,
}

/// The rows of a page (one more than `size` when another page follows), in
/// the order asked for or its reverse when paging backwards (the `bool`),
/// and what the steps learned of the number of matches.
pub async fn fetch_rows_counted(
    pool: &Db,
    org_id: Uuid,
    query: &UserListQuery,
    size: u16,
    filters: &ListFilters,
) -> Result<(Vec<Row>, bool, Found), AppError> {
    check_search(query)?;
    let strategies = strategies(query, filters);
    let mut known = Found::Unknown;
    for (i, &strategy) in strategies.iter().enumerate() {
        let (mut sql, backwards) = build_query("", org_id, query, size, strategy, filters)?;
        let rows: Vec<CandidateRow> = match sql.build_query_as().fetch_all(pool).await {
            Ok(rows) => rows,
            // A cursor whose key does not parse as the column's type (a
            // forged or stale link) is the client's problem, not a server
            // error.
            Err(sqlx::Error::Database(e)) if e.code().is_some_and(|c| c.starts_with("22")) => {
                return Err(stale_link());
            }
            Err(e) => return Err(e.into()),
        };
        let answered = match strategy {
            Strategy::InOrder | Strategy::Matches => true,
            Strategy::FewMatches => {
                let candidates = rows.first().and_then(|r| r.candidates).unwrap_or(0);
                known =
                    if candidates <= FEW_MATCHES { Found::Exactly(candidates) } else { Found::MoreThan(FEW_MATCHES) };
                candidates <= FEW_MATCHES
            }
            Strategy::InOrderWindow => {
                let filled = rows.len() > usize::from(size);
                if filled && known == Found::Unknown {
                    known = Found::MoreThan(i64::from(size));
                }
                filled
            }
        };
        if answered || i + 1 == strategies.len() {
            return Ok((rows.into_iter().map(|r| r.row).collect(), backwards, known));
        }
    }
    Err(crate::server::respond::internal("user list", "no strategy for the query"))
}

/// How a view's count is known (see `list_users`). Public so that the
/// benchmark times exactly the statements the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// An unfiltered list shows no count.
    NotShown,
    /// The first step found every match.
    Found(i64),
    /// A search with many matches: "more than" this, without counting
    /// (200, or a page when the walk in order answered first).
    MoreThan(i64),
    /// Counted by [`count_matches`].
    ByIndex,
}

pub fn how_counted(query: &UserListQuery, found: Found) -> Counted {
    let first_page = query.after.is_none() && query.before.is_none();
    match found {
        _ if !query.is_filtered() => Counted::NotShown,
        Found::Exactly(n) if first_page => Counted::Found(n),
        _ if query.search().is_none() => Counted::ByIndex,
        // More past the cursor is more in all.
        Found::MoreThan(n) => Counted::MoreThan(n),
        // A few past the cursor of a later page says nothing of those
        // before it, and a search is not counted (see `list_users`).
        Found::Exactly(_) | Found::Unknown => Counted::NotShown,
    }
}

pub fn format_time(at: DateTime<Utc>, tz: Tz) -> Timestamp {
    Timestamp { iso: at.to_rfc3339(), local: at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string() }
}

pub async fn list_users(
    pool: &Db,
    org_id: Uuid,
    query: &UserListQuery,
    size: u16,
    viewer_zone: Tz,
) -> Result<UserPage, AppError> {
    let filters = ListFilters::resolve(pool, org_id, query, viewer_zone).await?;
    let (mut rows, backwards, found) = fetch_rows_counted(pool, org_id, query, size, &filters).await?;
    // A filtered view says how many it holds: exactly when a step found
    // them all (page 1, at most FEW_MATCHES); for filters, by counting up
    // to COUNT_LIMIT + 1 through their indexes. A search with many matches
    // is not counted (collecting a trigram or prefix match set costs what
    // the page itself avoids): it says "more than 200", or "more than 25"
    // when the walk in order answered before any count (see `Found`).
    let (matching, matching_more_than) = match how_counted(query, found) {
        Counted::NotShown => (None, None),
        Counted::Found(n) => (Some(n), None),
        Counted::MoreThan(n) => (None, Some(n)),
        Counted::ByIndex => match count_matches(pool, org_id, query, &filters).await? {
            n if n > COUNT_LIMIT => (None, Some(COUNT_LIMIT)),
            n => (Some(n), None),
        },
    };
    let more = rows.len() > usize::from(size);
    rows.truncate(usize::from(size));
    if backwards {
        rows.reverse();
    }
    let had_cursor = query.after.is_some() || query.before.is_some();
    let cursor_of = |row: &Row| Cursor { key: row.sort_key.clone(), id: row.id }.encode();
    // Going forwards, a previous page exists if we came from one; going
    // backwards, the page we came from is the next one.
    let (has_prev, has_next) = if backwards { (more, true) } else { (had_cursor, more) };
    let prev = if has_prev { rows.first().map(cursor_of) } else { None };
    let next = if has_next { rows.last().map(cursor_of) } else { None };

    Ok(UserPage {
        rows: rows.into_iter().map(|r| r.into_user_row(viewer_zone)).collect(),
        next,
        prev,
        size,
        time_zone: viewer_zone.name().to_owned(),
        matching,
        matching_more_than,
    })
}

impl Row {
    pub(super) fn into_user_row(self, zone: Tz) -> UserRow {
        let mail = match (self.mail_state, self.mail_created_at) {
            (Some(state), Some(queued)) => Some(MailStatus {
                state,
                attempts: self.mail_attempts.unwrap_or(0),
                last_error: self.mail_error,
                sent: self.mail_sent_at.map(|at| format_time(at, zone)),
                queued: format_time(queued, zone),
            }),
            _ => None,
        };
        UserRow {
            id: self.id,
            // The CASE above only yields known values; a stored status added
            // later without a ShownStatus would show as Disabled, never fail.
            status: ShownStatus::from_param(&self.shown_status).unwrap_or(ShownStatus::Disabled),
            role: self.role,
            kind: self.kind,
            photo: self.photo_version.map(|version| super::photo::photo_url(self.id, &version)),
            active: self.activated_at.is_some(),
            access: self.last_sign_in_at.is_some(),
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            created: format_time(self.created_at, zone),
            last_sign_in: self.last_sign_in_at.map(|at| format_time(at, zone)),
            invite: self.invite_expires_at.map(|at| InviteDelivery { expires: format_time(at, zone), mail }),
            lock: self.locked.then(|| AccountLock { until: self.locked_until.map(|at| format_time(at, zone)) }),
            // The status only matters for the decisions, not the summary.
            access_settings: self.access.profile(self.role, UserStatus::Active).summary(),
        }
    }
}

/// Remembers the page size the user picked, when it changed.
pub async fn remember_page_size(pool: &Db, org_id: Uuid, user_id: Uuid, size: u16) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET page_size = $3 WHERE org_id = $1 AND id = $2 AND page_size <> $3")
        .bind(org_id)
        .bind(user_id)
        .bind(size as i16)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor { key: "smith, o'neil".into(), id: Uuid::new_v4() };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(matches!(Cursor::decode("nonsense"), Err(AppError::BadRequest { .. })));
        assert!(matches!(Cursor::decode("abc.def"), Err(AppError::BadRequest { .. })));
    }

    #[test]
    fn search_terms_match_literally() {
        assert_eq!(like_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn a_search_tries_its_indexes_in_turn() {
        let search = |q: &str| UserListQuery { q: Some(q.into()), ..Default::default() };
        let small = ListFilters::default();
        let large = ListFilters { large: true, ..Default::default() };
        let few_first = [Strategy::FewMatches, Strategy::InOrderWindow, Strategy::Matches];
        assert_eq!(strategies(&search("smi"), &small), few_first);
        assert_eq!(strategies(&search("ab"), &large), few_first);
        assert_eq!(strategies(&UserListQuery::default(), &large), [Strategy::InOrder]);
        let within = UserListQuery { q: Some("an".into()), role: Some("operator".into()), ..Default::default() };
        assert_eq!(strategies(&within, &small), few_first);
        assert_eq!(strategies(&within, &large), [Strategy::InOrderWindow, Strategy::FewMatches, Strategy::Matches]);
    }

    #[test]
    fn a_count_is_exact_only_when_every_match_was_seen() {
        let search = UserListQuery { q: Some("smi".into()), ..Default::default() };
        let later = UserListQuery { after: Some("x".into()), ..search.clone() };
        let filter = UserListQuery { role: Some("operator".into()), ..Default::default() };
        assert_eq!(how_counted(&UserListQuery::default(), Found::Unknown), Counted::NotShown);
        assert_eq!(how_counted(&search, Found::Exactly(7)), Counted::Found(7));
        assert_eq!(how_counted(&search, Found::MoreThan(FEW_MATCHES)), Counted::MoreThan(FEW_MATCHES));
        assert_eq!(how_counted(&search, Found::MoreThan(25)), Counted::MoreThan(25));
        // Seven past the cursor of page 2 is not seven in all.
        assert_eq!(how_counted(&later, Found::Exactly(7)), Counted::NotShown);
        assert_eq!(how_counted(&later, Found::MoreThan(FEW_MATCHES)), Counted::MoreThan(FEW_MATCHES));
        assert_eq!(how_counted(&filter, Found::Exactly(7)), Counted::Found(7));
        assert_eq!(how_counted(&filter, Found::MoreThan(FEW_MATCHES)), Counted::ByIndex);
    }

    #[test]
    fn a_term_is_an_id_an_infix_or_word_prefixes() {
        let search = |q: &str| Search::of(&UserListQuery { q: Some(q.into()), ..Default::default() });
        let id = Uuid::new_v4();
        assert_eq!(search(&format!(" {id} ")), Some(Search::Id(id)));
        assert_eq!(search("Smi"), Some(Search::Inside("%smi%".into())));
        assert_eq!(search("an"), Some(Search::Prefixes(vec!["an".into()])));
        assert_eq!(search("li  Mo"), Some(Search::Prefixes(vec!["li".into(), "Mo".into()])));
        assert_eq!(search("o.1"), Some(Search::Prefixes(vec!["o.1".into()])));
        assert_eq!(search("   "), None);
    }

    #[test]
    fn page_size_prefers_the_request_then_the_remembered_one() {
        assert_eq!(page_size(Some(50), 25), 50);
        assert_eq!(page_size(Some(7), 100), 100);
        assert_eq!(page_size(None, 100), 100);
        assert_eq!(page_size(None, 3), 25);
    }
}
