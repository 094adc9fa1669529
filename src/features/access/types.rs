//! The access permission catalogue (ELPRO's ten), shared by the server's
//! checks and the browser's pages, and the one function that decides
//! whether a user holds a permission and says why (`AccessProfile::decide`
//! with `Decision::sentence`): the check and its explanation cannot
//! disagree because the sentence is written from the decision itself.

use serde::{Deserialize, Serialize};

use crate::features::users::types::{Role, UserStatus};

/// One of the organization's access permissions. The `key` is stable: the
/// API, the database and forms use it; the label is what people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessPermission {
    Dashboard,
    DownloadReports,
    AddSensors,
    ShowDeviation,
    AcknowledgeDeviation,
    EditAlarmProfiles,
    EditIssueProfiles,
    DeleteSensors,
    Invoices,
    UserMenu,
}

impl AccessPermission {
    /// In ELPRO's order, which the matrix's columns and every list follow.
    pub const ALL: [AccessPermission; 10] = [
        AccessPermission::Dashboard,
        AccessPermission::DownloadReports,
        AccessPermission::AddSensors,
        AccessPermission::ShowDeviation,
        AccessPermission::AcknowledgeDeviation,
        AccessPermission::EditAlarmProfiles,
        AccessPermission::EditIssueProfiles,
        AccessPermission::DeleteSensors,
        AccessPermission::Invoices,
        AccessPermission::UserMenu,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AccessPermission::Dashboard => "dashboard",
            AccessPermission::DownloadReports => "download_reports",
            AccessPermission::AddSensors => "add_sensors",
            AccessPermission::ShowDeviation => "show_deviation",
            AccessPermission::AcknowledgeDeviation => "acknowledge_deviation",
            AccessPermission::EditAlarmProfiles => "edit_alarm_profiles",
            AccessPermission::EditIssueProfiles => "edit_issue_profiles",
            AccessPermission::DeleteSensors => "delete_sensors",
            AccessPermission::Invoices => "invoices",
            AccessPermission::UserMenu => "user_menu",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    /// ELPRO's name for it.
    pub fn label(self) -> &'static str {
        match self {
            AccessPermission::Dashboard => "See Dashboard & Sensor analysis",
            AccessPermission::DownloadReports => "Download reports",
            AccessPermission::AddSensors => "Add & start sensors",
            AccessPermission::ShowDeviation => "Show Deviation",
            AccessPermission::AcknowledgeDeviation => "Acknowledge deviation",
            AccessPermission::EditAlarmProfiles => "Edit alarm profiles",
            AccessPermission::EditIssueProfiles => "Edit issue profiles",
            AccessPermission::DeleteSensors => "Delete sensors, groups and profiles",
            AccessPermission::Invoices => "Invoices & Cards",
            AccessPermission::UserMenu => "Serving user menu",
        }
    }

