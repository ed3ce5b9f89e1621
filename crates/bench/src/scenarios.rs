//! The scenarios of `make bench`, each a fixed number of requests at a fixed concurrency after
//! a warm-up of the same shape.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::api::{Api, Conversation};
use crate::cloud_payloads::{self, Delivery, Number};
use crate::database::Database;
use crate::driver::{self, Answer, Outcome};

/// How much load each scenario applies.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub concurrency: usize,
    pub ceiling_requests: usize,
    pub webhook_requests: usize,
    /// Distinct customers the webhook scenario writes from (one conversation each).
    pub contacts: usize,
    pub send_requests: usize,
    /// Outbound messages the status scenario reports on, three statuses each.
    pub status_messages: usize,
    pub fixed_rate: u32,
    pub fixed_rate_for: Duration,
    /// The read-path fixture: conversations and messages loaded before the reads.
    pub fixture_conversations: usize,
    pub fixture_messages: usize,
    pub read_requests: usize,
    /// Reads run at low concurrency: their latency is the service time, not the queue.
    pub read_concurrency: usize,
    /// How many pages deep the cursor scenario reads.
    pub deep_page: usize,
}

impl Scale {
    pub const FULL: Self = Self {
        concurrency: 64,
        ceiling_requests: 100_000,
        webhook_requests: 50_000,
        contacts: 20_000,
        send_requests: 20_000,
        status_messages: 20_000,
        fixed_rate: 5_000,
        fixed_rate_for: Duration::from_secs(10),
        fixture_conversations: 100_000,
        fixture_messages: 1_000_000,
        read_requests: 5_000,
        read_concurrency: 4,
        deep_page: 100,
    };

    /// A smoke run: every scenario, a fraction of the load.
    pub const QUICK: Self = Self {
        concurrency: 16,
        ceiling_requests: 2_000,
        webhook_requests: 2_000,
        contacts: 400,
        send_requests: 1_000,
        status_messages: 1_000,
        fixed_rate: 500,
        fixed_rate_for: Duration::from_secs(2),
        fixture_conversations: 1_000,
        fixture_messages: 10_000,
        read_requests: 500,
        read_concurrency: 4,
        deep_page: 5,
    };

    /// Statuses per delivery in the status scenario.
    pub const STATUSES_PER_DELIVERY: usize = 100;

    fn warm_up(total: usize) -> usize {
        (total / 10).clamp(1, 2_000)
    }
}

/// The driver's shared state: one HTTP client, pooled connections to the server.
#[derive(Debug, Clone)]
pub struct Bench {
    pub api: Api,
    pub numbers: Arc<Vec<Number>>,
    pub db: Database,
    pub scale: Scale,
}

fn answer(
    response: Result<reqwest::Response, reqwest::Error>,
    expected: u16,
    items: u64,
) -> Answer {
    match response {
        Ok(r) if r.status().as_u16() == expected => Ok(items),
        Ok(r) => Err(format!("HTTP {}", r.status())),
        Err(e) => Err(e.to_string()),
    }
}

impl Bench {
    /// `GET /healthz`: what the driver and server reach with no work behind the route.
    pub async fn ceiling(&self) -> Outcome {
        let run = |total: usize| {
            let client = self.api.client.clone();
            let url = format!("{}/healthz", self.api.base);
            driver::closed_loop(total, self.scale.concurrency, move |_| {
                let request = client.get(&url).send();
                async move { answer(request.await, 200, 1) }
            })
        };
        run(Scale::warm_up(self.scale.ceiling_requests)).await;
        run(self.scale.ceiling_requests).await
    }

    /// Posts every delivery; each acknowledged one counts the items it carries.
    async fn post_deliveries(&self, deliveries: Vec<Delivery>, fixed_rate: bool) -> Outcome {
        self.post_deliveries_to(std::slice::from_ref(&self.api.base), deliveries, fixed_rate)
            .await
    }

