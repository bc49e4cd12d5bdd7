//! The server: the accept loop that gives every client connection its own thread (served in
//! `http.rs`), and shutdown.
//!
//! A thread per connection rather than a pool: a keep-alive connection holds its thread for its
//! whole life, so a pool would have to grow with the connections anyway, and one that did not
//! (tiny_http's) left a burst of new connections unread behind idle keep-alive ones.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::http;
use crate::shared::Shared;

/// The running threads.
pub(crate) struct Threads {
    pub public_addr: SocketAddr,
    accept: JoinHandle<()>,
}

/// Binds the listener on `127.0.0.1:port` and starts the accept loop.
pub(crate) fn start(shared: Arc<Shared>, port: u16) -> std::io::Result<Threads> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let public_addr = listener.local_addr()?;
    let accept = std::thread::Builder::new()
        .name("cloudhalt-emulator-accept".into())
        .spawn(move || accept(&listener, public_addr, &shared))?;
    Ok(Threads {
        public_addr,
        accept,
    })
}

impl Threads {
    /// Stops accepting, closes every client connection and joins the threads.
    pub fn stop(self, shared: &Shared) {
        shared.begin_stop();
        // Wake the accept loop.
        let _ = TcpStream::connect(self.public_addr);
        shared.close_connections();
        let _ = self.accept.join();
    }
}

/// Accepts connections and serves each on its own thread until the server stops; then joins
/// the connection threads (whose sockets `Threads::stop` has shut down).
fn accept(listener: &TcpListener, public: SocketAddr, shared: &Arc<Shared>) {
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    for client in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(client) = client else { continue };
        let _ = client.set_nodelay(true);
        let Some(id) = client.try_clone().ok().and_then(|c| shared.register(c)) else {
            // Stopping (or out of file descriptors): this connection just closes.
            continue;
        };
        let shared_for_thread = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("cloudhalt-emulator-conn".into())
            .spawn(move || {
                http::serve(client, public, &shared_for_thread);
                shared_for_thread.unregister(id);
            });
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(_) => shared.unregister(id),
        }
        threads.retain(|t| !t.is_finished());
    }
    for thread in threads {
        let _ = thread.join();
    }
}
