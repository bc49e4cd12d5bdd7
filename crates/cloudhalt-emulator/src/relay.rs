//! The byte relay: it owns the client sockets and copies bytes to and from tiny_http over one
//! loopback connection per client, so that the `close` and `truncate` faults can end a
//! keep-alive connection mid-exchange, which tiny_http alone cannot do.

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;

use crate::shared::Shared;

/// Accepts client connections and relays each to tiny_http at `inner`, until the server stops.
pub(crate) fn accept(listener: TcpListener, inner: SocketAddr, shared: &Arc<Shared>) {
    for client in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(client) = client else { continue };
        let Ok(upstream) = TcpStream::connect(inner) else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let (Ok(key), Ok(client_clone)) = (upstream.local_addr(), client.try_clone()) else {
            continue;
        };
        shared.connections().insert(key, client_clone);
        let (Ok(mut c_read), Ok(mut u_write)) = (client.try_clone(), upstream.try_clone()) else {
            continue;
        };
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut c_read, &mut u_write);
            let _ = u_write.shutdown(Shutdown::Write);
        });
        let shared = shared.clone();
        let (mut u_read, mut c_write) = (upstream, client);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut u_read, &mut c_write);
            let _ = c_write.shutdown(Shutdown::Both);
            shared.connections().remove(&key);
        });
    }
}
