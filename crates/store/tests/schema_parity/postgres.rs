//! The schema as PostgreSQL's catalog describes it: `information_schema` for tables and
//! columns, `pg_index` and `pg_constraint` for indexes, keys and checks, in the connection's
//! current schema.

use diesel::pg::PgConnection;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::MIGRATIONS_TABLE;
use crate::model::{Column, Index, Schema, Table, normalized_sql, string_literals};

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
}

#[derive(QueryableByName)]
struct IndexColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    descending: bool,
}

#[derive(QueryableByName)]
struct ConstraintColumnRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    ref_table: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ref_column: Option<String>,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Reads the schema of the database `conn` is open on.
pub fn schema(conn: &mut PgConnection) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<TableRow> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
           AND table_name <> $1",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(conn)
    .expect("information_schema lists the tables");
    for t in tables {
        schema.tables.insert(t.name, Table::default());
    }

    let columns: Vec<ColumnRow> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, \
                data_type::text || CASE WHEN is_identity = 'YES' \
                    THEN ' generated ' || lower(identity_generation::text) || ' as identity' \
                    ELSE '' END AS ty, \
                is_nullable = 'YES' AS nullable, column_default::text AS default_value \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> $1",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(conn)
    .expect("information_schema lists the columns");
    for c in columns {
        table(&mut schema, &c.table_name).columns.insert(
            c.column_name,
            Column {
                ty: c.ty,
                nullable: c.nullable,
                default: c.default_value,
            },
        );
    }

    // One row per key column (INCLUDE columns aside), in key order; bit 0 of indoption is DESC.
    let index_columns: Vec<IndexColumnRow> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                x.indisunique AS is_unique, pg_get_expr(x.indpred, x.indrelid) AS predicate, \
                coalesce(a.attname::text, '<expression>') AS column_name, \
                (k.option & 1) = 1 AS descending \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indoption::int2[]) \
             WITH ORDINALITY AS k(attnum, option, position) \
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE n.nspname = current_schema() AND NOT x.indisprimary AND t.relname <> $1 \
           AND k.position <= x.indnkeyatts \
         ORDER BY t.relname, i.relname, k.position",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(conn)
    .expect("pg_index lists the indexes");
    for c in index_columns {
        let index = table(&mut schema, &c.table_name)
            .indexes
            .entry(c.index_name)
            .or_insert_with(|| Index {
                unique: c.is_unique,
                columns: Vec::new(),
                predicate: c.predicate.as_deref().map(normalized_sql),
            });
        index.columns.push((c.column_name, c.descending));
    }

    // Primary keys, foreign keys and checks, one row per constrained column in key order.
    let constrained: Vec<ConstraintColumnRow> = diesel::sql_query(
        "SELECT c.contype::text AS kind, t.relname::text AS table_name, \
                a.attname::text AS column_name, r.relname::text AS ref_table, \
                ra.attname::text AS ref_column, pg_get_constraintdef(c.oid) AS definition \
         FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, position) \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
         LEFT JOIN pg_class r ON r.oid = c.confrelid \
         LEFT JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum \
         WHERE n.nspname = current_schema() AND c.contype IN ('p', 'f', 'c') AND t.relname <> $1 \
         ORDER BY t.relname, c.conname, k.position",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(conn)
    .expect("pg_constraint lists the constraints");
    for c in constrained {
        let t = table(&mut schema, &c.table_name);
        match c.kind.as_str() {
            "p" => t.primary_key.push(c.column_name),
            "f" => {
                t.foreign_keys.insert((
                    c.column_name,
                    c.ref_table.unwrap_or_default(),
                    c.ref_column.unwrap_or_default(),
                ));
            }
            _ => t
                .checks
                .entry(c.column_name)
                .or_default()
                .extend(string_literals(&c.definition)),
        }
    }
    schema
}

fn table<'s>(schema: &'s mut Schema, name: &str) -> &'s mut Table {
    schema.tables.entry(name.to_owned()).or_default()
}
