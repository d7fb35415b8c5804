//! The HTTP layer of a shared server: clients that send half a request are
//! dropped, and every error answer, the HTTP layer's own included, is in
//! the API's error shape.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{database_url, Served};

const AUTH: &str = "Authorization: Bearer tok\r\n";

fn quick_timeouts(dir: &std::path::Path) -> Served {
    Served::start(
        &database_url(dir),
        &[
            "--token",
            "tok",
            "--header-read-timeout",
            "1",
            "--body-read-timeout",
            "1",
        ],
    )
}

/// Before, 3,000 connections that sent half a request were all still held
/// after 130 s: nothing bounded reading headers or bodies.
#[test]
fn connections_that_send_half_a_request_are_closed_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let served = quick_timeouts(dir.path());
    let halves: Vec<Vec<u8>> = vec![
        b"GET /sour".to_vec(),
        format!("GET /sources HTTP/1.1\r\nHost: x\r\n{AUTH}").into_bytes(),
        format!("POST /labels HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Length: 200\r\n\r\n{{\"la")
            .into_bytes(),
    ];
    let started = Instant::now();
    let mut conns = Vec::new();
    for i in 0..12 {
        let mut conn = TcpStream::connect(&served.addr).unwrap();
        conn.write_all(&halves[i % halves.len()]).unwrap();
        // Bounds the test if the server never closes.
        conn.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
        conns.push((i % halves.len(), conn));
    }
    for (kind, mut conn) in conns {
        let mut answer = Vec::new();
        let read = conn.read_to_end(&mut answer);
        assert!(
            read.is_ok(),
            "connection {kind} still open after 8 s: {read:?}"
        );
        let text = String::from_utf8_lossy(&answer);
        if kind == 2 {
            // A stalled body: told why, in the API's shape.
            assert!(text.starts_with("HTTP/1.1 408"), "{text}");
            assert!(text.contains("\"type\":\"request-timeout\""), "{text}");
        }
    }
    // Timeouts of 1 s; every connection waited at once, not one by one.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    // The server still serves.
    let ok = served.raw(
        format!("GET / HTTP/1.1\r\nHost: x\r\n{AUTH}Connection: close\r\n\r\n").as_bytes(),
        Duration::from_secs(10),
    );
    assert_eq!(ok.status, 200, "{ok:?}");
}

/// Before, invalid UTF-8 in a path answered 400 in plain text, a very long
/// cursor 414 with an empty body, and a 1 MB path or query 431 with none.
#[test]
fn errors_the_http_layer_answers_are_in_the_api_shape() {
    let dir = tempfile::tempdir().unwrap();
    let served = quick_timeouts(dir.path());
    let limit = Duration::from_secs(10);
    let get = |target: &str, extra: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: x\r\n{AUTH}{extra}Connection: close\r\n\r\n")
    };
    // Invalid UTF-8 once percent-decoded, in an id.
    let answer = served.raw(get("/sources/%FF%FEab", "").as_bytes(), limit);
    answer.assert_api_error(400);
    assert!(
        answer.body.contains("\"field\":\"path\""),
        "names the path: {answer:?}"
    );
    // A cursor of 70,000 characters: above hyper's 64 KiB for a URI.
    let cursor = "A".repeat(70_000);
    let long = get(&format!("/sources?pagination.cursor={cursor}"), "");
    served.raw(long.as_bytes(), limit).assert_api_error(414);
    // A 1 MB path, a 1 MB query, a 1 MB header.
    let mb = "a".repeat(1 << 20);
    for request in [
        get(&format!("/sources/{mb}"), ""),
        get(&format!("/sources?q={mb}"), ""),
        get("/sources", &format!("X-Big: {mb}\r\n")),
    ] {
        served.raw(request.as_bytes(), limit).assert_api_error(431);
    }
    // Not HTTP at all.
    served
        .raw(b"HELLO THERE\r\n\r\n", limit)
        .assert_api_error(400);
    // A well-formed request on the same server is answered as before.
    let ok = served.raw(get("/sources", "").as_bytes(), limit);
    assert_eq!(ok.status, 200, "{ok:?}");
}
