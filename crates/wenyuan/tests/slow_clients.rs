//! Slow and greedy clients (issue 10, item 4) over raw TCP: a body that stalls or trickles is cut
//! off, a keep-alive connection left idle is closed, and one address cannot hold more than its
//! share of connections while another address is still served.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{backends, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn server_addr(app: &TestApp) -> SocketAddr {
    app.base.trim_start_matches("http://").parse().unwrap()
}

/// A connection to the server from `local` (an address of 127.0.0.0/8).
async fn connect_from(local: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
    socket.connect(server).await.unwrap()
}

/// Everything the server sends until it closes, and how long that took (at most `limit`).
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut buf)).await;
    (
        String::from_utf8_lossy(&buf).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_or_trickling_body_is_cut_off() {
    let app = TestApp::start_with(backends()[0], |config| {
        config.limits.body_idle_timeout = Duration::from_secs(1);
        config.limits.body_total_timeout = Duration::from_secs(3);
    })
    .await;
    let server = server_addr(&app);
    let head =
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 1000\r\n\r\nname=";

    // Stalls after a few bytes.
    let mut stalled = connect_from("127.0.0.1", server).await;
    stalled.write_all(head.as_bytes()).await.unwrap();
    let (answer, waited) = read_until_closed(&mut stalled, Duration::from_secs(20)).await;
    eprintln!(
        "stalled body: closed after {waited:?}: {:?}",
        answer.lines().next()
    );
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");

    // Trickles a byte every 300 ms: never idle for long, but not done by the total deadline.
    let mut trickle = connect_from("127.0.0.1", server).await;
    trickle.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let closed = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if trickle.write_all(b"a").await.is_err() || started.elapsed() > Duration::from_secs(20) {
            break started.elapsed();
        }
        let mut probe = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(1), trickle.read(&mut probe)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break started.elapsed(),
            Ok(Ok(_)) => break started.elapsed(),
            Err(_) => {}
        }
    };
    eprintln!("trickling body: answered or closed after {closed:?}");
    assert!(closed < Duration::from_secs(8), "{closed:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = TestApp::start_with(backends()[0], |config| {
        config.limits.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = connect_from("127.0.0.1", server_addr(&app)).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, waited) = read_until_closed(&mut stream, Duration::from_secs(20)).await;
    eprintln!("idle keep-alive closed after {waited:?}");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_a_bounded_number_of_connections() {
    let app = TestApp::start_with(backends()[0], |config| {
        config.limits.max_connections_per_address = 3;
        config.limits.header_read_timeout = Duration::from_secs(60);
    })
    .await;
    let server = server_addr(&app);
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect_from("127.0.0.1", server).await;
        // Half a request: the connection stays open.
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    // Let the server count them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = connect_from("127.0.0.1", server).await;
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let (answer, waited) = read_until_closed(&mut fourth, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("连接太多"), "{answer}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    // Another address is served meanwhile.
    let mut other = connect_from("127.0.0.2", server).await;
    other
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut other, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A closed connection frees its place.
    drop(held.pop());
    let mut again = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut stream = connect_from("127.0.0.1", server).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
        if answer.starts_with("HTTP/1.1 200") {
            again = Some(answer);
            break;
        }
    }
    assert!(again.is_some(), "a place was freed");
    drop(held);
    app.stop().await;
}
