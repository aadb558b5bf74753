//! Texts out: an SMS to one phone number through SNS `Publish` with `PhoneNumber`,
//! transactional (delivered ahead of marketing traffic and past quiet hours where a
//! country allows), with the platform's sender ID where the destination shows one.
//!
//! People who replied STOP are on the account's opt-out list; SNS drops texts to them,
//! and [`Texter::send`] asks first (`CheckIfPhoneNumberIsOptedOut`), so the caller learns
//! that nothing went out ([`Outcome::OptedOut`]) rather than believing it did.

use aws_sdk_sns::types::MessageAttributeValue;

/// Calling codes whose networks do not show alphanumeric sender IDs (North America's
/// +1 and China's +86 need registered numbers instead): a sender ID sent there is at
/// best ignored, so none is sent.
const NO_SENDER_ID: [&str; 2] = ["+1", "+86"];

/// Whether a text to `phone` (E.164) carries the sender ID.
pub fn sender_id_shown(phone: &str) -> bool {
    !NO_SENDER_ID.iter().any(|code| phone.starts_with(code))
}

/// A sender ID as carriers take it: 3 to 11 letters, digits or hyphens, with at least
/// one letter (all digits would read as a phone number).
pub fn check_sender_id(id: &str) -> Result<String, String> {
    let ok = (3..=11).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && id.chars().any(|c| c.is_ascii_alphabetic());
    if ok {
        Ok(id.to_string())
    } else {
        Err(format!("SMS_SENDER_ID {id:?} must be 3-11 letters, digits or '-', with a letter"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("checking whether {masked} opted out: {detail}")]
    OptOutCheck { masked: String, detail: String },
    #[error("publishing a text to {masked}: {detail}")]
    Publish { masked: String, detail: String },
}

/// What became of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        message_id: String,
    },
    /// The number replied STOP: nothing was sent.
    OptedOut,
}

/// A phone number as logs may show it: the country code and the last two digits.
pub fn mask(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    if digits.len() <= 5 {
        return "***".into();
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}

/// The SNS client and the platform's sender ID, built once per cold start.
#[derive(Debug, Clone)]
pub struct Texter {
    sns: aws_sdk_sns::Client,
    sender_id: Option<String>,
}

impl Texter {
    pub fn new(sdk: &aws_config::SdkConfig, sender_id: Option<String>) -> Texter {
        Texter::with_client(aws_sdk_sns::Client::new(sdk), sender_id)
    }

    /// Over an SNS client the function already holds: building a client costs about a
    /// million instructions of init (its endpoint rules), so a function builds one per
    /// service, not one per use.
    pub fn with_client(sns: aws_sdk_sns::Client, sender_id: Option<String>) -> Texter {
        Texter { sns, sender_id }
    }

    /// `SMS_SENDER_ID` (optional): the alphanumeric sender, where destinations show one.
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Texter, String> {
        let sender_id = match std::env::var("SMS_SENDER_ID").ok().filter(|v| !v.trim().is_empty()) {
            Some(id) => Some(check_sender_id(id.trim())?),
            None => None,
        };
        Ok(Texter::new(sdk, sender_id))
    }

    /// Whether the number replied STOP (texts to it are dropped).
    pub async fn opted_out(&self, phone: &str) -> Result<bool, SmsError> {
        let out = self.sns.check_if_phone_number_is_opted_out().phone_number(phone).send().await.map_err(|e| {
            SmsError::OptOutCheck {
                masked: mask(phone),
                detail: aws_sdk_sns::error::DisplayErrorContext(&e).to_string(),
            }
        })?;
        Ok(out.is_opted_out)
    }

    /// Texts `phone` unless it opted out.
    pub async fn send(&self, phone: &str, text: &str) -> Result<Outcome, SmsError> {
        if self.opted_out(phone).await? {
            tracing::info!(to = %mask(phone), "not texted: the number opted out");
            return Ok(Outcome::OptedOut);
        }
        self.publish(phone, text).await.map(|message_id| Outcome::Sent { message_id })
    }

    /// Texts `phone` without asking about opt-outs first (the caller just did); its
    /// message id.
    pub async fn publish(&self, phone: &str, text: &str) -> Result<String, SmsError> {
        let masked = mask(phone);
        let string = |v: &str| MessageAttributeValue::builder().data_type("String").string_value(v).build();
        let mut publish = self.sns.publish().phone_number(phone).message(text);
        if let Ok(kind) = string("Transactional") {
            publish = publish.message_attributes("AWS.SNS.SMS.SMSType", kind);
        }
        if let Some(Ok(id)) = self.sender_id.as_deref().filter(|_| sender_id_shown(phone)).map(string) {
            publish = publish.message_attributes("AWS.SNS.SMS.SenderID", id);
        }
        let out = publish.send().await.map_err(|e| SmsError::Publish {
            masked: masked.clone(),
            detail: aws_sdk_sns::error::DisplayErrorContext(&e).to_string(),
        })?;
        let message_id = out.message_id.unwrap_or_default();
        tracing::info!(to = %masked, message_id, "texted");
        Ok(message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn north_america_and_china_get_no_sender_id() {
        assert!(!sender_id_shown("+14155550123"));
        assert!(!sender_id_shown("+8613800138000"));
        assert!(sender_id_shown("+447700900123"));
        assert!(sender_id_shown("+919848022338"));
    }

    #[test]
    fn sender_ids_follow_the_carriers_rules() {
        assert_eq!(check_sender_id("CaptureMmts").unwrap(), "CaptureMmts");
        for bad in ["CM", "CaptureMoments", "12345", "Capture Mo", "Captüre"] {
            assert!(check_sender_id(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// A masked number never shows more than its first three and last two characters.
        #[test]
        fn masking_hides_the_middle(digits in "[1-9][0-9]{7,14}") {
            let phone = format!("+{digits}");
            let m = mask(&phone);
            prop_assert!(m.contains("***"));
            let middle = &phone[3..phone.len() - 2];
            prop_assert!(!m.contains(middle));
        }
    }
}
