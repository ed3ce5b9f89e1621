//! PostgreSQL: the messages of many deliveries stored together, each step one statement for the
//! whole set (numbers, contacts, conversations, messages, the conversations' counters, events)
//! instead of a handful per message.
//!
//! A statement costs a round trip to the server, about a tenth of a millisecond on a busy
//! machine, and the writer runs one at a time: row by row, ingest stopped near a thousand
//! messages a second. The rules are those of the row-by-row path ([`Ingest::message`]):
//! contacts and conversations created with `ON CONFLICT`, the unique index on wamid deciding
//! what is new, a conversation's times only moving forward and its unread count growing in
//! SQL. The statuses of each delivery then go through the row-by-row path, which they share.

use std::collections::{HashMap, HashSet};

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};
use diesel::upsert::excluded;
use switchboard_domain::conversation::model::ConversationStatus;
use switchboard_domain::ingest::model::{InboundMessage, IngestSummary, WebhookBatch};
use switchboard_domain::live::model::EventKind;

use super::{Ingest, NewInboundMessage, lock_order};
use crate::conn::AsConn;
use crate::error::Fail;
use crate::events::{NewEvent, log_events};
use crate::rows::ConversationRow;
use crate::schema::{business_numbers, contacts, conversations, messages};
use crate::sql_types::{Millis, Moment};
use crate::time::to_millis;

/// Rows per multi-row insert: a message has fourteen values and PostgreSQL takes at most
/// 65,535 parameters in a statement.
const ROWS_PER_INSERT: usize = 1_000;

/// One delivery to store, with the time it was received.
pub(super) type Delivery<'a> = (&'a WebhookBatch, Millis);

/// A message bound for a known number, and whose delivery it came in.
struct Item<'a> {
    delivery: usize,
    message: &'a InboundMessage,
    number: i64,
}

