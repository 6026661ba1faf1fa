//! Who is listening on a TCP address, so that a gateway refused a port can
//! name the process that holds it instead of only saying "in use".
//!
//! On Linux the kernel lists listening sockets in `/proc/net/tcp` and
//! `/proc/net/tcp6` (address, owner uid, socket inode); a process holding one
//! has a `/proc/<pid>/fd/*` link to `socket:[inode]`, and its command line is
//! in `/proc/<pid>/cmdline`. The fd links of another user's processes are not
//! readable without privileges: such a holder is reported by uid only. Other
//! systems have no such files and get [`Holders::Unsearchable`].

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A process found holding a listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    /// The command line, arguments separated by spaces (empty for kernel threads).
    pub command: String,
}

/// What could be found out about the listeners of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holders {
    /// The processes holding them.
    Found(Vec<Process>),
    /// Listening sockets exist, owned by these uids, but no process could be
    /// matched to them (another user's processes, or another PID namespace).
    Hidden { uids: Vec<u32> },
    /// No listening socket on the address is visible here.
    None,
    /// This system offers no way to look (no `/proc/net/tcp`).
    Unsearchable,
}

impl fmt::Display for Holders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holders::Found(processes) => {
                for (i, process) in processes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "pid {}", process.pid)?;
                    if !process.command.is_empty() {
                        write!(f, " ({})", process.command)?;
                    }
                }
                Ok(())
            }
            Holders::Hidden { uids } => {
                let uids: Vec<String> = uids.iter().map(u32::to_string).collect();
                write!(
                    f,
                    "a process that could not be identified (socket owned by uid {}; \
                     probably another user's process, whose /proc entries are not readable)",
                    uids.join(", ")
                )
            }
            Holders::None => f.write_str(
                "a process that could not be identified (no listening socket on it is visible here)",
            ),
            Holders::Unsearchable => f.write_str(
                "another process (this system has no /proc/net/tcp to find which)",
            ),
        }
    }
}

/// Which listening sockets count as holding an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// Same family, same port, the same IP or a wildcard on either side:
    /// what shares connections with a listener of this family.
    SameFamily,
    /// Also an IPv6 wildcard listener for an IPv4 address, since it may be
    /// dual-stack (whether it is does not show in `/proc`).
    WithDualStack,
}

/// One listening socket as the kernel lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening {
    pub addr: SocketAddr,
    pub uid: u32,
    pub inode: u64,
}

impl Listening {
    fn holds(&self, wanted: SocketAddr, overlap: Overlap) -> bool {
        let dual_stack = overlap == Overlap::WithDualStack
            && wanted.is_ipv4()
            && self.addr.port() == wanted.port()
            && self.addr.ip() == IpAddr::V6(Ipv6Addr::UNSPECIFIED);
        dual_stack || overlaps(self.addr, wanted)
    }
}

/// Whether two listeners of the same family would take the same
/// connections: same port, and the same IP or a wildcard on either side.
/// (IPv6 listeners here are IPv6-only, so the families never overlap.)
pub fn overlaps(a: SocketAddr, b: SocketAddr) -> bool {
    let (x, y) = (a.ip(), b.ip());
    a.port() == b.port()
        && x.is_ipv4() == y.is_ipv4()
        && (x == y || x.is_unspecified() || y.is_unspecified())
}

/// The listening sockets on `addr` (see [`Overlap`]), or None where the
/// system does not list them.
pub fn listening_on(addr: SocketAddr, overlap: Overlap) -> Option<Vec<Listening>> {
    let mut found = Vec::new();
    let mut readable = false;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        readable = true;
        found.extend(
            text.lines()
                .skip(1)
                .filter_map(parse_listening)
                .filter(|l| l.holds(addr, overlap)),
        );
    }
    readable.then_some(found)
}

/// Names the holders of the listening sockets on `addr` other than `except`
/// (inodes of this process's own sockets).
pub fn holders(addr: SocketAddr, overlap: Overlap, except: &[u64]) -> Holders {
    let Some(listening) = listening_on(addr, overlap) else {
        return Holders::Unsearchable;
    };
    let foreign: Vec<Listening> = listening
        .into_iter()
        .filter(|l| !except.contains(&l.inode))
        .collect();
    if foreign.is_empty() {
        return Holders::None;
    }
    let inodes: BTreeSet<u64> = foreign.iter().map(|l| l.inode).collect();
    let processes = processes_holding(&inodes);
    if processes.is_empty() {
        let uids: BTreeSet<u32> = foreign.iter().map(|l| l.uid).collect();
        return Holders::Hidden {
            uids: uids.into_iter().collect(),
        };
    }
    Holders::Found(processes)
}

/// The inode of the socket behind one of this process's file descriptors.
pub fn own_socket_inode(fd: i32) -> Option<u64> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(format!("/proc/self/fd/{fd}"))
        .ok()
        .map(|m| m.ino())
}

