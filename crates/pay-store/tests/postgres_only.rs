//! PostgreSQL specifics: an unreachable server fails fast and typed; a newer schema is refused.
#![cfg(feature = "postgres")]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use pay_store::{StoreConfig, StoreError};

#[tokio::test]
async fn an_unreachable_server_fails_as_unavailable_without_hanging() {
    // Nothing listens on port 1: the store refuses to open rather than let payouts run unjournaled.
    let config: StoreConfig = "postgres://nobody@127.0.0.1:1/postgres".parse().unwrap();
    let opened = tokio::time::timeout(Duration::from_secs(30), config.open())
        .await
        .expect("an outage fails within the pool timeouts");
    match opened {
        Err(e @ StoreError::Unavailable(_)) => assert!(e.is_unavailable()),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[test]
fn urls_are_parsed_and_shown_without_the_password() {
    let config: StoreConfig = "postgresql://pay:s3cr3t-pw@db.internal:5433/payments"
        .parse()
        .unwrap();
    let shown = format!("{config} {config:?}");
    assert!(!shown.contains("s3cr3t-pw"), "{shown}");
    assert!(
        shown.contains("postgres://pay@db.internal:5433/payments"),
        "{shown}"
    );
    let bad = "postgres://pay:s3cr3t-pw@db:notaport/x".parse::<StoreConfig>();
    match bad {
        Err(e) => assert!(!e.to_string().contains("s3cr3t-pw"), "{e}"),
        Ok(config) => panic!("accepted {config}"),
    }
}

#[tokio::test]
async fn a_schema_newer_than_this_build_is_refused() {
    let Some(env) = support::Env::postgres().await else {
        return;
    };
    drop(env.open().await);
    let (client, connection) = tokio_postgres::connect(&env.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute("INSERT INTO pay_store_schema (version) VALUES (99)")
        .await
        .unwrap();
    match env.url().parse::<StoreConfig>().unwrap().open().await {
        Err(StoreError::SchemaTooNew {
            found: 99,
            known: 1,
        }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}
