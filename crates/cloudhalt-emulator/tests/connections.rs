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

/// A chunked body is decoded, `Expect: 100-continue` is honoured, and a pipelined second
/// request on the same connection is answered after the first.
#[test]
fn chunked_body_expect_continue_and_pipelining() {
    let emu = emulator();
    let port = emu.port();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
         Expect: 100-continue\r\n\r\n"
    )
    .unwrap();
    let mut continue_line = [0u8; 25];
    stream.read_exact(&mut continue_line).unwrap();
    assert_eq!(&continue_line, b"HTTP/1.1 100 Continue\r\n\r\n");
    write!(
        stream,
        "6\r\n{{\"kind\r\n e;ext=1\r\n\": \"throttle\"}}\r\n0\r\nX-Trailer: 1\r\n\r\n\
         GET /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answers = String::new();
    stream.read_to_string(&mut answers).unwrap();
    assert_eq!(
        answers.matches("HTTP/1.1 200 OK\r\n").count(),
        2,
        "{answers}"
    );
    assert!(answers.contains(r#""kind":"throttle""#), "{answers}");
    assert_eq!(emu.state()["faults"].as_array().unwrap().len(), 1);
}

/// A request the server cannot read is refused with a status that says why, then closed.
#[test]
fn unreadable_requests_are_refused() {
    let emu = emulator();
    let port = emu.port();
    for (request, status) in [
        (
            "POST /_emulator/reset HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n".to_owned(),
            "501",
        ),
        (
            "POST /_emulator/reset HTTP/1.1\r\nContent-Length: two\r\n\r\n".to_owned(),
            "400",
        ),
        ("GET /\0 HTTP/1.1\r\n\r\n".to_owned(), "400"),
    ] {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{request:?}: {answer}"
        );
        assert!(answer.contains("Connection: close\r\n"), "{answer}");
    }
}

/// A latency fault delays only the connection whose request it applies to.
#[test]
fn latency_delays_only_its_own_connection() {
    let emu = emulator();
    emu.add_fault(cloudhalt_emulator::Fault {
        ms: Some(1500),
        ..cloudhalt_emulator::Fault::new(cloudhalt_emulator::FaultKind::Latency)
    })
    .unwrap();
    let client = tencent(&emu);
    let slow = std::thread::spawn(move || {
        client
            .stop_instances(&cloudhalt::StopInstances::new(
                "ap-guangzhou",
                vec!["ins-run00000".into()],
            ))
            .unwrap();
    });
    // Let the slow request reach the server and take the fault.
    while !emu.state()["faults"].as_array().unwrap().is_empty() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut stream = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    assert_eq!(get_state(&mut stream, emu.port()).unwrap(), 200);
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert!(!slow.is_finished(), "the delayed request is still waiting");
    slow.join().unwrap();
}

/// Shutting down closes idle keep-alive connections and returns promptly.
#[test]
fn shutdown_closes_idle_connections() {
    let emu = emulator();
    let port = emu.port();
    let mut streams: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            assert_eq!(get_state(&mut s, port).unwrap(), 200);
            s
        })
        .collect();
    let started = Instant::now();
    emu.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    for stream in &mut streams {
        let mut rest = Vec::new();
        match stream.read_to_end(&mut rest) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("the connection should have ended: {other:?} {rest:?}"),
        }
    }
}