    /// One line on what it lets a person do.
    pub fn description(self) -> &'static str {
        match self {
            AccessPermission::Dashboard => "Open the dashboards and analyse sensor data.",
            AccessPermission::DownloadReports => "Download sensor reports and data exports.",
            AccessPermission::AddSensors => "Register new sensors and start their recording.",
            AccessPermission::ShowDeviation => "See deviations: readings outside their limits.",
            AccessPermission::AcknowledgeDeviation => "Acknowledge a deviation, with a comment.",
            AccessPermission::EditAlarmProfiles => "Change the limits and delays that raise alarms.",
            AccessPermission::EditIssueProfiles => "Change which technical issues (battery, connection) are reported.",
            AccessPermission::DeleteSensors => "Remove sensors, sensor groups and alarm or issue profiles.",
            AccessPermission::Invoices => "See invoices and manage the payment cards.",
            AccessPermission::UserMenu => {
                "Open User Management: invite, edit, disable and enable Basic and Operator users."
            }
        }
    }

    /// Whether only employees may hold it: serving the user menu manages
    /// the organization's people, which is never a customer's or partner's
    /// job.
    pub fn for_employees_only(self) -> bool {
        self == AccessPermission::UserMenu
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of permissions: ten bits, so it travels to the browser as one
/// small number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PermissionSet(u16);

impl PermissionSet {
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub fn all() -> Self {
        AccessPermission::ALL.into_iter().collect()
    }

    pub fn contains(self, permission: AccessPermission) -> bool {
        self.0 & permission.bit() != 0
    }

    pub fn with(self, permission: AccessPermission, present: bool) -> Self {
        if present { PermissionSet(self.0 | permission.bit()) } else { PermissionSet(self.0 & !permission.bit()) }
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = AccessPermission> {
        AccessPermission::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// The stored keys (unknown ones, from a newer release, are skipped).
    pub fn from_keys<S: AsRef<str>>(keys: &[S]) -> Self {
        keys.iter().filter_map(|k| AccessPermission::from_key(k.as_ref())).collect()
    }

    pub fn keys(self) -> Vec<&'static str> {
        self.iter().map(AccessPermission::key).collect()
    }
}

impl FromIterator<AccessPermission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = AccessPermission>>(iter: I) -> Self {
        iter.into_iter().fold(PermissionSet::EMPTY, |set, p| set.with(p, true))
    }
}

/// What the organization grants a role by default: Basic and Operator are
/// set on the Roles page; a Superuser holds everything, always.
pub fn default_role_permissions(role: Role) -> PermissionSet {
    use AccessPermission::*;
    match role {
        Role::Basic => [Dashboard, DownloadReports, ShowDeviation].into_iter().collect(),
        Role::Operator => [
            Dashboard,
            DownloadReports,
            ShowDeviation,
            AddSensors,
            AcknowledgeDeviation,
            EditAlarmProfiles,
            EditIssueProfiles,
        ]
        .into_iter()
        .collect(),
        Role::Superuser => PermissionSet::all(),
    }
}

/// A per-user setting of one permission: "role default" is its absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Default,
    Granted,
    Denied,
}

impl Setting {
    pub const ALL: [Setting; 3] = [Setting::Default, Setting::Granted, Setting::Denied];

    pub fn param(self) -> &'static str {
        match self {
            Setting::Default => "default",
            Setting::Granted => "granted",
            Setting::Denied => "denied",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.param() == value)
    }
}

/// Everything that decides a user's access: their role and status, what the
/// organization grants that role, and their own grants and denials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessProfile {
    pub role: Role,
    pub status: UserStatus,
    /// The organization's default for `role` (ignored for a Superuser).
    pub role_defaults: PermissionSet,
    pub granted: PermissionSet,
    pub denied: PermissionSet,
    /// An external user (a customer or partner): never serves the user
    /// menu, whatever their role or settings say.
    #[serde(default)]
    pub external: bool,
}

/// Where a decision comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A Superuser holds every permission.
    Superuser,
    /// Not active (invited, disabled, invite canceled): no access at all.
    Inactive(UserStatus),
    /// The role's default, with no per-user setting.
    Role,
    /// A per-user grant or denial (which one: `Decision::allowed`).
    User,
    /// Refused because the user is external (see [`AccessPermission::for_employees_only`]).
    External,
}

/// Whether a user holds a permission, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub permission: AccessPermission,
    pub allowed: bool,
    pub source: Source,
    pub role: Role,
    /// Whether the role alone would grant it (for the sentence).
    pub role_grants: bool,
}

impl AccessProfile {
    /// The one rule: a Superuser holds everything; an inactive user nothing;
    /// otherwise the role's default, overridden by a per-user grant or denial.
    pub fn decide(&self, permission: AccessPermission) -> Decision {
        let role_grants = self.role == Role::Superuser || self.role_defaults.contains(permission);
        let (allowed, source) = if self.status != UserStatus::Active {
            (false, Source::Inactive(self.status))
        } else if self.role == Role::Superuser {
            (true, Source::Superuser)
        } else if self.external && permission.for_employees_only() {
            (false, Source::External)
        } else if self.denied.contains(permission) {
            (false, Source::User)
        } else if self.granted.contains(permission) {
            (true, Source::User)
        } else {
            (role_grants, Source::Role)
        };
        Decision { permission, allowed, source, role: self.role, role_grants }
    }

