//! A scripted raw-TCP peer that records every request: it can do what a provider under stress
//! does (answer a throttle, an internal error, a bare 503, or apply a request and drop the
//! connection without answering).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Arrived {
    pub at: Instant,
    pub headers: Vec<(String, String)>,
    pub target: String,
    pub body: String,
}

impl Arrived {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The instance IDs of a Tencent body.
    pub fn instance_ids(&self) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&self.body).unwrap_or_default();
        v["InstanceIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    }
}

/// What the peer does with a request.
pub enum Reply {
    /// Answer this status and body.
    Answer(u16, String),
    /// Answer with an extra header.
    AnswerWith(u16, String, (&'static str, String)),
    /// Read the request and close the connection without answering (as if applied).
    Drop,
}

pub type Script = Box<dyn Fn(usize, &Arrived) -> Reply + Send + Sync>;

pub struct Peer {
    pub url: String,
    arrived: Arc<Mutex<Vec<Arrived>>>,
}

impl Peer {
    pub fn start(script: impl Fn(usize, &Arrived) -> Reply + Send + Sync + 'static) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let arrived = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(Box::new(script));
        let log = Arc::clone(&arrived);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                thread::spawn(move || serve(stream, &log, &script));
            }
        });
        Peer { url, arrived }
    }

    pub fn arrived(&self) -> Vec<Arrived> {
        self.arrived.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Arrived>>, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let arrived = Arrived {
            at: Instant::now(),
            headers,
            target,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let index = {
            let mut log = log.lock().unwrap();
            log.push(arrived.clone());
            log.len() - 1
        };
        let (status, body, extra) = match script(index, &arrived) {
            Reply::Answer(s, b) => (s, b, None),
            Reply::AnswerWith(s, b, h) => (s, b, Some(h)),
            Reply::Drop => return,
        };
        let extra = extra.map_or(String::new(), |(n, v)| format!("{n}: {v}\r\n"));
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n",
            body.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body.as_bytes()).is_err()
        {
            return;
        }
    }
}