    /// As [`Bench::post_deliveries`], delivery `i` to server `i % bases.len()`, as a load
    /// balancer spreading Meta's requests would.
    async fn post_deliveries_to(
        &self,
        bases: &[String],
        deliveries: Vec<Delivery>,
        fixed_rate: bool,
    ) -> Outcome {
        let deliveries = Arc::new(deliveries);
        let client = self.api.client.clone();
        let urls: Arc<Vec<String>> = Arc::new(
            bases
                .iter()
                .map(|base| format!("{base}/webhooks/whatsapp"))
                .collect(),
        );
        let total = deliveries.len();
        let request = move |i: usize| {
            let delivery: &Delivery = &deliveries[i];
            let request = delivery.post(&client, &urls[i % urls.len()]).send();
            let items = delivery.items;
            async move { answer(request.await, 200, items) }
        };
        if fixed_rate {
            driver::fixed_rate(
                self.scale.fixed_rate,
                self.scale.fixed_rate_for,
                256,
                request,
            )
            .await
        } else {
            driver::closed_loop(total, self.scale.concurrency, request).await
        }
    }

    /// Inbound texts, one per delivery, numbered from `first`; customer `i % contacts` writes
    /// to number `i % numbers` (always the same one, as contacts divide evenly).
    fn inbound(&self, prefix: &str, first: usize, count: usize) -> Vec<Delivery> {
        let now = chrono::Utc::now().timestamp();
        (first..first + count)
            .map(|i| {
                let number = &self.numbers[i % self.numbers.len()];
                let from = cloud_payloads::wa_id(i % self.scale.contacts);
                cloud_payloads::inbound_text(number, &from, &format!("wamid.{prefix}.{i}"), now)
            })
            .collect()
    }

    /// Signed single-message deliveries from many customers across the numbers. Checks that
    /// every acknowledged message was committed.
    pub async fn webhook_ingest(&self) -> anyhow::Result<Outcome> {
        self.webhook_ingest_across(std::slice::from_ref(&self.api.base), "ingest")
            .await
    }

    /// As [`Bench::webhook_ingest`], spread over several servers sharing one database; the
    /// message ids start with `prefix`, so each run's are new.
    pub async fn webhook_ingest_across(
        &self,
        bases: &[String],
        prefix: &str,
    ) -> anyhow::Result<Outcome> {
        let warm = Scale::warm_up(self.scale.webhook_requests);
        let warm_prefix = format!("{prefix}-warm");
        self.post_deliveries_to(bases, self.inbound(&warm_prefix, 0, warm), false)
            .await;
        let deliveries = self.inbound(prefix, warm, self.scale.webhook_requests);
        let before = self.inbound_count()?;
        let outcome = self.post_deliveries_to(bases, deliveries, false).await;
        let stored = self.inbound_count()? - before;
        let acknowledged = i64::try_from(outcome.requests - outcome.errors)?;
        if stored < acknowledged {
            bail!("{acknowledged} deliveries were acknowledged but only {stored} messages stored");
        }
        Ok(outcome)
    }

    /// The same deliveries at a constant rate; latency from each one's due time. A tenth of
    /// the run at the same rate warms the connections up first.
    pub async fn fixed_rate_ingest(&self) -> Outcome {
        let rate = f64::from(self.scale.fixed_rate);
        let warm = Bench {
            scale: Scale {
                fixed_rate_for: self.scale.fixed_rate_for / 10,
                ..self.scale
            },
            ..self.clone()
        };
        let warm_total = (rate * warm.scale.fixed_rate_for.as_secs_f64()) as usize;
        warm.post_deliveries(warm.inbound("steady-warm", 0, warm_total), true)
            .await;
        let total = (rate * self.scale.fixed_rate_for.as_secs_f64()) as usize;
        let deliveries = self.inbound("steady", 0, total);
        self.post_deliveries(deliveries, true).await
    }

    fn inbound_count(&self) -> anyhow::Result<i64> {
        self.db
            .count("SELECT count(*) AS n FROM messages WHERE direction = 'inbound'")
    }