    pub fn allows(&self, permission: AccessPermission) -> bool {
        self.decide(permission).allowed
    }

    /// Every permission the user holds.
    pub fn effective(&self) -> PermissionSet {
        AccessPermission::ALL.into_iter().filter(|p| self.allows(*p)).collect()
    }

    /// The per-user setting of a permission.
    pub fn setting(&self, permission: AccessPermission) -> Setting {
        if self.denied.contains(permission) {
            Setting::Denied
        } else if self.granted.contains(permission) {
            Setting::Granted
        } else {
            Setting::Default
        }
    }

    /// How far the user's access departs from their role's: (granted
    /// beyond it, denied of it). Settings equal to the default don't count.
    pub fn departures(&self) -> (usize, usize) {
        if self.role == Role::Superuser {
            return (0, 0);
        }
        let defaults = self.role_defaults;
        let plus = self.granted.iter().filter(|p| !defaults.contains(*p) && !self.denied.contains(*p)).count();
        let minus = self.denied.iter().filter(|p| defaults.contains(*p)).count();
        (plus, minus)
    }

    /// The user table's "Access Settings": "Operator defaults",
    /// "Basic defaults + 1", "Operator defaults − 2 + 1".
    pub fn summary(&self) -> String {
        summary(self.role, self.departures())
    }
}

/// The summary of a role and its departures (see `AccessProfile::summary`).
pub fn summary(role: Role, (plus, minus): (usize, usize)) -> String {
    if role == Role::Superuser {
        return "All permissions".to_owned();
    }
    let mut text = format!("{} defaults", role.label());
    if minus > 0 {
        text.push_str(&format!(" − {minus}"));
    }
    if plus > 0 {
        text.push_str(&format!(" + {plus}"));
    }
    text
}

/// Who set a per-user grant or denial, and on which day (in the reader's
/// zone), for the sentence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetBy {
    pub name: String,
    /// "2026-11-20".
    pub on: String,
}

impl Decision {
    /// The decision in one sentence, about `name` ("Anna"): "Anna can
    /// Download reports: the role Basic grants it". Written from the
    /// decision alone, so it says exactly what the check decided.
    pub fn sentence(&self, name: &str, set_by: Option<&SetBy>) -> String {
        let verb = if self.allowed { "can" } else { "cannot" };
        let label = self.permission.label();
        let role = self.role.label();
        let reason = match self.source {
            Source::Superuser => return format!("{name} can do everything: Superuser"),
            Source::Inactive(UserStatus::Disabled) => "their access is disabled".to_owned(),
            Source::Inactive(_) => "they have not activated their account".to_owned(),
            Source::External => "external users never hold it, whatever their role or settings".to_owned(),
            Source::Role if self.allowed => format!("the role {role} grants it"),
            Source::Role => format!("the role {role} does not grant it"),
            Source::User => {
                let kind = if self.allowed { "grant" } else { "denial" };
                let by = set_by.map(|s| format!(" by {} on {}", s.name, s.on)).unwrap_or_default();
                if self.allowed == self.role_grants {
                    let also = if self.allowed { "grants it too" } else { "does not grant it either" };
                    format!("a per-user {kind}{by} (the role {role} {also})")
                } else {
                    format!("a per-user {kind}{by} overrides the role {role}")
                }
            }
        };
        format!("{name} {verb} {label}: {reason}")
    }
}

/// Which dashboards a user may open (IoT Pro's "Dashboard permissions").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DashboardAccess {
    #[default]
    None,
    /// The ones chosen for them.
    Selected,
    /// Every dashboard, including ones created later.
    All,
}

impl DashboardAccess {
    pub const ALL: [DashboardAccess; 3] = [DashboardAccess::None, DashboardAccess::Selected, DashboardAccess::All];

    pub fn param(self) -> &'static str {
        match self {
            DashboardAccess::None => "none",
            DashboardAccess::Selected => "selected",
            DashboardAccess::All => "all",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            DashboardAccess::None => "None",
            DashboardAccess::Selected => "Selected dashboards",
            DashboardAccess::All => "All dashboards, including ones created later",
        }
    }
}

