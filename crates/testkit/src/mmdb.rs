//! A minimal MaxMind DB writer (format 2.0, 24-bit records, IPv6 tree with
//! IPv4 under `::/96`), enough to build the small country and ASN databases
//! tests load (`prevent.geo.database`, `prevent.geo.asn_database`) without
//! shipping binary files or reading any outside the repository.

/// A value of a record: what MaxMind databases hold that tests need.
pub enum Value {
    Text(&'static str),
    Uint32(u32),
    Map(Vec<(&'static str, Value)>),
}

#[derive(Clone, Copy)]
enum Slot {
    Empty,
    Node(usize),
    Data(usize),
}

fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
    assert!(size < 29 + 256, "test values stay small");
    let low = size.min(29) as u8;
    if kind <= 7 {
        out.push(kind << 5 | low);
    } else {
        out.push(low);
        out.push(kind - 7);
    }
    if size >= 29 {
        out.push((size - 29) as u8);
    }
}

fn encode(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Text(text) => {
            control(out, 2, text.len());
            out.extend_from_slice(text.as_bytes());
        }
        Value::Uint32(number) => {
            let bytes = number.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            control(out, 6, 4 - skip);
            out.extend_from_slice(&bytes[skip..]);
        }
        Value::Map(entries) => {
            control(out, 7, entries.len());
            for (key, value) in entries {
                encode(out, &Value::Text(key));
                encode(out, value);
            }
        }
    }
}

fn uint16(out: &mut Vec<u8>, number: u16) {
    let bytes = number.to_be_bytes();
    control(out, 5, 2);
    out.extend_from_slice(&bytes);
}

/// Builds a database of `networks` (address as 128 bits, prefix length
/// in that space, record), more specific networks after less specific.
pub fn build(database_type: &'static str, networks: &[(u128, u8, Value)]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut nodes: Vec<[Slot; 2]> = vec![[Slot::Empty; 2]];
    for (address, prefix, value) in networks {
        let offset = data.len();
        encode(&mut data, value);
        let mut node = 0;
        for depth in 0..*prefix {
            let bit = (address >> (127 - depth) & 1) as usize;
            if depth + 1 == *prefix {
                nodes[node][bit] = Slot::Data(offset);
                break;
            }
            node = match nodes[node][bit] {
                Slot::Node(next) => next,
                inherited => {
                    nodes.push([inherited; 2]);
                    let next = nodes.len() - 1;
                    nodes[node][bit] = Slot::Node(next);
                    next
                }
            };
        }
    }
    let count = nodes.len();
    let mut out = Vec::new();
    for pair in &nodes {
        for slot in pair {
            let record = match *slot {
                Slot::Empty => count,
                Slot::Node(index) => index,
                Slot::Data(offset) => count + 16 + offset,
            };
            out.extend_from_slice(&(record as u32).to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\xab\xcd\xefMaxMind.com");
    control(&mut out, 7, 9);
    for (key, number) in [
        ("binary_format_major_version", 2),
        ("binary_format_minor_version", 0),
        ("record_size", 24),
        ("ip_version", 6),
    ] {
        encode(&mut out, &Value::Text(key));
        uint16(&mut out, number);
    }
    encode(&mut out, &Value::Text("node_count"));
    encode(&mut out, &Value::Uint32(count as u32));
    encode(&mut out, &Value::Text("database_type"));
    encode(&mut out, &Value::Text(database_type));
    encode(&mut out, &Value::Text("languages"));
    control(&mut out, 11, 0);
    encode(&mut out, &Value::Text("build_epoch"));
    control(&mut out, 9, 1);
    out.push(1);
    encode(&mut out, &Value::Text("description"));
    encode(&mut out, &Value::Map(vec![]));
    out
}

/// An IPv4 network in the IPv6 tree.
pub fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> (u128, u8) {
    (u128::from(u32::from_be_bytes([a, b, c, d])), 96 + prefix)
}