    /// Status deliveries of 100 statuses each for accepted outbound messages: every message
    /// goes `sent`, then `delivered`, then `read`, one phase after the other so each update
    /// applies. The messages are replies to silent customers, whom the mock never reports on.
    pub async fn status_ingest(&self) -> anyhow::Result<Outcome> {
        let customers = (self.scale.status_messages / 10).max(1);
        let now = chrono::Utc::now().timestamp();
        let openers: Vec<Delivery> = (0..customers)
            .map(|n| {
                let number = &self.numbers[n % self.numbers.len()];
                let from = cloud_payloads::silent_wa_id(n);
                cloud_payloads::inbound_text(number, &from, &format!("wamid.silent.{n}"), now)
            })
            .collect();
        self.post_deliveries(openers, false).await;
        let mut silent = Vec::new();
        for number in self.numbers.iter() {
            silent.extend(
                self.api
                    .conversations(number)
                    .await?
                    .into_iter()
                    .filter(|c| c.wa_id.ends_with("0003")),
            );
        }
        self.reply(Arc::new(silent), self.scale.status_messages, 2_000_000)
            .await;
        self.wait_until_dispatched(Duration::from_secs(300)).await?;

        let accepted = self.db.accepted_outbound()?;
        let mut total: Option<Outcome> = None;
        for status in ["sent", "delivered", "read"] {
            let deliveries: Vec<Delivery> = self
                .numbers
                .iter()
                .flat_map(|number| {
                    let mine: Vec<(String, String)> = accepted
                        .iter()
                        .filter(|m| m.business_number_id == number.id)
                        .map(|m| (m.wamid.clone(), m.wa_id.clone()))
                        .collect();
                    mine.chunks(Scale::STATUSES_PER_DELIVERY)
                        .map(|chunk| cloud_payloads::statuses(number, chunk, status, now))
                        .collect::<Vec<_>>()
                })
                .collect();
            let phase = self.post_deliveries(deliveries, false).await;
            total = Some(match total {
                None => phase,
                Some(before) => before.then(phase),
            });
        }
        let read = self.db.count(
            "SELECT count(*) AS n FROM messages WHERE direction = 'outbound' AND status = 'read' \
             AND read_at IS NOT NULL",
        )?;
        if read < i64::try_from(accepted.len())? {
            bail!(
                "{} messages were reported read but only {read} are",
                accepted.len()
            );
        }
        total.context("no status phase ran")
    }

    /// Posts `total` replies spread over `conversations`, numbering their texts from `offset`.
    async fn reply(
        &self,
        conversations: Arc<Vec<Conversation>>,
        total: usize,
        offset: usize,
    ) -> Outcome {
        let client = self.api.client.clone();
        let (base, token) = (self.api.base.clone(), self.api.token.clone());
        driver::closed_loop(total, self.scale.concurrency, move |i| {
            let conversation = &conversations[(offset + i) % conversations.len()];
            let request = client
                .post(format!(
                    "{base}/api/v1/conversations/{}/messages",
                    conversation.id
                ))
                .bearer_auth(&token)
                .json(&json!({"type": "text", "text": {"body": format!("Reply {}", offset + i)}}))
                .send();
            async move { answer(request.await, 202, 1) }
        })
        .await
    }

    /// Agents' replies to the conversations the ingest opened, then the time until the
    /// dispatcher has had every one accepted by the mock.
    /// Also returns how many replies never got their `read` status from the mock.
    pub async fn send(&self) -> anyhow::Result<(Outcome, Duration, i64)> {
        let mut conversations: Vec<Conversation> = Vec::new();
        for number in self.numbers.iter() {
            // Silent customers never get statuses from the mock; they are the status
            // scenario's.
            conversations.extend(
                self.api
                    .conversations(number)
                    .await?
                    .into_iter()
                    .filter(|c| !c.wa_id.ends_with("0003")),
            );
        }
        if conversations.is_empty() {
            bail!("no conversations to reply to: run the webhook scenario first");
        }
        let conversations = Arc::new(conversations);
        self.reply(
            conversations.clone(),
            Scale::warm_up(self.scale.send_requests),
            0,
        )
        .await;
        self.wait_until_dispatched(Duration::from_secs(60)).await?;
        let started = std::time::Instant::now();
        let outcome = self
            .reply(conversations, self.scale.send_requests, 1_000_000)
            .await;
        self.wait_until_dispatched(Duration::from_secs(300)).await?;
        let drained = started.elapsed();
        // The mock still posts three status webhooks per reply; let them land before the next
        // scenario, or they would be measured as part of it.
        let unsettled = self.wait_until_settled(Duration::from_secs(120)).await?;
        let failed = self.db.count(
            "SELECT count(*) AS n FROM messages WHERE direction = 'outbound' AND status = 'failed'",
        )?;
        if failed > 0 {
            bail!("{failed} replies failed; the mock accepts every recipient the bench uses");
        }
        Ok((outcome, drained, unsettled))
    }

