//! Binding a listener: one socket per worker thread on the same address, and
//! never an address another process already serves.
//!
//! The workers share the port through SO_REUSEPORT. The kernel lets any
//! socket of the same user with that option join the group, so a second
//! gateway started on a served port would silently take half of its
//! connections. Before binding, the address is therefore probed with a socket
//! *without* SO_REUSEPORT, which the kernel refuses while anything listens
//! there (SO_REUSEADDR still lets it past connections in TIME_WAIT). Another
//! process could still bind in the instant between the probe and the worker
//! sockets; on Linux the listening sockets of the address are compared with
//! ours once they are all bound, which closes that gap. A refusal names the
//! holder when it can be found (see `port_holder`).
//!
//! With port 0 the first worker socket lets the kernel pick a port, which it
//! never picks from a port already in use; the others join it.

use crate::listener::ServeSettings;
use crate::port_holder::{self, Holders, Overlap};
use socket2::{Domain, Socket, Type};
use std::net::SocketAddr;
use std::os::fd::AsRawFd as _;

/// One listener's sockets: the same address bound once per worker.
pub struct BoundListener {
    pub name: String,
    pub addr: SocketAddr,
    pub settings: ServeSettings,
    sockets: Vec<std::net::TcpListener>,
}

impl BoundListener {
    /// Hands one worker its socket; None once every worker has one.
    pub fn take_socket(&mut self) -> Option<std::net::TcpListener> {
        self.sockets.pop()
    }
}

/// Why a listener could not be bound.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "listener {name:?} cannot listen on {addr}: the address is already served by {holders}; \
         stop that process or choose another listen address"
    )]
    InUse {
        name: String,
        addr: SocketAddr,
        holders: Holders,
    },
    #[error("listener {name:?} cannot listen on {addr}: {source}")]
    Io {
        name: String,
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Binds `workers` sockets on `addr`, sharing the port among themselves
/// only. Fails if another process listens on the address.
pub fn bind(
    name: &str,
    addr: SocketAddr,
    workers: usize,
    settings: ServeSettings,
) -> Result<BoundListener, BindError> {
    let io_error = |addr, source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            in_use(name, addr, &[])
        } else {
            BindError::Io {
                name: name.to_string(),
                addr,
                source,
            }
        }
    };
    if addr.port() != 0 {
        probe(addr).map_err(|e| io_error(addr, e))?;
    }
    let mut sockets = Vec::with_capacity(workers);
    let mut actual = addr;
    for _ in 0..workers.max(1) {
        let socket = listening_socket(actual).map_err(|e| io_error(actual, e))?;
        actual = socket.local_addr().map_err(|e| io_error(actual, e))?;
        sockets.push(socket);
    }
    let ours: Vec<u64> = sockets
        .iter()
        .filter_map(|s| port_holder::own_socket_inode(s.as_raw_fd()))
        .collect();
    let joined = port_holder::listening_on(actual, Overlap::SameFamily)
        .is_some_and(|listening| listening.iter().any(|l| !ours.contains(&l.inode)));
    if joined {
        return Err(in_use(name, actual, &ours));
    }
    Ok(BoundListener {
        name: name.to_string(),
        addr: actual,
        settings,
        sockets,
    })
}

fn in_use(name: &str, addr: SocketAddr, ours: &[u64]) -> BindError {
    BindError::InUse {
        name: name.to_string(),
        addr,
        holders: port_holder::holders(addr, Overlap::WithDualStack, ours),
    }
}

/// Binds and drops a socket without SO_REUSEPORT: fails with `AddrInUse`
/// while any socket listens on `addr`.
fn probe(addr: SocketAddr) -> std::io::Result<()> {
    configured_socket(addr, false)?.bind(&addr.into())
}

/// A worker's socket: SO_REUSEPORT, so the other workers can join it.
fn listening_socket(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = configured_socket(addr, true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}

fn configured_socket(addr: SocketAddr, reuse_port: bool) -> std::io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(reuse_port)?;
    Ok(socket)
}
