//! Email templates, checked at compile time. The HTML variant escapes every
//! value, so a name like `<img src=x onerror=…>` arrives as text.

use askama::Template;

use crate::error::AppError;
use crate::server::respond::internal;

/// A rendered email, ready for the outbox.
#[derive(Debug, Clone)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "invite.txt")]
struct InviteText<'a> {
    mail: &'a InviteMail,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InviteHtml<'a> {
    mail: &'a InviteMail,
}

/// The activation email of an invite.
pub struct InviteMail {
    pub first_name: String,
    pub organization: String,
    pub inviter: String,
    pub link: String,
    /// The expiry in the recipient's time zone, e.g. "25 Nov 2026, 10:15 (Europe/Zurich)".
    pub expires: String,
    /// This link replaces an earlier one (a resend, or the invited person
    /// asked for a fresh link): the mail says the old one no longer works.
    pub renewed: bool,
}

impl InviteMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let subject = if self.renewed {
            format!("Your new link to join {} on Roster", self.organization)
        } else {
            format!("{} invited you to {} on Roster", self.inviter, self.organization)
        };
        rendered("invite", subject, InviteText { mail: self }, InviteHtml { mail: self })
    }
}

/// The mail that confirms a sign-up's address: its link leads to the page
/// where the registrant chooses a password and the organization is created.
pub struct SignUpConfirmMail {
    pub first_name: String,
    pub organization: String,
    pub link: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "sign_up_confirm.txt")]
struct SignUpConfirmText<'a> {
    mail: &'a SignUpConfirmMail,
}

#[derive(Template)]
#[template(path = "sign_up_confirm.html")]
struct SignUpConfirmHtml<'a> {
    mail: &'a SignUpConfirmMail,
}

impl SignUpConfirmMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let subject = format!("Confirm your email to create {} on Roster", self.organization);
        rendered("sign-up confirmation", subject, SignUpConfirmText { mail: self }, SignUpConfirmHtml { mail: self })
    }
}

/// Sent instead of a confirmation when the address already has an account:
/// its owner learns of the attempt, the registrant learns nothing.
pub struct SignUpNoticeMail {
    pub first_name: String,
    pub sign_in_link: String,
}

#[derive(Template)]
#[template(path = "sign_up_notice.txt")]
struct SignUpNoticeText<'a> {
    mail: &'a SignUpNoticeMail,
}

#[derive(Template)]
#[template(path = "sign_up_notice.html")]
struct SignUpNoticeHtml<'a> {
    mail: &'a SignUpNoticeMail,
}

impl SignUpNoticeMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let subject = "Someone tried to create a Roster organization with your address".to_owned();
        rendered("sign-up notice", subject, SignUpNoticeText { mail: self }, SignUpNoticeHtml { mail: self })
    }
}

/// Tells a user their password was changed (never the password itself).
pub struct PasswordChangedMail {
    pub first_name: String,
    pub organization: String,
    /// When, in the user's time zone.
    pub when: String,
}

#[derive(Template)]
#[template(path = "password_changed.txt")]
struct PasswordChangedText<'a> {
    mail: &'a PasswordChangedMail,
}

#[derive(Template)]
#[template(path = "password_changed.html")]
struct PasswordChangedHtml<'a> {
    mail: &'a PasswordChangedMail,
}

impl PasswordChangedMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let subject = "Your Roster password was changed".to_owned();
        rendered("password changed", subject, PasswordChangedText { mail: self }, PasswordChangedHtml { mail: self })
    }
}

/// Why a recovery link is mailed: the mail says so in its first lines.
pub enum RecoveryOccasion {
    /// The user asked ("Forgot password?").
    Requested,
    /// An admin sent it ("Recover password").
    SentBy { admin: String },
    /// Failed sign-ins locked the account; `until` is when the lock ends by
    /// itself (in the user's zone), `None` when an admin must unlock it.
    Locked { failures: i32, until: Option<String> },
}

/// A password recovery link. The lockout mail is one too: its victim can
/// take the account back at once.
pub struct RecoveryMail {
    pub first_name: String,
    pub organization: String,
    pub link: String,
    pub expires: String,
    pub occasion: RecoveryOccasion,
}

#[derive(Template)]
#[template(path = "recovery.txt")]
struct RecoveryText<'a> {
    mail: &'a RecoveryView,
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct RecoveryHtml<'a> {
    mail: &'a RecoveryView,
}

