//! An https:// client pointed at the plain-http emulator is told at once: its ClientHello gets
//! the connection closed, instead of the server waiting for a request line that never comes while
//! the client waits for a ServerHello until its own timeout.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cloudhalt::StopInstances;
use common::*;

/// The start of a TLS 1.2/1.3 ClientHello: a handshake record (0x16), legacy version 3.1, then a
/// ClientHello (type 1) with a version, 32 random bytes, no session, one cipher suite and SNI.
fn client_hello() -> Vec<u8> {
    let mut hello = vec![0x03, 0x03];
    hello.extend_from_slice(&[0x5a; 32]); // random
    hello.push(0); // session id length
    hello.extend_from_slice(&[0x00, 0x02, 0x13, 0x01]); // TLS_AES_128_GCM_SHA256
    hello.extend_from_slice(&[0x01, 0x00]); // compression: null
    let name = b"127.0.0.1";
    let mut sni = vec![0x00];
    sni.extend_from_slice(&(name.len() as u16).to_be_bytes());
    sni.extend_from_slice(name);
    let mut ext = vec![0x00, 0x00];
    ext.extend_from_slice(&((sni.len() + 2) as u16).to_be_bytes());
    ext.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    ext.extend_from_slice(&sni);
    hello.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    hello.extend_from_slice(&ext);
    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&hello);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

#[test]
fn a_tls_client_hello_is_closed_at_once() {
    let emu = emulator();
    let mut stream = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    // Well above "at once", well below a client's timeout: a hang shows as a timeout here.
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(&client_hello()).unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => panic!(
            "the emulator answered a ClientHello with {n} bytes: {:?}",
            &buf[..n]
        ),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ) => {}
        Err(e) => panic!("the connection stayed open after a ClientHello: {e}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "closed only after {:?}",
        started.elapsed()
    );
    // The emulator goes on serving plain HTTP.
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
}
