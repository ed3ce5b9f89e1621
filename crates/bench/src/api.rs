//! The few API calls the harness makes to set a scenario up, outside the timed part.

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::cloud_payloads::Number;
use crate::server::ADMIN_PASSWORD;

#[derive(Debug, Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

/// A conversation a send can go to: its id and the customer's WhatsApp id.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: i64,
    pub wa_id: String,
}

impl Api {
    /// Signs in as the bootstrap admin. `client` is the driver's, so its pool is warm.
    pub async fn sign_in(client: reqwest::Client, base: &str) -> anyhow::Result<Self> {
        let reply: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = reply["access_token"]
            .as_str()
            .context("no access_token in the login reply")?
            .to_owned();
        Ok(Self {
            client,
            base: base.to_owned(),
            token,
        })
    }

    pub async fn create_number(&self, n: usize) -> anyhow::Result<Number> {
        let display = format!("+1555900{n:04}");
        let phone_number_id = format!("10990000000{n:04}");
        let reply = self
            .client
            .post(format!("{}/api/v1/business-numbers", self.base))
            .bearer_auth(&self.token)
            .json(&json!({
                "name": format!("Bench line {n}"),
                "display_phone_number": display,
                "phone_number_id": phone_number_id,
            }))
            .send()
            .await?;
        if !reply.status().is_success() {
            bail!(
                "creating a number: {} {}",
                reply.status(),
                reply.text().await?
            );
        }
        let number: Value = reply.json().await?;
        Ok(Number {
            id: number["id"].as_i64().context("no number id")?,
            phone_number_id,
            display_phone_number: display,
        })
    }

    /// The first inbox page of the number with id `number`.
    pub async fn conversations_page(&self, number: i64) -> anyhow::Result<Vec<Conversation>> {
        let page: Value = self
            .client
            .get(format!(
                "{}/api/v1/conversations?business_number_id={number}&limit=50",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        conversations_of(&page)
    }

    /// Every conversation of `number`, by following the inbox cursor.
    pub async fn conversations(&self, number: &Number) -> anyhow::Result<Vec<Conversation>> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            // Cursors are URL-safe tokens; nothing else here needs escaping.
            let mut url = format!(
                "{}/api/v1/conversations?business_number_id={}&limit=200",
                self.base, number.id
            );
            if let Some(c) = &cursor {
                url.push_str("&cursor=");
                url.push_str(c);
            }
            let request = self.client.get(url).bearer_auth(&self.token);
            let page: Value = request.send().await?.error_for_status()?.json().await?;
            all.extend(conversations_of(&page)?);
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(all),
            }
        }
    }
}

fn conversations_of(page: &Value) -> anyhow::Result<Vec<Conversation>> {
    page["items"]
        .as_array()
        .context("no items")?
        .iter()
        .map(|item| {
            Ok(Conversation {
                id: item["id"].as_i64().context("no conversation id")?,
                wa_id: item["contact"]["wa_id"]
                    .as_str()
                    .context("no contact wa_id")?
                    .to_owned(),
            })
        })
        .collect()
}