/// The recovery mail's sentences, worded in Rust (the templates stay flat).
struct RecoveryView {
    first_name: String,
    heading: String,
    intro: String,
    outro: String,
    link: String,
    expires: String,
    locked: bool,
}

impl RecoveryMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let org = &self.organization;
        let (subject, intro, outro) = match &self.occasion {
            RecoveryOccasion::Requested => (
                "Reset your Roster password".to_owned(),
                format!("Someone, hopefully you, asked to reset the password of your Roster account at {org}."),
                "If it was not you, ignore this email: your password stays as it is.".to_owned(),
            ),
            RecoveryOccasion::SentBy { admin } => (
                "Choose a new Roster password".to_owned(),
                format!("{admin}, an admin of {org}, sent you a link to choose a new password for your Roster account."),
                "If you did not expect this, ask your admin why; your current password works until you choose a new one."
                    .to_owned(),
            ),
            RecoveryOccasion::Locked { failures, until } => (
                "Your Roster account is locked".to_owned(),
                match until {
                    Some(until) => format!(
                        "Your Roster account at {org} was locked after {failures} failed sign-ins. It unlocks by itself on {until}."
                    ),
                    None => format!(
                        "Your Roster account at {org} was locked after {failures} failed sign-ins. It stays locked until an admin unlocks it or you choose a new password."
                    ),
                },
                "If these attempts were not yours, someone may know your address: choose a new password with this link, and tell your admin."
                    .to_owned(),
            ),
        };
        let view = RecoveryView {
            first_name: self.first_name.clone(),
            heading: subject.clone(),
            intro,
            outro,
            link: self.link.clone(),
            expires: self.expires.clone(),
            locked: matches!(self.occasion, RecoveryOccasion::Locked { .. }),
        };
        rendered("recovery", subject, RecoveryText { mail: &view }, RecoveryHtml { mail: &view })
    }
}

/// Sent to a new address an admin entered: its link confirms it.
pub struct EmailChangeConfirmMail {
    pub first_name: String,
    pub organization: String,
    pub admin: String,
    pub new_email: String,
    pub link: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "email_change_confirm.txt")]
struct EmailChangeConfirmText<'a> {
    mail: &'a EmailChangeConfirmMail,
}

#[derive(Template)]
#[template(path = "email_change_confirm.html")]
struct EmailChangeConfirmHtml<'a> {
    mail: &'a EmailChangeConfirmMail,
}

impl EmailChangeConfirmMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let subject = format!("Confirm your new email address for {} on Roster", self.organization);
        rendered("email change", subject, EmailChangeConfirmText { mail: self }, EmailChangeConfirmHtml { mail: self })
    }
}

/// Sent to the old address, when a change is asked for and when it is
/// confirmed (OWASP: the old address learns of every change).
pub struct EmailChangeNoticeMail {
    pub first_name: String,
    pub organization: String,
    pub admin: String,
    pub new_email: String,
    pub confirmed: bool,
}

#[derive(Template)]
#[template(path = "email_change_notice.txt")]
struct EmailChangeNoticeText<'a> {
    mail: &'a EmailChangeNoticeMail,
}

#[derive(Template)]
#[template(path = "email_change_notice.html")]
struct EmailChangeNoticeHtml<'a> {
    mail: &'a EmailChangeNoticeMail,
}

impl EmailChangeNoticeMail {
    pub fn render(&self) -> Result<RenderedMail, AppError> {
        let subject = if self.confirmed {
            "Your Roster email address was changed".to_owned()
        } else {
            "A change of your Roster email address was requested".to_owned()
        };
        rendered("email notice", subject, EmailChangeNoticeText { mail: self }, EmailChangeNoticeHtml { mail: self })
    }
}

