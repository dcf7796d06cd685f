//! What the server saw: per-route counters (received, applied, faulted), the routes a held
//! request blocks, and the TCP connections opened and closed.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::json::{Json, integer, object};
use crate::locking::lock;

/// The counters of one route.
#[derive(Debug, Default, Clone, Copy)]
struct RouteCounters {
    received: usize,
    /// Requests applied: the handler ran (the emulator) or the reply was committed (a script).
    committed: usize,
    /// Requests that met an injected fault.
    faulted: usize,
}

/// The server's traffic. Shared by the listener, the fault injection and the admin API.
#[derive(Debug, Default)]
pub(crate) struct Traffic {
    routes: Mutex<BTreeMap<String, RouteCounters>>,
    /// Routes whose request a `recreate_refused_in_flight` fault is holding.
    held: Mutex<HashSet<String>>,
    connections_accepted: AtomicUsize,
    connections_closed: AtomicUsize,
}

impl Traffic {
    fn count(&self, path: &str, field: impl FnOnce(&mut RouteCounters) -> &mut usize) {
        let mut routes = lock(&self.routes);
        match routes.get_mut(path) {
            Some(counters) => *field(counters) += 1,
            None => {
                let mut counters = RouteCounters::default();
                *field(&mut counters) += 1;
                routes.insert(path.to_owned(), counters);
            }
        }
    }

    /// Counts a request received on `path`.
    pub(crate) fn received(&self, path: &str) {
        self.count(path, |c| &mut c.received);
    }

    /// Counts a request applied on `path`.
    pub(crate) fn committed(&self, path: &str) {
        self.count(path, |c| &mut c.committed);
    }

    /// Counts a request on `path` that met a fault.
    pub(crate) fn faulted(&self, path: &str) {
        self.count(path, |c| &mut c.faulted);
    }

    /// Requests received on `path`.
    pub(crate) fn received_on(&self, path: &str) -> usize {
        lock(&self.routes).get(path).map_or(0, |c| c.received)
    }

    /// Requests applied on `path`.
    pub(crate) fn committed_on(&self, path: &str) -> usize {
        lock(&self.routes).get(path).map_or(0, |c| c.committed)
    }

    /// Marks `path` as held: every other request to it is refused until [`Traffic::release`].
    pub(crate) fn hold(&self, path: &str) {
        lock(&self.held).insert(path.to_owned());
    }

    /// Ends the hold of `path`.
    pub(crate) fn release(&self, path: &str) {
        lock(&self.held).remove(path);
    }

    /// Whether a held request blocks `path`.
    pub(crate) fn is_held(&self, path: &str) -> bool {
        lock(&self.held).contains(path)
    }

    /// Counts an accepted TCP connection.
    pub(crate) fn connection_accepted(&self) {
        self.connections_accepted.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a TCP connection that ended.
    pub(crate) fn connection_closed(&self) {
        self.connections_closed.fetch_add(1, Ordering::SeqCst);
    }

    /// TCP connections accepted so far.
    pub(crate) fn connections_accepted(&self) -> usize {
        self.connections_accepted.load(Ordering::SeqCst)
    }

    /// TCP connections that have ended (closed by either side).
    pub(crate) fn connections_closed(&self) -> usize {
        self.connections_closed.load(Ordering::SeqCst)
    }

    /// The per-route counters as the admin API lists them (`GET /admin/requests`).
    pub(crate) fn to_json(&self) -> Json {
        Json::Object(
            lock(&self.routes)
                .iter()
                .map(|(path, c)| {
                    (
                        path.clone(),
                        object([
                            ("received", integer(c.received as u64)),
                            ("committed", integer(c.committed as u64)),
                            ("faulted", integer(c.faulted as u64)),
                        ]),
                    )
                })
                .collect(),
        )
    }
}
