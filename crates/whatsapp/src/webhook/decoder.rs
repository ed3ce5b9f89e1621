//! The Cloud API webhook as the domain's [`WebhookDecoder`].

use switchboard_domain::ingest::model::{WebhookBatch, WebhookRejection};
use switchboard_domain::ingest::ports::WebhookDecoder;

use super::{EnvelopeError, parse_envelope, verify_subscription};
use crate::signature::{SignatureError, verify_signature};

/// Verifies with the Meta app secret and the verify token; decodes Cloud API envelopes.
#[derive(Clone)]
pub struct CloudWebhook {
    app_secret: Vec<u8>,
    verify_token: Option<String>,
}

impl std::fmt::Debug for CloudWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudWebhook")
            .field("verify_token_set", &self.verify_token.is_some())
            .finish_non_exhaustive()
    }
}

impl CloudWebhook {
    pub fn new(app_secret: impl Into<Vec<u8>>, verify_token: Option<String>) -> Self {
        Self {
            app_secret: app_secret.into(),
            verify_token,
        }
    }
}

impl WebhookDecoder for CloudWebhook {
    fn decode(
        &self,
        raw_body: &[u8],
        signature: Option<&str>,
    ) -> Result<WebhookBatch, WebhookRejection> {
        verify_signature(&self.app_secret, raw_body, signature).map_err(|e| match e {
            SignatureError::Missing => WebhookRejection::MissingSignature,
            other => WebhookRejection::BadSignature(other.to_string()),
        })?;
        let envelope = parse_envelope(raw_body).map_err(rejection)?;
        envelope.to_batch().map_err(rejection)
    }

    fn handshake(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Option<String> {
        verify_subscription(mode, token, challenge, self.verify_token.as_deref()?)
    }
}

fn rejection(e: EnvelopeError) -> WebhookRejection {
    match e {
        EnvelopeError::NotJson(m) => WebhookRejection::NotJson(m),
        EnvelopeError::NotAnEnvelope(m) => WebhookRejection::NotAnEnvelope(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::signature_header;

    const BODY: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550100001","phone_number_id":"111"},"messages":[{"from":"1650","id":"wamid.A","timestamp":"1750000000","type":"text","text":{"body":"hi"}}]}}]}]}"#;

    #[test]
    fn a_signed_envelope_decodes() {
        let webhook = CloudWebhook::new(b"secret".to_vec(), None);
        let header = signature_header(b"secret", BODY.as_bytes());
        let batch = webhook.decode(BODY.as_bytes(), Some(&header)).unwrap();
        assert_eq!(batch.messages[0].wamid, "wamid.A");
    }

    #[test]
    fn the_signature_is_checked_before_the_body_is_parsed() {
        let webhook = CloudWebhook::new(b"secret".to_vec(), None);
        assert_eq!(
            webhook.decode(b"not json", None),
            Err(WebhookRejection::MissingSignature)
        );
        let wrong = signature_header(b"other", b"not json");
        assert!(matches!(
            webhook.decode(b"not json", Some(&wrong)),
            Err(WebhookRejection::BadSignature(_))
        ));
        let right = signature_header(b"secret", b"not json");
        assert!(matches!(
            webhook.decode(b"not json", Some(&right)),
            Err(WebhookRejection::NotJson(_))
        ));
        let shape = signature_header(b"secret", b"{\"entry\":5}");
        assert!(matches!(
            webhook.decode(b"{\"entry\":5}", Some(&shape)),
            Err(WebhookRejection::NotAnEnvelope(_))
        ));
    }

    #[test]
    fn without_a_verify_token_the_handshake_is_refused() {
        let open = CloudWebhook::new(b"s".to_vec(), Some("tok".into()));
        assert_eq!(
            open.handshake(Some("subscribe"), Some("tok"), Some("42")),
            Some("42".into())
        );
        assert_eq!(
            open.handshake(Some("subscribe"), Some("bad"), Some("42")),
            None
        );
        let closed = CloudWebhook::new(b"s".to_vec(), None);
        assert_eq!(
            closed.handshake(Some("subscribe"), Some(""), Some("42")),
            None
        );
    }
}
