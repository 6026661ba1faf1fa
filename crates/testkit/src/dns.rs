//! A DNS server on 127.0.0.1 (UDP) answering PTR, A and AAAA queries from
//! a table, for the tests of reverse DNS verification: what a crawler's
//! nameserver would say, without the network.
//!
//! ```
//! use rampart_testkit::dns::TestDns;
//! let dns = TestDns::start(|table| {
//!     table.ptr("66.249.66.1".parse().unwrap(), "crawl-66-249-66-1.googlebot.com");
//!     table.address("crawl-66-249-66-1.googlebot.com", "66.249.66.1".parse().unwrap());
//! });
//! println!("resolver = \"{}\"", dns.addr());
//! ```
//!
//! A name the table lacks is answered `NXDOMAIN`; a name it has without
//! records of the asked type, with no answers. Every query is counted.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

const PTR: u16 = 12;
const A: u16 = 1;
const AAAA: u16 = 28;
const TTL: u32 = 300;

enum Data {
    Ptr(String),
    Address(IpAddr),
}

impl Data {
    fn kind(&self) -> u16 {
        match self {
            Data::Ptr(_) => PTR,
            Data::Address(IpAddr::V4(_)) => A,
            Data::Address(IpAddr::V6(_)) => AAAA,
        }
    }
}

/// The records the server answers with, by lowercase name without a final dot.
#[derive(Default)]
pub struct Table {
    records: HashMap<String, Vec<Data>>,
}

/// The `in-addr.arpa` or `ip6.arpa` name of an address.
pub fn arpa_name(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut labels: Vec<String> = v6
                .octets()
                .iter()
                .flat_map(|byte| [byte >> 4, byte & 0xf])
                .map(|nibble| format!("{nibble:x}"))
                .collect();
            labels.reverse();
            format!("{}.ip6.arpa", labels.join("."))
        }
    }
}

impl Table {
    /// `address`'s PTR record names `host`.
    pub fn ptr(&mut self, address: IpAddr, host: &str) -> &mut Self {
        self.records
            .entry(arpa_name(address))
            .or_default()
            .push(Data::Ptr(host.to_string()));
        self
    }

    /// `host` has an A (IPv4) or AAAA (IPv6) record of `address`.
    pub fn address(&mut self, host: &str, address: IpAddr) -> &mut Self {
        self.records
            .entry(host.to_ascii_lowercase())
            .or_default()
            .push(Data::Address(address));
        self
    }
}

/// The running server; stopped when dropped.
pub struct TestDns {
    addr: SocketAddr,
    queries: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestDns {
    pub fn start(fill: impl FnOnce(&mut Table)) -> TestDns {
        let mut table = Table::default();
        fill(&mut table);
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a loopback UDP port");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("set a read timeout");
        let addr = socket.local_addr().expect("its address");
        let (queries, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let thread = {
            let (queries, stop) = (Arc::clone(&queries), Arc::clone(&stop));
            std::thread::spawn(move || serve(&socket, &table, &queries, &stop))
        };
        TestDns {
            addr,
            queries,
            stop,
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queries answered so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(socket: &UdpSocket, table: &Table, queries: &AtomicUsize, stop: &AtomicBool) {
    let mut buffer = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        let Ok((len, from)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        if let Some(answer) = answer(&buffer[..len], table) {
            queries.fetch_add(1, Ordering::SeqCst);
            let _ = socket.send_to(&answer, from);
        }
    }
}

/// The question's name (lowercase, dotted) and where the question ends.
fn question(query: &[u8]) -> Option<(String, usize)> {
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        if len > 63 || labels.len() > 127 {
            return None;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    Some((labels.join("."), at + 4))
}

fn encode_name(name: &str, out: &mut Vec<u8>) {
    for label in name.trim_end_matches('.').split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

fn answer(query: &[u8], table: &Table) -> Option<Vec<u8>> {
    let (name, end) = question(query)?;
    let kind = u16::from_be_bytes([*query.get(end - 4)?, *query.get(end - 3)?]);
    let records = table.records.get(&name);
    let answers: Vec<&Data> = records
        .into_iter()
        .flatten()
        .filter(|d| d.kind() == kind)
        .collect();
    let rcode = if records.is_none() { 3 } else { 0 };
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&query[..2]);
    // A response, recursion desired and available, and the code.
    out.extend_from_slice(&[0x81, 0x80 | rcode]);
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(answers.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&query[12..end]);
    for data in answers {
        // The question's name, by a pointer to it.
        out.extend_from_slice(&[0xc0, 12]);
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&TTL.to_be_bytes());
        let mut rdata = Vec::new();
        match data {
            Data::Ptr(host) => encode_name(host, &mut rdata),
            Data::Address(IpAddr::V4(v4)) => rdata.extend_from_slice(&v4.octets()),
            Data::Address(IpAddr::V6(v6)) => rdata.extend_from_slice(&v6.octets()),
        }
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(&rdata);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arpa_names_are_reversed() {
        assert_eq!(
            arpa_name("66.249.66.1".parse().unwrap()),
            "1.66.249.66.in-addr.arpa"
        );
        let v6 = arpa_name("2001:db8::1".parse().unwrap());
        assert!(v6.starts_with("1.0.0.0."), "{v6}");
        assert!(v6.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"), "{v6}");
    }

    #[test]
    fn a_query_is_answered_from_the_table() {
        let dns = TestDns::start(|table| {
            table.address("host.example", "192.0.2.1".parse().unwrap());
        });
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut query = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        encode_name("HOST.example", &mut query);
        query.extend_from_slice(&[0, 1, 0, 1]);
        client.send_to(&query, dns.addr()).unwrap();
        let mut buffer = [0u8; 512];
        let len = client.recv(&mut buffer).unwrap();
        let response = &buffer[..len];
        assert_eq!(&response[..2], &[0x12, 0x34]);
        assert_eq!(response[3] & 0xf, 0, "no error");
        assert_eq!(&response[6..8], &[0, 1], "one answer");
        assert_eq!(&response[len - 4..], &[192, 0, 2, 1]);
        assert_eq!(dns.queries(), 1);
    }
}
