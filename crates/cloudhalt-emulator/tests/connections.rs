//! Connection handling: many keep-alive clients at once are each answered promptly, and a
//! connection carries request after request.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::*;

/// Sends `GET /_emulator/state` on `stream` and reads the whole answer; the status code.
fn get_state(stream: &mut TcpStream, port: u16) -> std::io::Result<u16> {
    write!(
        stream,
        "GET /_emulator/state HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    read_answer(stream)
}

/// Reads one answer (status line, headers, a body of Content-Length bytes); the status code.
fn read_answer(stream: &mut TcpStream) -> std::io::Result<u16> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    // The reader must not have read past this answer: nothing else was asked.
    assert!(reader.buffer().is_empty());
    Ok(status)
}

/// A burst of new keep-alive connections, while earlier ones sit idle, is answered at once on
/// every connection: with tiny_http behind the relay, a burst was queued to its few waiting
/// threads and the rest of the connections were never read (the client timed out after 30 s).
#[test]
fn a_burst_of_keep_alive_connections_is_answered_promptly() {
    const BURST: usize = 16;
    let emu = emulator();
    let port = emu.port();
    let mut idle: Vec<TcpStream> = Vec::new();
    for round in 0..5 {
        let barrier = Arc::new(Barrier::new(BURST));
        let threads: Vec<_> = (0..BURST)
            .map(|_| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let started = Instant::now();
                    let status = get_state(&mut stream, port);
                    (stream, status, started.elapsed())
                })
            })
            .collect();
        for thread in threads {
            let (stream, status, took) = thread.join().unwrap();
            match status {
                Ok(200) => {}
                other => panic!("round {round}: {other:?} after {took:?}, not 200 within 2 s"),
            }
            idle.push(stream);
        }
    }
    // The idle connections are still alive and still served.
    for stream in idle.iter_mut().step_by(7) {
        assert_eq!(get_state(stream, port).unwrap(), 200);
    }
}

/// One connection carries several requests, with bodies, and `Connection: close` ends it after
/// the answer.
#[test]
fn keep_alive_then_connection_close() {
    let emu = emulator();
    let port = emu.port();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    for _ in 0..3 {
        assert_eq!(get_state(&mut stream, port).unwrap(), 200);
        let body = "{}";
        write!(
            stream,
            "POST /_emulator/reset HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        assert_eq!(read_answer(&mut stream).unwrap(), 200);
    }
    write!(
        stream,
        "GET /_emulator/state HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    assert_eq!(read_answer(&mut stream).unwrap(), 200);
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).unwrap(), 0, "closed after");
}