/// Stores every delivery's messages, then each delivery's statuses; one summary per delivery,
/// in their order. Runs inside the caller's transaction, which undoes it all on an error.
pub(super) fn ingest(
    conn: &mut PgConnection,
    deliveries: &[Delivery<'_>],
) -> Result<Vec<IngestSummary>, Fail> {
    let now = deliveries
        .iter()
        .map(|&(_, now)| now)
        .max()
        .unwrap_or(Millis(0));
    let mut summaries = vec![IngestSummary::default(); deliveries.len()];
    let known = numbers(conn, deliveries)?;

    // In the order their rows are locked, by sender and number; a sort is stable, so one
    // sender's messages keep theirs.
    let mut items = Vec::new();
    let mut unknown: Vec<HashMap<String, Option<i64>>> = vec![HashMap::new(); deliveries.len()];
    for (delivery, &(batch, _)) in deliveries.iter().enumerate() {
        let mut sorted: Vec<&InboundMessage> = batch.messages.iter().collect();
        // In the row-by-row path's order, so unknown numbers are reported in the same order.
        sorted.sort_by(|a, b| lock_order(a).cmp(&lock_order(b)));
        for message in sorted {
            match known.get(&message.phone_number_id) {
                Some(&number) => items.push(Item {
                    delivery,
                    message,
                    number,
                }),
                None => {
                    if unknown[delivery]
                        .insert(message.phone_number_id.clone(), None)
                        .is_none()
                    {
                        summaries[delivery]
                            .unknown_numbers
                            .push(message.phone_number_id.clone());
                    }
                }
            }
        }
    }
    items.sort_by(|a, b| lock_order(a.message).cmp(&lock_order(b.message)));

    let contacts = contacts(conn, &items, now)?;
    let (conversation_of, created) = conversations(conn, &items, &contacts, now)?;
    let conversation_ids: Vec<i64> = items
        .iter()
        .map(|i| conversation_of[&(i.number, contacts[&i.message.wa_id])])
        .collect();
    let mut inserted = insert_messages(conn, &items, &conversation_ids, deliveries)?;

    let mut events: Vec<NewEvent> = Vec::new();
    let mut touched: HashMap<i64, Touch> = HashMap::new();
    let mut announced = HashSet::new();
    for (item, &conversation) in items.iter().zip(&conversation_ids) {
        let Some(id) = inserted.remove(&item.message.wamid) else {
            summaries[item.delivery].duplicate_messages += 1;
            continue;
        };
        let sent_at = to_millis(item.message.sent_at);
        let touch = touched.entry(conversation).or_insert(Touch {
            sent_at,
            message: id,
            stored: 0,
        });
        if sent_at >= touch.sent_at {
            touch.sent_at = sent_at;
            touch.message = id;
        }
        touch.stored += 1;
        let kind = if created.contains(&conversation) && announced.insert(conversation) {
            EventKind::ConversationCreated
        } else {
            EventKind::ConversationUpdated
        };
        events.push((item.number, kind, conversation, None));
        events.push((
            item.number,
            EventKind::MessageCreated,
            conversation,
            Some(id),
        ));
        summaries[item.delivery].messages_stored += 1;
    }
    touch_conversations(conn, &touched, now)?;
    log_events(conn.conn(), &events, now)?;

    deliveries
        .iter()
        .zip(unknown)
        .zip(summaries)
        .map(|((&(batch, received), unknown), summary)| {
            let mut numbers: HashMap<String, Option<i64>> =
                known.iter().map(|(k, &v)| (k.clone(), Some(v))).collect();
            numbers.extend(unknown);
            Ingest::after_messages(conn.conn(), received, numbers, summary).statuses(batch)
        })
        .collect()
}

/// The business numbers the deliveries' messages name, by `phone_number_id`.
fn numbers(
    conn: &mut PgConnection,
    deliveries: &[Delivery<'_>],
) -> Result<HashMap<String, i64>, Fail> {
    let mut named: Vec<&str> = deliveries
        .iter()
        .flat_map(|(batch, _)| batch.messages.iter().map(|m| m.phone_number_id.as_str()))
        .collect();
    named.sort_unstable();
    named.dedup();
    Ok(business_numbers::table
        .filter(business_numbers::phone_number_id.eq_any(&named))
        .select((business_numbers::phone_number_id, business_numbers::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Every sender's contact id, created when new, with the last profile name a message gave.
fn contacts(
    conn: &mut PgConnection,
    items: &[Item<'_>],
    now: Millis,
) -> Result<HashMap<String, i64>, Fail> {
    let mut profile: HashMap<&str, &str> = HashMap::new();
    for item in items {
        if let Some(name) = item.message.profile_name.as_deref() {
            profile.insert(&item.message.wa_id, name);
        }
    }
    let mut senders: Vec<&str> = items.iter().map(|i| i.message.wa_id.as_str()).collect();
    senders.dedup();
    let mut stored: HashMap<String, (i64, Option<String>)> = contacts::table
        .filter(contacts::wa_id.eq_any(&senders))
        .select((contacts::wa_id, contacts::id, contacts::profile_name))
        .load::<(String, i64, Option<String>)>(conn)?
        .into_iter()
        .map(|(wa_id, id, name)| (wa_id, (id, name)))
        .collect();
    let new: Vec<&str> = senders
        .iter()
        .copied()
        .filter(|s| !stored.contains_key(*s))
        .collect();
    for chunk in new.chunks(ROWS_PER_INSERT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|&wa_id| {
                (
                    contacts::wa_id.eq(wa_id),
                    contacts::phone.eq(format!("+{wa_id}")),
                    contacts::profile_name.eq(profile.get(wa_id).copied()),
                    contacts::created_at.eq(now),
                    contacts::updated_at.eq(now),
                )
            })
            .collect();
        // The no-op update makes RETURNING answer the rows that won a race, too.
        let made: Vec<(String, i64, Option<String>)> = diesel::insert_into(contacts::table)
            .values(&rows)
            .on_conflict(contacts::wa_id)
            .do_update()
            .set(contacts::wa_id.eq(excluded(contacts::wa_id)))
            .returning((contacts::wa_id, contacts::id, contacts::profile_name))
            .get_results(conn)?;
        stored.extend(made.into_iter().map(|(w, id, name)| (w, (id, name))));
    }
    // A changed profile name is rare: one update each.
    for (wa_id, name) in profile {
        if let Some((id, old)) = stored.get(wa_id)
            && old.as_deref() != Some(name)
        {
            diesel::update(contacts::table.find(*id))
                .set((
                    contacts::profile_name.eq(name),
                    contacts::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    Ok(stored.into_iter().map(|(w, (id, _))| (w, id)).collect())
}

/// Conversation ids by (business number, contact).
type ConversationOf = HashMap<(i64, i64), i64>;

/// The conversation of every (number, contact) pair, created when there is none; and which
/// were created here.
fn conversations(
    conn: &mut PgConnection,
    items: &[Item<'_>],
    contacts: &HashMap<String, i64>,
    now: Millis,
) -> Result<(ConversationOf, HashSet<i64>), Fail> {
    // Each pair's first message opens a new conversation at its time.
    let mut first_activity: Vec<((i64, i64), Millis)> = Vec::new();
    for item in items {
        let pair = (item.number, contacts[&item.message.wa_id]);
        if !first_activity.iter().rev().any(|(p, _)| *p == pair) {
            first_activity.push((pair, to_millis(item.message.sent_at)));
        }
    }
    let mut of_contacts: Vec<i64> = first_activity.iter().map(|((_, c), _)| *c).collect();
    of_contacts.sort_unstable();
    of_contacts.dedup();
    let mut of_numbers: Vec<i64> = first_activity.iter().map(|((n, _), _)| *n).collect();
    of_numbers.sort_unstable();
    of_numbers.dedup();
    // Both columns, so the lookup is the unique index on (number, contact), not a scan.
    let find = |conn: &mut PgConnection| -> Result<ConversationOf, Fail> {
        Ok(conversations::table
            .filter(conversations::business_number_id.eq_any(&of_numbers))
            .filter(conversations::contact_id.eq_any(&of_contacts))
            .select((
                conversations::business_number_id,
                conversations::contact_id,
                conversations::id,
            ))
            .load::<(i64, i64, i64)>(conn)?
            .into_iter()
            .map(|(n, c, id)| ((n, c), id))
            .collect())
    };
    let mut found = find(conn)?;
    let new: Vec<((i64, i64), Millis)> = first_activity
        .into_iter()
        .filter(|(pair, _)| !found.contains_key(pair))
        .collect();
    let mut created = HashSet::new();
    if new.is_empty() {
        return Ok((found, created));
    }
    for chunk in new.chunks(ROWS_PER_INSERT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|&((number, contact), first)| {
                (
                    conversations::business_number_id.eq(number),
                    conversations::contact_id.eq(contact),
                    conversations::status.eq(ConversationStatus::Open.as_str()),
                    conversations::last_message_at.eq(first),
                    conversations::unread_count.eq(0),
                    conversations::created_at.eq(now),
                    conversations::updated_at.eq(now),
                )
            })
            .collect();
        let made: Vec<ConversationRow> = diesel::insert_into(conversations::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .returning(ConversationRow::as_returning())
            .get_results(conn)?;
        for row in made {
            created.insert(row.id);
            found.insert((row.business_number_id, row.contact_id), row.id);
        }
    }
    // Another instance made the ones that are still missing, just now.
    if new.iter().any(|(pair, _)| !found.contains_key(pair)) {
        for (pair, id) in find(conn)? {
            found.entry(pair).or_insert(id);
        }
    }
    Ok((found, created))
}

/// Inserts the messages whose wamid is new, each in its conversation (`conversations[i]` is
/// `items[i]`'s); the ids of those inserted, by wamid (a wamid twice in the set is inserted
/// once).
fn insert_messages(
    conn: &mut PgConnection,
    items: &[Item<'_>],
    conversations: &[i64],
    deliveries: &[Delivery<'_>],
) -> Result<HashMap<String, i64>, Fail> {
    let mut inserted = HashMap::new();
    for (chunk, conversations) in items
        .chunks(ROWS_PER_INSERT)
        .zip(conversations.chunks(ROWS_PER_INSERT))
    {
        let rows: Vec<NewInboundMessage<'_>> = chunk
            .iter()
            .zip(conversations)
            .map(|(item, &conversation)| {
                NewInboundMessage::new(item.message, conversation, deliveries[item.delivery].1)
            })
            .collect();
        let made: Vec<(String, i64)> = diesel::insert_into(messages::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .returning((messages::wamid.assume_not_null(), messages::id))
            .get_results(conn)?;
        inserted.extend(made);
    }
    Ok(inserted)
}

/// What a conversation's new messages change: the newest (the last of equals), and how many.
struct Touch {
    sent_at: Millis,
    message: i64,
    stored: i32,
}

/// Moves each conversation's times forward, points it at its newest message, adds the new
/// messages to its unread count and reopens it if resolved: one statement for all.
fn touch_conversations(
    conn: &mut PgConnection,
    touched: &HashMap<i64, Touch>,
    now: Millis,
) -> Result<(), Fail> {
    if touched.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = touched.keys().copied().collect();
    ids.sort_unstable();
    let sent: Vec<Millis> = ids.iter().map(|id| touched[id].sent_at).collect();
    let newest: Vec<i64> = ids.iter().map(|id| touched[id].message).collect();
    let stored: Vec<i32> = ids.iter().map(|id| touched[id].stored).collect();
    // Every SET expression sees the row as it was, so `last_message_id` compares with the
    // old `last_message_at`; GREATEST ignores a NULL `last_inbound_at`.
    let changed = diesel::sql_query(
        "UPDATE conversations AS c SET \
           status = CASE WHEN c.status = $1 THEN $2 ELSE c.status END, \
           last_message_id = CASE WHEN c.last_message_at <= v.sent_at \
                             THEN v.message_id ELSE c.last_message_id END, \
           last_message_at = GREATEST(c.last_message_at, v.sent_at), \
           last_inbound_at = GREATEST(c.last_inbound_at, v.sent_at), \
           unread_count = c.unread_count + v.stored, \
           updated_at = $3 \
         FROM unnest($4, $5, $6, $7) AS v(id, sent_at, message_id, stored) \
         WHERE c.id = v.id",
    )
    .bind::<Text, _>(ConversationStatus::Resolved.as_str())
    .bind::<Text, _>(ConversationStatus::Resolved.after_inbound().as_str())
    .bind::<Moment, _>(now)
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<Moment>, _>(&sent)
    .bind::<Array<BigInt>, _>(&newest)
    .bind::<Array<Integer>, _>(&stored)
    .execute(conn)?;
    if changed != ids.len() {
        return Err(Fail(switchboard_domain::error::RepoError::broken(
            "a conversation disappeared while its messages were stored",
        )));
    }
    Ok(())
}
