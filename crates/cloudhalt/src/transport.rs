//! The HTTP exchange, and the record of how far it got.
//!
//! Whether a failed request may have reached the provider is the one fact every caller needs
//! before sending it again (a second TerminateInstances destroys a prepaid instance that the first
//! moved to the recycle bin). It is not guessed from ureq's error variants: the connector chain
//! below records each phase as it happens (resolved, connected — TLS handshake included —, request
//! bytes handed to the socket, answer started), and the [`SendState`] of an error is read from
//! that record. The rule is one-sided on purpose: from the moment the first request byte is
//! handed to the connection the request "may have been sent", even if that write then fails.
//!
//! Everything else: every answer body is read (ureq's status-as-error is off, because Alibaba's
//! error JSON comes with 4xx/5xx), no redirects, bounded answers, TLS always verified.

use std::borrow::Cow;
use std::cell::Cell;
use std::time::Duration;

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    Transport as UreqTransport,
};

use crate::error::{Error, ErrorKind, SendState};

mod headers;
#[cfg(unix)]
mod tcp;

use headers::header_name;
pub(crate) use headers::{Field, HeaderList};

/// The TCP connector of the chain: ours where a pooled connection can be probed with one
/// `recv` (see `tcp`), ureq's elsewhere.
#[cfg(unix)]
use tcp::TcpConnector;
#[cfg(not(unix))]
use ureq::unversioned::transport::TcpConnector;

/// Timeouts for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connection setup: DNS, TCP and TLS. Default 5 s. Whatever is set, the transport keeps it
    /// strictly below `total` (at most 9/10 of it), so that a connect which times out is
    /// reported as "not sent" and never races the total deadline.
    pub connect: Duration,
    /// The whole exchange, from connecting to the last byte of the answer. Default 30 s.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// The longest timeout cloudhalt accepts: one day. Anything longer is a unit mistake
    /// (milliseconds given as seconds), and ureq's deadline arithmetic overflows near
    /// `Duration::MAX`.
    pub const MAX: Duration = Duration::from_secs(24 * 60 * 60);

    /// The default connect timeout with a total of `total`, checked by [`Timeouts::check`].
    pub fn with_total(total: Duration) -> Result<Timeouts, Error> {
        Timeouts {
            connect: Timeouts::default().connect,
            total,
        }
        .check()
    }

    /// The default connect timeout with a total of `seconds` (fractions allowed), for bindings
    /// that take a number: zero, negative, NaN, infinite and over-one-day values are refused.
    pub fn from_secs_f64(seconds: f64) -> Result<Timeouts, Error> {
        if !(seconds > 0.0 && seconds <= Timeouts::MAX.as_secs_f64()) {
            return Err(Error::invalid_input(
                "timeout",
                format!(
                    "timeout {seconds} is not a number of seconds from 0.001 to 86400 (one day): \
                     give e.g. 30 or 2.5"
                ),
            ));
        }
        let total = Duration::from_secs_f64(seconds);
        Timeouts::with_total(total)
    }

    /// Checks both values: each must be at least 1 ms and at most [`Timeouts::MAX`].
    pub fn check(self) -> Result<Timeouts, Error> {
        for (field, value) in [("timeout", self.total), ("connect_timeout", self.connect)] {
            if value < Duration::from_millis(1) || value > Timeouts::MAX {
                return Err(Error::invalid_input(
                    field,
                    format!(
                        "{field} {value:?} is out of range: give 1 ms to 86400 s (one day), \
                         e.g. 30 s"
                    ),
                ));
            }
        }
        Ok(self)
    }

    /// The connect budget actually used: strictly below the total.
    pub(crate) fn effective_connect(self) -> Duration {
        self.connect.min(self.total.mul_f64(0.9))
    }
}

/// The largest answer cloudhalt reads: every answer of the five operations is a few hundred bytes.
pub const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// The largest answer head (status line and headers) cloudhalt reads; the providers' are about
/// one KiB.
const MAX_ANSWER_HEAD_BYTES: usize = 24 * 1024;

/// How far one exchange got, in order. Recorded by the connector chain as it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// Nothing happened yet (or the exchange failed before the host was resolved).
    Started,
    /// The host name resolved to addresses.
    Resolved,
    /// A connection is open (TCP, through any proxy, with the TLS handshake complete).
    Connected,
    /// Request bytes were handed to the connection: from here on it may have been sent.
    Written,
    /// The first bytes of an answer arrived.
    AnswerStarted,
}

