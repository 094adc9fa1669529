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
        Ok(RenderedMail {
            subject: if self.renewed {
                format!("Your new link to join {} on Roster", self.organization)
            } else {
                format!("{} invited you to {} on Roster", self.inviter, self.organization)
            },
            text: InviteText { mail: self }.render().map_err(|e| internal("render invite mail", e))?,
            html: InviteHtml { mail: self }.render().map_err(|e| internal("render invite mail", e))?,
        })
    }
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