/// Whether a user may open one dashboard, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardReason {
    Superuser,
    Inactive(UserStatus),
    /// They lack "See Dashboard & Sensor analysis" (`decide` says why).
    NeedsDashboardPermission,
    AllDashboards,
    Chosen,
    NotChosen,
    NoDashboards,
}

impl AccessProfile {
    /// The one rule for dashboards: a Superuser opens all; anyone else needs
    /// "See Dashboard & Sensor analysis" and the dashboard among theirs.
    pub fn decide_dashboard(&self, access: DashboardAccess, chosen: bool) -> (bool, DashboardReason) {
        let base = self.decide(AccessPermission::Dashboard);
        match base.source {
            Source::Superuser => return (true, DashboardReason::Superuser),
            Source::Inactive(status) => return (false, DashboardReason::Inactive(status)),
            _ if !base.allowed => return (false, DashboardReason::NeedsDashboardPermission),
            _ => {}
        }
        match access {
            DashboardAccess::All => (true, DashboardReason::AllDashboards),
            DashboardAccess::Selected if chosen => (true, DashboardReason::Chosen),
            DashboardAccess::Selected => (false, DashboardReason::NotChosen),
            DashboardAccess::None => (false, DashboardReason::NoDashboards),
        }
    }
}

/// The dashboard decision in one sentence, about `name` and `dashboard`.
pub fn dashboard_sentence(name: &str, dashboard: &str, (allowed, reason): (bool, DashboardReason)) -> String {
    let verb = if allowed { "can" } else { "cannot" };
    let why = match reason {
        DashboardReason::Superuser => return format!("{name} can do everything: Superuser"),
        DashboardReason::Inactive(UserStatus::Disabled) => "their access is disabled",
        DashboardReason::Inactive(_) => "they have not activated their account",
        DashboardReason::NeedsDashboardPermission => {
            "dashboards need See Dashboard & Sensor analysis, which they do not hold"
        }
        DashboardReason::AllDashboards => "every dashboard is theirs",
        DashboardReason::Chosen => "it is one of their dashboards",
        DashboardReason::NotChosen => "it is not one of their dashboards",
        DashboardReason::NoDashboards => "they have no dashboards",
    };
    format!("{name} {verb} open the dashboard \u{201c}{dashboard}\u{201d}: {why}")
}

/// One permission of one user, as a page or the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplainedAccess {
    pub permission: AccessPermission,
    pub allowed: bool,
    pub setting: Setting,
    /// Whether the role grants it without a per-user setting.
    pub role_default: bool,
    pub explanation: String,
}

/// A user's access settings, permission by permission (their page and
/// "My access").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccess {
    pub user_id: uuid::Uuid,
    pub name: String,
    pub role: Role,
    pub summary: String,
    pub permissions: Vec<ExplainedAccess>,
    /// The caller may change them (a Superuser, about a non-Superuser).
    pub editable: bool,
}

/// The Roles page: what Basic and Operator users hold by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDefaults {
    pub basic: PermissionSet,
    pub operator: PermissionSet,
}

/// One user's row of the access matrix: everything the browser needs to
/// show each cell and explain it (with `decide` and `sentence`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub user_id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub profile: AccessProfile,
    /// Who set each per-user grant or denial, and when.
    pub set_by: Vec<(AccessPermission, SetBy)>,
}