/// Renders both variants of a mail.
fn rendered(what: &str, subject: String, text: impl Template, html: impl Template) -> Result<RenderedMail, AppError> {
    let context = format!("render {what} mail");
    Ok(RenderedMail {
        subject,
        text: text.render().map_err(|e| internal(&context, e))?,
        html: html.render().map_err(|e| internal(&context, e))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_mail_escapes_names_and_both_state_link_and_expiry() {
        let mail = InviteMail {
            first_name: "<img src=x onerror=alert(1)>".into(),
            organization: "Acme & Co".into(),
            inviter: "Ada Lovelace".into(),
            link: "http://127.0.0.1:3000/activate/abc".into(),
            expires: "25 Nov 2026, 10:15 (Europe/Zurich)".into(),
            renewed: false,
        }
        .render()
        .unwrap();
        assert!(!mail.html.contains("<img src=x"), "{}", mail.html);
        assert!(mail.html.contains("&#60;img src=x onerror=alert(1)&#62;"), "{}", mail.html);
        assert!(mail.html.contains("Acme &#38; Co"), "{}", mail.html);
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("http://127.0.0.1:3000/activate/abc"));
            assert!(body.contains("25 Nov 2026, 10:15 (Europe/Zurich)"));
            assert!(body.contains("Ada Lovelace"));
        }
        assert_eq!(mail.subject, "Ada Lovelace invited you to Acme & Co on Roster");
        assert!(mail.text.contains("Send me a new link"), "an expired link can be renewed by its recipient");
    }

    #[test]
    fn sign_up_mails_escape_and_carry_their_links() {
        let mail = SignUpConfirmMail {
            first_name: "<b>Ada</b>".into(),
            organization: "Acme & Co".into(),
            link: "https://roster.example.com/sign-up/confirm/abc".into(),
            expires: "3 Dec 2026, 10:15 (Europe/Zurich)".into(),
        }
        .render()
        .unwrap();
        assert_eq!(mail.subject, "Confirm your email to create Acme & Co on Roster");
        assert!(mail.html.contains("&#60;b&#62;Ada") && mail.html.contains("Acme &#38; Co"), "{}", mail.html);
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("https://roster.example.com/sign-up/confirm/abc"), "{body}");
            assert!(body.contains("3 Dec 2026, 10:15 (Europe/Zurich)"));
        }
        let notice =
            SignUpNoticeMail { first_name: "Ada".into(), sign_in_link: "https://roster.example.com/sign-in".into() }
                .render()
                .unwrap();
        for body in [&notice.text, &notice.html] {
            assert!(
                body.contains("already has a Roster account") && body.contains("https://roster.example.com/sign-in")
            );
            assert!(!body.contains("/sign-up/confirm/"), "no way to create anything");
        }
    }

    #[test]
    fn recovery_mails_say_why_and_carry_the_link() {
        let base = |occasion| RecoveryMail {
            first_name: "<b>Grace</b>".into(),
            organization: "Acme & Co".into(),
            link: "https://roster.example.com/recover/abc".into(),
            expires: "2 Dec 2026, 15:00 (Europe/Zurich)".into(),
            occasion,
        };
        let locked =
            base(RecoveryOccasion::Locked { failures: 5, until: Some("2 Dec 2026, 14:30 (Europe/Zurich)".into()) })
                .render()
                .unwrap();
        assert_eq!(locked.subject, "Your Roster account is locked");
        for body in [&locked.text, &locked.html] {
            assert!(body.contains("after 5 failed sign-ins") && body.contains("14:30"), "{body}");
            assert!(body.contains("https://roster.example.com/recover/abc") && body.contains("unlocks your account"));
        }
        assert!(locked.html.contains("&#60;b&#62;Grace") && locked.html.contains("Acme &#38; Co"));
        let sent = base(RecoveryOccasion::SentBy { admin: "Ada Lovelace".into() }).render().unwrap();
        assert!(sent.text.contains("Ada Lovelace, an admin of Acme & Co") && !sent.text.contains("unlocks"));
        let asked = base(RecoveryOccasion::Requested).render().unwrap();
        assert_eq!(asked.subject, "Reset your Roster password");
        assert!(asked.text.contains("ignore this email"));
    }

    #[test]
    fn a_renewed_link_says_the_old_one_is_dead() {
        let mail = InviteMail {
            first_name: "Grace".into(),
            organization: "Acme".into(),
            inviter: "Ada Lovelace".into(),
            link: "http://127.0.0.1:3000/activate/new".into(),
            expires: "25 Nov 2026, 10:15 (UTC)".into(),
            renewed: true,
        }
        .render()
        .unwrap();
        assert_eq!(mail.subject, "Your new link to join Acme on Roster");
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("Earlier links no longer work"), "{body}");
        }
    }
}