/// Every process with a descriptor on one of `inodes`, by pid. Processes
/// whose descriptors cannot be read are skipped.
fn processes_holding(inodes: &BTreeSet<u64>) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&pid| holds_any(pid, inodes))
        .collect();
    pids.sort_unstable();
    pids.into_iter()
        .map(|pid| Process {
            pid,
            command: command_line(pid),
        })
        .collect()
}

fn holds_any(pid: u32, inodes: &BTreeSet<u64>) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| socket_inode(target.to_str()?))
        .any(|inode| inodes.contains(&inode))
}

/// `socket:[12345]` -> 12345.
fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// Longest command line quoted in a message, in characters.
const MAX_COMMAND_CHARS: usize = 200;

/// The command line on one line: arguments joined by spaces, control
/// characters replaced, cut at [`MAX_COMMAND_CHARS`].
fn command_line(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let joined = raw
        .split(|&b| b == 0)
        .filter(|arg| !arg.is_empty())
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    let mut line: String = joined
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_COMMAND_CHARS)
        .collect();
    if joined.chars().count() > MAX_COMMAND_CHARS {
        line.push_str("...");
    }
    line
}

/// TCP state 0x0A is LISTEN.
const LISTEN: &str = "0A";

/// One line of `/proc/net/tcp[6]` if it is a listening socket:
/// `sl local_address rem_address st queues timer retrnsmt uid timeout inode ...`.
fn parse_listening(line: &str) -> Option<Listening> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.get(3) != Some(&LISTEN) {
        return None;
    }
    Some(Listening {
        addr: parse_address(fields.get(1)?)?,
        uid: fields.get(7)?.parse().ok()?,
        inode: fields.get(9)?.parse().ok()?,
    })
}

/// `0100007F:1F90` -> 127.0.0.1:8080. The kernel prints the address as
/// 32-bit words in the machine's byte order and the port as a number.
fn parse_address(field: &str) -> Option<SocketAddr> {
    let (ip, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut bytes = Vec::with_capacity(16);
    for word in ip.as_bytes().chunks(8) {
        let word = std::str::from_utf8(word).ok()?;
        bytes.extend(u32::from_str_radix(word, 16).ok()?.to_ne_bytes());
    }
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(ip: [u8; 4]) -> String {
        format!("{:08X}", u32::from_ne_bytes(ip))
    }

    #[test]
    fn reads_listening_sockets_and_skips_the_rest() {
        let v4 = format!(
            "   3: {}:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0",
            word([127, 0, 0, 1])
        );
        assert_eq!(
            parse_listening(&v4),
            Some(Listening {
                addr: "127.0.0.1:8080".parse().unwrap(),
                uid: 1000,
                inode: 4242,
            })
        );
        let established = v4.replacen(" 0A ", " 01 ", 1);
        assert_eq!(parse_listening(&established), None);

        let loopback6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let words: String = loopback6
            .chunks(4)
            .map(|c| word(c.try_into().unwrap()))
            .collect();
        let v6 = format!("   0: {words}:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1");
        assert_eq!(
            parse_listening(&v6).map(|l| l.addr),
            Some("[::1]:80".parse().unwrap())
        );
        assert_eq!(parse_listening("garbage 0A"), None);
    }

    #[test]
    fn an_address_is_held_by_the_same_ip_or_a_wildcard_on_the_same_port() {
        let listening = |addr: &str| Listening {
            addr: addr.parse().unwrap(),
            uid: 0,
            inode: 1,
        };
        let wanted: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let same = Overlap::SameFamily;
        assert!(listening("127.0.0.1:8080").holds(wanted, same));
        assert!(listening("0.0.0.0:8080").holds(wanted, same));
        assert!(listening("127.0.0.1:8080").holds("0.0.0.0:8080".parse().unwrap(), same));
        assert!(!listening("127.0.0.2:8080").holds(wanted, same));
        assert!(!listening("127.0.0.1:8081").holds(wanted, same));
        assert!(!listening("[::]:8080").holds(wanted, same));
        assert!(listening("[::]:8080").holds(wanted, Overlap::WithDualStack));
        assert!(!listening("[::1]:8080").holds(wanted, Overlap::WithDualStack));
    }

    #[test]
    fn names_this_process_as_the_holder_of_its_own_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        match holders(addr, Overlap::SameFamily, &[]) {
            Holders::Found(processes) => {
                let me = processes
                    .iter()
                    .find(|p| p.pid == std::process::id())
                    .unwrap_or_else(|| panic!("this process not among {processes:?}"));
                assert!(!me.command.is_empty());
            }
            other => panic!("expected this process, got {other:?}"),
        }
        use std::os::fd::AsRawFd as _;
        let own = own_socket_inode(listener.as_raw_fd()).unwrap();
        assert_eq!(holders(addr, Overlap::SameFamily, &[own]), Holders::None);
    }
}