thread_local! {
    /// The phase of the exchange running on this thread. ureq's blocking API runs the whole
    /// exchange (connect, write, read) on the calling thread, so a thread-local is exact; a pooled
    /// connection reused by a later call records into that call's slot.
    static PHASE: Cell<Phase> = const { Cell::new(Phase::Started) };
}

fn advance(to: Phase) {
    let _ = PHASE.try_with(|p| {
        if p.get() < to {
            p.set(to);
        }
    });
}

fn current_phase() -> Phase {
    PHASE.try_with(Cell::get).unwrap_or(Phase::Written)
}

/// The agent's resolver: it resolves nothing, so that a request on a pooled connection costs no
/// lookup at all.
///
/// ureq asks its resolver before it looks in the pool, and its default resolver applies the
/// resolve timeout by spawning a thread per lookup: one thread per request, even for an IP
/// literal on a kept-alive connection. The lookup is done instead by [`ResolvingTcp`], which ureq
/// runs only when it opens a connection (the pool is keyed by scheme, host and port, never by
/// address).
#[derive(Debug, Default)]
struct Deferred;

impl Resolver for Deferred {
    fn resolve(
        &self,
        _uri: &Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        Ok(self.empty())
    }
}

/// The TCP connector, preceded by the lookup [`Deferred`] left out, and marking `Resolved`
/// once the addresses are known. Through a CONNECT proxy this resolves the proxy's host (the hop),
/// as ureq's resolver did.
#[derive(Debug, Default)]
struct ResolvingTcp(TcpConnector);

impl ResolvingTcp {
    /// The addresses of `details.uri`: an IP literal directly (no thread, no system call), a name
    /// through the system resolver within the connect budget (one thread per new connection,
    /// which is how ureq bounds `getaddrinfo`).
    fn resolve(details: &ConnectionDetails) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let literal = details
            .uri
            .scheme()
            .zip(details.uri.authority())
            .and_then(|(scheme, authority)| DefaultResolver::host_and_port(scheme, authority))
            .and_then(|host_port| host_port.parse::<std::net::SocketAddr>().ok());
        match literal {
            Some(addr) => {
                let mut addrs = details.resolver.empty();
                addrs.push(addr);
                Ok(addrs)
            }
            None => {
                DefaultResolver::default().resolve(details.uri, details.config, details.timeout)
            }
        }
    }
}

impl<In: UreqTransport> Connector<In> for ResolvingTcp {
    type Out = <TcpConnector as Connector<In>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() || !details.addrs.is_empty() {
            // A connection already made (the CONNECT tunnel), or addresses already resolved.
            return self.0.connect(details, chained);
        }
        let addrs = ResolvingTcp::resolve(details)?;
        advance(Phase::Resolved);
        let resolved = ConnectionDetails {
            uri: details.uri,
            addrs,
            config: details.config,
            request_level: details.request_level,
            resolver: details.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: details.current_time.clone(),
            run_connector: details.run_connector.clone(),
            register_shutdown: details.register_shutdown.clone(),
        };
        self.0.connect(&resolved, None)
    }
}

/// The last link of the connector chain: the connection it gets is complete (proxy CONNECT done,
/// TLS handshake done), so it marks `Connected` and wraps the connection to record writes.
///
/// Through a CONNECT proxy ureq runs the whole chain twice: once for the hop to the proxy (with
/// the proxy taken out of its config), then for the tunnel. Only the tunnel carries the request:
/// the CONNECT line and the TLS handshake written on the hop are not request bytes.
#[derive(Debug)]
struct Recorder {
    /// Whether the agent sends through a proxy at all.
    proxied: bool,
}

impl<In: UreqTransport> Connector<In> for Recorder {
    type Out = Recording<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let carries_the_request = !(self.proxied && details.config.proxy().is_none());
        Ok(chained.map(|inner| {
            if carries_the_request {
                advance(Phase::Connected);
            }
            Recording {
                inner,
                records: carries_the_request,
                held: Vec::new(),
                write_timeout: NextTimeout::default(),
                answered: false,
            }
        }))
    }
}