impl MatrixRow {
    pub fn explain(&self, permission: AccessPermission) -> String {
        let set_by = self.set_by.iter().find(|(p, _)| *p == permission).map(|(_, s)| s);
        self.profile.decide(permission).sentence(&self.first_name, set_by)
    }

    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The opposite of what a cell shows: a click or Space asks for it.
pub fn toggled(profile: &AccessProfile, permission: AccessPermission) -> Setting {
    if profile.allows(permission) { Setting::Denied } else { Setting::Granted }
}

/// A profile with one per-user setting applied as the server stores it: a
/// setting equal to the role's default is no setting at all.
pub fn with_setting(profile: AccessProfile, permission: AccessPermission, setting: Setting) -> AccessProfile {
    let role_grants = profile.role_defaults.contains(permission);
    let setting = match setting {
        Setting::Granted if role_grants => Setting::Default,
        Setting::Denied if !role_grants => Setting::Default,
        other => other,
    };
    AccessProfile {
        granted: profile.granted.with(permission, setting == Setting::Granted),
        denied: profile.denied.with(permission, setting == Setting::Denied),
        ..profile
    }
}

/// "Show Access Settings": a page of users with their access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessMatrix {
    pub rows: Vec<MatrixRow>,
    pub next: Option<String>,
    pub prev: Option<String>,
    /// The caller may change cells (a Superuser).
    pub editable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An active Basic user with the default role defaults and no settings.
    fn basic() -> AccessProfile {
        AccessProfile {
            role: Role::Basic,
            status: UserStatus::Active,
            role_defaults: default_role_permissions(Role::Basic),
            granted: PermissionSet::EMPTY,
            denied: PermissionSet::EMPTY,
            external: false,
        }
    }

    const STATUSES: [UserStatus; 4] =
        [UserStatus::Active, UserStatus::Invited, UserStatus::Disabled, UserStatus::InviteCanceled];

    /// Every role × status × role default × per-user setting, for every
    /// permission: the decision follows the rule, and its sentence says
    /// "can" exactly when the check allows, and names the true source.
    #[test]
    fn the_check_and_its_explanation_agree_on_every_combination() {
        let set_by = SetBy { name: "Max Muster".to_owned(), on: "2026-11-20".to_owned() };
        let mut combinations = 0;
        for role in Role::ALL {
            for status in STATUSES {
                for permission in AccessPermission::ALL {
                    for role_grants in [false, true] {
                        for setting in Setting::ALL {
                            let defaults = PermissionSet::EMPTY.with(permission, role_grants);
                            let profile = AccessProfile {
                                role,
                                status,
                                role_defaults: defaults,
                                granted: PermissionSet::EMPTY.with(permission, setting == Setting::Granted),
                                denied: PermissionSet::EMPTY.with(permission, setting == Setting::Denied),
                                external: false,
                            };
                            let expected = status == UserStatus::Active
                                && (role == Role::Superuser
                                    || match setting {
                                        Setting::Granted => true,
                                        Setting::Denied => false,
                                        Setting::Default => role_grants,
                                    });
                            let decision = profile.decide(permission);
                            assert_eq!(decision.allowed, expected, "{role:?} {status:?} {permission:?} {setting:?}");
                            assert_eq!(profile.allows(permission), expected);
                            assert_eq!(profile.effective().contains(permission), expected);

                            let sentence = decision.sentence("Anna", Some(&set_by));
                            if role == Role::Superuser && status == UserStatus::Active {
                                assert_eq!(sentence, "Anna can do everything: Superuser");
                                continue;
                            }
                            let said = if expected { "Anna can " } else { "Anna cannot " };
                            assert!(sentence.starts_with(&format!("{said}{}: ", permission.label())), "{sentence}");
                            let by_user = sentence.contains("a per-user");
                            let active = status == UserStatus::Active;
                            assert_eq!(by_user, active && setting != Setting::Default, "{sentence}");
                            if by_user {
                                assert!(sentence.contains("by Max Muster on 2026-11-20"), "{sentence}");
                                let kind = if setting == Setting::Granted { "grant" } else { "denial" };
                                assert!(sentence.contains(kind), "{sentence}");
                                let overrides = expected != role_grants;
                                assert_eq!(sentence.contains("overrides the role"), overrides, "{sentence}");
                            } else if active {
                                let grants = if role_grants { "grants it" } else { "does not grant it" };
                                assert!(sentence.ends_with(&format!("the role {} {grants}", role.label())));
                            } else {
                                assert!(!expected);
                            }
                            combinations += 1;
                        }
                    }
                }
            }
        }
        assert!(combinations > 500, "{combinations}");
    }

