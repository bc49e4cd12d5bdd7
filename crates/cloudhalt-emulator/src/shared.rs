//! The state every thread shares: the model, the accepted credentials and the open client
//! connections.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::issued::Issued;
use crate::model::Model;

/// State shared by every thread.
pub(crate) struct Shared {
    pub model: Mutex<Model>,
    pub tencent_credentials: Vec<(String, String)>,
    pub alibaba_credentials: Vec<(String, String)>,
    /// The temporary credentials the metadata services and STS issued.
    issued: Mutex<Issued>,
    /// The open client sockets (clones), by connection number, for shutdown to close.
    connections: Mutex<HashMap<u64, TcpStream>>,
    next_connection: AtomicU64,
    stopping: AtomicBool,
}

impl Shared {
    pub fn new(
        model: Model,
        tencent_credentials: Vec<(String, String)>,
        alibaba_credentials: Vec<(String, String)>,
    ) -> Shared {
        Shared {
            model: Mutex::new(model),
            tencent_credentials,
            alibaba_credentials,
            issued: Mutex::new(Issued::default()),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
        }
    }

    /// The model, even if a thread panicked while holding it (the data stays consistent
    /// because every change is made after all checks passed).
    pub fn model(&self) -> MutexGuard<'_, Model> {
        self.model.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The issued temporary credentials.
    pub fn issued(&self) -> MutexGuard<'_, Issued> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn connections(&self) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an open client connection so that shutdown can close it; its number, or `None`
    /// once the server is stopping. Checked under the lock that [`Shared::close_connections`]
    /// takes, so that no connection registers after shutdown closed them all.
    pub fn register(&self, stream: TcpStream) -> Option<u64> {
        let mut connections = self.connections();
        if self.stopping() {
            return None;
        }
        let id = self.next_connection.fetch_add(1, Ordering::Relaxed);
        connections.insert(id, stream);
        Some(id)
    }

    /// Forgets a connection that has ended.
    pub fn unregister(&self, id: u64) {
        self.connections().remove(&id);
    }

    /// Shuts down every open client connection, which ends their threads' reads and writes.
    pub fn close_connections(&self) {
        for stream in self.connections().values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Whether the server is shutting down.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Tells every thread to finish: the accept loop and the connections check it between requests.
    pub fn begin_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
}