/// A connection that records, into the running exchange, that request bytes were written and that
/// answer bytes arrived (the hop to a proxy records nothing, and is passed through untouched).
///
/// It also keeps the request on the wire in one piece: ureq hands over the head and then the body
/// of a request as two writes; this holds them (a copy of a few hundred bytes) and hands them on in
/// one write when ureq starts waiting for the answer. One `sendto` per request instead of two,
/// and through TLS one record instead of two.
#[derive(Debug)]
struct Recording<T> {
    inner: T,
    records: bool,
    /// Request bytes written by ureq and not yet handed on (the allocation is kept for the next
    /// request on this connection).
    held: Vec<u8>,
    /// The timeout of the latest write ureq asked for, used when the held bytes are handed on.
    write_timeout: NextTimeout,
    /// An answer was read since the connection was last probed.
    answered: bool,
}

/// Held bytes are handed on without waiting once there are this many (a request of these
/// operations is a few KiB; ureq's output buffer is 128 KiB).
const MAX_HELD: usize = 64 * 1024;

/// A timeout above one second is rounded down to 10 ms. The TCP transport sets a socket's
/// timeout with a `setsockopt` whenever the remaining budget differs from the last one set,
/// which, counted in nanoseconds, is every read and every write; rounded, kept-alive calls with
/// the same budget set it once. The deadline moves earlier by less than 1%, never later. (Our
/// TCP transport rounds again where it sets the socket: ureq's TLS layer in between recomputes
/// the budget to the nanosecond.)
fn coarse(mut timeout: NextTimeout) -> NextTimeout {
    use ureq::unversioned::transport::time::Duration as UreqDuration;
    const STEP_NANOS: u32 = 10_000_000;
    if let UreqDuration::Exact(d) = timeout.after
        && d > Duration::from_secs(1)
    {
        let rounded = d - Duration::from_nanos(u64::from(d.subsec_nanos() % STEP_NANOS));
        timeout.after = UreqDuration::Exact(rounded);
    }
    timeout
}

impl<T: UreqTransport> Recording<T> {
    /// Hands the held request bytes to the connection, in one write (several only if they
    /// exceed the connection's output buffer).
    fn flush(&mut self) -> Result<(), ureq::Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        // Before the write, not after: a write that fails half-way may still have delivered a
        // whole request, and a wrong "not sent" becomes a blind re-send.
        advance(Phase::Written);
        let mut sent = 0;
        while sent < self.held.len() {
            let output = self.inner.buffers().output();
            let n = output.len().min(self.held.len() - sent);
            output[..n].copy_from_slice(&self.held[sent..sent + n]);
            sent += n;
            if let Err(e) = self.inner.transmit_output(n, self.write_timeout) {
                self.held.clear();
                return Err(e);
            }
        }
        self.held.clear();
        Ok(())
    }
}

impl<T: UreqTransport> UreqTransport for Recording<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if !self.records {
            return self.inner.transmit_output(amount, timeout);
        }
        let output = self.inner.buffers().output();
        self.held.extend_from_slice(&output[..amount]);
        self.write_timeout = coarse(timeout);
        if self.held.len() >= MAX_HELD {
            self.flush()?;
        }
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // ureq may find input already buffered and not call `await_input`: hand the request on
        // first in any case, or both ends would wait.
        self.flush()?;
        if self.buffers().can_use_input() {
            return Ok(true);
        }
        self.await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if !self.records {
            return self.inner.await_input(timeout);
        }
        self.flush()?;
        let got = self.inner.await_input(coarse(timeout))?;
        if got && current_phase() >= Phase::Written {
            advance(Phase::AnswerStarted);
            self.answered = true;
        }
        Ok(got)
    }

    fn is_open(&mut self) -> bool {
        // ureq probes a connection twice per request: when it goes back to the pool right after
        // its answer was read, and when it is taken out for the next request. Each TCP probe is
        // a system call (one peeking `recv`, see `tcp`; three with ureq's own TCP transport on
        // other targets). The first is skipped: whatever it would find (a peer's close, stray
        // bytes, a reset) stays on the socket for the second to find, and only the second runs
        // right before a request is written on the connection. Counted with `strace -f -c` on
        // the hot-path bench: 2 `recvfrom` per request with the skip, 3 without.
        if self.records && std::mem::take(&mut self.answered) && self.held.is_empty() {
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// What came back.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    /// Every answer header, names lower-cased, in order.
    pub headers: HeaderList,
    pub body: Vec<u8>,
}

/// A signed request, ready to send.
pub(crate) struct Prepared {
    pub url: String,
    pub host: String,
    /// Every header but `Host`, which the transport derives from the URL (it equals `host`).
    pub headers: Vec<Field>,
    pub body: Vec<u8>,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        // The token travels in a header: wipe this copy on every path, sent or not.
        for (name, value) in &mut self.headers {
            if let (true, Cow::Owned(value)) = (is_secret_header(name), value) {
                zeroize::Zeroize::zeroize(value);
            }
        }
    }
}

