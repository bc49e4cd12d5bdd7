//! The TCP link of the connector chain, in place of ureq's `TcpConnector`.
//!
//! It exists for one system call. ureq asks a pooled connection whether it is still usable right
//! before writing the next request on it, and its TCP transport answers with three calls (switch
//! the socket to non-blocking, read, switch back). A single `recv` with `MSG_PEEK | MSG_DONTWAIT`
//! gives the same answer without touching the socket's mode. Everything else is what ureq's
//! transport does: each resolved address in turn within the connect budget, `TCP_NODELAY`,
//! socket timeouts set only when they change, reads interrupted by a signal retried within the
//! read's timeout, and expired socket timeouts reported as ureq timeouts with their reason.

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use socket2::SockRef;
use ureq::Timeout;
use ureq::unversioned::transport::time::Instant as UreqInstant;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};

/// Opens plain TCP connections to the addresses the chain resolved.
#[derive(Debug, Default)]
pub(super) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(connection) = chained {
            // A connection made earlier in the chain (the CONNECT tunnel) is the one to use.
            return Ok(Some(Either::A(connection)));
        }
        let config = details.config;
        // The budget runs from when ureq computed it: a lookup before this spent part of it.
        let started = match details.now {
            UreqInstant::Exact(at) => at,
            _ => Instant::now(),
        };
        let stream = connect_any(&details.addrs, started, details.timeout, connect_one)?;
        if config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let transport = TcpTransport {
            socket: Arc::new(Socket(stream)),
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
        };
        // Registered before any TLS or proxy bytes, so that `Agent::shutdown` can interrupt them.
        (details.register_shutdown)(Arc::downgrade(&transport.socket) as Weak<dyn ShutdownHandle>)?;
        Ok(Some(Either::B(transport)))
    }
}

/// The least any address gets for its attempt, however many the host has (a share is still cut
/// to what is left of the budget): less could not even hear back from a nearby host.
const MIN_ATTEMPT: Duration = Duration::from_millis(10);

/// Connects to the first of `addrs` that accepts, all within `timeout`.
///
/// The budget is shared so that a dead first address cannot eat all of it: attempt `i` of `n`
/// gets a share proportional to 2^-i (half of it for the first of many), capped by what is left.
/// An address that refuses or cannot be routed to, and one whose own share runs out, give way to
/// the next; any other failure ends the connect, as it would for every address. With no
/// addresses at all the answer is a refusal, which is what connecting to nothing amounts to.
fn connect_any<T>(
    addrs: &[SocketAddr],
    started: Instant,
    timeout: NextTimeout,
    mut attempt: impl FnMut(SocketAddr, Option<Duration>) -> io::Result<T>,
) -> Result<T, ureq::Error> {
    let budget = timeout.not_zero().map(|d| *d);
    // The weights 1, 1/2, 1/4 ... of `addrs.len()` attempts add up to this.
    let total_weight: f64 = (0..addrs.len()).map(|i| 0.5f64.powi(i as i32)).sum();
    let mut last: Option<ureq::Error> = None;
    for (i, &addr) in addrs.iter().enumerate() {
        let share = match budget {
            None => None,
            Some(budget) => {
                let left = budget.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(ureq::Error::Timeout(timeout.reason));
                }
                let share = budget.mul_f64(0.5f64.powi(i as i32) / total_weight);
                Some(share.max(MIN_ATTEMPT).min(left))
            }
        };
        match attempt(addr, share) {
            Ok(stream) => return Ok(stream),
            Err(e) if moves_on(&e) => {
                log::debug!("connecting to {addr} failed ({e}); trying the next address");
                last = Some(ureq::Error::Io(e));
            }
            Err(e) if is_timeout(&e) => {
                log::debug!("connecting to {addr} timed out; trying the next address");
                last = Some(ureq::Error::Timeout(timeout.reason));
            }
            Err(e) => return Err(ureq::Error::Io(e)),
        }
    }
    Err(last.unwrap_or_else(|| {
        ureq::Error::Io(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "the host has no address to connect to",
        ))
    }))
}

/// Whether a failed connect says something about this address only (it refused, or the local
/// stack has no route to it, as for IPv6 addresses on a host without IPv6), so that the next
/// address may still work.
fn moves_on(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | HostUnreachable | NetworkUnreachable | NetworkDown | AddrNotAvailable
    )
}

