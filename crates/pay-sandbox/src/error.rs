//! Why a sandbox could not start.

/// Why the sandbox (or a scripted server) could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listen address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(std::net::SocketAddr, #[source] std::io::Error),
    /// Bad configuration (environment variables, flags).
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
}