/// Headers that carry a secret: kept out of every record, log and message.
const SECRET_HEADERS: [&str; 2] = ["x-tc-token", "x-acs-security-token"];

fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s))
}

impl Prepared {
    /// The record of what was sent: `Host` first, secrets redacted, and the signature shortened
    /// (a whole logged signature could be replayed within the provider's 5-minute window).
    /// Made from the request's own headers once it has been sent, in place, so that the
    /// record costs no copy of them.
    pub(crate) fn into_record(mut self) -> HeaderList {
        let host_name = if self.headers.iter().any(|(n, _)| n.starts_with("x-acs-")) {
            "host"
        } else {
            "Host"
        };
        let mut record = std::mem::take(&mut self.headers);
        for (name, value) in &mut record {
            if is_secret_header(name) {
                if let Cow::Owned(token) = value {
                    zeroize::Zeroize::zeroize(token);
                }
                *value = Cow::Borrowed("<redacted>");
            } else if name.eq_ignore_ascii_case("authorization") {
                shorten_signature_in_place(value.to_mut());
            }
        }
        record.insert(0, (host_name, Cow::Owned(std::mem::take(&mut self.host))));
        HeaderList::sent(record)
    }
}

/// `...Signature=0123456789ab…`, the rest of the hex cut: enough to match a request in a
/// provider's log, too little to replay it. Cut in place: the record is made of the sent
/// headers' own strings.
fn shorten_signature_in_place(authorization: &mut String) {
    const KEEP: usize = 12;
    const MARK: &[u8] = b"Signature=";
    // Searched from the end, where both providers put it, one byte at a time: a substring
    // searcher's set-up costs more than the scan over the 64 hex digits that follow it.
    let bytes = authorization.as_bytes();
    let found = (0..=bytes.len().saturating_sub(MARK.len()))
        .rev()
        .find(|&at| bytes[at] == b'S' && bytes[at..].starts_with(MARK));
    match found {
        Some(at) => {
            let start = at + MARK.len();
            let end = authorization[start..]
                .char_indices()
                .nth(KEEP)
                .map_or(authorization.len(), |(i, _)| start + i);
            authorization.truncate(end);
            authorization.push('…');
        }
        None => {
            authorization.clear();
            authorization.push_str("<unrecognised authorization, not shown>");
        }
    }
}

/// Which proxy a client sends through.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxySetting {
    /// The environment's: `ALL_PROXY`, else `HTTPS_PROXY`, else `HTTP_PROXY` (each also in lower
    /// case; the first that parses wins, for `http` and `https` URLs alike), minus the hosts
    /// listed in `NO_PROXY` (`*`, exact hosts, `.suffix`/`*suffix`, `prefix*`). Read when the
    /// client is made.
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says.
    Off,
    /// This proxy (`http://host:port`, `http://user:pass@host:port`, `socks5://` is not
    /// supported): HTTPS goes through it with CONNECT. `NO_PROXY` does not apply.
    Url(String),
}

/// Network settings: the proxy and the CA roots. Shared by a client's calls and by the
/// credential refreshes that go to STS or a credentials URI (never by metadata calls, which
/// must not leave the host's network).
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Network {
    /// The proxy.
    pub proxy: ProxySetting,
    /// A PEM file of CA certificates that REPLACES the built-in roots (Mozilla's, compiled in):
    /// for corporate TLS inspection, give a bundle holding both the system roots and the
    /// inspecting CA (on most Linux systems, /etc/ssl/certs/ca-certificates.crt already does).
    /// `None`: `SSL_CERT_FILE` if set, else the built-in roots.
    pub ca_bundle: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A proxy URL may carry a password.
        let proxy = match &self.proxy {
            ProxySetting::Url(u) => format!("Url({:?})", crate::endpoint::redact_url(u)),
            other => format!("{other:?}"),
        };
        f.debug_struct("Network")
            .field("proxy", &proxy)
            .field("ca_bundle", &self.ca_bundle)
            .finish()
    }
}

impl Network {
    /// The environment's proxy and CA settings.
    pub fn new() -> Network {
        Network::default()
    }

