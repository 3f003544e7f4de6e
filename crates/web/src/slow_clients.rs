//! Clients that are slow on purpose cannot hold the server: a request body must keep coming and
//! must be complete within a deadline ([`DeadlineBody`]), and one address holds a bounded number
//! of connections at once ([`ConnectionCounts`]). The request head has hyper's own header read
//! timer, which also closes a keep-alive connection left idle between requests.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{sleep, Instant, Sleep};

/// A request body that fails when no data comes for `idle` or when it is not over by `total`.
pub struct DeadlineBody {
    body: Incoming,
    idle: Duration,
    idle_timer: Pin<Box<Sleep>>,
    total_timer: Pin<Box<Sleep>>,
}

/// Why a body was cut off.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("请求内容发送太慢，连接已关闭")]
    TooSlow,
    #[error(transparent)]
    Hyper(#[from] hyper::Error),
}

impl DeadlineBody {
    pub fn new(body: Incoming, idle: Duration, total: Duration) -> Self {
        DeadlineBody {
            body,
            idle,
            idle_timer: Box::pin(sleep(idle)),
            total_timer: Box::pin(sleep(total)),
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                let deadline = Instant::now() + this.idle;
                this.idle_timer.as_mut().reset(deadline);
                Poll::Ready(frame.map(|f| f.map_err(BodyError::from)))
            }
            Poll::Pending => {
                if this.idle_timer.as_mut().poll(cx).is_ready()
                    || this.total_timer.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Some(Err(BodyError::TooSlow)));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Open connections per address (an IPv6 address by its /64), capped.
#[derive(Clone)]
pub struct ConnectionCounts {
    limit: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One counted connection; dropping it (when the connection ends) frees its place.
pub struct ConnectionSlot {
    counts: ConnectionCounts,
    key: IpAddr,
}

impl ConnectionCounts {
    pub fn new(limit: usize) -> Self {
        ConnectionCounts {
            limit: limit.max(1),
            open: Arc::default(),
        }
    }

    /// A place for a new connection from `peer`, or `None` when the address holds the limit.
    pub fn admit(&self, peer: IpAddr) -> Option<ConnectionSlot> {
        let key = address_key(peer);
        let mut open = self.open.lock();
        let count = open.entry(key).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            counts: self.clone(),
            key,
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock();
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// The address a limit counts by: IPv4 as it is, IPv6 by its /64 (one household or server holds
/// a whole /64), an IPv4-mapped IPv6 address as the IPv4 one.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Tells a client over its limit why, briefly, and closes the connection.
pub async fn refuse(mut stream: TcpStream) {
    const BODY: &str = "同一地址打开的连接太多，请稍后再试";
    let response = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain; charset=utf-8\r\n\
         retry-after: 5\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let write = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    };
    // A client that does not read is not waited for.
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_holds_at_most_the_limit_and_a_closed_connection_frees_its_place() {
        let counts = ConnectionCounts::new(2);
        let a: IpAddr = "203.0.113.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let b: IpAddr = "203.0.113.8".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let first = counts.admit(a);
        let second = counts.admit(a);
        assert!(first.is_some() && second.is_some());
        assert!(counts.admit(a).is_none());
        assert!(counts.admit(b).is_some(), "another address");
        drop(first);
        assert!(counts.admit(a).is_some());
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::from([0; 16]));
        let _one = counts.admit(v6("2001:db8::1"));
        let _two = counts.admit(v6("2001:db8::2"));
        assert!(counts.admit(v6("2001:db8::3")).is_none(), "one /64");
    }
}
