//! Mail out: an email `cm_notify` rendered, built into raw MIME (text, HTML and any
//! calendar invite) and handed to SES v2. One place for it, so every function that
//! mails (booking changes, reminders) sends the same shape from the same identity.

use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use cm_notify::{Email, Party};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("building the MIME message: {0}")]
    Mime(String),
    #[error("SES send: {0}")]
    Send(String),
}

/// SES v2 and the verified identity mail is sent from. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Mailer {
    ses: aws_sdk_sesv2::Client,
    from: String,
}

impl Mailer {
    pub fn new(sdk: &aws_config::SdkConfig, from: impl Into<String>) -> Mailer {
        Mailer { ses: aws_sdk_sesv2::Client::new(sdk), from: from.into() }
    }

    pub fn from_address(&self) -> &str {
        &self.from
    }

    /// The right-hand side of every Message-ID.
    pub fn domain(&self) -> &str {
        domain_of(&self.from)
    }

    /// Sends `email` to `to` alone. `message_id` is stable per message: mail systems
    /// that see one id twice may collapse the copies.
    pub async fn send(&self, email: &Email, to: &Party, message_id: &str) -> Result<(), MailError> {
        let raw = cm_notify::mime(email, &self.from, to, message_id).map_err(|e| MailError::Mime(e.to_string()))?;
        let raw = RawMessage::builder().data(Blob::new(raw)).build().map_err(|e| MailError::Mime(e.to_string()))?;
        self.ses
            .send_email()
            .from_email_address(&self.from)
            // The envelope names the one recipient; the headers only display it.
            .destination(Destination::builder().to_addresses(&to.email).build())
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await
            .map_err(|e| MailError::Send(aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}

/// The right-hand side of the Message-IDs sent from `from`, known without a client.
pub fn domain_of(from: &str) -> &str {
    from.rsplit_once('@').map_or("capturemoments.app", |(_, d)| d)
}