    /// The same settings sending through the proxy `url`.
    pub fn with_proxy(mut self, url: impl Into<String>) -> Network {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// The same settings with no proxy at all.
    pub fn without_proxy(mut self) -> Network {
        self.proxy = ProxySetting::Off;
        self
    }

    /// The same settings trusting only the CA certificates of the PEM file `path`.
    pub fn with_ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Network {
        self.ca_bundle = Some(path.into());
        self
    }

    /// The proxy, parsed.
    fn ureq_proxy(&self) -> Result<Option<ureq::Proxy>, Error> {
        match &self.proxy {
            ProxySetting::FromEnv => Ok(ureq::Proxy::try_from_env()),
            ProxySetting::Off => Ok(None),
            ProxySetting::Url(url) => ureq::Proxy::new(url).map(Some).map_err(|e| {
                Error::invalid_input(
                    "proxy",
                    format!(
                        "proxy {:?} is not a proxy URL ({e}): give e.g. http://proxy.example:3128",
                        crate::endpoint::redact_url(url)
                    ),
                )
            }),
        }
    }

    /// The CA roots: the bundle named, else `SSL_CERT_FILE`, else the built-in roots.
    fn roots(&self) -> Result<ureq::tls::RootCerts, Error> {
        let (path, from) = match &self.ca_bundle {
            Some(p) => (p.clone(), "the ca_bundle option"),
            None => match std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty()) {
                Some(p) => (std::path::PathBuf::from(p), "SSL_CERT_FILE"),
                None => return Ok(ureq::tls::RootCerts::WebPki),
            },
        };
        let bad = |why: String| {
            Error::invalid_input(
                "ca_bundle",
                format!(
                    "the CA bundle {} (from {from}) {why}: give a PEM file of CA certificates",
                    path.display()
                ),
            )
        };
        let pem = std::fs::read(&path).map_err(|e| bad(format!("cannot be read ({e})")))?;
        let certs = match pem_certificates(&pem) {
            Some(certs) => certs,
            // Anything the quick reader does not take, ureq's reader judges (and names).
            None => ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("is not valid PEM ({e})")))?,
        };
        if certs.is_empty() {
            return Err(bad("holds no certificate".into()));
        }
        Ok(ureq::tls::RootCerts::from(certs))
    }

    /// A ureq configuration with these settings and timeouts.
    pub(crate) fn ureq_config(
        &self,
        connect: Duration,
        total: Duration,
    ) -> Result<ureq::config::Config, Error> {
        self.ureq_config_with(self.roots()?, connect, total)
    }

    /// [`Network::ureq_config`] with roots already read.
    fn ureq_config_with(
        &self,
        roots: ureq::tls::RootCerts,
        connect: Duration,
        total: Duration,
    ) -> Result<ureq::config::Config, Error> {
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
        Ok(ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // ureq keeps 3 idle connections per host: a batch sending 4 to 64 requests at once,
            // or threads sharing one client, would open a new connection (and a TLS handshake)
            // for most requests. Keep one per request in flight, up to the batch maximum.
            .max_idle_connections_per_host(crate::batch::MAX_CONCURRENCY)
            .max_idle_connections(2 * crate::batch::MAX_CONCURRENCY)
            // ureq zeroes 128 KiB in and 128 KiB out per connection, most of a CLI call's page
            // faults. The largest request (50 IDs in a StopInvocation URL, 100 in a body) is a
            // few KiB and the providers' answer headers one: 32 KiB still writes any request
            // with one write, and answer headers may be 24 KiB, 20 times the providers'. The
            // input buffer must be larger than that limit: ureq sees an answer head as too big
            // only once it holds more of it than the limit, and with a buffer no larger than
            // the limit it waited for room that never came, then reported the peer gone.
            .input_buffer_size(32 * 1024)
            .output_buffer_size(32 * 1024)
            .max_response_header_size(MAX_ANSWER_HEAD_BYTES)
            .proxy(self.ureq_proxy()?)
            .tls_config(tls)
            .timeout_resolve(Some(connect))
            .timeout_connect(Some(connect))
            .timeout_global(Some(total))
            .user_agent(concat!("cloudhalt/", env!("CARGO_PKG_VERSION")))
            .build())
    }

    /// A plain ureq agent with these settings (for the credentials URI).
    pub(crate) fn agent(
        &self,
        (connect, total): (Duration, Duration),
    ) -> Result<ureq::Agent, Error> {
        Ok(self
            .ureq_config(connect, total)
            .map_err(|e| Error::credentials(e.message().to_owned()))?
            .into())
    }

    /// The timeouts for a credentials call.
    pub(crate) fn timeouts_or(&self, connect: Duration, total: Duration) -> (Duration, Duration) {
        (connect, total)
    }
}

