//! The schema as SQLite's catalog describes it: `sqlite_master` and the `pragma_*` table
//! functions, plus the CREATE statements' text for what no pragma reports (a partial index's
//! WHERE clause, CHECK constraints).

use std::collections::BTreeSet;

use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

use crate::model::{Column, Index, Schema, Table, normalized_sql, string_literals};

/// The condition on `sqlite_master m` that picks the tables to compare: not SQLite's own, not
/// diesel's bookkeeping.
const TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND m.name <> '__diesel_schema_migrations'";

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    declared_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = BigInt)]
    pk_position: i64,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_partial: bool,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct IndexColumnRow {
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
    #[diesel(sql_type = Bool)]
    descending: bool,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Nullable<Text>)]
    ref_column: Option<String>,
}

/// Reads the schema of the database `conn` is open on.
pub fn schema(conn: &mut SqliteConnection) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<TableRow> = diesel::sql_query(format!(
        "SELECT m.name, m.sql FROM sqlite_master m WHERE {TABLES}"
    ))
    .load(conn)
    .expect("sqlite_master lists the tables");
    let mut sources = Vec::new();
    for t in tables {
        schema.tables.insert(t.name.clone(), Table::default());
        sources.push(t);
    }

    let columns: Vec<ColumnRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, c.name AS column_name, upper(c.type) AS declared_type, \
                c.\"notnull\" AS not_null, c.dflt_value AS default_value, c.pk AS pk_position \
         FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE {TABLES} ORDER BY m.name, c.pk"
    ))
    .load(conn)
    .expect("pragma_table_info lists the columns");
    for c in &columns {
        if c.pk_position > 0 {
            table(&mut schema, &c.table_name)
                .primary_key
                .push(c.column_name.clone());
        }
    }
    for c in columns {
        let t = table(&mut schema, &c.table_name);
        // A sole INTEGER key is the rowid: never NULL, whatever its declaration says.
        let rowid = c.declared_type == "INTEGER" && t.primary_key == [c.column_name.as_str()];
        let ty = if rowid {
            "INTEGER PRIMARY KEY".to_owned()
        } else {
            c.declared_type
        };
        t.columns.insert(
            c.column_name,
            Column {
                ty,
                nullable: !c.not_null && !rowid,
                default: c.default_value,
            },
        );
    }

    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, l.name AS index_name, l.\"unique\" AS is_unique, \
                l.partial AS is_partial, i.sql AS sql \
         FROM sqlite_master m JOIN pragma_index_list(m.name) l \
         LEFT JOIN sqlite_master i ON i.type = 'index' AND i.name = l.name \
         WHERE {TABLES} AND l.origin <> 'pk'"
    ))
    .load(conn)
    .expect("pragma_index_list lists the indexes");
    for i in indexes {
        let columns: Vec<IndexColumnRow> = diesel::sql_query(
            "SELECT name AS column_name, \"desc\" AS descending FROM pragma_index_xinfo(?) \
             WHERE key = 1 ORDER BY seqno",
        )
        .bind::<Text, _>(&i.index_name)
        .load(conn)
        .expect("pragma_index_xinfo lists an index's columns");
        let predicate = i
            .is_partial
            .then(|| where_clause(i.sql.as_deref().unwrap_or_default()));
        table(&mut schema, &i.table_name).indexes.insert(
            i.index_name,
            Index {
                unique: i.is_unique,
                columns: columns
                    .into_iter()
                    .map(|c| {
                        let name = c.column_name.unwrap_or_else(|| "<expression>".to_owned());
                        (name, c.descending)
                    })
                    .collect(),
                predicate,
            },
        );
    }

    let keys: Vec<ForeignKeyRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, f.\"from\" AS column_name, f.\"table\" AS ref_table, \
                f.\"to\" AS ref_column \
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE {TABLES}"
    ))
    .load(conn)
    .expect("pragma_foreign_key_list lists the foreign keys");
    for k in keys {
        // `REFERENCES t` without a column names t's primary key.
        let ref_column = k.ref_column.unwrap_or_else(|| {
            schema.tables[&k.ref_table]
                .primary_key
                .first()
                .cloned()
                .unwrap_or_default()
        });
        table(&mut schema, &k.table_name).foreign_keys.insert((
            k.column_name,
            k.ref_table,
            ref_column,
        ));
    }

    for source in sources {
        let t = table(&mut schema, &source.name);
        let names: BTreeSet<String> = t.columns.keys().cloned().collect();
        for (column, literals) in checks(&source.sql, &names) {
            t.checks.entry(column).or_default().extend(literals);
        }
    }
    schema
}

fn table<'s>(schema: &'s mut Schema, name: &str) -> &'s mut Table {
    schema.tables.entry(name.to_owned()).or_default()
}

/// A CREATE INDEX statement's WHERE clause, normalised.
fn where_clause(create_index: &str) -> String {
    let sql = without_comments(create_index);
    let lower = sql.to_lowercase();
    let at = lower
        .find(" where ")
        .or_else(|| lower.find("\nwhere "))
        .or_else(|| lower.find(")where "))
        .expect("a partial index's statement has a WHERE clause");
    normalized_sql(&sql[at + " where ".len()..])
}

/// The CHECK constraints of a CREATE TABLE statement, as (column, the literals it holds) for
/// each column each names: a column constraint names its column, a table constraint every
/// column it mentions.
fn checks(create_table: &str, columns: &BTreeSet<String>) -> Vec<(String, BTreeSet<String>)> {
    let sql = without_comments(create_table);
    let (Some(open), Some(close)) = (sql.find('('), sql.rfind(')')) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for definition in top_level_parts(&sql[open + 1..close]) {
        let lower = definition.to_lowercase();
        let Some(at) = lower.find("check") else {
            continue;
        };
        let literals = string_literals(&definition[at..]);
        let first = words(&lower).next().unwrap_or_default();
        if columns.contains(&first) {
            found.push((first, literals));
        } else {
            let named: BTreeSet<String> = words(&lower).filter(|w| columns.contains(w)).collect();
            found.extend(named.into_iter().map(|c| (c, literals.clone())));
        }
    }
    found
}

/// The identifiers and keywords of some SQL, quotes stripped.
fn words(sql: &str) -> impl Iterator<Item = String> + '_ {
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
}

/// The comma-separated parts of a list, commas inside parentheses or quotes aside.
fn top_level_parts(list: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0, false);
    for c in list.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

/// SQL without its `--` comments (SQLite keeps them in `sqlite_master.sql`, and a comment's
/// apostrophe would open a string).
fn without_comments(sql: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        } else if !quoted && c == '-' && chars.peek() == Some(&'-') {
            for skipped in chars.by_ref() {
                if skipped == '\n' {
                    break;
                }
            }
            out.push('\n');
            continue;
        }
        out.push(c);
    }
    out
}