    #[test]
    fn the_sentences_read_as_the_issue_writes_them() {
        let basic = basic();
        assert_eq!(
            basic.decide(AccessPermission::DownloadReports).sentence("Anna", None),
            "Anna can Download reports: the role Basic grants it"
        );
        let operator = AccessProfile {
            role: Role::Operator,
            role_defaults: default_role_permissions(Role::Operator),
            denied: PermissionSet::EMPTY.with(AccessPermission::EditAlarmProfiles, true),
            granted: PermissionSet::EMPTY.with(AccessPermission::Invoices, true),
            ..basic
        };
        let max = SetBy { name: "Max".to_owned(), on: "2026-11-20".to_owned() };
        assert_eq!(
            operator.decide(AccessPermission::EditAlarmProfiles).sentence("Anna", Some(&max)),
            "Anna cannot Edit alarm profiles: a per-user denial by Max on 2026-11-20 overrides the role Operator"
        );
        assert_eq!(
            operator.decide(AccessPermission::Invoices).sentence("Anna", Some(&max)),
            "Anna can Invoices & Cards: a per-user grant by Max on 2026-11-20 overrides the role Operator"
        );
        assert_eq!(operator.summary(), "Operator defaults − 1 + 1");
        assert_eq!(basic.summary(), "Basic defaults");
    }

    #[test]
    fn a_toggle_asks_for_the_opposite_and_a_setting_equal_to_the_role_is_none() {
        let basic = basic();
        let p = AccessPermission::DownloadReports;
        assert_eq!(toggled(&basic, p), Setting::Denied);
        let denied = with_setting(basic, p, Setting::Denied);
        assert!(!denied.allows(p) && denied.setting(p) == Setting::Denied);
        assert_eq!(toggled(&denied, p), Setting::Granted);
        let back = with_setting(denied, p, Setting::Granted);
        assert_eq!(back, basic, "granting what the role grants removes the denial");
        let menu = with_setting(basic, AccessPermission::UserMenu, Setting::Granted);
        assert_eq!(menu.setting(AccessPermission::UserMenu), Setting::Granted);
    }

    /// Every role × status × Dashboard permission × dashboard access ×
    /// chosen or not: a dashboard needs the permission (or Superuser) and
    /// to be among the user's; the sentence says the same.
    #[test]
    fn the_dashboard_check_and_its_sentence_agree_on_every_combination() {
        for role in Role::ALL {
            for status in STATUSES {
                for holds in [false, true] {
                    for access in DashboardAccess::ALL {
                        for chosen in [false, true] {
                            let profile = AccessProfile {
                                role,
                                status,
                                role_defaults: PermissionSet::EMPTY.with(AccessPermission::Dashboard, holds),
                                granted: PermissionSet::EMPTY,
                                denied: PermissionSet::EMPTY,
                                external: false,
                            };
                            let active = status == UserStatus::Active;
                            let expected = active
                                && (role == Role::Superuser
                                    || (holds
                                        && (access == DashboardAccess::All
                                            || (access == DashboardAccess::Selected && chosen))));
                            let decision = profile.decide_dashboard(access, chosen);
                            assert_eq!(decision.0, expected, "{role:?} {status:?} {holds} {access:?} {chosen}");
                            let sentence = dashboard_sentence("Anna", "Cold chain", decision);
                            if active && role == Role::Superuser {
                                assert_eq!(sentence, "Anna can do everything: Superuser");
                            } else {
                                let said = if expected { "Anna can open" } else { "Anna cannot open" };
                                assert!(sentence.starts_with(said), "{sentence}");
                                assert_eq!(
                                    sentence.contains("See Dashboard & Sensor analysis"),
                                    active && !holds,
                                    "{sentence}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn sets_round_trip_through_their_keys() {
        let set: PermissionSet = [AccessPermission::UserMenu, AccessPermission::Dashboard].into_iter().collect();
        assert_eq!(set.keys(), vec!["dashboard", "user_menu"]);
        assert_eq!(PermissionSet::from_keys(&["user_menu", "dashboard", "unknown"]), set);
        assert_eq!(PermissionSet::all().len(), 10);
        for p in AccessPermission::ALL {
            assert_eq!(AccessPermission::from_key(p.key()), Some(p));
        }
    }
}
