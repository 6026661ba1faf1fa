//! Where the offline commands read exchange records from: a file, or
//! standard input when the path is `-`.

use anyhow::Context;
use std::io::{BufRead, BufReader};
use std::path::Path;

pub fn open_records(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin().lock())));
    }
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Box::new(BufReader::new(file)))
}