/// The certificates of a well-formed PEM bundle (RFC 7468: `-----BEGIN CERTIFICATE-----`, base64
/// lines, `-----END CERTIFICATE-----`, any text between sections; other sections skipped, as
/// ureq's reader skips them), or `None` for anything else. Certificates are public, so they are
/// decoded with the plain, fast base64 decoder rather than a constant-time one.
fn pem_certificates(pem: &[u8]) -> Option<Vec<ureq::tls::Certificate<'static>>> {
    use base64::Engine as _;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    // As text, for the standard library's fast substring and line search.
    let pem = std::str::from_utf8(pem).ok()?;
    let (mut certs, mut text, mut rest) = (Vec::new(), String::new(), pem);
    while let Some(at) = rest.find(BEGIN) {
        let body = &rest[at + BEGIN.len()..];
        let end = body.find(END)?;
        text.clear();
        for line in body[..end].split('\n') {
            text.push_str(line.trim_ascii());
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(&text)
            .ok()?;
        certs.push(ureq::tls::Certificate::from_der(&der).to_owned());
        rest = &body[end + END.len()..];
    }
    Some(certs)
}

/// A connection-reusing HTTP client, shared by every call of a client (and its clones).
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    /// Why the network settings cannot be used (an unreadable CA bundle named by
    /// `SSL_CERT_FILE`): every request fails with it, unsent, rather than silently trust other
    /// roots.
    broken: Option<Error>,
    /// The roots it trusts, as read when it was made (shared, not copied): a copy with other
    /// timeouts trusts the same ones without reading the bundle again.
    roots: Option<ureq::tls::RootCerts>,
}

impl Transport {
    /// A transport with these settings; when they cannot be used, the error, and a transport
    /// that fails every request with it.
    pub fn with_network(
        timeouts: Timeouts,
        network: &Network,
    ) -> Result<Transport, (Transport, Error)> {
        let roots = network.roots();
        Transport::make(timeouts, network, roots)
    }

    /// The same transport with other timeouts (and a new connection pool), trusting the roots
    /// this one read. A broken one reads its settings again: they may have been mended since.
    pub fn with_timeouts(
        &self,
        timeouts: Timeouts,
        network: &Network,
    ) -> Result<Transport, (Transport, Error)> {
        match &self.roots {
            Some(roots) if self.broken.is_none() => {
                Transport::make(timeouts, network, Ok(roots.clone()))
            }
            _ => Transport::with_network(timeouts, network),
        }
    }

    fn make(
        timeouts: Timeouts,
        network: &Network,
        roots: Result<ureq::tls::RootCerts, Error>,
    ) -> Result<Transport, (Transport, Error)> {
        let connect = timeouts.effective_connect();
        let made = roots.and_then(|roots| {
            network
                .ureq_config_with(roots.clone(), connect, timeouts.total)
                .map(|config| (config, roots))
        });
        let (config, broken, roots) = match made {
            Ok((c, roots)) => (c, None, Some(roots)),
            Err(e) => (
                Network::new()
                    .without_proxy()
                    .ureq_config(connect, timeouts.total)
                    .unwrap_or_else(|_| ureq::Agent::config_builder().build()),
                Some(e),
                None,
            ),
        };
        let proxied = config.proxy().is_some();
        // ureq's default chain (proxy CONNECT, TCP, rustls) with the recorder last, so it sees the
        // finished connection.
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(ResolvingTcp::default())
                .chain(RustlsConnector::default())
                .chain(Recorder { proxied });
        let transport = Transport {
            agent: ureq::Agent::with_parts(config, connector, Deferred),
            broken: broken.clone(),
            roots,
        };
        match broken {
            None => Ok(transport),
            Some(e) => Err((transport, e)),
        }
    }

    /// Sends one POST and reads the whole answer. The error's [`SendState`] comes from the phase
    /// record.
    pub fn post(&self, prepared: &Prepared) -> Result<HttpAnswer, Error> {
        if let Some(e) = &self.broken {
            return Err(Error::new(
                ErrorKind::Transport,
                format!("{} (nothing was sent)", e.message()),
                SendState::NotSent,
            ));
        }
        let _ = PHASE.try_with(|p| p.set(Phase::Started));
        let result = self.exchange(prepared);
        let phase = current_phase();
        let _ = PHASE.try_with(|p| p.set(Phase::Started));
        result.map_err(|failure| failure.into_error(phase))
    }

