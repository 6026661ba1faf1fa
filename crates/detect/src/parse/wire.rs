//! The text an API's binary wire format carries.
//!
//! A Protocol Buffers, gRPC, MessagePack, CBOR or Avro body is strings
//! between length prefixes, tags and varints. Read as one text, it is full
//! of NUL and control bytes that mean nothing but read as evasion
//! (`protocol.null_byte`), and its strings run into each other. The
//! application reads each string on its own, so the detectors do too: a
//! body is cut into its runs of printable UTF-8, and each run long enough
//! to carry a payload is one value. No schema is needed, and nothing the
//! application would decode as text is skipped: a string field is always a
//! run of valid UTF-8.

/// Runs shorter than this carry no payload (a tag or a length byte that
/// happens to be printable).
pub const MIN_RUN_BYTES: usize = 4;

/// The runs of printable text in `bytes`, in order, each trimmed of
/// surrounding whitespace; control characters (except tab, line feed and
/// carriage return) and invalid UTF-8 end a run. One pass: each byte is
/// decoded once.
pub fn text_runs(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .utf8_chunks()
        .flat_map(|chunk| chunk.valid().split(ends_a_run))
        .map(|run| run.as_bytes().trim_ascii())
        .filter(|run| run.len() >= MIN_RUN_BYTES)
}

/// A character no string field of the application holds as text.
fn ends_a_run(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(bytes: &[u8]) -> Vec<&str> {
        text_runs(bytes)
            .map(|r| std::str::from_utf8(r).expect("runs are UTF-8"))
            .collect()
    }

    #[test]
    fn a_grpc_message_reads_as_its_strings() {
        // A gRPC frame (flag, 4-byte length) around a protobuf message:
        // field 1 a string, field 2 a varint.
        let body = b"\x00\x00\x00\x00\x14\n\x0cshell select\x10\xd5\xad\x9a\x04";
        assert_eq!(runs(body), ["shell select"]);
        let attack = b"\x00\x00\x00\x00\x20\n\x1e1' union select password from u";
        assert_eq!(runs(attack), ["1' union select password from u"]);
    }

    #[test]
    fn short_runs_invalid_utf8_and_control_bytes_end_runs() {
        assert_eq!(runs(b"ab\x01cdef\xffghij\x00kl"), ["cdef", "ghij"]);
        assert_eq!(
            runs("caf\u{e9} au lait\x02".as_bytes()),
            ["caf\u{e9} au lait"]
        );
        assert_eq!(runs(b"  line one\nline two\t\x07"), ["line one\nline two"]);
        assert!(runs(b"").is_empty());
        assert!(runs(&[0u8; 64]).is_empty());
    }

    #[test]
    fn runs_stay_within_the_input() {
        // Runs never overlap and never reach past the input.
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let total: usize = text_runs(&bytes).map(<[u8]>::len).sum();
        assert!(total <= bytes.len());
    }
}
