//! The two migration folders make the same schema: the same tables with the same
//! columns, each of a matching type, and 64-bit integers throughout on PostgreSQL.

mod common;

use std::collections::BTreeMap;

use common::*;

/// Table → column → declared type, lower case.
type Schema = BTreeMap<String, BTreeMap<String, String>>;

async fn schema_of(app: &TestApp) -> Schema {
    let sql = match app.backend {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, lower(p.type) AS data_type
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS table_name, CAST(column_name AS TEXT) AS column_name,
                    CAST(data_type AS TEXT) AS data_type
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'schema_migrations'"
        }
    };
    let mut schema = Schema::new();
    for mut row in app.rows(sql).await {
        let table: String = row.get("table_name").unwrap();
        let column: String = row.get("column_name").unwrap();
        let kind: String = row.get("data_type").unwrap();
        schema.entry(table).or_default().insert(column, kind);
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_have_the_same_tables_columns_and_types() {
    let sqlite = schema_of(&TestApp::new(Backend::Sqlite).await).await;
    let postgres = schema_of(&TestApp::new(Backend::Postgres).await).await;
    assert!(sqlite.len() >= 20, "{sqlite:?}");
    let names = |s: &Schema| -> Vec<(String, Vec<String>)> {
        s.iter()
            .map(|(t, columns)| (t.clone(), columns.keys().cloned().collect()))
            .collect()
    };
    assert_eq!(names(&sqlite), names(&postgres));
    for (table, columns) in &sqlite {
        for (column, lite) in columns {
            let pg = &postgres[table][column];
            // Flags are INTEGER 0/1 on SQLite and BOOLEAN on PostgreSQL.
            let matching: &[&str] = match lite.as_str() {
                "integer" => &["bigint", "boolean"],
                "text" => &["text"],
                "real" => &["double precision"],
                "blob" => &["bytea"],
                other => panic!("{table}.{column}: unexpected SQLite type {other}"),
            };
            assert!(
                matching.contains(&pg.as_str()),
                "{table}.{column}: {lite} on SQLite but {pg} on PostgreSQL"
            );
        }
    }
}