/// Whether an I/O error is a socket timeout expiring (`SO_RCVTIMEO`/`SO_SNDTIMEO` report
/// `EAGAIN`, which std calls `WouldBlock`).
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn connect_one(addr: SocketAddr, budget: Option<Duration>) -> io::Result<TcpStream> {
    match budget {
        Some(budget) => TcpStream::connect_timeout(&addr, budget),
        None => TcpStream::connect(addr),
    }
}

/// The connected socket, shared (weakly) with the agent so that `Agent::shutdown` can end I/O
/// blocked on it from another thread.
#[derive(Debug)]
struct Socket(TcpStream);

impl ShutdownHandle for Socket {
    fn shutdown(&self) {
        // Already shut down or closed: nothing left to interrupt.
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// A plain TCP connection with ureq's buffers.
pub(super) struct TcpTransport {
    socket: Arc<Socket>,
    buffers: LazyBuffers,
    /// The socket's receive timeout as last set (`None`: none, the state of a new socket).
    read_timeout: Option<Duration>,
    /// The socket's send timeout as last set.
    write_timeout: Option<Duration>,
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.socket.0.peer_addr().ok())
            .finish()
    }
}

/// The socket timeout for `timeout`: `None` when it never expires. A budget already spent is an
/// error before any system call.
///
/// It is rounded here too ([`super::coarse`]), not only where the recorder hands the timeout on:
/// through TLS, ureq's rustls transport recomputes the remaining budget to the nanosecond before
/// each read and write of the socket, which would cost two `setsockopt` per request.
fn socket_timeout(timeout: NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(super::coarse(timeout).not_zero().map(|d| *d))
}

/// Sets a socket timeout with `set` unless `cached` says it already has that value; the cache
/// follows only a successful set.
fn update_timeout(
    cached: &mut Option<Duration>,
    wanted: Option<Duration>,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    if *cached == wanted {
        return Ok(());
    }
    match set(wanted) {
        Ok(()) => {
            *cached = wanted;
            Ok(())
        }
        // macOS refuses to change a timeout once the peer has closed with request bytes unread;
        // the answer may still be readable, so the read itself reports what happened.
        Err(e) if cfg!(target_os = "macos") && e.kind() == io::ErrorKind::InvalidInput => Ok(()),
        Err(e) => Err(e),
    }
}

/// The error for a failed socket read or write: an expired socket timeout is a ureq timeout
/// with the timeout's reason.
fn io_failure(e: io::Error, reason: Timeout) -> ureq::Error {
    if is_timeout(&e) {
        ureq::Error::Timeout(reason)
    } else {
        ureq::Error::Io(e)
    }
}

/// Reads with `read`, again after a signal interrupted it, as long as `timeout` has time left.
///
/// Linux does not restart a socket read that has a receive timeout after a signal, even with
/// `SA_RESTART`: without this a profiler's or runtime's signal would fail the exchange. Each
/// retry gets what is left of the timeout through `set_timeout`. Without a timeout the
/// interruption is passed on: only a handler installed without `SA_RESTART` causes it, and that
/// handler asked for it.
fn read_retrying(
    mut read: impl FnMut() -> io::Result<usize>,
    timeout: Option<Duration>,
    mut elapsed: impl FnMut() -> Duration,
    mut set_timeout: impl FnMut(Duration) -> io::Result<()>,
) -> io::Result<usize> {
    loop {
        match read() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                let Some(timeout) = timeout else {
                    return Err(e);
                };
                let left = timeout.saturating_sub(elapsed());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                set_timeout(left)?;
            }
            other => return other,
        }
    }
}

/// What a peek at an idle connection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idle {
    /// Nothing to read and no end: the connection can carry another request.
    Clean,
    /// The peer closed it.
    Closed,
    /// Bytes nobody asked for: a late part of the last answer or a broken peer.
    Stray,
    /// The socket reports an error (a reset).
    Failed,
}

