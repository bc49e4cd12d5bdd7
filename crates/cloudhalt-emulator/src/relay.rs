//! The byte relay: it owns the client sockets and copies bytes to and from tiny_http over one
//! loopback connection per client, so that the `close` and `truncate` faults can end a
//! keep-alive connection mid-exchange, which tiny_http alone cannot do. It also turns away TLS
//! clients, which tiny_http would keep waiting for a request line.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;

use crate::shared::Shared;

/// The first byte of every TLS connection: the record type of a handshake (the ClientHello).
/// No HTTP request starts with it: a method is ASCII letters.
const TLS_HANDSHAKE: u8 = 0x16;

/// Accepts client connections and relays each to tiny_http at `inner`, until the server stops.
pub(crate) fn accept(listener: TcpListener, inner: SocketAddr, shared: &Arc<Shared>) {
    let public = listener.local_addr().ok();
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
            if forward_first_bytes(&mut c_read, &mut u_write, public) {
                let _ = std::io::copy(&mut c_read, &mut u_write);
                let _ = u_write.shutdown(Shutdown::Write);
            }
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

/// Reads the client's first bytes and passes them on, unless they open a TLS handshake: then
/// both connections are closed and one line on stderr says why. Returns whether to relay on.
fn forward_first_bytes(
    client: &mut TcpStream,
    upstream: &mut TcpStream,
    public: Option<SocketAddr>,
) -> bool {
    // Large enough for a whole ClientHello record in practice, so the close is a clean FIN
    // rather than a reset for unread data.
    let mut first = vec![0u8; 16 * 1024 + 5];
    let n = match client.read(&mut first) {
        Ok(n) if n > 0 => n,
        _ => {
            let _ = upstream.shutdown(Shutdown::Write);
            return false;
        }
    };
    if first[0] == TLS_HANDSHAKE {
        let from = client
            .peer_addr()
            .map_or_else(|_| "an unknown address".to_owned(), |a| a.to_string());
        let url = public.map_or_else(|| "http://".to_owned(), |a| format!("http://{a}"));
        eprintln!(
            "cloudhalt-emulator: TLS ClientHello on the plain-http port from {from}: closed; use {url}"
        );
        let _ = client.shutdown(Shutdown::Both);
        // tiny_http sees the end of an empty connection; the answer thread then ends too.
        let _ = upstream.shutdown(Shutdown::Both);
        return false;
    }
    if upstream.write_all(&first[..n]).is_err() {
        let _ = upstream.shutdown(Shutdown::Write);
        return false;
    }
    true
}
