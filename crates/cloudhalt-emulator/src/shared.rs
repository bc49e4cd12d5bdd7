//! The state every thread shares: the model, the accepted credentials and the open client
//! connections.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::model::Model;

/// State shared by every thread.
pub(crate) struct Shared {
    pub model: Mutex<Model>,
    pub tencent_credentials: Vec<(String, String)>,
    pub alibaba_credentials: Vec<(String, String)>,
    /// Client sockets by the relay's upstream address (what tiny_http reports as remote).
    connections: Mutex<HashMap<SocketAddr, TcpStream>>,
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
            connections: Mutex::new(HashMap::new()),
            stopping: AtomicBool::new(false),
        }
    }

    /// The model, even if a thread panicked while holding it (the data stays consistent
    /// because every change is made after all checks passed).
    pub fn model(&self) -> MutexGuard<'_, Model> {
        self.model.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open client connections, keyed by the relay's upstream address.
    pub fn connections(&self) -> MutexGuard<'_, HashMap<SocketAddr, TcpStream>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the server is shutting down.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Tells every thread to finish: the accept loop and the workers check it between requests.
    pub fn begin_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
}