/// Looks at an idle connection with one system call, consuming nothing and leaving the socket
/// blocking: `recv` of one byte with `MSG_PEEK | MSG_DONTWAIT`.
fn peek_idle(stream: &TcpStream) -> Idle {
    let mut byte = [MaybeUninit::<u8>::uninit()];
    loop {
        let got =
            SockRef::from(stream).recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT);
        return match got {
            Ok(0) => Idle::Closed,
            Ok(_) => Idle::Stray,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Idle::Clean,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => Idle::Failed,
        };
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let wanted = socket_timeout(timeout)?;
        let stream = &self.socket.0;
        update_timeout(&mut self.write_timeout, wanted, |t| {
            stream.set_write_timeout(t)
        })?;
        let output = &self.buffers.output()[..amount];
        (&*stream)
            .write_all(output)
            .map_err(|e| io_failure(e, timeout.reason))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let wanted = socket_timeout(timeout)?;
        let stream = &self.socket.0;
        update_timeout(&mut self.read_timeout, wanted, |t| {
            stream.set_read_timeout(t)
        })?;
        let started = Instant::now();
        let cached = &mut self.read_timeout;
        let input = self.buffers.input_append_buf();
        let n = read_retrying(
            || (&*stream).read(input),
            wanted,
            || started.elapsed(),
            // The cache follows, so that the next call puts the full timeout back.
            |left| update_timeout(cached, Some(left), |t| stream.set_read_timeout(t)),
        )
        .map_err(|e| io_failure(e, timeout.reason))?;
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        let found = peek_idle(&self.socket.0);
        if found != Idle::Clean {
            log::debug!("a pooled connection is not reused: {found:?}");
        }
        found == Idle::Clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A connected pair on loopback: (client, server).
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    /// Waits (bounded) until the peer's last packet has reached `s`.
    fn settle(s: &TcpStream, expect: Idle) -> Idle {
        for _ in 0..200 {
            let found = peek_idle(s);
            if found == expect {
                return found;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peek_idle(s)
    }

    #[test]
    fn the_peek_tells_clean_closed_stray_and_reset_apart() {
        let (client, _server) = pair();
        assert_eq!(peek_idle(&client), Idle::Clean);
        assert_eq!(peek_idle(&client), Idle::Clean, "the peek changes nothing");

        let (client, server) = pair();
        drop(server);
        assert_eq!(settle(&client, Idle::Closed), Idle::Closed);

        let (client, mut server) = pair();
        server.write_all(b"X").unwrap();
        assert_eq!(settle(&client, Idle::Stray), Idle::Stray);
        assert_eq!(
            peek_idle(&client),
            Idle::Stray,
            "the stray byte is not consumed"
        );

        let (client, server) = pair();
        socket2::SockRef::from(&server)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(server);
        // A reset is reported once as an error, then as the end of the stream: never as clean.
        let first = settle(&client, Idle::Failed);
        assert!(matches!(first, Idle::Failed | Idle::Closed), "{first:?}");
        assert_ne!(peek_idle(&client), Idle::Clean);
    }

    #[test]
    fn the_peek_leaves_the_socket_blocking() {
        let (mut client, mut server) = pair();
        assert_eq!(peek_idle(&client), Idle::Clean);
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            server.write_all(b"late").unwrap();
            server
        });
        // A non-blocking socket would fail this read at once with WouldBlock.
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 4];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"late");
        drop(writer.join().unwrap());
    }

    fn refused_port() -> SocketAddr {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    }

    fn budget(after: Duration) -> NextTimeout {
        NextTimeout {
            after: ureq::unversioned::transport::time::Duration::Exact(after),
            reason: Timeout::Connect,
            ..NextTimeout::default()
        }
    }

    #[test]
    fn a_refusing_first_address_gives_way_to_the_second() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let good = listener.local_addr().unwrap();
        let addrs = [refused_port(), good];
        let mut tried = Vec::new();
        let stream = connect_any(
            &addrs,
            Instant::now(),
            budget(Duration::from_secs(5)),
            |addr, share| {
                tried.push((addr, share));
                connect_one(addr, share)
            },
        )
        .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), good);
        assert_eq!(tried.len(), 2);
        // 2/3 of the budget for the first of two, 1/3 for the second.
        let first = tried[0].1.unwrap();
        assert!(first > Duration::from_millis(3300) && first <= Duration::from_millis(3334));
        let second = tried[1].1.unwrap();
        assert!(second <= Duration::from_millis(1667), "{second:?}");
    }

    #[test]
    fn every_address_refusing_reports_the_last_refusal() {
        let addrs = [refused_port(), refused_port()];
        let err = connect_any(
            &addrs,
            Instant::now(),
            budget(Duration::from_secs(5)),
            connect_one,
        )
        .unwrap_err();
        assert!(
            matches!(&err, ureq::Error::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused),
            "{err:?}"
        );
        let err = connect_any(
            &[],
            Instant::now(),
            budget(Duration::from_secs(5)),
            connect_one,
        )
        .unwrap_err();
        assert!(
            matches!(&err, ureq::Error::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused),
            "{err:?}"
        );
    }

    #[test]
    fn a_timed_out_address_gives_way_and_other_failures_stop() {
        let addrs = [refused_port(), refused_port(), refused_port()];
        let mut calls = 0;
        let got = connect_any(
            &addrs,
            Instant::now(),
            budget(Duration::from_secs(5)),
            |_, _| {
                calls += 1;
                match calls {
                    1 => Err(io::ErrorKind::TimedOut.into()),
                    _ => Ok(calls),
                }
            },
        )
        .unwrap();
        assert_eq!(got, 2);

        let mut calls = 0;
        let err = connect_any(
            &addrs,
            Instant::now(),
            budget(Duration::from_secs(5)),
            |_, _| {
                calls += 1;
                Err::<(), _>(io::ErrorKind::PermissionDenied.into())
            },
        )
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(matches!(&err, ureq::Error::Io(e) if e.kind() == io::ErrorKind::PermissionDenied));

        // The last address timing out: a timeout with the budget's reason.
        let err = connect_any(
            &addrs[..1],
            Instant::now(),
            budget(Duration::from_secs(5)),
            |_, _| Err::<(), _>(io::ErrorKind::TimedOut.into()),
        )
        .unwrap_err();
        assert!(
            matches!(err, ureq::Error::Timeout(Timeout::Connect)),
            "{err:?}"
        );
    }

    #[test]
    fn a_spent_budget_tries_no_further_address() {
        let addrs = [refused_port(), refused_port()];
        let mut calls = 0;
        let err = connect_any(
            &addrs,
            Instant::now(),
            budget(Duration::from_millis(20)),
            |_, share| {
                calls += 1;
                std::thread::sleep(share.unwrap() + Duration::from_millis(20));
                Err::<(), _>(io::ErrorKind::TimedOut.into())
            },
        )
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(
            matches!(err, ureq::Error::Timeout(Timeout::Connect)),
            "{err:?}"
        );
    }

    #[test]
    fn interrupted_reads_are_retried_within_the_timeout_only() {
        let secs = Duration::from_secs;
        let mut script = vec![Err(io::ErrorKind::Interrupted.into()), Ok(3)].into_iter();
        let mut set = Vec::new();
        let n = read_retrying(
            || script.next().unwrap(),
            Some(secs(10)),
            || secs(4),
            |left| {
                set.push(left);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((n, set), (3, vec![secs(6)]));

        let mut script = vec![Err(io::ErrorKind::Interrupted.into()), Ok(3)].into_iter();
        let err = read_retrying(
            || script.next().unwrap(),
            Some(secs(1)),
            || secs(1),
            |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);

        let mut script = vec![Err(io::ErrorKind::Interrupted.into()), Ok(3)].into_iter();
        let err =
            read_retrying(|| script.next().unwrap(), None, || secs(0), |_| Ok(())).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
    }

    #[test]
    fn a_timeout_is_set_only_when_it_changes() {
        let mut cached = None;
        let mut sets = 0;
        for wanted in [
            Some(Duration::from_secs(5)),
            Some(Duration::from_secs(5)),
            None,
            None,
        ] {
            update_timeout(&mut cached, wanted, |_| {
                sets += 1;
                Ok(())
            })
            .unwrap();
        }
        assert_eq!(sets, 2);
        let err = update_timeout(&mut cached, Some(Duration::from_secs(1)), |_| {
            Err(io::ErrorKind::PermissionDenied.into())
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(cached, None, "a failed set leaves the cache as it was");
    }

    #[test]
    fn an_expired_socket_timeout_is_a_ureq_timeout_with_its_reason() {
        let e = io_failure(io::ErrorKind::WouldBlock.into(), Timeout::RecvBody);
        assert!(matches!(e, ureq::Error::Timeout(Timeout::RecvBody)));
        let e = io_failure(io::ErrorKind::ConnectionReset.into(), Timeout::RecvBody);
        assert!(matches!(e, ureq::Error::Io(_)));
        assert!(matches!(
            socket_timeout(budget(Duration::ZERO)),
            Err(ureq::Error::Timeout(Timeout::Connect))
        ));
    }

    #[test]
    fn budgets_a_few_microseconds_apart_set_the_same_socket_timeout() {
        // What the TLS layer hands down for two kept-alive calls of a 30 s budget.
        let a = socket_timeout(budget(Duration::from_nanos(29_990_125_000))).unwrap();
        let b = socket_timeout(budget(Duration::from_nanos(29_990_127_431))).unwrap();
        assert_eq!(a, Some(Duration::from_millis(29_990)));
        assert_eq!(a, b);
        // Never later than asked, and short budgets are kept exact.
        let short = Duration::from_nanos(999_999_999);
        assert_eq!(socket_timeout(budget(short)).unwrap(), Some(short));
    }
}
