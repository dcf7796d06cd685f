//! An axum server receiving both providers' events.
//!
//! ```sh
//! QOSTIQ_SECRET=… COINQVEST_SECRET=… cargo run -p pay-webhook --example axum_receiver
//! ```
//! Qostiq callbacks go to `POST /qostiq/callback`, COINQVEST webhooks to `POST /coinqvest/webhook`.

use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use pay_core::secret::Secret;
use pay_qostiq::callbacks::FIAT_CALLBACK_IPS;
use pay_webhook::{CallbackKind, Event, PeerAddr, ReceiverBuilder, SourcePolicy};

/// Copies axum's `ConnectInfo` into the `PeerAddr` the receivers read for their allow-lists.
async fn peer_addr(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(PeerAddr(peer));
    next.run(request).await
}

async fn credit_order(event: Event) -> Result<(), std::io::Error> {
    // A real shop would: parse the body with pay-qostiq / pay-coinqvest types, compare
    // shop_payment_id, amounts and currency with its own record (COINQVEST: confirm with GET /checkout),
    // and commit the change durably before returning Ok.
    tracing::info!(event = %event.identity(), bytes = event.body().len(), "event applied");
    Ok(())
}

fn secret(var: &str, fallback: &str) -> Result<Secret, Box<dyn std::error::Error>> {
    Ok(Secret::new(
        std::env::var(var).unwrap_or_else(|_| fallback.to_owned()),
    )?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let qostiq = ReceiverBuilder::qostiq(vec![secret("QOSTIQ_SECRET", "sandbox-Secret-1")?])?
        // Parameters this shop passes when it creates a withdrawal come back in the callback.
        .verifier(|v| v.custom_fields_for(CallbackKind::Withdraw, ["order_ref"]))?
        // In production: SourcePolicy::allow_ranges(FIAT_CALLBACK_IPS); loopback here for local
        // testing.
        .sources(SourcePolicy::allow_ranges(
            FIAT_CALLBACK_IPS.into_iter().chain([Ipv4Addr::LOCALHOST]),
        ))
        .build(credit_order);
    let coinqvest =
        ReceiverBuilder::coinqvest(vec![secret("COINQVEST_SECRET", "sandbox-Secret-2")?])?
            .build(credit_order);

    let app = Router::new()
        .route_service("/qostiq/callback", qostiq)
        .route_service("/coinqvest/webhook", coinqvest)
        .layer(middleware::from_fn(peer_addr));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    tracing::info!(addr = %listener.local_addr()?, "receiving events");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
