//! What the mock Cloud API makes of a message: Meta's checks before it takes one, and the
//! deterministic fate of each test number (see the table in the [module docs](super)).

use std::time::Duration;

use switchboard_domain::gateway::{GatewayError, OutboundContent, OutboundMessage};

/// The Cloud API's longest text body, in characters.
const MAX_TEXT_CHARS: usize = 4096;
const INVALID_PARAMETER: i64 = 100;
const TEMPLATE_MISSING: i64 = 132001;
const UNDELIVERABLE: i64 = 131026;
const RATE_LIMIT_HIT: i64 = 130429;
const SOMETHING_WENT_WRONG: i64 = 131000;

/// How many sends to a `…0429` recipient hit the rate limit before one goes through.
pub(super) const RATE_LIMITED_SENDS: u32 = 2;

/// Checks `message` as the Cloud API does before taking it.
///
/// Returns the recipient's WhatsApp id: `to` without the leading `+` that Meta also accepts.
pub(super) fn validate(message: &OutboundMessage) -> Result<&str, GatewayError> {
    let wa_id = message.to.strip_prefix('+').unwrap_or(&message.to);
    if !(7..=15).contains(&wa_id.len()) || !wa_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_parameter(format!(
            "Param to must be a phone number of 7 to 15 digits, got {:?}",
            message.to
        )));
    }
    match &message.content {
        OutboundContent::Text { body } if body.is_empty() => Err(invalid_parameter(
            "Param text['body'] must not be empty".to_owned(),
        )),
        OutboundContent::Text { body } if body.chars().count() > MAX_TEXT_CHARS => {
            Err(invalid_parameter(format!(
                "Param text['body'] must be at most {MAX_TEXT_CHARS} characters long"
            )))
        }
        OutboundContent::Template { name, language, .. } if name.is_empty() => {
            Err(GatewayError::Permanent {
                code: TEMPLATE_MISSING,
                title: "Template name does not exist in the translation".to_owned(),
                details: Some(format!(
                    "template name (empty) does not exist in {language}"
                )),
            })
        }
        OutboundContent::Template { language, .. } if language.is_empty() => Err(
            invalid_parameter("Param template['language']['code'] is required".to_owned()),
        ),
        OutboundContent::Template {
            components_json, ..
        } if !is_json_array(components_json) => Err(invalid_parameter(
            "Param template['components'] must be a JSON array".to_owned(),
        )),
        OutboundContent::Text { .. } | OutboundContent::Template { .. } => Ok(wa_id),
    }
}

fn is_json_array(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Array(_))
    )
}

fn invalid_parameter(details: String) -> GatewayError {
    GatewayError::Permanent {
        code: INVALID_PARAMETER,
        title: "Invalid parameter".to_owned(),
        details: Some(details),
    }
}

/// The behaviour a recipient's last four digits select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TestNumber {
    /// `…0000`: refused at once with 131026.
    Undeliverable,
    /// `…0047`: free-form text fails asynchronously with 131047.
    OutsideWindow,
    /// `…0429`: the first sends hit the rate limit.
    RateLimited,
    /// `…0500`: Meta's servers are down for this recipient.
    Unavailable,
    /// `…0002`: `delivered` never arrives.
    SkipsDelivered,
    /// Anything else: the happy path.
    Ordinary,
}

impl TestNumber {
    /// The behaviour of the recipient with WhatsApp id `wa_id`.
    pub(super) fn of(wa_id: &str) -> Self {
        [
            ("0000", Self::Undeliverable),
            ("0047", Self::OutsideWindow),
            ("0429", Self::RateLimited),
            ("0500", Self::Unavailable),
            ("0002", Self::SkipsDelivered),
        ]
        .into_iter()
        .find_map(|(suffix, number)| wa_id.ends_with(suffix).then_some(number))
        .unwrap_or(Self::Ordinary)
    }
}

/// Meta's answer to a recipient who cannot get WhatsApp messages.
pub(super) fn undeliverable() -> GatewayError {
    GatewayError::Permanent {
        code: UNDELIVERABLE,
        title: "Message undeliverable".to_owned(),
        details: Some(
            "The recipient is not on WhatsApp, uses an old app version or has not accepted the \
             terms of service."
                .to_owned(),
        ),
    }
}

/// Meta's answer when the sending number exceeds its throughput.
pub(super) fn rate_limit_hit() -> GatewayError {
    GatewayError::Transient {
        code: Some(RATE_LIMIT_HIT),
        message: "Rate limit hit".to_owned(),
        retry_after: Some(Duration::from_secs(1)),
    }
}

/// Meta's answer when its own service fails.
pub(super) fn something_went_wrong() -> GatewayError {
    GatewayError::Transient {
        code: Some(SOMETHING_WENT_WRONG),
        message: "Something went wrong".to_owned(),
        retry_after: None,
    }
}

/// A status webhook the mock posts about an accepted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Report {
    Sent,
    Delivered,
    Read,
    /// `failed` with 131047: the 24-hour customer-service window had closed.
    FailedOutsideWindow,
}

impl Report {
    /// The `status` value Meta writes.
    pub(super) fn status(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::FailedOutsideWindow => "failed",
        }
    }
}

/// The status webhooks that follow an accepted message, each with its delay after the previous
/// one. `delays` are those before `sent`, `delivered` and `read`.
pub(super) fn reports(
    number: TestNumber,
    content: &OutboundContent,
    delays: [Duration; 3],
) -> Vec<(Duration, Report)> {
    let [to_sent, to_delivered, to_read] = delays;
    match (number, content) {
        // Templates are allowed outside the window, so only free-form text fails.
        (TestNumber::OutsideWindow, OutboundContent::Text { .. }) => {
            vec![(to_sent, Report::FailedOutsideWindow)]
        }
        // Read still comes when it would have, as if delivery had happened unreported.
        (TestNumber::SkipsDelivered, _) => vec![
            (to_sent, Report::Sent),
            (to_delivered.saturating_add(to_read), Report::Read),
        ],
        _ => vec![
            (to_sent, Report::Sent),
            (to_delivered, Report::Delivered),
            (to_read, Report::Read),
        ],
    }
}