    /// Until no reply waits for a status webhook from the mock (every one is `read`), for at
    /// most `limit`; returns how many still wait.
    async fn wait_until_settled(&self, limit: Duration) -> anyhow::Result<i64> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let pending = self
                .db
                .count(
                    "SELECT count(*) AS n FROM messages \
                 WHERE direction = 'outbound' AND status IN ('accepted', 'sent', 'delivered')",
                )
                .context("counting replies awaiting statuses")?;
            if pending == 0 || std::time::Instant::now() > deadline {
                return Ok(pending);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn wait_until_dispatched(&self, limit: Duration) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let queued = self
                .db
                .count("SELECT count(*) AS n FROM messages WHERE status = 'queued'")
                .context("counting queued messages")?;
            if queued == 0 {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                bail!("{queued} messages still queued after {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One read the read-path scenario times.
#[derive(Debug, Clone)]
pub struct Read {
    pub name: String,
    pub path: String,
}

impl Bench {
    /// The reads of the read-path scenario, on the first business number: the inbox's first
    /// page, a page `deep_page` pages in by cursor, the unassigned-open queue, and a thread.
    pub async fn reads(&self) -> anyhow::Result<Vec<Read>> {
        let number = self.numbers.first().context("no business number")?.id;
        let inbox = format!("/api/v1/conversations?business_number_id={number}&limit=50");
        let mut cursor = String::new();
        for _ in 0..self.scale.deep_page {
            let page: serde_json::Value = self
                .api
                .client
                .get(format!("{}{inbox}{cursor}", self.api.base))
                .bearer_auth(&self.api.token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let next = page["next_cursor"]
                .as_str()
                .context("the inbox ended early")?;
            cursor = format!("&cursor={next}");
        }
        let busiest = self
            .api
            .conversations_page(number)
            .await?
            .first()
            .context("no conversation")?
            .id;
        Ok(vec![
            Read {
                name: "inbox, first page of 50".to_owned(),
                path: inbox.clone(),
            },
            Read {
                name: format!("inbox, page {} by cursor", self.scale.deep_page + 1),
                path: format!("{inbox}{cursor}"),
            },
            Read {
                name: "inbox, open and unassigned".to_owned(),
                path: format!("{inbox}&status=open&assignee=unassigned"),
            },
            Read {
                name: "thread, newest 50 messages".to_owned(),
                path: format!("/api/v1/conversations/{busiest}/messages?limit=50"),
            },
        ])
    }

    /// `read` again and again at the read concurrency.
    pub async fn read(&self, read: &Read) -> Outcome {
        let run = |total: usize| {
            let client = self.api.client.clone();
            let url = format!("{}{}", self.api.base, read.path);
            let token = self.api.token.clone();
            driver::closed_loop(total, self.scale.read_concurrency, move |_| {
                let request = client.get(&url).bearer_auth(&token).send();
                async move {
                    match request.await {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(_) => Ok(1),
                            Err(e) => Err(e.to_string()),
                        },
                        Ok(r) => Err(format!("HTTP {}", r.status())),
                        Err(e) => Err(e.to_string()),
                    }
                }
            })
        };
        run(Scale::warm_up(self.scale.read_requests)).await;
        run(self.scale.read_requests).await
    }
}