    fn exchange(&self, prepared: &Prepared) -> Result<HttpAnswer, Failure> {
        let mut response = self
            .agent
            .run(http_request(prepared).map_err(|e| Failure::Ureq(e.into(), None))?)
            .map_err(|e| Failure::Ureq(e, None))?;
        let status = response.status().as_u16();
        // Room for the whole body when its length is given: read in one pass and one final
        // look for its end, not grown read by read from a 32-byte probe.
        let expected = response
            .body()
            .content_length()
            .filter(|&n| n <= MAX_RESPONSE_BYTES);
        let mut body = Vec::with_capacity(expected.map_or(0, |n| n as usize));
        std::io::Read::read_to_end(
            &mut response
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BYTES)
                .reader(),
            &mut body,
        )
        .map_err(|e| match ureq::Error::from(e) {
            ureq::Error::BodyExceedsLimit(_) => Failure::TooLarge(status),
            other => Failure::Ureq(other, Some(status)),
        })?;
        let headers = HeaderList::read(std::mem::take(response.headers_mut()));
        Ok(HttpAnswer {
            status,
            headers,
            body,
        })
    }
}

/// The request as the `http` crate holds it, built in place: ureq's request builder moves the
/// whole request through every `.header()` call, and parses again each name that cloudhalt
/// sends on every call (see [`header_name`]). `Host`, `Content-Length` and `User-Agent` are
/// left to ureq, which keeps the headers it adds apart from these.
fn http_request(prepared: &Prepared) -> Result<ureq::http::Request<&[u8]>, ureq::http::Error> {
    use ureq::http::{HeaderValue, Method, Request};
    let mut request = Request::new(&prepared.body[..]);
    *request.method_mut() = Method::POST;
    *request.uri_mut() = Uri::try_from(prepared.url.as_str())?;
    let headers = request.headers_mut();
    for (name, value) in &prepared.headers {
        let value = match value {
            // A fixed value (the action, the version) is shared, not copied.
            Cow::Borrowed(fixed) if fixed.bytes().all(|b| b.is_ascii_graphic() || b == b' ') => {
                HeaderValue::from_static(fixed)
            }
            _ => HeaderValue::from_str(value)?,
        };
        headers.append(header_name(name)?, value);
    }
    Ok(request)
}

enum Failure {
    Ureq(ureq::Error, Option<u16>),
    TooLarge(u16),
}

/// The TLS error inside ureq's error: ureq hands rustls's failures on as I/O errors.
fn tls_failure(err: &ureq::Error) -> Option<&rustls::Error> {
    match err {
        ureq::Error::Io(e) => e.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

/// What to do when the server's certificate is not trusted. The usual cause on a corporate
/// network is a proxy or firewall that inspects TLS and signs with its own CA.
fn untrusted_certificate(err: &ureq::Error) -> Option<&'static str> {
    use rustls::CertificateError as Cert;
    match tls_failure(err)? {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer | Cert::BadSignature) => Some(
            "the server's certificate is not signed by a CA this client trusts: if a proxy or \
             firewall on the way inspects TLS, trust its CA with the ca_bundle setting (a PEM \
             file holding the usual roots and that CA; SSL_CERT_FILE also names one), otherwise \
             check the endpoint",
        ),
        rustls::Error::InvalidCertificate(
            Cert::NotValidForName | Cert::NotValidForNameContext { .. },
        ) => Some("the server's certificate is for another host name: check the endpoint's host"),
        rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => Some(
            "the server's certificate has expired, or this machine's clock is wrong: check the \
             clock",
        ),
        _ => None,
    }
}

/// What to do when the proxy would not open the tunnel.
fn proxy_refusal(err: &ureq::Error) -> Option<&'static str> {
    let ureq::Error::ConnectProxyFailed(reason) = err else {
        return None;
    };
    Some(if reason.starts_with("proxy server responded 407") {
        "the proxy asks for credentials: give them in the proxy URL \
         (http://user:password@proxy.example:3128)"
    } else {
        "the proxy would not open a tunnel to the endpoint: check the proxy URL, and that the \
         proxy lets CONNECT through to the endpoint's host and port"
    })
}

impl Failure {
    fn into_error(self, phase: Phase) -> Error {
        let (err, status) = match self {
            Failure::TooLarge(status) => {
                return Error::new(
                    ErrorKind::UnexpectedResponse,
                    format!(
                        "the answer is larger than {MAX_RESPONSE_BYTES} bytes, which no answer of \
                         these operations is: the request was sent and may have taken effect; \
                         check the endpoint, and the state before sending it again"
                    ),
                    SendState::Answered,
                )
                .with_http_status(status);
            }
            Failure::Ureq(err, status) => (err, status),
        };
        let timeout = matches!(err, ureq::Error::Timeout(_));
        let kind = if timeout {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let error = if phase < Phase::Written {
            let step = match phase {
                Phase::Started => "resolving the host",
                Phase::Resolved => "connecting",
                _ => "opening the connection",
            };
            let what = if timeout { "timed out" } else { "failed" };
            let fix = if let Some(why) = untrusted_certificate(&err).or(proxy_refusal(&err)) {
                why
            } else if matches!(err, ureq::Error::Tls(_)) || tls_failure(&err).is_some() {
                "check the endpoint's certificate and the CA roots"
            } else if timeout {
                "check the endpoint and network, or raise the timeout"
            } else {
                "check the endpoint, proxy and network"
            };
            Error::new(
                kind,
                format!(
                    "{what} while {step} ({err}): no byte of the request was sent, so sending it \
                     again is safe; {fix}"
                ),
                SendState::NotSent,
            )
        } else {
            let step = if phase >= Phase::AnswerStarted {
                "reading the answer"
            } else {
                "waiting for the answer"
            };
            let what = if timeout {
                "timed out"
            } else {
                "the connection failed"
            };
            Error::new(
                kind,
                format!(
                    "{what} while {step} ({err}): the request was sent and may have reached the \
                     provider and taken effect; check its state before sending it again"
                ),
                SendState::SentNoAnswer,
            )
        };
        match status {
            Some(s) => error.with_http_status(s),
            None => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The certificates ureq's own reader finds in `pem`.
    fn by_ureq(pem: &[u8]) -> Vec<Vec<u8>> {
        ureq::tls::parse_pem(pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c.der().to_vec()),
                _ => None,
            })
            .collect()
    }

    /// `der` as a PEM section of `label`, in 64-character lines.
    fn pem_section(label: &str, der: &[u8]) -> String {
        use base64::Engine as _;
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    fn quick(pem: &[u8]) -> Option<Vec<Vec<u8>>> {
        pem_certificates(pem).map(|certs| certs.iter().map(|c| c.der().to_vec()).collect())
    }

    #[test]
    fn the_quick_pem_reader_reads_what_ureqs_reader_reads() {
        let a = rcgen::generate_simple_self_signed(vec!["a.example".into()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["b.example".into()]).unwrap();
        let (a_pem, b_pem) = (
            pem_section("CERTIFICATE", a.cert.der()),
            pem_section("CERTIFICATE", b.cert.der()),
        );
        let bundle = format!(
            "# two roots\n{a_pem}\nsome text between\n{}{}\n",
            pem_section("PRIVATE KEY", &a.signing_key.serialize_der()),
            b_pem.replace('\n', "\r\n")
        );
        let found = quick(bundle.as_bytes()).expect("a well-formed bundle");
        assert_eq!(found, by_ureq(bundle.as_bytes()));
        assert_eq!(found, vec![a.cert.der().to_vec(), b.cert.der().to_vec()]);
        // The system's bundle, where there is one.
        if let Ok(system) = std::fs::read("/etc/ssl/certs/ca-certificates.crt") {
            assert_eq!(quick(&system), Some(by_ureq(&system)));
        }
        // Anything malformed goes to ureq's reader, which names the fault.
        let cut = &a_pem[..a_pem.len() - 30];
        assert_eq!(quick(cut.as_bytes()), None);
        let bad_char = a_pem.replacen("MII", "MI*", 1);
        assert_eq!(quick(bad_char.as_bytes()), None);
        assert_eq!(quick(b"no certificate here\n"), Some(vec![]));
    }

    #[test]
    fn the_recorded_signature_is_shortened() {
        let auth = "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/cvm/tc3_request, \
                    SignedHeaders=content-type;host;x-tc-action, \
                    Signature=0123456789abcdef0123456789abcdef";
        let shorten = |s: &str| {
            let mut s = s.to_owned();
            shorten_signature_in_place(&mut s);
            s
        };
        let short = shorten(auth);
        assert!(short.ends_with("Signature=0123456789ab…"), "{short}");
        assert!(!short.contains("cdef0123"));
        assert!(!shorten("Bearer 0123456789abcdef").contains("0123"));
    }
}
